import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, WebSocket, type RawData } from 'ws';
import * as Y from 'yjs';
import * as syncProtocol from 'y-protocols/sync';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';
import { isPanel } from '../../shared/protocol/roles';
import { originAllowed } from '../realtime/socket';
import { tokenHash } from '../session/create';
import type { SessionRegistry } from '../session/registry';
import { localDocRelay, type DocRelay } from '../cluster/doc-relay';
import type { SessionState } from '../session/types';
import type { EventStore } from '../store/types';
import { isAtOrAfter } from '../stage/machine';
import { initialText, REQUIREMENTS_TEXT } from './document';
import { registerLiveText } from './live-text';
import { reqOf } from './state';
import { COMPACT_AFTER, updateLogFor, type UpdateLog } from './yjs-store';

// The requirements document's Yjs websocket endpoint, `/yjs/<sessionId>?token=…`, on the same
// http.Server as Socket.IO (docs/architecture.md). Panel members edit; the moderator and the
// observer read; suppliers and the wall are refused at the upgrade: suppliers receive frozen,
// published versions only (issue 5). As in Hocuspocus, read-only is enforced per incoming message:
// a read-only connection's document updates are dropped and never applied.
// Several processes (issue 9; docs/deploy.md "Yjs"): each open document is attached to the cluster's
// relay (`app.docRelay`), and its updates are stored through the event store (SQLite or PostgreSQL), so
// the unpublished edits survive a restart of every process. Each process stores the edits its own
// connections made (and the seed); relayed ones are stored by the process that received them.

const PATH = /^\/yjs\/([0-9a-fA-F-]{36})\/?$/;
const MSG_SYNC = 0;
const MSG_AWARENESS = 1;
const MSG_QUERY_AWARENESS = 3;
/** Close codes in 4400–4499 tell y-websocket not to reconnect (the decision is final). */
const CLOSE_REVOKED = 4401;
const MAX_MESSAGE = 2 * 1024 * 1024;
const MAX_AWARENESS_STATE = 4096;

interface Conn {
  ws: WebSocket;
  /** Messages that arrived while the document was still loading from the store. */
  queue: Uint8Array[] | null;
  sessionId: string;
  personId: string;
  tokenHash: string;
  /** Awareness client ids this connection speaks for. */
  clients: Set<number>;
  alive: boolean;
}

interface SharedDoc {
  doc: Y.Doc;
  awareness: awarenessProtocol.Awareness;
  conns: Set<Conn>;
  stored: number;
  /** Resolves once the stored updates are applied (the store may be remote). */
  ready: Promise<void>;
  loaded: boolean;
  /** Stores of this document, in order, so that a compaction follows every update it contains. */
  writes: Promise<void>;
  detach: () => void;
}

/**
 * The starting text (version 0), written by a fixed Yjs client id: two processes that both seed an
 * empty document produce the same update, which Yjs merges into one text (not two copies).
 */
const SEED_CLIENT = 0x5eed;
function seedUpdate(text: string): Uint8Array {
  const d = new Y.Doc();
  d.clientID = SEED_CLIENT;
  d.getText(REQUIREMENTS_TEXT).insert(0, text);
  const u = Y.encodeStateAsUpdate(d);
  d.destroy();
  return u;
}

export interface RequirementsEndpoint {
  /** Read-only counters, for tests and the log. */
  stats: { droppedUpdates: number };
  textOf(sessionId: string): string | null;
  /** The cluster's relay (app.docRelay); replacing it re-attaches every open document. */
  relay: DocRelay;
  useRelay(r: DocRelay): void;
  /** Waits for every pending store of an update. */
  flush(): Promise<void>;
  close(): void;
}

/** Refusals at the upgrade, before any websocket exists. */
function refuse(socket: Duplex, status: number, text: string): void {
  socket.write(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: 0\r\n\r\n`);
  socket.destroy();
}

export function attachRequirementsYjs(
  http: HttpServer,
  registry: SessionRegistry,
  opts: { store: EventStore; allowedOrigins: string[]; relay?: DocRelay },
): RequirementsEndpoint {
  const log: UpdateLog = updateLogFor(opts.store);
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE });
  const docs = new Map<string, SharedDoc>();
  const stats = { droppedUpdates: 0 };
  let relay: DocRelay = opts.relay ?? localDocRelay;

  /** Updates made here (a connection's edit, the seed) are stored; the relay's are stored where they were made. */
  const isLocal = (origin: unknown) => origin === 'seed' || (typeof origin === 'object' && origin !== null && 'ws' in origin);

  function store(d: SharedDoc, sessionId: string, update: Uint8Array): void {
    d.writes = d.writes
      .then(async () => {
        d.stored = await log.append(sessionId, update);
        if (d.stored >= COMPACT_AFTER) d.stored = await log.replace(sessionId, Y.encodeStateAsUpdate(d.doc));
      })
      .catch((e) => console.error(`[requirements] could not store an update of ${sessionId}:`, (e as Error).message));
  }

  function getDoc(s: SessionState): SharedDoc {
    let d = docs.get(s.id);
    if (d) return d;
    const doc = new Y.Doc();
    const awareness = new awarenessProtocol.Awareness(doc);
    awareness.setLocalState(null);
    d = { doc, awareness, conns: new Set(), stored: 0, ready: Promise.resolve(), loaded: false, writes: Promise.resolve(), detach: () => undefined };
    const shared = d;
    doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin === 'load') return;
      if (isLocal(origin)) store(shared, s.id, update);
      const msg = encoding.createEncoder();
      encoding.writeVarUint(msg, MSG_SYNC);
      syncProtocol.writeUpdate(msg, update);
      const bytes = encoding.toUint8Array(msg);
      for (const c of shared.conns) if (c !== origin) send(c, bytes);
    });
    awareness.on('update', ({ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] }) => {
      const changed = [...added, ...updated, ...removed];
      const msg = encoding.createEncoder();
      encoding.writeVarUint(msg, MSG_AWARENESS);
      encoding.writeVarUint8Array(msg, awarenessProtocol.encodeAwarenessUpdate(awareness, changed));
      const bytes = encoding.toUint8Array(msg);
      for (const c of shared.conns) send(c, bytes);
    });
    docs.set(s.id, d);
    d.ready = log
      .load(s.id)
      .catch((e) => {
        console.error(`[requirements] could not load the document of ${s.id}:`, (e as Error).message);
        return [] as Uint8Array[];
      })
      .then((updates) => {
        for (const u of updates) Y.applyUpdate(doc, u, 'load');
        shared.stored = updates.length;
        // The starting text (version 0), once, by the server: clients start empty and sync from here.
        if (updates.length === 0) Y.applyUpdate(doc, seedUpdate(reqOf(s).baseline?.content ?? initialText(s)), 'seed');
        shared.loaded = true;
        // Attached once loaded: the other processes then send only what this one lacks.
        shared.detach = relay.attach(s.id, doc);
      });
    return d;
  }

  /** The live text when this process has the document loaded; otherwise starts loading it. */
  function loadedText(sessionId: string): string | null {
    const rt = registry.get(sessionId);
    if (!rt) return null;
    const d = getDoc(rt.state);
    return d.loaded ? d.doc.getText(REQUIREMENTS_TEXT).toString() : null;
  }

  function send(c: Conn, bytes: Uint8Array): void {
    if (c.ws.readyState === WebSocket.OPEN) c.ws.send(bytes, (err) => err && c.ws.terminate());
  }

  /** Who this connection is now, re-read on every message: a reissued token or a replaced member loses access at once. */
  function current(c: Conn): { state: SessionState; writable: boolean } | null {
    const rt = registry.get(c.sessionId);
    const p = rt?.state.people[c.personId];
    if (!rt || !p || p.tokenHash !== c.tokenHash || !mayRead(rt.state, c.personId)) return null;
    return { state: rt.state, writable: isPanel(p.role) && p.active && rt.state.stage === 'consultation' };
  }

  function mayRead(s: SessionState, personId: string): boolean {
    const p = s.people[personId];
    return (isPanel(p.role) && p.active) || p.role === 'moderator' || p.role === 'observer';
  }

  function onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!url.pathname.startsWith('/yjs/')) return; // Socket.IO's and anyone else's upgrades are not ours
    socket.on('error', () => socket.destroy());
    const m = PATH.exec(url.pathname);
    if (!m) return refuse(socket, 404, 'Not Found');
    if (!originAllowed(req, opts.allowedOrigins)) return refuse(socket, 403, 'Forbidden');
    const who = registry.resolveToken(url.searchParams.get('token') ?? '');
    if (!who || who.sessionId !== m[1]) return refuse(socket, 401, 'Unauthorized');
    const rt = registry.get(who.sessionId);
    if (!rt) return refuse(socket, 401, 'Unauthorized');
    // Suppliers and the wall never receive the live document (issue 5); nor does a replaced member.
    if (!mayRead(rt.state, who.personId)) return refuse(socket, 403, 'Forbidden');
    // The document exists from the consultation on (docs/rules.md §2.8: changes are made while consulting).
    if (rt.state.project.method !== 'competitive_consultation' || !isAtOrAfter(rt.state, 'consultation') || rt.state.stage === 'terminated')
      return refuse(socket, 409, 'Conflict');
    const hash = tokenHash(url.searchParams.get('token')!);
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, rt.state, who.personId, hash));
  }

  function onConnection(ws: WebSocket, s: SessionState, personId: string, hash: string): void {
    const d = getDoc(s);
    const c: Conn = { ws, queue: [], sessionId: s.id, personId, tokenHash: hash, clients: new Set(), alive: true };
    ws.binaryType = 'nodebuffer';
    ws.on('pong', () => (c.alive = true));
    const handle = (bytes: Uint8Array) => {
      try {
        onMessage(c, d, bytes);
      } catch {
        ws.close(1003, 'bad message');
      }
    };
    ws.on('message', (data: RawData) => {
      if (c.queue) c.queue.push(toBytes(data));
      else handle(toBytes(data));
    });
    ws.on('close', () => {
      d.conns.delete(c);
      awarenessProtocol.removeAwarenessStates(d.awareness, [...c.clients], null);
    });
    ws.on('error', () => ws.terminate());
    void d.ready.then(() => {
      if (ws.readyState !== WebSocket.OPEN) return;
      d.conns.add(c);
      greet(c, d);
      const queued = c.queue ?? [];
      c.queue = null;
      for (const m of queued) handle(m);
    });
  }

  function greet(c: Conn, d: SharedDoc): void {
    const step1 = encoding.createEncoder();
    encoding.writeVarUint(step1, MSG_SYNC);
    syncProtocol.writeSyncStep1(step1, d.doc);
    send(c, encoding.toUint8Array(step1));
    const states = [...d.awareness.getStates().keys()];
    if (states.length > 0) send(c, awarenessMessage(d.awareness, states));
  }

  function onMessage(c: Conn, d: SharedDoc, bytes: Uint8Array): void {
    const who = current(c);
    if (!who) {
      c.ws.close(CLOSE_REVOKED, 'revoked');
      return;
    }
    const decoder = decoding.createDecoder(bytes);
    const type = decoding.readVarUint(decoder);
    if (type === MSG_SYNC) {
      const syncType = decoding.readVarUint(decoder);
      if (syncType === syncProtocol.messageYjsSyncStep1) {
        const reply = encoding.createEncoder();
        encoding.writeVarUint(reply, MSG_SYNC);
        syncProtocol.writeSyncStep2(reply, d.doc, decoding.readVarUint8Array(decoder));
        send(c, encoding.toUint8Array(reply));
      } else if (syncType === syncProtocol.messageYjsSyncStep2 || syncType === syncProtocol.messageYjsUpdate) {
        const update = decoding.readVarUint8Array(decoder);
        // Read-only: dropped, never applied (the panel alone edits, and only while consulting).
        if (!who.writable) {
          stats.droppedUpdates++;
          return;
        }
        Y.applyUpdate(d.doc, update, c);
      }
    } else if (type === MSG_AWARENESS) {
      applyAwareness(c, d, who.state, decoding.readVarUint8Array(decoder));
    } else if (type === MSG_QUERY_AWARENESS) {
      send(c, awarenessMessage(d.awareness, [...d.awareness.getStates().keys()]));
    }
  }

  /**
   * Presence, with the identity stamped by the server: a client may speak only for its own awareness
   * ids, and whatever `user` it claims is replaced by who its token says it is.
   */
  function applyAwareness(c: Conn, d: SharedDoc, s: SessionState, update: Uint8Array): void {
    const dec = decoding.createDecoder(update);
    const n = decoding.readVarUint(dec);
    const enc = encoding.createEncoder();
    const entries: [number, number, string][] = [];
    const taken = new Set<number>();
    for (const other of d.conns) if (other !== c) for (const id of other.clients) taken.add(id);
    const p = s.people[c.personId];
    const user = { personId: p.id, name: p.name, label: isPanel(p.role) ? `专家 ${p.ordinal}` : p.name, role: p.role };
    for (let i = 0; i < n; i++) {
      const clientID = decoding.readVarUint(dec);
      const clock = decoding.readVarUint(dec);
      const json = decoding.readVarString(dec);
      if (taken.has(clientID) || json.length > MAX_AWARENESS_STATE) continue;
      const state = JSON.parse(json);
      const stamped = state === null ? null : { ...(typeof state === 'object' ? state : {}), user };
      if (stamped !== null) c.clients.add(clientID);
      entries.push([clientID, clock, JSON.stringify(stamped)]);
    }
    encoding.writeVarUint(enc, entries.length);
    for (const [id, clock, json] of entries) {
      encoding.writeVarUint(enc, id);
      encoding.writeVarUint(enc, clock);
      encoding.writeVarString(enc, json);
    }
    awarenessProtocol.applyAwarenessUpdate(d.awareness, encoding.toUint8Array(enc), c);
  }

  http.on('upgrade', onUpgrade);
  const unregister = registerLiveText({ textOf: loadedText });
  // After a restart, the documents of sessions in consultation are loaded at once, so that a proposal
  // made before anyone reconnects sees the stored edits.
  for (const rt of registry.all())
    if (rt.state.stage === 'consultation' && rt.state.project.method === 'competitive_consultation') getDoc(rt.state);
  // Dead connections (a tablet that went to sleep) are found by ping and dropped.
  const heartbeat = setInterval(() => {
    for (const d of docs.values())
      for (const c of d.conns) {
        if (!c.alive) c.ws.terminate();
        else {
          c.alive = false;
          c.ws.ping();
        }
      }
  }, 30_000);
  heartbeat.unref();

  const endpoint: RequirementsEndpoint = {
    stats,
    textOf: loadedText,
    get relay() {
      return relay;
    },
    useRelay: (r) => {
      relay = r;
      for (const [id, d] of docs)
        if (d.loaded) {
          d.detach();
          d.detach = r.attach(id, d.doc);
        }
    },
    flush: async () => {
      await Promise.all([...docs.values()].map((d) => d.ready.then(() => d.writes)));
    },
    close: () => {
      clearInterval(heartbeat);
      unregister();
      http.off('upgrade', onUpgrade);
      for (const d of docs.values()) {
        d.detach();
        for (const c of d.conns) c.ws.terminate();
        d.awareness.destroy();
        d.doc.destroy();
      }
      docs.clear();
      wss.close();
    },
  };
  // Closing the http.Server waits for every connection; ours are closed first so that it can finish.
  const close = http.close.bind(http);
  http.close = ((cb?: (err?: Error) => void) => {
    endpoint.close();
    return close(cb);
  }) as typeof http.close;
  return endpoint;
}

function awarenessMessage(awareness: awarenessProtocol.Awareness, clients: number[]): Uint8Array {
  const enc = encoding.createEncoder();
  encoding.writeVarUint(enc, MSG_AWARENESS);
  encoding.writeVarUint8Array(enc, awarenessProtocol.encodeAwarenessUpdate(awareness, clients));
  return encoding.toUint8Array(enc);
}

function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data));
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}
