import { io as ioc, type Socket } from 'socket.io-client';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { LOOP_RESOLUTION_MS, loopDelayMs } from '../helpers/loop-delay';
import { PROTOCOL_VERSION } from '../../shared/protocol/version';
import { RECONNECT } from '../../shared/protocol/reconnect';
import { testDeviceKey } from '../helpers/device';
import { ViewReplica } from '../../shared/protocol/view-sync';
import { measureFloors, type Floors } from './floor';

// Shared by the load benchmarks (paths, rooms, storms, cluster): one set of floors per `npm run bench`
// run, and a lean room client (no frame log: thousands of them live in this one process).

let floors: Promise<Floors> | null = null;
/** The floors of this run, measured once and shared by every section that reports ratios to them. */
export const floorsOnce = (): Promise<Floors> => (floors ??= measureFloors());

export interface Lean {
  socket: Socket;
  personId: string;
  view: Record<string, any>;
  seq: number;
  snapshots: number;
  /** performance.now() at the last view:snapshot. */
  snapshotAt: number;
  /** Resolves on the next view:snapshot (after a reconnect). */
  nextSnapshot(): Promise<void>;
  /** Resolves with performance.now() at the first patch for which `pred(patch)` holds. */
  nextPatch(pred: (p: any) => boolean, ms?: number): Promise<number>;
  send(event: string, payload: Record<string, unknown>): Promise<any>;
  /** A barrier: the server answers a query after every patch due before it, with its seq, which the
   *  client's view then reflects (an audience whose view did not change gets no patch to tell it). */
  sync(): Promise<number>;
}

let n = 0;
export const benchId = (): string => `b${(n++).toString(36)}${Math.random().toString(36).slice(2, 10)}`.padEnd(10, 'x');

/** Connects and resolves at the first snapshot. `reconnect` uses the browser client's delays. */
export function lean(url: string, token: string, personId: string, opts: { reconnect?: boolean; query?: Record<string, string> } = {}): Promise<Lean> {
  return new Promise((resolve, reject) => {
    const replica = new ViewReplica();
    const socket = ioc(url, {
      transports: ['websocket'],
      // On reconnecting, the channel versions held (resume by delta), as the browser client does.
      // One device per seat (issue 12): the seat's own device key, the same on every reconnection.
      auth: (cb) => cb({ token, protocol: PROTOCOL_VERSION, resume: replica.resume(), device: testDeviceKey(token) }),
      query: opts.query,
      forceNew: true,
      reconnection: !!opts.reconnect,
      // The product's reconnect policy (the browser client uses the same constant).
      ...RECONNECT,
      timeout: 60_000,
    });
    let waiters: (() => void)[] = [];
    const c: Lean = {
      socket,
      personId,
      view: {},
      seq: -1,
      snapshots: 0,
      snapshotAt: 0,
      nextSnapshot: () => new Promise((r) => waiters.push(r)),
      nextPatch: (pred, ms = 30_000) =>
        new Promise((res, rej) => {
          const t = setTimeout(() => {
            socket.off('view:patch', on);
            rej(new Error(`${personId}: no matching patch within ${ms} ms`));
          }, ms);
          const on = (p: any) => {
            if (!pred(p)) return;
            clearTimeout(t);
            socket.off('view:patch', on);
            res(performance.now());
          };
          socket.on('view:patch', on);
        }),
      send: (event, payload) => socket.timeout(60_000).emitWithAck(event, { id: benchId(), ...payload }),
      sync: async () => {
        const a = (await socket.timeout(60_000).emitWithAck('time:sync', {})) as any;
        if (a?.ok && typeof a.seq === 'number' && a.seq > c.seq) c.seq = a.seq;
        return c.seq;
      },
    };
    socket.on('view:snapshot', (s: any) => {
      if (!replica.snapshot(s)) socket.emit('session:resync', { lastSeq: 0 }, (a: any) => a?.ok && replica.snapshot(a.data) && (c.view = replica.view));
      c.view = replica.view;
      c.seq = replica.seq;
      c.snapshots++;
      c.snapshotAt = performance.now();
      const w = waiters;
      waiters = [];
      for (const f of w) f();
      if (c.snapshots === 1) resolve(c);
    });
    socket.on('view:patch', (p: any) => {
      if (!replica.patch(p)) return;
      c.view = replica.view;
      c.seq = replica.seq;
    });
    socket.once('connect_error', (e) => {
      if (c.snapshots === 0 && !opts.reconnect) reject(e);
    });
  });
}

/** Connects many at a time, `batch` in flight. */
export async function connectAll<T>(items: T[], open: (x: T) => Promise<Lean>, batch = 100): Promise<Lean[]> {
  const out: Lean[] = [];
  for (let i = 0; i < items.length; i += batch) out.push(...(await Promise.all(items.slice(i, i + batch).map(open))));
  return out;
}

/** The event-loop delay of this (the clients') process, so that a saturated client side is visible. */
export function clientLoop(): { reset(): void; p99(): number } {
  const h = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  h.enable();
  return { reset: () => h.reset(), p99: () => loopDelayMs(h.percentile(99)) };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
