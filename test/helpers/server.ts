import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io as ioc, type Socket } from 'socket.io-client';
import { createApplication, type App } from '../../server/app';
import { SqliteEventStore } from '../../server/store/sqlite';
import { DEMO_SESSION } from '../../server/demo/demo-session';
import type { JoinLink } from '../../server/http/sessions';
import { PROTOCOL_VERSION } from '../../shared/protocol/version';
import { testDeviceKey } from './device';

export const ADMIN = 'test-admin-key-0123456789';

export interface TestServer {
  app: App;
  store: SqliteEventStore;
  url: string;
  dataDir: string;
  createSession(body?: unknown): Promise<{ sessionId: string; links: JoinLink[] }>;
  /** Stops the server; keeps the data directory unless `wipe`. */
  close(wipe?: boolean): Promise<void>;
}

/** A real server on port 0 with a real SQLite file in a fresh temporary directory. */
export async function startServer(opts: { dataDir?: string; clock?: () => number } = {}): Promise<TestServer> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'panelroom-test-'));
  const store = SqliteEventStore.open(dataDir);
  const app = await createApplication({ store, adminToken: ADMIN, clientDir: null, clock: opts.clock });
  const port = await app.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${port}`;
  return {
    app,
    store,
    url,
    dataDir,
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
  send<T = any>(event: string, payload?: unknown): Promise<any>;
  waitFor(pred: (v: Record<string, any>) => boolean, ms?: number): Promise<Record<string, any>>;
  close(): void;
}

/**
 * Connects as the person whose token it is, from that person's device: by default the device key
 * testDeviceKey(token), the same one a browser context opened by test/e2e/fixtures.ts uses, so that a
 * driver and the browser that takes over are one device (issue 12: one device per seat). `device`
 * names another device (null: none); `waiting` resolves once the server says the device waits for the
 * moderator instead of on the first snapshot.
 */
export function connect(url: string, token: string, extra: { origin?: string; protocol?: number; device?: string | null; waiting?: boolean } = {}): Promise<TestClient> {
  return new Promise((resolve, reject) => {
    const device = extra.device === undefined ? testDeviceKey(token) : extra.device;
    const socket = ioc(url, {
      transports: ['websocket'],
      auth: { token, protocol: extra.protocol ?? PROTOCOL_VERSION, ...(device === null ? {} : { device }) },
      extraHeaders: extra.origin ? { origin: extra.origin } : undefined,
      reconnection: false,
      forceNew: true,
    });
    const client: TestClient = {
      socket,
      view: {},
      seq: -1,
      frames: [],
      send: (event, payload) => socket.timeout(10_000).emitWithAck(event, payload),
      waitFor: (pred, ms = 5000) =>
        new Promise((res, rej) => {
          if (pred(client.view)) return res(client.view);
          const t = setTimeout(() => {
            socket.off('view:patch', check);
            rej(new Error('timed out waiting for view: ' + JSON.stringify(client.view).slice(0, 400)));
          }, ms);
          const check = () => {
            if (pred(client.view)) {
              clearTimeout(t);
              socket.off('view:patch', check);
              socket.off('view:snapshot', check);
              res(client.view);
            }
          };
          socket.on('view:patch', check);
          socket.on('view:snapshot', check);
        }),
      close: () => socket.disconnect(),
    };
    let version = 0;
    socket.onAny((event, data) => client.frames.push({ event, data }));
    if (extra.waiting) socket.on('device:waiting', () => resolve(client));
    socket.on('view:snapshot', (s: any) => {
      client.view = s.view;
      client.seq = s.seq;
      version = s.version;
      resolve(client);
    });
    socket.on('view:patch', (p: any) => {
      if (p.base !== version) throw new Error(`patch base ${p.base} != ${version}`);
      client.view = { ...client.view, ...p.set };
      for (const k of p.del) delete client.view[k];
      client.seq = p.seq;
      version = p.version;
    });
    socket.on('connect_error', (e: any) => reject(Object.assign(new Error(e.message), { data: e.data })));
  });
}

let counter = 0;
export const cid = (): string => `c${Date.now().toString(36)}${(counter++).toString(36)}xxxxxx`;
