import { io as ioc, type Socket } from 'socket.io-client';
import { PROTOCOL_VERSION } from '../../shared/protocol/version';
import { ViewReplica } from '../../shared/protocol/view-sync';

// A room client as the browser's (client/src/lib/connection.svelte.ts) behaves in a cluster: it
// passes the session id as `?s=` for sticky routing, reconnects by itself, and keeps a command until it
// is acknowledged, resending it with the same id (so that it takes effect once). Every loop is bounded.

export interface ClusterClient {
  name: string;
  socket: Socket;
  view: Record<string, any>;
  seq: number;
  /** How many times it (re)connected. */
  connects: number;
  /** Patches whose base did not match the version held: a view was sent from another process's diff. */
  baseMismatches: number;
  send(event: string, payload?: Record<string, unknown>): Promise<{ id: string; ack: any }>;
  /**
   * Learns the seq its process has reached. An audience whose view did not change gets no patch
   * (issue 15), so a client's seq moves only with its own changes; a query is answered after every
   * patch for the events before it, so its ack's seq is one this client's view is complete up to.
   */
  sync(): Promise<number>;
  close(): void;
}

let n = 0;
export const commandId = (): string => `k${Date.now().toString(36)}${(n++).toString(36)}${Math.random().toString(36).slice(2, 8)}`;

export function clusterClient(name: string, url: string, token: string, sessionId: string | null): Promise<ClusterClient> {
  return new Promise((resolve, reject) => {
    const replica = new ViewReplica();
    const socket = ioc(url, {
      transports: ['websocket'],
      query: sessionId ? { s: sessionId } : undefined,
      auth: (cb) => cb({ token, protocol: PROTOCOL_VERSION, resume: replica.resume() }),
      reconnection: true,
      reconnectionDelay: 200,
      reconnectionDelayMax: 1000,
      forceNew: true,
    });
    let settled = false;
    const c: ClusterClient = {
      name,
      socket,
      view: {},
      seq: -1,
      connects: 0,
      baseMismatches: 0,
      async send(event, payload = {}) {
        const body = { ...payload, id: commandId() };
        // Up to 40 attempts × (≤3 s for the ack + ≤1 s for a connection): the outbox of the browser client.
        for (let attempt = 0; attempt < 40; attempt++) {
          for (let w = 0; w < 20 && !socket.connected; w++) await new Promise((r) => setTimeout(r, 50));
          if (!socket.connected) continue;
          try {
            const ack = await socket.timeout(3000).emitWithAck(event, body);
            return { id: body.id, ack };
          } catch {
            /* no answer (the process died): same id again */
          }
        }
        throw new Error(`${name}: no ack for ${event} ${body.id}`);
      },
      async sync() {
        if (!socket.connected) return c.seq;
        try {
          const a = await socket.timeout(2000).emitWithAck('time:sync', {});
          if (a?.ok && typeof a.seq === 'number' && a.seq > c.seq) c.seq = a.seq;
        } catch {
          /* no answer (the process died): the client reconnects by itself */
        }
        return c.seq;
      },
      close: () => socket.disconnect(),
    };
    socket.on('connect', () => c.connects++);
    socket.on('view:snapshot', (s: any) => {
      if (!replica.snapshot(s)) c.baseMismatches++;
      c.view = replica.view;
      c.seq = replica.seq;
      if (!settled) {
        settled = true;
        resolve(c);
      }
    });
    socket.on('view:patch', (p: any) => {
      if (!replica.patch(p)) {
        c.baseMismatches++;
        return;
      }
      c.view = replica.view;
      c.seq = replica.seq;
    });
    socket.on('connect_error', (e: any) => {
      if (!settled && e?.data?.code) {
        settled = true;
        socket.disconnect();
        reject(Object.assign(new Error(`${name}: ${e.message}`), { data: e.data }));
      }
    });
    setTimeout(() => {
      if (!settled) {
        settled = true;
        socket.disconnect();
        reject(new Error(`${name}: no snapshot from ${url} within 15 s`));
      }
    }, 15_000);
  });
}
