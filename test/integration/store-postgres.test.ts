import { describe, it, expect, afterEach } from 'vitest';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { PostgresEventStore } from '../../server/store/postgres';
import { verifyChain } from '../../server/store/chain';
import { DuplicateCommand, SeqConflict, type EventStore } from '../../server/store/types';
import { storeSuite, type StoreHarness } from '../helpers/store-suite';

// The shared event-store contract against PostgreSQL (issue 9), then what only a shared store must do:
// several writers at once, and following appends made elsewhere. Each test gets a fresh schema, so
// parallel runs against one database never see each other. Runs only with PANELROOM_CLUSTER=1
// (vitest.cluster.config.ts); there, a missing PostgreSQL fails these tests, it never skips them.
const URL = process.env.PANELROOM_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

function pgHarness(): StoreHarness & { schema: string } {
  const schema = `t_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = async (sql: string, params: unknown[] = []) => {
    const c = new pg.Client({ connectionString: URL });
    await c.connect();
    try {
      await c.query(sql, params);
    } finally {
      await c.end();
    }
  };
  return {
    schema,
    create: () => PostgresEventStore.open(URL, { schema }),
    reopen: () => PostgresEventStore.open(URL, { schema }),
    tamper: (sessionId, seq, payload) => admin(`UPDATE ${schema}.events SET payload = $1 WHERE session_id = $2 AND seq = $3`, [JSON.stringify(payload), sessionId, seq]),
    destroy: () => admin(`DROP SCHEMA IF EXISTS ${schema} CASCADE`),
  };
}

storeSuite('postgres', pgHarness);

describe('postgres: several writers (issue 9)', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const f of cleanup.splice(0).reverse()) await f();
  });
  const twoStores = async () => {
    const h = pgHarness();
    const a = await h.create();
    const b = await h.reopen();
    cleanup.push(() => h.destroy(), () => a.close(), () => b.close());
    return { a, b, h };
  };

  it('two processes appending to one session at once make one valid chain, each command once', async () => {
    const { a, b } = await twoStores();
    const N = 40;
    // Every command is sent to both writers at once, as a client retrying through another process would.
    const results = await Promise.allSettled(
      Array.from({ length: N }, (_, i) => [a, b].map((s, w) => s.append({ sessionId: 'x', actor: null, commandId: `cmd-${i}`, ts: i, events: [{ type: 'n', payload: { i, w } }, { type: 'm', payload: { i } }], result: { i, w } }))).flat(),
    );
    const ok = results.filter((r) => r.status === 'fulfilled');
    const dups = results.filter((r) => r.status === 'rejected' && r.reason instanceof DuplicateCommand);
    expect(ok).toHaveLength(N);
    expect(dups).toHaveLength(N);
    const events = await a.read('x');
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 2 * N }, (_, i) => i + 1));
    expect(verifyChain('x', events)).toBeNull();
    const perCommand = new Map<string, number>();
    for (const e of events) perCommand.set(e.commandId!, (perCommand.get(e.commandId!) ?? 0) + 1);
    expect(perCommand.size).toBe(N);
    expect([...perCommand.values()].every((n) => n === 2)).toBe(true);
    // A command's two events are adjacent: nothing interleaves inside one transaction.
    for (let i = 0; i < events.length; i += 2) expect(events[i].commandId).toBe(events[i + 1].commandId);
    // The duplicate got the winner's answer, not its own.
    for (const r of dups) {
      const rec = (r as PromiseRejectedResult).reason.record;
      const winner = events.find((e) => e.commandId === rec.events[0].commandId)!;
      expect(rec.result).toEqual({ i: (winner.payload as any).i, w: (winner.payload as any).w });
    }
  });

  it('writers that check expectedSeq and retry after SeqConflict lose nothing', async () => {
    const { a, b } = await twoStores();
    const conflicts = { n: 0 };
    const writer = async (s: EventStore, name: string, count: number) => {
      let known = 0;
      for (let i = 0; i < count; i++) {
        for (let attempt = 0; attempt < 100; attempt++) {
          try {
            const out = await s.append({ sessionId: 'y', actor: null, commandId: `${name}-${i}`, ts: i, events: [{ type: 'n', payload: { name, i } }], expectedSeq: known });
            known = out[out.length - 1].seq;
            break;
          } catch (e) {
            if (!(e instanceof SeqConflict)) throw e;
            conflicts.n++;
            known = e.actual;
          }
        }
      }
    };
    await Promise.all([writer(a, 'a', 25), writer(b, 'b', 25)]);
    const events = await b.read('y');
    expect(events).toHaveLength(50);
    expect(verifyChain('y', events)).toBeNull();
    expect(new Set(events.map((e) => e.commandId)).size).toBe(50);
    expect(conflicts.n).toBeGreaterThan(0);
  });

  it('tells every watcher of a committed append, and of nothing rolled back', async () => {
    const { a, b } = await twoStores();
    const seen: unknown[] = [];
    const off = await b.watch!((n) => seen.push(n));
    await a.append({ sessionId: 'z', actor: null, commandId: null, ts: 1, events: [{ type: 'n', payload: {} }, { type: 'n', payload: {} }] });
    await expect(a.append({ sessionId: 'z', actor: null, commandId: null, ts: 2, events: [{ type: 'n', payload: {} }], expectedSeq: 0 })).rejects.toBeInstanceOf(SeqConflict);
    await a.append({ sessionId: 'z', actor: null, commandId: null, ts: 3, events: [{ type: 'n', payload: {} }] });
    const deadline = Date.now() + 5000;
    while (seen.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(seen).toEqual([
      { sessionId: 'z', firstSeq: 1, seq: 2 },
      { sessionId: 'z', firstSeq: 3, seq: 3 },
    ]);
    off();
  });
});
