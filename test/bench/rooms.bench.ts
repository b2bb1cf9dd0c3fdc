import { rmSync } from 'node:fs';
import { entryFor, sheetFor } from '../helpers/steps/scoring';
import type { Factor } from '../../shared/domain/rubric/types';
import { scoredLeaves } from '../../shared/domain/rubric';
import { roomKernel } from '../../server/concerns';
import { floorsOnce, clientLoop, sleep, type Lean } from './clients';
import { templateOnce, cloneRoom, startMetricChild, connectRooms, fleetDir, FULL, LIGHT, type ChildMetrics, type Clone, type Template, type ConnectedRoom } from './fleet';
import { stats, ms, type BenchSection } from './lib';
import { patchTouches } from '../../shared/protocol/view-sync';

// N rooms per process (issue 8): 1, 10, 50, 100, 200, 500 rooms at the scoring stage in one server
// process (a child), the clients here. Every connected member scores at a steady pace; we report the
// score path's latency, the server's event-loop delay and CPU, memory per room, and the knee: the
// first N where the score p99 passes 100 ms or the loop delay p99 passes 20 ms.

export const LEVELS = (process.env.BENCH_ROOMS ?? '1,10,50,100,200,500').split(',').map(Number);
/** Rooms with every person connected (22 sockets); beyond these, LIGHT (7 sockets) per room. */
export const FULL_ROOMS = 50;
const WINDOW_MS = Number(process.env.BENCH_WINDOW_MS ?? 20_000);
/** Each connected member: one turn (a draft saved, then one supplier's sheet submitted) every 10 s. */
const TURN_MS = 10_000;
export const KNEE = { scoreP99: 100, loopP99: 20 };

interface Level {
  n: number;
  sockets: number;
  members: number;
  startMs: number;
  submit: ReturnType<typeof stats>;
  save: ReturnType<typeof stats>;
  console: ReturnType<typeof stats>;
  loop: { p50: number; p99: number; max: number };
  gc: ChildMetrics['gc'];
  serverCommands: ChildMetrics['commands'];
  flushWaits: ChildMetrics['flushWaits'];
  slow: ChildMetrics['slow'];
  cpuPct: number;
  rssMb: number;
  mem: { heapTotal: string; external: string; spaces: string };
  heapMb: number;
  heapLoadedMb: number;
  rssLoadedMb: number;
  clientLoopP99: number;
  errors: number;
}

/** One member's turns for the window: save a draft on S10 (never submitted), submit the next of S1–S9. */
export async function memberLoad(
  c: Lean,
  mod: Lean | undefined,
  factors: Factor[],
  until: number,
  out: { submit: number[]; save: number[]; console: number[]; errors: number },
): Promise<void> {
  await sleep(Math.random() * TURN_MS);
  while (performance.now() < until) {
    const turn = performance.now();
    let t0 = performance.now();
    const a = await c.send('score:save', { supplierId: 'S10', factorId: factors[0].id, ...entryFor(factors[0]) });
    if (a.ok) out.save.push(performance.now() - t0);
    else out.errors++;
    const mine = (c.view.scoring?.mine ?? {}) as Record<string, { submittedAt: number | null }>;
    const next = ['S1', 'S2', 'S3', 'S4', 'S5', 'S6', 'S7', 'S8', 'S9'].find((s) => !mine[s]?.submittedAt);
    if (next) {
      const seen = mod?.nextPatch((p) => patchTouches(p, 'scoring'), 60_000).catch(() => NaN);
      t0 = performance.now();
      const b = await c.send('score:submit', { supplierId: next, entries: sheetFor(factors, () => 0) });
      if (b.ok) {
        out.submit.push(performance.now() - t0);
        // Mark it here too: the patch may arrive after the next turn starts.
        (c.view.scoring.mine[next] ??= {}).submittedAt = Date.now();
        if (seen) {
          const t2 = await seen;
          if (Number.isFinite(t2)) out.console.push(t2 - t0);
        }
      } else out.errors++;
    }
    await sleep(Math.max(0, TURN_MS - (performance.now() - turn)));
  }
}

async function measureLevel(url: string, child: Awaited<ReturnType<typeof startMetricChild>>, clones: Clone[], factors: Factor[]): Promise<Omit<Level, 'n' | 'startMs'>> {
  const loaded = await child.metrics(true);
  const rooms: ConnectedRoom[] = await connectRooms(url, clones, (i) => (i < FULL_ROOMS ? FULL : LIGHT));
  const sockets = rooms.reduce((a, r) => a + r.clients.size, 0);
  await sleep(1000);
  await child.metrics(true);
  const cl = clientLoop();
  cl.reset();
  const out = { submit: [] as number[], save: [] as number[], console: [] as number[], errors: 0 };
  const until = performance.now() + WINDOW_MS;
  const loads: Promise<void>[] = [];
  let members = 0;
  for (const r of rooms)
    for (const [pid, c] of r.clients)
      if (pid.startsWith('M')) {
        members++;
        loads.push(memberLoad(c, r.clients.get('A1'), factors, until, out));
      }
  await Promise.all(loads);
  // With BENCH_CPU_PROF_DIR: the server's CPU profile of this level's window (since the reset above).
  await child.profile(`rooms-${rooms.length}`);
  const m = await child.metrics();
  // After a GC, with every socket still connected: what the rooms and their sockets hold (issue 15: RSS
  // per active room), not the window's garbage.
  const held = await child.metrics(true);
  const clientLoopP99 = cl.p99();
  for (const r of rooms) for (const c of r.clients.values()) c.socket.disconnect();
  return {
    sockets,
    members,
    submit: stats(out.submit),
    save: stats(out.save),
    console: stats(out.console),
    loop: m.loop,
    gc: m.gc,
    serverCommands: m.commands,
    flushWaits: m.flushWaits,
    slow: m.slow,
    cpuPct: (100 * (m.cpu.userMs + m.cpu.systemMs)) / m.cpu.wallMs,
    rssMb: held.memory.rss / 2 ** 20,
    // Where the RSS is (the console line): V8's committed heap and the bytes outside it, in MB.
    mem: {
      heapTotal: (held.memory.heapTotal / 2 ** 20).toFixed(0),
      external: (held.memory.external / 2 ** 20).toFixed(0),
      // The spaces holding more than 8 MB committed: "; old 300/200" is committed/in use, in MB.
      spaces: Object.entries(held.spaces)
        .filter(([, x]) => x.size > 8 * 2 ** 20)
        .map(([k, x]) => `; ${k.replace(/_space$/, '')} ${(x.size / 2 ** 20).toFixed(0)}/${(x.used / 2 ** 20).toFixed(0)}`)
        .join(''),
    },
    heapMb: held.memory.heapUsed / 2 ** 20,
    heapLoadedMb: loaded.memory.heapUsed / 2 ** 20,
    rssLoadedMb: loaded.memory.rss / 2 ** 20,
    clientLoopP99,
    errors: out.errors,
  };
}

export function factorsOf(t: Template): Factor[] {
  return scoredLeaves(roomKernel.fold(t.sessionId, t.events).rubric!);
}

export async function roomsBench(): Promise<BenchSection> {
  await floorsOnce();
  const t = await templateOnce();
  const factors = factorsOf(t);
  const dir = fleetDir();
  const clones: Clone[] = [];
  const levels: Level[] = [];
  try {
    for (const n of LEVELS) {
      const store = dir.open();
      const p0 = performance.now();
      while (clones.length < n) clones.push(await cloneRoom(store, t));
      await store.close();
      console.log(`  ${n} rooms prepared in ${ms(performance.now() - p0)} ms`);
      const child = await startMetricChild(dir.dataDir);
      try {
        // A fresh set of rooms' scores would need fresh rooms; earlier rooms keep theirs (S10 is never submitted).
        const r = await measureLevel(child.url, child, clones.slice(0, n), factors);
        levels.push({ n, startMs: child.startMs, ...r });
        console.log(`  ${n} rooms: submit p99 ${ms(r.submit.p99)} ms, loop p99 ${ms(r.loop.p99)} ms (max ${ms(r.loop.max)}), gc ${r.gc.n} pauses ${ms(r.gc.totalMs)} ms (major ${ms(r.gc.majorMs)}, longest ${ms(r.gc.maxMs)}), server's command p50/p99 ${ms(r.serverCommands.p50)}/${ms(r.serverCommands.p99)} ms (of which waiting for the flush, ${r.flushWaits.n} acks: p50/p99 ${ms(r.flushWaits.p50)}/${ms(r.flushWaits.p99)} ms; over 100 ms, by second of the window: ${r.slow.join(' ') || 'none'}), cpu ${r.cpuPct.toFixed(0)}%, client loop p99 ${ms(r.clientLoopP99)} ms; after a GC: rss ${r.rssMb.toFixed(0)} MB = V8's heap ${r.mem.heapTotal} MB (used ${r.heapMb.toFixed(0)}${r.mem.spaces}) + bytes outside it ${r.mem.external} MB + the rest`);
      } finally {
        await child.kill();
      }
      await sleep(500);
    }
  } finally {
    rmSync(dir.dataDir, { recursive: true, force: true });
  }
  const knee = levels.find((l) => l.submit.p99 > KNEE.scoreP99 || l.loop.p99 > KNEE.loopP99);
  const base = levels[0];
  const perRoom = (l: Level, k: 'heapLoadedMb' | 'rssLoadedMb' | 'heapMb' | 'rssMb') => (l.n > base.n ? ((l[k] - base[k]) / (l.n - base.n)).toFixed(2) : '—');
  const rows = levels.map(
    (l) =>
      `| ${l.n} | ${l.sockets} | ${l.members} | ${ms(l.submit.p50)} / ${ms(l.submit.p99)} ms (${l.submit.n}) | ${ms(l.console.p50)} / ${ms(l.console.p99)} ms | ${ms(l.save.p50)} / ${ms(l.save.p99)} ms | ${ms(l.serverCommands.p50)} / ${ms(l.serverCommands.p99)} ms | ${ms(l.loop.p50)} / ${ms(l.loop.p99)} / ${ms(l.loop.max)} ms | ${ms(l.gc.totalMs)} ms, longest ${ms(l.gc.maxMs)} ms | ${l.cpuPct.toFixed(0)} % | ${l.rssLoadedMb.toFixed(0)} MB → ${l.rssMb.toFixed(0)} MB | ${perRoom(l, 'heapLoadedMb')} / ${perRoom(l, 'rssLoadedMb')} MB | ${perRoom(l, 'heapMb')} / ${perRoom(l, 'rssMb')} MB | ${(l.startMs / 1000).toFixed(1)} s | ${ms(l.clientLoopP99)} ms | ${l.errors} |`,
  );
  const md = [
    `Rooms of ${FULL.length - 3 + 3} people (9 members, 10 suppliers, moderator, projector, observer) at the scoring stage, all in one server process (a child; SQLite, synchronous=FULL); clients in the benchmark process, on the same 2 cores. ` +
      `The first ${FULL_ROOMS} rooms have every person connected (22 sockets); every further room has the moderator, the projector, 3 members and 2 suppliers connected (7 sockets): ${(FULL_ROOMS * 22 + 450 * 7).toLocaleString('en')} sockets at 500 rooms, 22 × 500 = 11,000 did not fit beside the clients on 2 cores. ` +
      `Each connected member takes a turn every ${TURN_MS / 1000} s (random phase): a draft \`score:save\`, then \`score:submit\` of the next supplier's whole sheet (13 factors) — about 3× a human's peak pace. Window ${WINDOW_MS / 1000} s per level. ` +
      `Rooms beyond the first are the first room's log appended again under new ids (fleet.ts); the server rebuilds them all by replay at start ("start").`,
    '',
    '| rooms | sockets | members scoring | score:submit → ack p50 / p99 (n) | → console p50 / p99 | score:save → ack p50 / p99 | in the server, arrival → ack, every command p50 / p99 | server loop delay p50 / p99 / max | server GC pauses in the window | server CPU (of one core) | server RSS loaded → with sockets (after a GC) | per room, state only: heap / RSS | per room with its sockets: heap / RSS | start (replay) | client-side loop p99 | refused |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    `Knee (first N with score p99 > ${KNEE.scoreP99} ms or loop p99 > ${KNEE.loopP99} ms): **${knee ? `${knee.n} rooms` : `not reached up to ${levels[levels.length - 1]?.n} rooms`}**. Aim (issue 15): 500 rooms or more before the knee — **${knee ? `not met (the last level below the knee: ${levels.filter((l) => l.n < knee.n).pop()?.n ?? 0} rooms)` : (levels[levels.length - 1]?.n ?? 0) >= 500 ? 'met' : 'not measured up to 500 rooms'}**.`,
    'The console column races with the other members of the same room (the first console patch after the send); the client-side loop column shows when the benchmark process itself was saturated, which inflates every latency above.',
  ].join('\n');
  return { title: 'N rooms per process', markdown: md };
}
