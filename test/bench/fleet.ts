import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { startServer, tokenOf } from '../helpers/server';
import { childEntry } from '../helpers/child';
import { openRoom, driveTo } from '../helpers/room';
import { SqliteEventStore } from '../../server/store/sqlite';
import { newPersonToken } from '../../server/session/create';
import { deviceHash } from '../../server/participants/devices';
import { testDeviceKey } from '../helpers/device';
import type { StoredEvent } from '../../server/store/types';
import { MALLOC_ENV, NODE_FLAGS } from '../../server/malloc-env';
import { MEETING } from './room.bench';
import { lean, connectAll, type Lean } from './clients';

// Many rooms in one server process, for rooms.bench.ts and storms.bench.ts. One meeting (MEETING: 9
// members, 10 suppliers) is driven to the scoring stage through the real protocol; every further room
// is that room's log appended again under a new session id with fresh join tokens (the store computes
// each new chain), so that 500 rooms cost seconds rather than hours to prepare. The server in the child
// process (test/helpers/child-server.ts, PANELROOM_METRICS=1) rebuilds all of them by replay at start,
// exactly as after a restart. Clients live in this process; everything is on 127.0.0.1.

export interface Template {
  events: StoredEvent[];
  sessionId: string;
  people: string[];
  hashes: Map<string, string>;
  /** The hash of each person's device key in the template's log (its seat is bound to it, issue 12). */
  devices: Map<string, string>;
}

let template: Promise<Template> | null = null;
/** One driven room per run, shared by the rooms and storms sections. */
export const templateOnce = (): Promise<Template> => (template ??= drivenTemplate());

export async function drivenTemplate(): Promise<Template> {
  const srv = await startServer();
  try {
    const room = await openRoom(srv, MEETING);
    await driveTo(room, 'scoring');
    room.closeAll();
    const events = await srv.store.read(room.sessionId);
    const hashes = new Map<string, string>();
    const st = srv.app.registry.get(room.sessionId)!.state;
    for (const p of Object.values(st.people)) hashes.set(p.id, p.tokenHash);
    const devices = new Map(room.links.map((l) => [l.personId, deviceHash(testDeviceKey(tokenOf(l)))!]));
    return { events, sessionId: room.sessionId, people: [...hashes.keys()], hashes, devices };
  } finally {
    await srv.close(true);
  }
}

export interface Clone {
  sessionId: string;
  tokens: Map<string, string>;
}

/** Appends the template's log again under a new id: one append per original command, in order. */
export async function cloneRoom(store: SqliteEventStore, t: Template): Promise<Clone> {
  const sessionId = randomUUID();
  const recs = t.people.map((pid) => newPersonToken(sessionId, pid));
  let json = JSON.stringify(t.events.map((e) => ({ type: e.type, payload: e.payload, actor: e.actor, commandId: e.commandId, ts: e.ts })));
  json = json.split(t.sessionId).join(sessionId);
  recs.forEach((r) => (json = json.split(t.hashes.get(r.personId)!).join(r.tokenHash)));
  // Each seat bound to the clone's own device (the bench clients present testDeviceKey of their token).
  recs.forEach((r) => {
    const d = t.devices.get(r.personId);
    if (d) json = json.split(d).join(deviceHash(testDeviceKey(r.token))!);
  });
  const evs = JSON.parse(json) as { type: string; payload: unknown; actor: any; commandId: string | null; ts: number }[];
  let seq = 0;
  // Issued in one tick without waiting: the store's writer commits them together (preparation, not a measure).
  const appends: Promise<unknown>[] = [];
  for (let i = 0; i < evs.length; ) {
    let j = i + 1;
    const key = (e: (typeof evs)[number]) => `${e.commandId}|${JSON.stringify(e.actor)}|${e.ts}`;
    while (j < evs.length && key(evs[j]) === key(evs[i])) j++;
    appends.push(
      store.append({
        sessionId,
        actor: evs[i].actor,
        commandId: evs[i].commandId,
        ts: evs[i].ts,
        events: evs.slice(i, j).map((e) => ({ type: e.type, payload: e.payload })),
        tokens: seq === 0 ? recs : undefined,
        expectedSeq: seq,
      }),
    );
    seq += j - i;
    i = j;
  }
  await Promise.all(appends);
  return { sessionId, tokens: new Map(recs.map((r) => [r.personId, r.token])) };
}

export interface ChildMetrics {
  loop: { p50: number; p99: number; max: number; n: number };
  /** GC pauses in the window (child-server.ts): count, total, longest, and the total of the major ones. */
  gc: { n: number; totalMs: number; maxMs: number; majorMs: number };
  /** The pause of the full GC this call forced (with `reset`): marking and compacting all it holds. */
  forcedGcMs: number;
  /** Every command's time in the server, from its arrival to its ack (socket.ts `commandTimes`). */
  commands: { n: number; p50: number; p99: number; max: number };
  /** Of the commands whose ack waited for their session's flush: from the answer to the ack. */
  flushWaits: { n: number; p50: number; p99: number; max: number };
  /** Commands over 100 ms in the server, by the second of the window they arrived in. */
  slow: number[];
  /** V8's heap spaces (v8.getHeapSpaceStatistics): committed (`size`) and in use, in bytes. */
  spaces: Record<string, { size: number; used: number }>;
  cpu: { userMs: number; systemMs: number; wallMs: number };
  memory: NodeJS.MemoryUsage;
}

export interface MetricChild {
  proc: ChildProcess;
  url: string;
  startMs: number;
  /** Resolves with performance.now() (this process's clock) when the child says every session is replayed. */
  ready: Promise<number>;
  /** The child's own clock (ms since it began): its modules loaded, the SQLite store's open took, it listened. */
  phases: { modules: number; storeOpen: number; listen: number } | null;
  metrics(reset?: boolean): Promise<ChildMetrics>;
  /** With BENCH_CPU_PROF_DIR: writes the child's CPU profile since its start or last metrics reset. */
  profile(name: string): Promise<void>;
  /** Writes a heap snapshot of the child (after a GC) to `path`. */
  heap(path: string): Promise<void>;
  kill(): Promise<void>;
}

/** test/helpers/child.ts's pattern, with the metrics channel switched on. */
export async function startMetricChild(dataDir: string, port = 0, timeoutMs = 300_000): Promise<MetricChild> {
  const entry = await childEntry();
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    // BENCH_SERVER_NODE_FLAGS: extra Node/V8 flags for the server child only (e.g. GC settings to compare).
    const flags = (process.env.BENCH_SERVER_NODE_FLAGS ?? '').split(/\s+/).filter(Boolean);
    // Bundled, as `npm start` runs the server (scripts/build-server.mjs): a restart's start-up is the
    // deployed one, not tsx compiling every module.
    // BENCH_SERVER_NICE: the child's niceness relative to this process (`nice -n`), e.g. the clients run
    // with `nice -n 10` and the server with -10, back at 0: the server's threads (V8's concurrent
    // markers among them) before the clients' on the shared cores. A diagnostic, not the tables' setup.
    const nice = process.env.BENCH_SERVER_NICE;
    const argv = [...NODE_FLAGS, ...flags, '--expose-gc', entry];
    const proc = spawn(nice ? 'nice' : process.execPath, nice ? ['-n', nice, process.execPath, ...argv] : argv, {
      // As `npm start` runs the server (server/malloc-env.ts); BENCH_MALLOC_DEFAULT=1 measures without.
      env: { ...(process.env.BENCH_MALLOC_DEFAULT === '1' ? {} : MALLOC_ENV), ...process.env, DATA_DIR: dataDir, PORT: String(port), PANELROOM_METRICS: '1', ...(process.env.BENCH_CPU_PROF_DIR ? { PANELROOM_CPU_PROF_DIR: process.env.BENCH_CPU_PROF_DIR, PANELROOM_HEAP_PROF: process.env.BENCH_HEAP_PROF ?? '' } : {}) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let readyAt: (t: number) => void;
    const ready = new Promise<number>((r) => (readyAt = r));
    const t = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`child did not start: ${err}`));
    }, timeoutMs);
    let started = false;
    // BENCH_CHILD_LOG: the child's output kept in that file too (e.g. with BENCH_SERVER_NODE_FLAGS=--trace-gc,
    // its collections beside the "WINDOW <ms>" line each metrics reset writes).
    const log = process.env.BENCH_CHILD_LOG;
    proc.stderr!.on('data', (d) => {
      err += d;
      if (log) appendFileSync(log, d);
    });
    proc.stdout!.on('data', (d) => {
      out += d;
      if (log) appendFileSync(log, d);
      if (/READY /.test(out)) readyAt(performance.now());
      const m = /PORT (\d+)/.exec(out);
      const mm = /METRICS (\d+)/.exec(out);
      if (m && mm && !started) {
        started = true;
        clearTimeout(t);
        const murl = `http://127.0.0.1:${mm[1]}/`;
        resolve({
          proc,
          url: `http://127.0.0.1:${m[1]}`,
          startMs: performance.now() - t0,
          ready,
          phases: ((p) => (p ? { modules: Number(p[1]), storeOpen: Number(p[2]), listen: Number(p[3]) } : null))(/PHASES modules=([\d.]+) storeOpen=([\d.]+) listen=([\d.]+)/.exec(out)),
          profile: async (name) => void (process.env.BENCH_CPU_PROF_DIR && (await fetch(`${murl}profile?name=${encodeURIComponent(name)}`, { method: 'POST' }))),
          heap: async (path) => void (await fetch(`${murl}heap?path=${encodeURIComponent(path)}`, { method: 'POST' })),
          metrics: async (reset = false) => (await (await fetch(murl, { method: reset ? 'POST' : 'GET' })).json()) as ChildMetrics,
          kill: () =>
            new Promise((r) => {
              if (proc.exitCode !== null || proc.signalCode !== null) return r();
              proc.once('exit', () => r());
              proc.kill('SIGKILL');
            }),
        });
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(t);
      if (!/PORT/.test(out)) reject(new Error(`child exited ${code}: ${err}`));
    });
  });
}

export const FULL = MEETING.members.map((_, i) => `M${i + 1}`).concat(MEETING.suppliers.map((_, i) => `S${i + 1}`), ['A1', 'P1', 'O1']);
export const LIGHT = ['A1', 'P1', 'M1', 'M2', 'M3', 'S1', 'S2'];

export interface ConnectedRoom {
  clone: Clone;
  clients: Map<string, Lean>;
  full: boolean;
}

/** Connects `who(roomIndex)` of each room. */
export async function connectRooms(url: string, rooms: Clone[], who: (i: number) => string[], reconnect = false): Promise<ConnectedRoom[]> {
  const jobs = rooms.flatMap((clone, i) => who(i).map((pid) => ({ clone, i, pid })));
  const socks = await connectAll(jobs, (j) => lean(url, j.clone.tokens.get(j.pid)!, j.pid, { reconnect }), 100);
  const out: ConnectedRoom[] = rooms.map((clone, i) => ({ clone, clients: new Map(), full: who(i).length === FULL.length }));
  jobs.forEach((j, k) => out[j.i].clients.set(j.pid, socks[k]));
  return out;
}

/** A data directory and a store that fills it quickly (synchronous off: preparation, not a measure). */
export function fleetDir(): { dataDir: string; open(): SqliteEventStore } {
  const dataDir = mkdtempSync(join(tmpdir(), 'panelroom-fleet-'));
  return {
    dataDir,
    open() {
      return SqliteEventStore.open(dataDir, { synchronous: 'OFF' });
    },
  };
}

/** Each session's head seq, read beside the running server (WAL readers do not block it). */
export function heads(dataDir: string): Map<string, number> {
  const db = new Database(join(dataDir, 'panelroom.sqlite'), { readonly: true });
  try {
    const rows = db.prepare('SELECT session_id AS s, MAX(seq) AS n FROM events GROUP BY session_id').all() as { s: string; n: number }[];
    return new Map(rows.map((r) => [r.s, r.n]));
  } finally {
    db.close();
  }
}

/** How many times each command id of these sessions is in the log. */
export function commandCounts(dataDir: string): Map<string, number> {
  const db = new Database(join(dataDir, 'panelroom.sqlite'), { readonly: true });
  try {
    // score:save appends exactly one event: a command present twice would show as 2.
    const rows = db.prepare('SELECT command_id AS c, COUNT(*) AS n FROM events WHERE command_id IS NOT NULL GROUP BY session_id, command_id').all() as { c: string; n: number }[];
    return new Map(rows.map((r) => [r.c, r.n]));
  } finally {
    db.close();
  }
}

export { tokenOf };
