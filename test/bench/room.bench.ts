import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { io as ioc, type Socket } from 'socket.io-client';
import { createApplication } from '../../server/app';
import { SqliteEventStore } from '../../server/store/sqlite';
import { SessionRuntime } from '../../server/session/runtime';
import { roomKernel } from '../../server/concerns';
import { buildSession } from '../../server/session/create';
import { PROTOCOL_VERSION } from '../../shared/protocol/version';
import { measureFloors, type Floors } from './floor';
import { stats, ms, ratio, type BenchSection, type Stats } from './lib';

// One meeting (1 projector, 9 members, 10 suppliers, the moderator and an observer) on a real server
// with a real SQLite file: a command from the console → its ack, and → the projector's view updated.
// And the restart time of a session of 100,000 events. Reported as ratios to the floors.

const ADMIN = 'bench-admin-key-0123456789';

export const MEETING = {
  rubric: 'seed003',
  moderator: { name: '主持人' },
  members: Array.from({ length: 9 }, (_, i) => ({ name: `专家${i + 1}`, role: i === 8 ? 'purchaser_rep' : 'expert', leader: i === 0 })),
  suppliers: Array.from({ length: 10 }, (_, i) => ({ name: `代表${i + 1}`, org: `供应商${i + 1}有限公司` })),
  observers: [{ name: '监督' }],
};

const connect = (url: string, token: string): Promise<Socket> =>
  new Promise((resolve, reject) => {
    const s = ioc(url, { transports: ['websocket'], auth: { token, protocol: PROTOCOL_VERSION }, forceNew: true, reconnection: false });
    s.once('view:snapshot', () => resolve(s));
    s.once('connect_error', reject);
  });

async function meeting(floors: Floors): Promise<string> {
  const dataDir = mkdtempSync(join(tmpdir(), 'panelroom-bench-'));
  const store = SqliteEventStore.open(dataDir);
  // A synthetic driver (hundreds of commands from one socket back to back): the fair share is off.
  const app = await createApplication({ store, adminToken: ADMIN, clientDir: null, fairShare: false });
  const port = await app.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${port}`;
  const res = await fetch(`${url}/api/sessions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN}` }, body: JSON.stringify(MEETING) });
  const { data } = (await res.json()) as any;
  const sockets = new Map<string, Socket>();
  for (const l of data.links) sockets.set(l.personId, await connect(url, l.url.split('#')[1]));
  const mod = sockets.get('A1')!;
  const screen = sockets.get('P1')!;

  const ack: number[] = [];
  const wall: number[] = [];
  const scenes = ['signin', 'blank', 'welcome']; // never the current scene: a no-op would update nothing
  for (let i = 0; i < 320; i++) {
    const scene = scenes[i % 3];
    const t0 = performance.now();
    const seen = new Promise<number>((r) => {
      const on = (p: any) => {
        if (p.set?.screen?.scene === scene) {
          screen.off('view:patch', on);
          r(performance.now());
        }
      };
      screen.on('view:patch', on);
    });
    await mod.emitWithAck('screen:scene', { id: `bench${i}`.padEnd(10, 'x'), scene });
    const t1 = performance.now();
    const t2 = await seen;
    if (i >= 20) {
      ack.push(t1 - t0);
      wall.push(t2 - t0);
    }
  }
  for (const s of sockets.values()) s.disconnect();
  await app.close();
  await store.close();
  rmSync(dataDir, { recursive: true, force: true });

  const a = stats(ack);
  const w = stats(wall);
  const ackFloor = floors.ackRtt.p50 + floors.fsync.p50;
  const wallFloor = floors.fanout[19].p50 + floors.fsync.p50;
  const ackFloor99 = floors.ackRtt.p99 + floors.fsync.p50;
  const wallFloor99 = floors.fanout[19].p99 + floors.fsync.p50;
  return [
    '| path | p50 | p99 | p50 ÷ floor | p99 ÷ floor | floor (p50 / p99) |',
    '|---|---|---|---|---|---|',
    `| console command → ack (committed, fsync'd) | ${ms(a.p50)} ms | ${ms(a.p99)} ms | ${ratio(a.p50, ackFloor)} | ${ratio(a.p99, ackFloor99)} | ack RTT + fsync = ${ms(ackFloor)} / ${ms(ackFloor99)} ms |`,
    `| console command → projector view updated (21 sockets in the session) | ${ms(w.p50)} ms | ${ms(w.p99)} ms | ${ratio(w.p50, wallFloor)} | ${ratio(w.p99, wallFloor99)} | fan-out to 19 + fsync = ${ms(wallFloor)} / ${ms(wallFloor99)} ms |`,
  ].join('\n');
}

async function replay(): Promise<string> {
  const N = 100_000;
  const dataDir = mkdtempSync(join(tmpdir(), 'panelroom-replay-'));
  const store = SqliteEventStore.open(dataDir);
  const built = buildSession(MEETING, Date.now());
  await store.append({ sessionId: built.sessionId, actor: null, commandId: null, ts: Date.now(), events: built.events, tokens: built.tokens });
  const scenes = ['welcome', 'signin', 'blank', 'round'];
  let seq = built.events.length;
  while (seq < N) {
    const batch = Array.from({ length: Math.min(2000, N - seq) }, (_, i) => ({ type: 'screen:scene_changed', payload: { scene: scenes[(seq + i) % 4] } }));
    await store.append({ sessionId: built.sessionId, actor: { personId: 'A1', role: 'moderator' }, commandId: null, ts: Date.now(), events: batch });
    seq += batch.length;
  }
  const runs = 5;
  const readT: number[] = [];
  const loadT: number[] = [];
  for (let i = 0; i < runs; i++) {
    let t0 = performance.now();
    await store.read(built.sessionId);
    readT.push(performance.now() - t0);
    t0 = performance.now();
    const rt = await SessionRuntime.load(built.sessionId, store, () => {}, roomKernel);
    loadT.push(performance.now() - t0);
    if (rt.state.seq !== N) throw new Error(`replayed ${rt.state.seq} of ${N}`);
  }
  await store.close();
  rmSync(dataDir, { recursive: true, force: true });
  const r: Stats = stats(readT);
  const l: Stats = stats(loadT);
  return [
    `A session of ${N.toLocaleString('en')} events, rebuilt as at a restart (median of ${runs}).`,
    '',
    '| measure | p50 | ratio to floor |',
    '|---|---|---|',
    `| floor: read the rows from SQLite and parse them | ${ms(r.p50)} ms | 1.0× |`,
    `| restart: read, fold every event, ready to serve | ${ms(l.p50)} ms | ${ratio(l.p50, r.p50)} |`,
  ].join('\n');
}

export async function roomBench(): Promise<BenchSection> {
  const floors = await measureFloors();
  const floorTable = [
    '| floor | p50 | p99 |',
    '|---|---|---|',
    `| bare Socket.IO ack round trip | ${ms(floors.ackRtt.p50)} ms | ${ms(floors.ackRtt.p99)} ms |`,
    ...Object.entries(floors.fanout).map(([n, s]) => `| bare room fan-out to ${n} socket${n === '1' ? '' : 's'} | ${ms(s.p50)} ms | ${ms(s.p99)} ms |`),
    `| fsync of the data directory (512 B write + fsync) | ${ms(floors.fsync.p50)} ms | ${ms(floors.fsync.p99)} ms |`,
  ].join('\n');
  const md = ['### Floors (this run)', '', floorTable, '', '### One meeting', '', await meeting(floors), '', '### Replay', '', await replay()].join('\n');
  return { title: 'The room: floors, one meeting, replay', markdown: md };
}
