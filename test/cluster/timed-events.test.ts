import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startCluster, until, ADMIN, type Cluster } from './harness';
import { PostgresEventStore } from '../../server/store/postgres';
import { verifyChain } from '../../server/store/chain';
import { openRoom, driveTo, type Room } from '../helpers/room';
import type { TestServer } from '../helpers/server';
import { DEMO_SESSION } from '../../server/demo/demo-session';

// Timed events with three processes sharing one session (issue 14 item 3; server/session/scheduler.ts):
// every process has the session and arms the same timer; when a sitting's time runs out all three try
// to append `round:expired` under the same deterministic command id, and the store lets one win.
// The processes' clocks are moved forward through the test-only clock route (PANELROOM_TEST_CLOCK=1),
// all at once, so that no one waits on the wall.

let cluster: Cluster;
let store: PostgresEventStore;
let room: Room | null = null;

beforeAll(async () => {
  cluster = await startCluster(3, { PANELROOM_TEST_CLOCK: '1' });
  store = await PostgresEventStore.open(cluster.databaseUrl, { max: 2 });
});

afterAll(async () => {
  room?.closeAll();
  await store?.close();
  await cluster?.stop();
});

const withLogs = async <T>(f: () => Promise<T>): Promise<T> => {
  try {
    return await f();
  } catch (e) {
    throw new Error(`${(e as Error).message}\n${cluster.logs()}`);
  }
};

describe('timed events on three processes', () => {
  it('appends round:expired exactly once when the three processes reach the end of a sitting together', () =>
    withLogs(async () => {
      const n0 = cluster.nodes[0];
      // The room's people all on process 0; the other two follow the session through the store.
      const srv = {
        url: n0.url,
        store,
        async createSession(body: unknown = DEMO_SESSION) {
          const res = await fetch(`${n0.url}/api/sessions`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN}` },
            body: JSON.stringify(body),
          });
          const json = (await res.json()) as any;
          if (!json.ok) throw new Error(JSON.stringify(json.error));
          return json.data;
        },
      } as unknown as TestServer;
      room = await openRoom(srv);
      await driveTo(room, 'consultation');
      const start = await room.ok('A1', 'round:start', { seconds: 60 });
      const endsAt = start.data.endsAt as number;
      const seq = (await store.read(room.sessionId)).length;
      // Every process holds the session at its head (each would fire the timer).
      await until('every process to follow the session', async () => {
        const counts = await Promise.all(
          cluster.nodes.map(async (n) => ((await (await fetch(`${n.url}/api/health`)).json()) as any).data.sessions as number),
        );
        return counts.every((c) => c >= 1);
      });

      // All three clocks jump past the end at once; each process checks its timers.
      const answers = await Promise.all(
        cluster.nodes.map((n) =>
          fetch(`${n.url}/api/test/clock`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN}` }, body: JSON.stringify({ advanceMs: 61_000 }) }).then((r) => r.json() as any),
        ),
      );
      for (const a of answers) expect(a.ok, JSON.stringify(a)).toBe(true);
      const events = await until('round:expired in the log', async () => {
        const all = await store.read(room!.sessionId);
        return all.some((e) => e.type === 'round:expired') ? all : null;
      });
      // Once more each, after all three have settled: still nothing doubled.
      await Promise.all(
        cluster.nodes.map((n) =>
          fetch(`${n.url}/api/test/clock`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN}` }, body: JSON.stringify({ advanceMs: 0 }) }),
        ),
      );
      const after = await store.read(room.sessionId);
      const expired = after.filter((e) => e.type === 'round:expired');
      expect(expired).toHaveLength(1);
      expect(expired[0]).toMatchObject({ actor: null, commandId: `timer:round-expired:1-S1-${endsAt}`, payload: { round: 1, supplierId: 'S1', endsAt } });
      expect(after.length).toBe(seq + 1);
      expect(events.length).toBe(seq + 1);
      expect(verifyChain(room.sessionId, after)).toBeNull();
      // The moderator's console (on process 0) shows the sitting in overtime.
      const mod = await room.client('A1');
      await mod.waitFor((v) => v.rounds?.current?.overtimeSince != null, 10_000);
    }));

  it('refuses the test clock route without the agency key', () =>
    withLogs(async () => {
      const r = await fetch(`${cluster.nodes[1].url}/api/test/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ advanceMs: 1000 }) });
      expect(r.status).toBe(401);
    }));
});
