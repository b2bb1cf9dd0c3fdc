import { rmSync } from 'node:fs';
import { templateOnce, cloneRoom, startMetricChild, connectRooms, fleetDir, FULL, LIGHT, type Clone } from './fleet';
import { factorsOf, memberLoad } from './rooms.bench';
import { sleep } from './clients';

// What N full rooms hold in one server process (issue 15: memory per active room), for finding what to
// cut rather than for RESULTS.md: `npx tsx test/bench/heap.ts` with BENCH_HEAP_ROOMS (10), BENCH_HEAP_LOAD_MS
// (a window of scoring turns, 0 for none), BENCH_HEAP_IDLE_MS
// (then a quiet wait, 0 for none), BENCH_HEAP_LIGHT=1 (every room as the rooms bench's light ones) and BENCH_HEAP_DIR (write heap
// snapshots there: loaded, connected, after the load). Prints process.memoryUsage() of the child at
// each step, after a GC, and the difference per room. Group a snapshot with scripts/heap-groups.mjs.
const N = Number(process.env.BENCH_HEAP_ROOMS ?? 10);
const LOAD_MS = Number(process.env.BENCH_HEAP_LOAD_MS ?? 0);
const DIR = process.env.BENCH_HEAP_DIR;
/** BENCH_HEAP_AT: which snapshots to write, e.g. `after-load,idle` (all by default; writing one stops the
 *  child for seconds, and the scoring turns after it can time out). */
const AT = process.env.BENCH_HEAP_AT?.split(',');
const snap = (name: string) => DIR && (!AT || AT.includes(name));
/** Then this long with every socket connected and nothing happening (the channels' caches are swept). */
const IDLE_MS = Number(process.env.BENCH_HEAP_IDLE_MS ?? 0);

const t = await templateOnce();
const dir = fleetDir();
const store = dir.open();
const clones: Clone[] = [];
while (clones.length < N) clones.push(await cloneRoom(store, t));
await store.close();
const child = await startMetricChild(dir.dataDir);
const mb = (b: number) => (b / 2 ** 20).toFixed(1);
const show = (what: string, m: NodeJS.MemoryUsage, base?: NodeJS.MemoryUsage, gcMs?: number) =>
  console.log(
    `${what.padEnd(10)} ` + (gcMs !== undefined ? `full GC ${gcMs.toFixed(1)} ms  ` : '') +
      (['rss', 'heapTotal', 'heapUsed', 'external', 'arrayBuffers'] as const).map((k) => `${k} ${mb(m[k])}${base ? ` (+${((m[k] - base[k]) / 2 ** 20 / N).toFixed(2)}/room)` : ''}`).join('  '),
  );
try {
  await child.ready;
  const l0 = await child.metrics(true);
  const loaded = l0.memory;
  show('loaded', loaded, undefined, l0.forcedGcMs);
  if (snap('loaded')) await child.heap(`${DIR}/loaded.heapsnapshot`);
  // BENCH_HEAP_LIGHT=1: the rooms bench's rooms beyond its first 50 (moderator, projector, 3 members, 2 suppliers).
  const rooms = await connectRooms(child.url, clones, () => (process.env.BENCH_HEAP_LIGHT === '1' ? LIGHT : FULL));
  await sleep(2000);
  const c0 = await child.metrics(true);
  const connected = c0.memory;
  show('connected', connected, loaded, c0.forcedGcMs);
  if (snap('connected')) await child.heap(`${DIR}/connected.heapsnapshot`);
  if (LOAD_MS > 0) {
    const factors = factorsOf(t);
    const out = { submit: [] as number[], save: [] as number[], console: [] as number[], errors: 0 };
    const until = performance.now() + LOAD_MS;
    const loads: Promise<void>[] = [];
    for (const r of rooms) for (const [pid, c] of r.clients) if (pid.startsWith('M')) loads.push(memberLoad(c, r.clients.get('A1'), factors, until, out));
    await Promise.all(loads);
    await sleep(500);
    const a0 = await child.metrics(true);
    show('after load', a0.memory, loaded, a0.forcedGcMs);
    await sleep(3000);
    const a1 = await child.metrics(true);
    show('+3 s', a1.memory, loaded, a1.forcedGcMs);
    console.log(`  ${out.submit.length} submits, ${out.errors} refused`);
    if (snap('after-load')) await child.heap(`${DIR}/after-load.heapsnapshot`);
  }
  if (IDLE_MS > 0) {
    await sleep(IDLE_MS);
    show('idle', (await child.metrics(true)).memory, loaded);
    if (snap('idle')) await child.heap(`${DIR}/idle.heapsnapshot`);
  }
  for (const r of rooms) for (const c of r.clients.values()) c.socket.disconnect();
} finally {
  await child.kill();
  rmSync(dir.dataDir, { recursive: true, force: true });
}
process.exit(0);
