import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import { randomUUID } from 'node:crypto';
import { WebSocketServer } from 'ws';
import type { SessionRegistry } from '../session/registry';
import { localDocRelay, type DocRelay } from '../cluster/doc-relay';
import type { EventStore } from '../store/types';
import type { FairShare } from '../realtime/fair-share';
import { REQUIREMENTS_TEXT } from './document';
import { registerLiveText } from './live-text';
import { updateLogFor, type UpdateLog } from './yjs-store';
import { authenticateUpgrade, chooseProtocol, currentAccess, PATH } from './yjs-auth';
import { OpenDocs, persist } from './yjs-docs';
import { converse, wireBroadcast, type Conn, type RelayHooks } from './yjs-relay';
import { MAX_CONNS_PER_DOC, MAX_UPDATE_BYTES } from './yjs-limits';
import { extend } from '../../shared/extend';

// The requirements document's Yjs websocket endpoint, `/yjs/<sessionId>`, on the same http.Server as
// Socket.IO (docs/architecture.md), in four parts (issue 17):
//   authenticate  yjs-auth.ts   the join token from Sec-WebSocket-Protocol (never the URL), who may read/edit;
//   load          yjs-docs.ts   one document per session, from the store, seeded, attached to the relay;
//   relay         yjs-relay.ts  the y-protocols conversation, broadcast, limits and fair share per message;
//   persist       yjs-docs.ts   each update made here stored in order, compacted.
// Several processes (issue 9; docs/deploy.md "Yjs"): each open document is attached to the cluster's
// relay (`app.docRelay`), and its updates are stored through the event store (SQLite or PostgreSQL), so
// the unpublished edits survive a restart of every process. Each process stores the edits its own
// connections made (and the seed); relayed ones are stored by the process that received them.

/** The largest websocket message (beyond it ws closes with 1009); an update over MAX_UPDATE_BYTES gets our own close code first. */
const MAX_MESSAGE = 4 * MAX_UPDATE_BYTES;

export interface RequirementsEndpoint {
  /** Read-only counters, for tests and the log. */
  stats: { droppedUpdates: number; refusedUpdates: number };
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
  opts: { store: EventStore; allowedOrigins: string[]; relay?: DocRelay; fairShare?: FairShare | null },
): RequirementsEndpoint {
  const log: UpdateLog = updateLogFor(opts.store);
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE, handleProtocols: chooseProtocol });
  const stats = { droppedUpdates: 0, refusedUpdates: 0 };
  let relay: DocRelay = opts.relay ?? localDocRelay;
  const docs = new OpenDocs(
    log,
    () => relay,
    (d) => wireBroadcast(d, (update) => persist(d, log, update)),
  );
  const hooks: RelayHooks = {
    access: (c) => currentAccess(registry, c),
    allow: (c, kind, n) => !opts.fairShare || opts.fairShare.take(c.id, c, kind, n),
    stats,
  };

  /** The live text when this process has the document loaded; otherwise starts loading it. */
  function loadedText(sessionId: string): string | null {
    const rt = registry.get(sessionId);
    if (!rt) return null;
    const d = docs.get(rt.state);
    return d.loaded ? d.doc.getText(REQUIREMENTS_TEXT).toString() : null;
  }

  function onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!url.pathname.startsWith('/yjs/')) return; // Socket.IO's and anyone else's upgrades are not ours
    socket.on('error', () => socket.destroy());
    // While the sessions replay (issue 15: loadInBackground) the upgrade waits for them.
    if (!registry.isReady) return void registry.ready.then(() => onUpgradeReady(req, socket, head), () => refuse(socket, 503, 'Service Unavailable'));
    onUpgradeReady(req, socket, head);
  }

  function onUpgradeReady(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (socket.destroyed) return;
    const url = new URL(req.url ?? '/', 'http://localhost');
    const m = PATH.exec(url.pathname);
    if (!m) return refuse(socket, 404, 'Not Found');
    const v = authenticateUpgrade(req, m[1], registry, opts.allowedOrigins);
    if (!v.ok) return refuse(socket, v.status, v.text);
    const d = docs.get(v.state);
    if (d.conns.size >= MAX_CONNS_PER_DOC) return refuse(socket, 503, 'Service Unavailable');
    wss.handleUpgrade(req, socket, head, (ws) => {
      const c: Conn = extend(v.who, { ws, id: `yjs:${randomUUID()}`, queue: [], clients: new Set(), alive: true });
      ws.on('close', () => opts.fairShare?.forget(c.id));
      converse(c, d, hooks);
    });
  }

  http.on('upgrade', onUpgrade);
  const unregister = registerLiveText({ textOf: loadedText });
  // After a restart, the documents of sessions in consultation are loaded at once, so that a proposal
  // made before anyone reconnects sees the stored edits.
  const loadDocs = () => {
    for (const rt of registry.all())
      if (rt.state.stage === 'consultation' && rt.state.project.method === 'competitive_consultation') docs.get(rt.state);
  };
  // Once every session is replayed (issue 15: the replay may run in the background).
  if (registry.isReady) loadDocs();
  else registry.ready.then(loadDocs, () => undefined);
  // Dead connections (a tablet that went to sleep) are found by ping and dropped.
  const heartbeat = setInterval(() => {
    for (const d of docs.docs.values())
      for (const c of d.conns as Set<Conn>) {
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
      docs.reattach(r);
    },
    flush: () => docs.flush(),
    close: () => {
      clearInterval(heartbeat);
      unregister();
      http.off('upgrade', onUpgrade);
      docs.close((d) => {
        for (const c of d.conns as Set<Conn>) c.ws.terminate();
      });
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
