import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { constants as perf, monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';
import { createApplication } from '../../server/app';
import { SqliteEventStore } from '../../server/store/sqlite';
import { ADMIN } from './server';
import { LOOP_RESOLUTION_MS, loopDelayMs } from './loop-delay';

// A real server in a child process, for tests that kill it (SIGKILL) and start it again on the same
// data directory. Prints "PORT <n>" once it listens.
// Opt-in (benchmarks, test/bench/rooms.bench.ts): with PANELROOM_METRICS=1 it also serves its own
// event-loop delay, CPU and memory as JSON on a second loopback port, printed as "METRICS <n>" before
// "PORT <n>"; `POST /reset` starts a new measuring window.
// When this process's modules were loaded (its own clock: ms since the process began), for the storms
// bench's restart timeline ("PHASES …" before "PORT").
const modulesAt = performance.now();
let metricsPort = 0;
/** The server's own command times (server/realtime/socket.ts `commandTimes`), once the app exists. */
let commandTimes: { measure: boolean; ms: number[]; at: number[]; flushWaitMs: number[] } | null = null;
/** Commands slower than SLOW_MS in the server, counted by the second of the window they arrived in
 *  (whether a tail is one stall or spread over the window). */
const SLOW_MS = 100;
const slowBySecond = (c: { ms: number[]; at: number[] } | null, from: number): number[] => {
  const out: number[] = [];
  if (!c) return out;
  for (let i = 0; i < c.ms.length; i++) {
    if (c.ms[i] <= SLOW_MS) continue;
    const sec = Math.max(0, Math.floor((c.at[i] - from) / 1000));
    while (out.length <= sec) out.push(0);
    out[sec]++;
  }
  return out;
};
const commandStats = (ms: number[]) => {
  const s = [...ms].sort((a, b) => a - b);
  const q = (f: number) => s[Math.min(s.length - 1, Math.floor(f * s.length))] ?? 0;
  return { n: s.length, p50: q(0.5), p99: q(0.99), max: s[s.length - 1] ?? 0 };
};
// Opt-in CPU profile (PANELROOM_CPU_PROF_DIR, set by the benches from BENCH_CPU_PROF_DIR): profiled from
// the start and from each metrics reset; `POST /profile?name=…` writes <dir>/<name>.cpuprofile and goes on.
const profDir = process.env.PANELROOM_CPU_PROF_DIR;
let profile: { start(): Promise<void>; write(name: string): Promise<void> } | null = null;
if (profDir) {
  const { Session } = await import('node:inspector');
  const { writeFileSync, mkdirSync } = await import('node:fs');
  mkdirSync(profDir, { recursive: true });
  const s = new Session();
  s.connect();
  const post = (m: string, params?: object) => new Promise<any>((res, rej) => s.post(m, params ?? {}, (e, r) => (e ? rej(e) : res(r))));
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 500 });
  // PANELROOM_HEAP_PROF=1 (BENCH_HEAP_PROF=1): also <name>.heapprofile, the allocations sampled since the
  // same point that outlived the young generation (promoted: alive, or collected by a major GC), by the
  // stack that allocated them (issue 15: what makes the old generation grow and its marking long).
  // PANELROOM_HEAP_PROF=all (BENCH_HEAP_PROF=all): every allocation sampled, also what a scavenge collected
  // (what drives the scavenges and, while V8 marks, its marking steps on allocation).
  const heap = process.env.PANELROOM_HEAP_PROF === '1' || process.env.PANELROOM_HEAP_PROF === 'all';
  const young = process.env.PANELROOM_HEAP_PROF === 'all';
  if (heap) await post('HeapProfiler.enable');
  let on = false;
  profile = {
    async start() {
      if (on) await post('Profiler.stop');
      if (on && heap) await post('HeapProfiler.stopSampling');
      await post('Profiler.start');
      if (heap) await post('HeapProfiler.startSampling', { samplingInterval: 16384, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: young });
      on = true;
    },
    async write(name) {
      const r = await post('Profiler.stop');
      const file = `${profDir}/${name.replace(/[^\w.-]/g, '_')}`;
      if (heap) writeFileSync(`${file}.heapprofile`, JSON.stringify((await post('HeapProfiler.stopSampling')).profile));
      on = false;
      writeFileSync(`${file}.cpuprofile`, JSON.stringify(r.profile));
      await this.start();
    },
  };
  await profile.start();
}
if (process.env.PANELROOM_METRICS === '1') {
  const loop = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  loop.enable();
  // GC pauses in the window (issue 15: the knee's loop-delay bursts): count, total and longest, and the
  // total of the major (mark-compact) ones.
  const gc = { n: 0, totalMs: 0, maxMs: 0, majorMs: 0 };
  // The pause of the last full GC the metrics forced (below): a whole mark-compact of everything the
  // process holds, done at once, which says what marking the heap costs (issue 15).
  let forcedMs = 0;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const detail = (e as unknown as { detail?: { kind?: number; flags?: number } }).detail;
      // Not the window's: the full GC the metrics reset forces (below).
      if ((detail?.flags ?? 0) & perf.NODE_PERFORMANCE_GC_FLAGS_FORCED) {
        if (detail?.kind === perf.NODE_PERFORMANCE_GC_MAJOR) forcedMs = e.duration;
        continue;
      }
      gc.n++;
      gc.totalMs += e.duration;
      gc.maxMs = Math.max(gc.maxMs, e.duration);
      if (detail?.kind === perf.NODE_PERFORMANCE_GC_MAJOR) gc.majorMs += e.duration;
    }
  }).observe({ entryTypes: ['gc'] });
  let cpu0 = process.cpuUsage();
  let t0 = performance.now();
  const http = createServer(async (req, res) => {
    const name = /^\/profile\?name=(.+)$/.exec(req.url ?? '')?.[1];
    if (name !== undefined) {
      await profile?.write(decodeURIComponent(name));
      return void res.end('{}');
    }
    // `POST /heap?path=…`: a heap snapshot of this process, after a GC (issue 15: what each room and
    // socket holds; test/bench/heap.ts groups it).
    const heap = /^\/heap\?path=(.+)$/.exec(req.url ?? '')?.[1];
    if (heap !== undefined) {
      globalThis.gc?.();
      const { writeHeapSnapshot } = await import('node:v8');
      return void res.end(JSON.stringify({ path: writeHeapSnapshot(decodeURIComponent(heap)) }));
    }
    if (req.method === 'POST') {
      // The forced collection first, and a second for what follows it (V8 sweeps a heap of hundreds of
      // megabytes after it): the window's loop delay, CPU, GC pauses and commands never hold it.
      globalThis.gc?.();
      await new Promise((r) => setTimeout(r, 1000));
      await profile?.start();
      loop.reset();
      if (commandTimes) {
        commandTimes.measure = true;
        commandTimes.ms.length = 0;
        commandTimes.at.length = 0;
        commandTimes.flushWaitMs.length = 0;
      }
      Object.assign(gc, { n: 0, totalMs: 0, maxMs: 0, majorMs: 0 });
      cpu0 = process.cpuUsage();
      t0 = performance.now();
      // The window's start on this process's clock (ms since it began, as --trace-gc's lines) and the
      // wall clock's (as other threads' lines).
      process.stdout.write(`WINDOW ${t0.toFixed(1)} ${Date.now()}\n`);
    }
    const cpu = process.cpuUsage(cpu0);
    const ns = (q: number) => loopDelayMs(loop.percentile(q));
    res.setHeader('content-type', 'application/json');
    res.end(
      JSON.stringify({
        loop: { p50: ns(50), p99: ns(99), max: loopDelayMs(loop.max), n: loop.count },
        gc: { ...gc },
        forcedGcMs: forcedMs,
        commands: commandStats(commandTimes?.ms ?? []),
        flushWaits: commandStats(commandTimes?.flushWaitMs ?? []),
        slow: slowBySecond(commandTimes, t0),
        cpu: { userMs: cpu.user / 1000, systemMs: cpu.system / 1000, wallMs: performance.now() - t0 },
        memory: process.memoryUsage(),
        // V8's spaces, committed and in use (issue 15, memory per room: where the committed heap beside
        // the heap in use is).
        spaces: Object.fromEntries(getHeapSpaceStatistics().map((x) => [x.space_name, { size: x.space_size, used: x.space_used_size }])),
      }),
    );
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
  metricsPort = (http.address() as AddressInfo).port;
}
// Held (PANELROOM_CHILD_HOLD=1, test/helpers/child.ts prepareChild): the modules are loaded, but the data
// directory is not touched until a line arrives on stdin, so that a test can load the next server
// while the current one still runs and then start it the moment the current one is killed.
if (process.env.PANELROOM_CHILD_HOLD === '1') {
  process.stdout.write('HELD\n');
  await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));
}
const storeFrom = performance.now();
const store = SqliteEventStore.open(process.env.DATA_DIR!);
const storeAt = performance.now();
// As server/main.ts: listen at once, replay in the background (issue 15); PANELROOM_LOAD_IN_BACKGROUND=0
// replays first (the storms bench's "before").
const loadInBackground = process.env.PANELROOM_LOAD_IN_BACKGROUND !== '0';
const app = await createApplication({ store, adminToken: ADMIN, clientDir: null, loadInBackground });
commandTimes = app.realtime.commandTimes;
const port = await app.listen(Number(process.env.PORT ?? 0), '127.0.0.1');
const listenAt = performance.now();
if (metricsPort) process.stdout.write(`METRICS ${metricsPort}\n`);
process.stdout.write(`PHASES modules=${modulesAt.toFixed(1)} storeOpen=${(storeAt - storeFrom).toFixed(1)} listen=${listenAt.toFixed(1)}\n`);
process.stdout.write(`PORT ${port}\n`);
// "READY <ms>": every session is replayed, <ms> after this process began (the storms bench's timeline).
await app.registry.ready;
process.stdout.write(`READY ${performance.now().toFixed(1)}\n`);
