import { rmSync } from 'node:fs';
import { entryFor, sheetFor } from '../helpers/steps/scoring';
import { floorsOnce, sleep, benchId, type Lean } from './clients';
import { templateOnce, cloneRoom, startMetricChild, connectRooms, fleetDir, heads, commandCounts, FULL, type ConnectedRoom, type MetricChild } from './fleet';
import { factorsOf } from './rooms.bench';
import { stats, ms, type BenchSection } from './lib';
import { RECONNECT } from '../../shared/protocol/reconnect';

// Storms (issue 8), on one server process (a child) holding ROOMS full rooms at the scoring stage,
// 22 sockets each (2,002 sockets): every member of every room submits within 100 ms; then every
// socket loses its connection at once while each member has a command in flight, and reconnects with
// the browser client's delays, retrying that command with the same id; then the server itself is
// killed (SIGKILL) and restarted on the same port. Reported: the time until every socket has its
// fresh snapshot and is at its session's head, and the commands lost (never acknowledged) and
// duplicated (in the log more than once): both must be 0.

const ROOMS = Number(process.env.BENCH_STORM_ROOMS ?? 91);

interface Inflight {
  c: Lean;
  id: string;
  acked: boolean;
}

/** Sends with the same id until acknowledged (client/src/lib/connection.svelte.ts's outbox). */
async function untilAcked(f: Inflight, payload: Record<string, unknown>, deadline: number): Promise<void> {
  while (!f.acked && performance.now() < deadline) {
    try {
      const a = await f.c.socket.timeout(5000).emitWithAck('score:save', { id: f.id, ...payload });
      if (a?.ok) f.acked = true;
      else throw new Error(JSON.stringify(a?.error));
    } catch {
      await sleep(200);
    }
  }
}

/** Time until every client has a snapshot newer than `before` and sits at its session's head; and until the first one has. */
async function resynced(dataDir: string, rooms: ConnectedRoom[], before: Map<Lean, number>, t0: number, limitMs: number): Promise<{ firstMs: number; halfMs: number; p90Ms: number; snapshotMs: number; headMs: number; behind: number }> {
  const all = rooms.flatMap((r) => [...r.clients.values()].map((c) => ({ c, sid: r.clone.sessionId })));
  let snapshotMs = NaN;
  while (performance.now() - t0 < limitMs) {
    if (all.every(({ c }) => c.snapshots > before.get(c)!)) {
      // When the last of them arrived (each client stamps its snapshot), not when this loop noticed.
      snapshotMs = Math.max(...all.map(({ c }) => c.snapshotAt)) - t0;
      break;
    }
    await sleep(20);
  }
  const fresh = all.filter(({ c }) => c.snapshots > before.get(c)!).map(({ c }) => c.snapshotAt - t0);
  const firstMs = fresh.length ? Math.min(...fresh) : NaN;
  // When half and nine in ten of the sockets had theirs (how the arrivals spread).
  const sorted = fresh.sort((a, b) => a - b);
  const halfMs = sorted.length === all.length ? sorted[Math.floor(all.length / 2)] : NaN;
  const p90Ms = sorted.length === all.length ? sorted[Math.floor(all.length * 0.9)] : NaN;
  let behind = all.length;
  let headMs = NaN;
  while (performance.now() - t0 < limitMs) {
    const h = heads(dataDir);
    // A client whose audiences did not change gets no patch: a barrier query tells it the seq its view is at.
    const lagging = all.filter(({ c, sid }) => c.seq !== h.get(sid));
    for (let i = 0; i < lagging.length; i += 200) await Promise.all(lagging.slice(i, i + 200).map(({ c }) => (c.socket.connected ? c.sync().catch(() => 0) : 0)));
    behind = all.filter(({ c, sid }) => c.seq !== h.get(sid)).length;
    if (behind === 0) {
      headMs = performance.now() - t0;
      break;
    }
    await sleep(100);
  }
  return { firstMs, halfMs, p90Ms, snapshotMs, headMs, behind };
}

export async function stormsBench(): Promise<BenchSection> {
  await floorsOnce();
  const t = await templateOnce();
  const factors = factorsOf(t);
  const dir = fleetDir();
  const store = dir.open();
  const clones = [];
  for (let i = 0; i < ROOMS; i++) clones.push(await cloneRoom(store, t));
  await store.close();
  let child = await startMetricChild(dir.dataDir);
  const port = Number(new URL(child.url).port);
  const lines: string[] = [];
  let rooms: ConnectedRoom[] = [];
  try {
    rooms = await connectRooms(child.url, clones, () => FULL, true);
    const sockets = rooms.reduce((a, r) => a + r.clients.size, 0);
    const members = rooms.flatMap((r) => [...r.clients.entries()].filter(([pid]) => pid.startsWith('M')).map(([, c]) => c));
    await sleep(1000);

    // 1. Every member of every room submits S1 within 100 ms.
    await child.metrics(true);
    const entries = sheetFor(factors, () => 0);
    const t0 = performance.now();
    const res = await Promise.all(
      members.map(async (c) => {
        await sleep(Math.random() * 100);
        const s = performance.now();
        const a = await c.send('score:submit', { supplierId: 'S1', entries });
        return { lat: performance.now() - s, ok: !!a.ok, done: performance.now() - t0 };
      }),
    );
    const sm = await child.metrics();
    const lat = stats(res.map((r) => r.lat));
    lines.push(
      `### Every member submits within 100 ms`,
      '',
      `${ROOMS} rooms, ${sockets.toLocaleString('en')} sockets, ${members.length} members each submitting a whole sheet (13 factors) at a random moment within the same 100 ms.`,
      '',
      '| measure | value |',
      '|---|---|',
      `| score:submit → ack p50 / p99 / max | ${ms(lat.p50)} / ${ms(lat.p99)} / ${ms(lat.max)} ms |`,
      `| last ack after the storm began | ${ms(Math.max(...res.map((r) => r.done)))} ms |`,
      `| refused | ${res.filter((r) => !r.ok).length} |`,
      `| server loop delay p99 / max | ${ms(sm.loop.p99)} / ${ms(sm.loop.max)} ms |`,
      `| server CPU (of one core) | ${((100 * (sm.cpu.userMs + sm.cpu.systemMs)) / sm.cpu.wallMs).toFixed(0)} % |`,
      '',
    );
    await sleep(2000);

    // 2. Every socket drops at once, each member with a command in flight; reconnect and resync.
    const save = { supplierId: 'S10', factorId: factors[0].id, ...entryFor(factors[0]) };
    const all = rooms.flatMap((r) => [...r.clients.values()]);
    const cpuOf = (m: { cpu: { userMs: number; systemMs: number; wallMs: number } } | null) =>
      m ? `${((m.cpu.userMs + m.cpu.systemMs) / 1000).toFixed(1)} s (${((100 * (m.cpu.userMs + m.cpu.systemMs)) / m.cpu.wallMs).toFixed(0)} %)` : '—';
    const storm = async (label: string, name: string, drop: () => Promise<void>, limitMs: number) => {
      const before = new Map(all.map((c) => [c, c.snapshots]));
      const inflight: Inflight[] = members.map((c) => ({ c, id: benchId(), acked: false }));
      await child.metrics(true).catch(() => undefined);
      const t1 = performance.now();
      const benchCpu = process.cpuUsage();
      const sends = inflight.map((f) => untilAcked(f, save, t1 + limitMs));
      await drop();
      const r = await resynced(dir.dataDir, rooms, before, t1, limitMs);
      await Promise.all(sends);
      const counts = commandCounts(dir.dataDir);
      const lost = inflight.filter((f) => !f.acked || !counts.has(f.id)).length;
      const dup = inflight.filter((f) => (counts.get(f.id) ?? 0) > 1).length;
      const bc = process.cpuUsage(benchCpu);
      const clientCpu = `${((bc.user + bc.system) / 1e6).toFixed(1)} s (${((100 * (bc.user + bc.system)) / 1000 / (performance.now() - t1)).toFixed(0)} %)`;
      const m = await child.metrics().catch(() => null);
      await child.profile(`storm-${name}`).catch(() => undefined);
      lines.push(
        `| ${label} | ${all.length.toLocaleString('en')} | ${ms(r.firstMs)} ms | ${ms(r.snapshotMs)} ms | ${ms(r.headMs)} ms | ${r.behind} | ${inflight.length} | ${lost} | ${dup} | ${m ? `${ms(m.loop.p99)} / ${ms(m.loop.max)} ms` : '—'} | ${cpuOf(m)} | ${clientCpu} |`,
      );
      return { ...r, t1 };
    };
    lines.push(
      '### Reconnect storms',
      '',
      `Every socket loses its connection at the same moment; each of the ${members.length} members has a \`score:save\` in flight, which it sends again with the same id until it is acknowledged (the browser client's outbox). Clients reconnect with the browser client's delays (shared/protocol/reconnect.ts: ${RECONNECT.reconnectionDelay / 1000} s, randomised ×${1 - RECONNECT.randomizationFactor}–${1 + RECONNECT.randomizationFactor}, doubling to at most ${RECONNECT.reconnectionDelayMax / 1000} s). "resynced": every socket has received a fresh snapshot; "at head": every socket's view is at its session's last event in the log.`,
      '',
      '| storm | sockets | first fresh snapshot | all resynced (fresh snapshot) | all at head | behind at the end | commands in flight | lost | duplicated | server loop delay p99 / max | server CPU (of one core) | CPU of the clients (this process, of one core) |',
      '|---|---|---|---|---|---|---|---|---|---|---|---|',
    );
    const net = await storm(
      'network drop (every transport closed at once; the server keeps running)',
      'drop',
      async () => {
        for (const c of all) c.socket.io.engine.close();
      },
      120_000,
    );
    await sleep(2000);
    let restartMs = NaN;
    let killedAt = NaN;
    let readyAt: Promise<number> = Promise.resolve(NaN);
    let phases = null as MetricChild['phases'];
    const restart = await storm(
      'server killed (SIGKILL) and restarted on the same port (includes replaying every room)',
      'restart',
      async () => {
        await child.kill();
        const t = (killedAt = performance.now());
        child = await startMetricChild(dir.dataDir, port);
        restartMs = performance.now() - t;
        readyAt = child.ready;
        phases = child.phases;
      },
      180_000,
    );
    // The restart's timeline, from the kill (the storm's own clock starts a moment before it, as the commands go out).
    const sinceKill = (fromT1: number) => fromT1 - (killedAt - restart.t1);
    const replayedMs = (await readyAt) - killedAt;
    const background = process.env.PANELROOM_LOAD_IN_BACKGROUND !== '0';
    lines.push(
      '',
      `Restart timeline, from the kill: the new process listened after ${ms(restartMs)} ms${background ? ' (it replays in the background)' : ' (after replaying)'}` +
        (phases ? ` (by its own clock: modules loaded ${ms(phases.modules)} ms, SQLite opened in ${ms(phases.storeOpen)} ms, listening ${ms(phases.listen)} ms)` : '') +
        '; ' +
        `every session (${ROOMS} rooms, ${t.events.length.toLocaleString('en')}+ events each) was replayed after ${ms(replayedMs)} ms; ` +
        `the first socket had its fresh snapshot after ${ms(sinceKill(restart.firstMs))} ms, half of them after ${ms(sinceKill(restart.halfMs))} ms, nine in ten after ${ms(sinceKill(restart.p90Ms))} ms, every socket after ${ms(sinceKill(restart.snapshotMs))} ms, and every socket was at its session's head after ${ms(sinceKill(restart.headMs))} ms.`,
      '',
      `Aims (issue 15): resynced ≤ 5 s after a network drop — ${ms(net.snapshotMs)} ms, **${net.snapshotMs <= 5000 ? 'met' : 'not met'}**; ` +
        `≤ 8 s after SIGKILL and restart — ${ms(restart.snapshotMs)} ms from the storm's start (${ms(sinceKill(restart.snapshotMs))} ms from the kill), **${restart.snapshotMs <= 8000 ? 'met' : 'not met'}**.`,
    );
  } finally {
    for (const r of rooms) for (const c of r.clients.values()) c.socket.disconnect();
    await child.kill();
    rmSync(dir.dataDir, { recursive: true, force: true });
  }
  return { title: 'Storms', markdown: lines.join('\n') };
}
