import WebSocket from 'ws';
import { yjsProtocols } from '../../shared/protocol/yjs';
import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import { startServer, tokenOf, linkFor } from '../helpers/server';
import { openRoom, driveTo, advance, stageOf, type Room } from '../helpers/room';
import { openWindow, closeAfter, settleAll, plainSheet, NO_POLICY, PLAIN_QUOTES, quoteSignature } from '../helpers/steps/quotes';
import { sheetFor, entryFor } from '../helpers/steps/scoring';
import type { Factor } from '../../shared/domain/rubric/types';
import { MEETING } from './room.bench';
import { floorsOnce, sleep } from './clients';
import type { Floors } from './floor';
import { stats, ms, ratio, type BenchSection, type Stats } from './lib';
import { patchTouches } from '../../shared/protocol/view-sync';

// One meeting (1 projector, 9 members, 10 suppliers, the moderator, an observer) on the real paths of
// issue 8, on a real server with a real SQLite file, driven to each stage by the concerns' own steps
// (test/helpers/steps): a score submitted from a tablet, a requirement edit reaching the other
// tablets, a publication reaching the last supplier, a final quote's receipt. Ratios to the floors of
// this run (floor.ts). Nothing here asserts a time.

const until = async (pred: () => boolean, ms = 10_000) => {
  const t = performance.now();
  while (!pred()) {
    if (performance.now() - t > ms) throw new Error('timed out');
    await sleep(1);
  }
};

export interface ScorePath {
  save: Stats;
  ack: Stats;
  console: Stats;
  samples: number;
  last: { ack: number; console: number };
  /** The server's CPU time in flushes per turn (a draft and a submission), and its flushes per turn;
   *  null when the server runs in another process. */
  flush: { flushes: number; ms: number } | null;
  /** view:patch frames and bytes (their JSON) received per turn (a draft and a submission): by the
   *  console, and by a member (mean over the panel). Independent of the machine's load. */
  wire: { console: { frames: number; bytes: number }; member: { frames: number; bytes: number } };
}

/**
 * Every sitting member, for every supplier in turn: one `score:save` (a draft), then `score:submit`
 * with the whole sheet; timed from the send to its ack, and to the moderator's console showing the
 * new progress (the wall shows no progress during scoring: it changes only when results are released).
 * The very last submission completes the panel's sheets and runs the whole evaluation; it is reported
 * apart as `last`.
 */
export async function scorePath(room: Room): Promise<ScorePath> {
  const panel = room.ids('panel');
  const mod = await room.client('A1');
  const first = await room.client(panel[0]);
  await first.waitFor((v) => !!v.scoringFactors && !!v.scoring?.suppliers, 10_000);
  const factors = first.view.scoringFactors as Factor[];
  const suppliers = (first.view.scoring.suppliers as { id: string }[]).map((x) => x.id);
  const subjective = factors.find((f) => f.consistency_check === 'none');
  const save: number[] = [];
  const ack: number[] = [];
  const con: number[] = [];
  let last = { ack: NaN, console: NaN };
  const total = panel.length * suppliers.length;
  // What goes over the wire: every patch the console and each member receive during the turns.
  const members = await Promise.all(panel.map((m) => room.client(m)));
  const wire = [mod, ...members].map((c) => {
    const w = { frames: 0, bytes: 0, off: () => {} };
    const on = (p: unknown) => {
      w.frames++;
      w.bytes += JSON.stringify(p).length;
    };
    c.socket.on('view:patch', on);
    w.off = () => c.socket.off('view:patch', on);
    return w;
  });
  // The server's CPU in flushes during the turns (when it runs in this process): load-independent.
  const flushCpu = (room.srv as { app?: { realtime: { flushCpu: { measure: boolean; flushes: number; micros: number } } } }).app?.realtime.flushCpu;
  if (flushCpu) flushCpu.measure = true;
  const cpu0 = flushCpu ? { ...flushCpu } : null;
  let k = 0;
  for (const [i, sid] of suppliers.entries())
    for (const m of panel) {
      const c = await room.client(m);
      let t0 = performance.now();
      const a0 = await c.send('score:save', { id: `s${k}`.padEnd(10, 'x') + Date.now().toString(36), supplierId: sid, factorId: factors[0].id, ...entryFor(factors[0]) });
      if (!a0.ok) throw new Error(`score:save ${m} ${sid}: ${JSON.stringify(a0.error)}`);
      save.push(performance.now() - t0);
      const seen = new Promise<number>((res) => {
        const on = (p: any) => {
          if (!patchTouches(p, 'scoring')) return;
          mod.socket.off('view:patch', on);
          res(performance.now());
        };
        mod.socket.on('view:patch', on);
      });
      const entries = sheetFor(factors, (f) => (f === subjective ? i : 0));
      t0 = performance.now();
      const a = await c.send('score:submit', { id: `u${k}`.padEnd(10, 'x') + Date.now().toString(36), supplierId: sid, entries });
      const t1 = performance.now();
      if (!a.ok) throw new Error(`score:submit ${m} ${sid}: ${JSON.stringify(a.error)}`);
      const t2 = await seen;
      if (++k === total) last = { ack: t1 - t0, console: t2 - t0 };
      else {
        ack.push(t1 - t0);
        con.push(t2 - t0);
      }
    }
  for (const w of wire) w.off();
  if (flushCpu) flushCpu.measure = false;
  const flush = flushCpu && cpu0 ? { flushes: (flushCpu.flushes - cpu0.flushes) / total, ms: (flushCpu.micros - cpu0.micros) / 1000 / total } : null;
  const per = (frames: number, bytes: number, n: number) => ({ frames: frames / n / total, bytes: bytes / n / total });
  const mw = wire.slice(1);
  return {
    save: stats(save),
    ack: stats(ack),
    console: stats(con),
    samples: ack.length,
    last,
    flush,
    wire: {
      console: per(wire[0].frames, wire[0].bytes, 1),
      member: per(
        mw.reduce((a, w) => a + w.frames, 0),
        mw.reduce((a, w) => a + w.bytes, 0),
        mw.length,
      ),
    },
  };
}

export function scoreRows(p: ScorePath, f: Floors, where = ''): string[] {
  const ackF = f.ackRtt.p50 + f.fsync.p50;
  const ackF99 = f.ackRtt.p99 + f.fsync.p50;
  const conF = f.fanout[19].p50 + f.fsync.p50;
  const conF99 = f.fanout[19].p99 + f.fsync.p50;
  return [
    `| score:save (draft) → ack${where} | ${ms(p.save.p50)} ms | ${ms(p.save.p99)} ms | ${ratio(p.save.p50, ackF)} | ${ratio(p.save.p99, ackF99)} | ack RTT + fsync |`,
    `| score:submit → ack${where} (${p.samples} submissions) | ${ms(p.ack.p50)} ms | ${ms(p.ack.p99)} ms | ${ratio(p.ack.p50, ackF)} | ${ratio(p.ack.p99, ackF99)} | ack RTT + fsync |`,
    `| score:submit → console${where} (the moderator's view updated) | ${ms(p.console.p50)} ms | ${ms(p.console.p99)} ms | ${ratio(p.console.p50, conF)} | ${ratio(p.console.p99, conF99)} | fan-out to 19 + fsync |`,
    `| the last submission (completes every sheet: the whole evaluation runs) → ack / → console${where} | ${ms(p.last.ack)} ms | ${ms(p.last.console)} ms | | | one sample |`,
    `| view:patch received per turn (a draft + a submission)${where}: the console / a member (mean of the panel) | ${p.wire.console.frames.toFixed(1)} frames, ${Math.round(p.wire.console.bytes)} B | ${p.wire.member.frames.toFixed(1)} frames, ${Math.round(p.wire.member.bytes)} B | | | bytes of JSON, load-independent |`,
    ...(p.flush ? [`| the server's CPU in flushes per turn (a draft + a submission: views built, diffed, sent)${where} | ${ms(p.flush.ms)} ms | ${p.flush.flushes.toFixed(1)} flushes | | | CPU time, not waiting: little moved by the machine's load |`] : []),
  ];
}

function provider(room: Room, personId: string): { doc: Y.Doc; text: Y.Text; p: WebsocketProvider } {
  const doc = new Y.Doc();
  const p = new WebsocketProvider(room.srv.url.replace(/^http/, 'ws') + '/yjs', room.sessionId, doc, {
    protocols: yjsProtocols(tokenOf(linkFor(room.links, personId))),
    WebSocketPolyfill: WebSocket as any,
    disableBc: true,
  });
  return { doc, text: doc.getText('requirements'), p };
}

/** With BENCH_CPU_PROF_DIR: the CPU profile of `run` (the server runs in this process), written there. */
async function profiled<T>(name: string, run: () => Promise<T>): Promise<T> {
  // BENCH_CPU_PROF_DIR: a CPU profile of the part; BENCH_HEAP_PROF_DIR: a sampling profile of what it
  // allocates (server and clients alike: one process), by the stack that allocated (a .heapprofile).
  const dir = process.env.BENCH_CPU_PROF_DIR;
  const heapDir = process.env.BENCH_HEAP_PROF_DIR;
  if (!dir && !heapDir) return run();
  const { Session } = await import('node:inspector/promises');
  const { writeFileSync, mkdirSync } = await import('node:fs');
  const s = new Session();
  s.connect();
  if (dir) {
    await s.post('Profiler.enable');
    await s.post('Profiler.setSamplingInterval', { interval: 100 });
    await s.post('Profiler.start');
  }
  if (heapDir) {
    await s.post('HeapProfiler.enable');
    await s.post('HeapProfiler.startSampling', { samplingInterval: 8192, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  }
  try {
    return await run();
  } finally {
    if (dir) {
      const { profile } = await s.post('Profiler.stop');
      mkdirSync(dir, { recursive: true });
      writeFileSync(`${dir}/${name}.cpuprofile`, JSON.stringify(profile));
    }
    if (heapDir) {
      const { profile } = await s.post('HeapProfiler.stopSampling');
      mkdirSync(heapDir, { recursive: true });
      writeFileSync(`${heapDir}/${name}.heapprofile`, JSON.stringify(profile));
    }
    s.disconnect();
  }
}

export async function pathsBench(): Promise<BenchSection> {
  const f = await floorsOnce();
  const srv = await startServer();
  const room = await openRoom(srv, MEETING);
  const panel = room.ids('panel');
  const suppliers = room.ids('supplier');
  const purchaserRep = room.links.find((l) => l.role === 'purchaser_rep')!.personId;
  try {
    await room.client('P1');
    await room.client('O1');
    for (const id of [...panel, ...suppliers]) await room.client(id);
    await driveTo(room, 'consultation');

    // Requirement edit: one tablet types, every other tablet's document has it.
    const tablets = panel.map((id) => provider(room, id));
    await until(() => tablets.every((t) => t.p.synced));
    const edit: number[] = [];
    for (let i = 0; i < 120; i++) {
      const mark = `〔修改${i}〕`;
      const t0 = performance.now();
      tablets[i % tablets.length].text.insert(0, mark);
      await until(() => tablets.every((t) => t.text.toString().startsWith(mark)));
      if (i >= 20) edit.push(performance.now() - t0);
    }

    // Publish: the purchaser representative confirms; each supplier's laptop acknowledges receipt
    // (`requirements:received`, as client/src/concerns/requirements does on seeing a new version).
    const sups = await Promise.all(suppliers.map((id) => room.client(id)));
    let target = 0;
    const receipts: Promise<number>[] = [];
    const sentFor = new Set<string>();
    const armed = sups.map((c) => {
      // The client's own handler (test/helpers/server.ts) has applied the patch (whole or path ops) by now.
      const on = () => {
        const vs = c.view.requirements?.versions as { version: number; deliveredAt?: number | null }[] | undefined;
        const v = vs?.find((x) => x.version === target && !x.deliveredAt);
        const key = `${target}:${c.view.me?.id}`;
        if (v && !sentFor.has(key) && sentFor.add(key)) receipts.push(c.send('requirements:received', { id: `r${target}${c.view.me?.id}`.padEnd(10, 'x') + Date.now().toString(36), version: target }).then(() => performance.now()));
      };
      c.socket.on('view:patch', on);
      return () => c.socket.off('view:patch', on);
    });
    const publish: number[] = [];
    const publishCommits: number[] = [];
    for (let i = 0; i < 25; i++) {
      tablets[0].text.insert(tablets[0].text.length, `\n${i + 1}. 补充条款第${i + 1}项。`);
      await until(() => room.srv.app.registry.get(room.sessionId) !== undefined && tablets.every((t) => t.text.length === tablets[0].text.length));
      await sleep(30); // the server has applied the update (it relays after applying)
      const prop = await room.ok('A1', 'requirements:propose');
      target = prop.data.version;
      receipts.length = 0;
      const t0 = performance.now();
      const before = { ...room.srv.store.commits };
      await room.ok(purchaserRep, 'requirements:confirm', { version: target });
      await until(() => receipts.length === suppliers.length);
      const done = Math.max(...(await Promise.all(receipts)));
      if (i >= 5) {
        publish.push(done - t0);
        // Load-independent: how many transactions (fsyncs) carried the confirmation and the 10 receipts.
        publishCommits.push(room.srv.store.commits.transactions - before.transactions);
      }
    }
    for (const off of armed) off();
    for (const id of suppliers) {
      await room.ok(id, 'requirements:sign', { version: target, signer: `签字人${id}` });
      await room.ok(id, 'resubmission:unchanged', { version: target, signer: `签字人${id}`, confirmStatement: true });
    }
    for (const t of tablets) t.p.destroy();

    // Final quote → receipt (the ack carries it; the laptop's own view shows it).
    await driveTo(room, 'final_quote');
    const deadline = await openWindow(room, 20_000);
    const quote: number[] = [];
    const quoteView: number[] = [];
    for (let r = 0; r < 10; r++)
      for (const [i, id] of suppliers.entries()) {
        const c = await room.client(id);
        const seen = new Promise<number>((res) => {
          const on = (p: any) => {
            if (!patchTouches(p, 'quotes')) return;
            c.socket.off('view:patch', on);
            res(performance.now());
          };
          c.socket.on('view:patch', on);
        });
        const t0 = performance.now();
        const a = await room.act(id, 'quotes:submit', { signature: quoteSignature(id), missingItemsIncluded: true, sheet: plainSheet(PLAIN_QUOTES[(i + r) % PLAIN_QUOTES.length]), policy: NO_POLICY });
        const t1 = performance.now();
        if (!a.ok || !a.data) throw new Error(`quote ${id} round ${r}: ${JSON.stringify(a.error)}`);
        const t2 = await seen;
        if (r >= 2) {
          quote.push(t1 - t0);
          quoteView.push(t2 - t0);
        }
      }
    while (Date.now() < deadline - 200) await sleep(100); // the same clock: the server runs in this process
    await closeAfter(room, deadline);
    await settleAll(room);
    while ((await stageOf(room)) !== 'scoring') await advance(room);

    const score = await profiled('paths-score', () => scorePath(room));

    const e = stats(edit);
    const p = stats(publish);
    const q = stats(quote);
    const qv = stats(quoteView);
    const ackF = f.ackRtt.p50 + f.fsync.p50;
    const ackF99 = f.ackRtt.p99 + f.fsync.p50;
    // Publication: the confirmation commits (ack RTT + fsync), reaches 10 laptops (fan-out), and each
    // laptop's receipt is a command of its own: 10 more commits, one after another in the session's queue.
    const pubF = f.ackRtt.p50 + f.fanout[10].p50 + 11 * f.fsync.p50;
    const pubF99 = f.ackRtt.p99 + f.fanout[10].p99 + 11 * f.fsync.p50;
    const rows = [
      '| path | p50 | p99 | p50 ÷ floor | p99 ÷ floor | floor |',
      '|---|---|---|---|---|---|',
      ...scoreRows(score, f),
      `| requirement edit (Yjs update from one tablet) → all 8 other tablets have it | ${ms(e.p50)} ms | ${ms(e.p99)} ms | ${ratio(e.p50, f.fanout[10].p50)} | ${ratio(e.p99, f.fanout[10].p99)} | fan-out to 10 (not logged: no fsync) |`,
      `| publish (requirements:confirm) → the last of 10 suppliers' requirements:received acknowledged | ${ms(p.p50)} ms | ${ms(p.p99)} ms | ${ratio(p.p50, pubF)} | ${ratio(p.p99, pubF99)} | ack RTT + fan-out to 10 + 11 fsyncs = ${ms(pubF)} ms |`,
      `| publish: transactions (fsyncs) that carried the confirmation and the 10 receipts (mean per publication) | ${(publishCommits.reduce((a, b) => a + b, 0) / publishCommits.length).toFixed(1)} | ${Math.max(...publishCommits)} (max) | | | 11 appends; load-independent |`,
      `| final quote (quotes:submit) → receipt in the ack | ${ms(q.p50)} ms | ${ms(q.p99)} ms | ${ratio(q.p50, ackF)} | ${ratio(q.p99, ackF99)} | ack RTT + fsync |`,
      `| final quote → the laptop's own view shows it | ${ms(qv.p50)} ms | ${ms(qv.p99)} ms | ${ratio(qv.p50, ackF)} | ${ratio(qv.p99, ackF99)} | ack RTT + fsync |`,
    ];
    const aim = f.fanout[19].p50 + f.fsync.p50;
    const aim99 = f.fanout[19].p99 + f.fsync.p50;
    const md = [
      `${MEETING.members.length} members, ${MEETING.suppliers.length} suppliers, the moderator, the projector and an observer, every one connected (22 sockets); seed 003 rubric (${(await room.client(panel[0])).view.scoringFactors.length} scored factors). Samples: ${edit.length} edits, ${publish.length} publications, ${quote.length} quotes, ${score.samples} submissions (warm-up discarded).`,
      '',
      ...rows,
      '',
      `Aim (issue 8): score → console p50 within 2× and p99 within 3× of fan-out to 19 + one fsync (${ms(aim)} / ${ms(aim99)} ms): ` +
        `p50 ${ratio(score.console.p50, aim)} — **${score.console.p50 <= 2 * aim ? 'met' : 'not met'}**; p99 ${ratio(score.console.p99, aim99)} — **${score.console.p99 <= 3 * aim99 ? 'met' : 'not met'}**.`,
    ].join('\n');
    return { title: 'One meeting: the real paths', markdown: md };
  } finally {
    room.closeAll();
    await srv.close(true);
  }
}
