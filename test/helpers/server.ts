import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io as ioc, type Socket } from 'socket.io-client';
import { createApplication, type App, type AppOptions } from '../../server/app';
import { SqliteEventStore } from '../../server/store/sqlite';
import { DEMO_SESSION } from '../../server/demo/demo-session';
import type { JoinLink } from '../../server/http/sessions';
import { PROTOCOL_VERSION } from '../../shared/protocol/version';
import { channelView, isFull, ViewReplica, type ResumeState, type ViewSnapshot } from '../../shared/protocol/view-sync';
import { testDeviceKey } from './device';

export const ADMIN = 'test-admin-key-0123456789';

export interface TestServer {
  app: App;
  store: SqliteEventStore;
  url: string;
  dataDir: string;
  createSession(body?: unknown): Promise<{ sessionId: string; links: JoinLink[] }>;
  /** Moves the server's clock forward (tests that would otherwise wait for a deadline in real time).
   *  Null when the test gave the server its own clock. */
  advance: ((ms: number) => void) | null;
  /** Stops the server; keeps the data directory unless `wipe`. */
  close(wipe?: boolean): Promise<void>;
}

/** A real server on port 0 with a real SQLite file in a fresh temporary directory. */
export async function startServer(opts: { dataDir?: string; clock?: () => number; fairShare?: AppOptions['fairShare'] } = {}): Promise<TestServer> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'panelroom-test-'));
  const store = SqliteEventStore.open(dataDir);
  // The server's clock: real time plus whatever the test has advanced it by (never backwards), so that
  // a quote window's deadline passes at once instead of after seconds of sleeping (issue 17).
  let offset = 0;
  const clock = opts.clock ?? (() => Date.now() + offset);
  const app = await createApplication({ store, adminToken: ADMIN, clientDir: null, clock, fairShare: opts.fairShare });
  const port = await app.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${port}`;
  return {
    app,
    store,
    url,
    dataDir,
    advance: opts.clock
      ? null
      : (ms: number) => {
          if (!(ms >= 0)) throw new Error(`the clock only moves forward (${ms})`);
          offset += ms;
        },
    async createSession(body: unknown = DEMO_SESSION) {
      const res = await fetch(`${url}/api/sessions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN}` },
        body: JSON.stringify(body),
      });
      const json = (await res.json()) as any;
      if (!json.ok) throw new Error(`create failed: ${JSON.stringify(json.error)}`);
      return json.data;
    },
    async close(wipe = false) {
      await app.close();
      await store.close();
      if (wipe) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const tokenOf = (link: JoinLink): string => link.url.split('#')[1];
export const linkFor = (links: JoinLink[], personId: string): JoinLink => {
  const l = links.find((x) => x.personId === personId);
  if (!l) throw new Error(`no link for ${personId}`);
  return l;
};

/** A test client that keeps the view it is sent, exactly as the browser client does. */
export interface TestClient {
  socket: Socket;
  view: Record<string, any>;
  seq: number;
  /** Every frame received, for isolation checks. */
  frames: { event: string; data: unknown }[];
  /** The client's channels and their merged view (shared/protocol/view-sync.ts, as the browser's). */
  replica: ViewReplica;
  send<T = any>(event: string, payload?: unknown): Promise<any>;
  waitFor(pred: (v: Record<string, any>) => boolean, ms?: number): Promise<Record<string, any>>;
  close(): void;
}

/** A snapshot with its channels' JSON parsed (so that frame scans see values, not escaped text). */
export function decodedSnapshot(s: ViewSnapshot): unknown {
  const channels: Record<string, unknown> = {};
  for (const [ch, c] of Object.entries(s.channels)) channels[ch] = c && isFull(c) ? { ...c, json: undefined, view: channelView(c) } : c;
  return { ...s, channels };
}

/**
 * Connects as the person whose token it is, from that person's device: by default the device key
 * testDeviceKey(token), the same one a browser context opened by test/e2e/fixtures.ts uses, so that a
 * driver and the browser that takes over are one device (issue 12: one device per seat). `device`
 * names another device (null: none); `waiting` resolves once the server says the device waits for the
 * moderator instead of on the first snapshot.
 */
export function connect(
  url: string,
  token: string,
  extra: { origin?: string; protocol?: number; resume?: ResumeState | null; replica?: ViewReplica; device?: string | null; waiting?: boolean } = {},
): Promise<TestClient> {
  return new Promise((resolve, reject) => {
    const device = extra.device === undefined ? testDeviceKey(token) : extra.device;
    const socket = ioc(url, {
      transports: ['websocket'],
      auth: { token, protocol: extra.protocol ?? PROTOCOL_VERSION, ...(extra.resume || extra.replica ? { resume: extra.resume ?? extra.replica!.resume() } : {}), ...(device === null ? {} : { device }) },
      extraHeaders: extra.origin ? { origin: extra.origin } : undefined,
      reconnection: false,
      forceNew: true,
    });
    // Reconnecting as the same client: the channels it holds, and the resume state they give.
    const replica = extra.replica ?? new ViewReplica();
    const client: TestClient = {
      socket,
      view: {},
      seq: -1,
      frames: [],
      replica,
      send: (event, payload) => socket.timeout(10_000).emitWithAck(event, payload),
      // Waits for a patch or snapshot after which pred holds. An audience whose view did not change
      // gets no patch, so the wait also asks the server for its clock now and then: a query is answered
      // after every patch for the events before it, and its ack carries the session's seq.
      waitFor: (pred, ms = 5000) =>
        new Promise((res, rej) => {
          if (pred(client.view)) return res(client.view);
          let done = false;
          const finish = (ok: boolean) => {
            done = true;
            clearTimeout(t);
            clearInterval(poll);
            socket.off('view:patch', check);
            socket.off('view:snapshot', check);
            if (ok) res(client.view);
            else rej(new Error('timed out waiting for view: ' + JSON.stringify(client.view).slice(0, 400)));
          };
          const t = setTimeout(() => finish(false), ms);
          const check = () => {
            if (!done && pred(client.view)) finish(true);
          };
          const barrier = () => {
            if (!socket.connected) return;
            socket
              .timeout(ms)
              .emitWithAck('time:sync', {})
              .then((a: any) => {
                if (a?.ok && typeof a.seq === 'number' && a.seq > client.seq) client.seq = a.seq;
                check();
              })
              .catch(() => {});
          };
          const poll = setInterval(barrier, 50);
          barrier();
          socket.on('view:patch', check);
          socket.on('view:snapshot', check);
        }),
      close: () => socket.disconnect(),
    };
    socket.onAny((event, data) => client.frames.push({ event, data: event === 'view:snapshot' ? decodedSnapshot(data) : data }));
    if (extra.waiting) socket.on('device:waiting', () => resolve(client));
    socket.on('view:snapshot', (s: ViewSnapshot) => {
      if (!replica.snapshot(s)) throw new Error('snapshot delta does not apply');
      client.view = replica.view;
      client.seq = Math.max(client.seq, replica.seq);
      resolve(client);
    });
    socket.on('view:patch', (p: any) => {
      if (!replica.patch(p)) throw new Error(`patch ${p.ch} base ${p.base} does not apply`);
      client.view = replica.view;
      client.seq = Math.max(client.seq, replica.seq);
    });
    socket.on('connect_error', (e: any) => reject(Object.assign(new Error(e.message), { data: e.data })));
  });
}

let counter = 0;
export const cid = (): string => `c${Date.now().toString(36)}${(counter++).toString(36)}xxxxxx`;
