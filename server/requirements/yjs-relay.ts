import { WebSocket, type RawData } from 'ws';
import * as Y from 'yjs';
import * as syncProtocol from 'y-protocols/sync';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';
import { isPanel } from '../../shared/protocol/roles';
import { labelIn } from '../../shared/labels/people';
import { YJS_CLOSE } from '../../shared/protocol/yjs';
import type { SessionState } from '../session/types';
import type { YjsPrincipal } from './yjs-auth';
import type { SharedDoc } from './yjs-docs';
import { checkUpdate, MAX_AWARENESS_IDS, MAX_QUEUED } from './yjs-limits';
import { extend } from '../../shared/extend';

// The endpoint's "relay" part: the y-protocols conversation with one connection (sync steps, updates,
// awareness) and the broadcast of every change of a document to its other connections. Read-only is
// enforced per incoming message, as in Hocuspocus: a read-only connection's updates are dropped.
// A panel member's update is applied only within the document's limits (yjs-limits.ts) and the
// connection's fair share (server/realtime/fair-share.ts); otherwise the connection is closed with a
// code that tells the tablet why (shared/protocol/yjs.ts), and the edit is not applied anywhere.

const MSG_SYNC = 0;
const MSG_AWARENESS = 1;
const MSG_QUERY_AWARENESS = 3;
const MAX_AWARENESS_STATE = 4096;

export interface Conn extends YjsPrincipal {
  ws: WebSocket;
  /** An id of its own for the fair share's buckets. */
  id: string;
  /** Messages that arrived while the document was still loading from the store. */
  queue: Uint8Array[] | null;
  /** Awareness client ids this connection speaks for. */
  clients: Set<number>;
  alive: boolean;
}

export interface RelayHooks {
  /** Who the connection is now (null: no longer allowed). */
  access(c: Conn): { state: SessionState; writable: boolean } | null;
  /** The fair share: may this connection spend `n` of `kind`? */
  allow(c: Conn, kind: 'yjsUpdates' | 'bytes', n: number): boolean;
  stats: { droppedUpdates: number; refusedUpdates: number };
}

export function send(c: Conn, bytes: Uint8Array): void {
  if (c.ws.readyState === WebSocket.OPEN) c.ws.send(bytes, (err) => err && c.ws.terminate());
}

/** Every change of the document goes to its other connections; `persistLocal` stores the ones made here. */
export function wireBroadcast(d: SharedDoc, persistLocal: (update: Uint8Array) => void): void {
  const isLocal = (origin: unknown) => origin === 'seed' || (typeof origin === 'object' && origin !== null && 'ws' in origin);
  d.doc.on('update', (update: Uint8Array, origin: unknown) => {
    if (origin === 'load') return;
    if (isLocal(origin)) persistLocal(update);
    const msg = encoding.createEncoder();
    encoding.writeVarUint(msg, MSG_SYNC);
    syncProtocol.writeUpdate(msg, update);
    const bytes = encoding.toUint8Array(msg);
    for (const c of d.conns as Set<Conn>) if (c !== origin) send(c, bytes);
  });
  d.awareness.on('update', ({ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] }) => {
    const bytes = awarenessMessage(d.awareness, [...added, ...updated, ...removed]);
    for (const c of d.conns as Set<Conn>) send(c, bytes);
  });
}

/** One connection's conversation, from its first message (queued until the document is loaded). */
export function converse(c: Conn, d: SharedDoc, hooks: RelayHooks): void {
  const { ws } = c;
  ws.binaryType = 'nodebuffer';
  ws.on('pong', () => (c.alive = true));
  const handle = (bytes: Uint8Array) => {
    try {
      onMessage(c, d, bytes, hooks);
    } catch {
      ws.close(1003, 'bad message');
    }
  };
  ws.on('message', (data: RawData) => {
    const bytes = toBytes(data);
    if (!hooks.allow(c, 'bytes', bytes.byteLength)) return void ws.close(YJS_CLOSE.rateLimited, 'rate_limited');
    if (!c.queue) return handle(bytes);
    if (c.queue.length >= MAX_QUEUED) return void ws.close(YJS_CLOSE.rateLimited, 'rate_limited');
    c.queue.push(bytes);
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

function onMessage(c: Conn, d: SharedDoc, bytes: Uint8Array, hooks: RelayHooks): void {
  const who = hooks.access(c);
  if (!who) {
    c.ws.close(YJS_CLOSE.revoked, 'revoked');
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
        hooks.stats.droppedUpdates++;
        return;
      }
      if (!hooks.allow(c, 'yjsUpdates', 1)) {
        hooks.stats.refusedUpdates++;
        return void c.ws.close(YJS_CLOSE.rateLimited, 'rate_limited');
      }
      const verdict = checkUpdate(d.doc, update);
      if (!verdict.ok) {
        hooks.stats.refusedUpdates++;
        return void c.ws.close(YJS_CLOSE.tooLarge, verdict.why);
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
 * ids (at most MAX_AWARENESS_IDS), and whatever `user` it claims is replaced by who its token says it is.
 */
function applyAwareness(c: Conn, d: SharedDoc, s: SessionState, update: Uint8Array): void {
  const dec = decoding.createDecoder(update);
  const n = decoding.readVarUint(dec);
  const enc = encoding.createEncoder();
  const entries: [number, number, string][] = [];
  const taken = new Set<number>();
  for (const other of d.conns as Set<Conn>) if (other !== c) for (const id of other.clients) taken.add(id);
  const p = s.people[c.personId];
  const lbl = isPanel(p.role) ? labelIn(s.people, s.order, p.id) : { zh: p.name, en: p.name };
  const user = { personId: p.id, name: p.name, label: lbl.zh, labelEn: lbl.en, role: p.role };
  for (let i = 0; i < n; i++) {
    const clientID = decoding.readVarUint(dec);
    const clock = decoding.readVarUint(dec);
    const json = decoding.readVarString(dec);
    if (taken.has(clientID) || json.length > MAX_AWARENESS_STATE) continue;
    if (!c.clients.has(clientID) && c.clients.size >= MAX_AWARENESS_IDS) continue;
    const state = JSON.parse(json);
    const stamped = state === null ? null : extend(typeof state === 'object' ? state : {}, { user });
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
