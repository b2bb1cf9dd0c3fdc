import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { SqliteEventStore, writerOf } from '../../../server/store/sqlite';
import { verifyChain } from '../../../server/store/chain';
import { DuplicateCommand, SeqConflict, type AppendRequest } from '../../../server/store/types';

// The SQLite store's writer thread (issue 15, item 4): the write transaction and its fsync run in a
// worker thread with its own connection; this thread reads through its own. A real file in a temporary
// directory; another connection on the file stands in for "after a crash" (it sees only what is
// committed) and, holding the write lock, keeps the writer busy so that what queues behind it shows.

let dir: string;
let file: string;
let store: SqliteEventStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'panelroom-writer-'));
  file = join(dir, 'panelroom.sqlite');
  store = SqliteEventStore.open(dir);
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const req = (sessionId: string, commandId: string | null, extra: Partial<AppendRequest> = {}): AppendRequest => ({
  sessionId,
  actor: { personId: 'M1', role: 'expert' },
  commandId,
  ts: 1_700_000_000_000,
  events: [{ type: 'score:submitted', payload: { supplier: 'S1', score: '87.50' } }],
  ...extra,
});

/** What is committed, as a fresh connection (or a process started after a SIGKILL) sees it. */
function committed(): { events: number; commands: Map<string, number> } {
  const db = new Database(file, { readonly: true });
  try {
    const events = (db.prepare('SELECT COUNT(*) AS c FROM events').get() as { c: number }).c;
    const rows = db.prepare('SELECT session_id || \'/\' || command_id AS k, last_seq - first_seq + 1 AS n FROM commands').all() as { k: string; n: number }[];
    return { events, commands: new Map(rows.map((r) => [r.k, r.n])) };
  } finally {
    db.close();
  }
}

/** Holds the file's write lock from another connection: the writer waits (busy_timeout) until released. */
function holdWriteLock(): () => void {
  const db = new Database(file);
  db.exec('BEGIN IMMEDIATE');
  return () => {
    db.exec('COMMIT');
    db.close();
  };
}

const nextTick = () => new Promise<void>((r) => setImmediate(r));

describe('the SQLite writer thread (issue 15, item 4)', () => {
  it('writes in another thread; this thread only reads', async () => {
    await store.append(req('s1', 'c1'));
    const w = writerOf(store);
    expect(w).not.toBeNull();
    expect(w!.threadId).not.toBe(threadId);
    expect(() => store.db.prepare("INSERT INTO commands VALUES ('s', 'c', 1, 1, NULL, NULL)").run()).toThrow(/readonly|read-only/i);
  });

  it('answers each of many sessions’ appends of one tick once, after one durable commit that another connection reads', async () => {
    await store.append(req('warm', 'w0')); // the writer is running
    const before = { ...store.commits };
    // 40 sessions, and three commands chained on one session, all issued in the same tick.
    const appends = [
      ...Array.from({ length: 40 }, (_, i) => store.append(req(`room${i}`, `k${i}`, { events: [{ type: 'a', payload: { i } }, { type: 'b', payload: { i } }] }))),
      store.append(req('chain', 'c1', { expectedSeq: 0 })),
      store.append(req('chain', 'c2', { expectedSeq: 1 })),
      store.append(req('chain', 'c3', { expectedSeq: 2 })),
    ];
    let answered = 0;
    appends.forEach((p) => p.then(() => answered++));
    const out = await Promise.all(appends);
    expect(answered).toBe(43);
    expect(store.commits.transactions - before.transactions).toBe(1);
    expect(store.commits.appends - before.appends).toBe(43);
    // Resolved means committed: a connection that is not the writer's reads every one, once.
    const seen = committed();
    expect(seen.events).toBe(1 + 40 * 2 + 3);
    for (let i = 0; i < 40; i++) expect(seen.commands.get(`room${i}/k${i}`)).toBe(2);
    expect(['c1', 'c2', 'c3'].map((c) => seen.commands.get(`chain/${c}`))).toEqual([1, 1, 1]);
    // What each append answered is what the log holds (seq, prev_hash, hash).
    for (let i = 0; i < 40; i++) expect(await store.read(`room${i}`)).toEqual(out[i]);
    expect(out.slice(40).map((evs) => evs[0].seq)).toEqual([1, 2, 3]);
    await store.close();
    store = SqliteEventStore.open(dir);
    for (let i = 0; i < 40; i++) expect(verifyChain(`room${i}`, await store.read(`room${i}`))).toBeNull();
    expect(verifyChain('chain', await store.read('chain'))).toBeNull();
    expect((await store.read('chain')).map((e) => e.commandId)).toEqual(['c1', 'c2', 'c3']);
  });

  it('queues what arrives while the writer is busy and commits it as the next batch, with the event loop free', async () => {
    await store.append(req('warm', 'w0'));
    const release = holdWriteLock();
    const before = { ...store.commits };
    const first = [store.append(req('a', 'a1')), store.append(req('b', 'b1'))];
    await nextTick();
    await nextTick();
    // The writer waits for the lock; this thread goes on: it reads, and takes more appends in later ticks.
    expect(await store.read('warm')).toHaveLength(1);
    expect(committed().events).toBe(1);
    const second = [store.append(req('a', 'a2', { expectedSeq: 1 })), store.append(req('c', 'c1'))];
    await nextTick();
    const third = [store.append(req('b', 'b2', { expectedSeq: 1 }))];
    await nextTick();
    release();
    const all = await Promise.all([...first, ...second, ...third]);
    expect(all.map((evs) => `${evs[0].sessionId}${evs[0].seq}`)).toEqual(['a1', 'b1', 'a2', 'c1', 'b2']);
    // Three batches posted; the two behind the busy one went together (the first may have too).
    expect(store.commits.transactions - before.transactions).toBeLessThanOrEqual(2);
    expect(store.commits.appends - before.appends).toBe(5);
    expect(committed().events).toBe(6);
  });

  it('refuses a duplicate, a writer behind and an unhashable payload alone; the rest of the batch commits', async () => {
    await store.append(req('s1', 'taken', { result: { receipt: 'r1' } }));
    await store.append(req('warm', 'w0'));
    const release = holdWriteLock();
    const busy = store.append(req('busy', 'b1'));
    await nextTick();
    // Behind the held writer, in one batch: good ones around each kind of refusal.
    const settled = Promise.allSettled([
      store.append(req('g1', 'g1')),
      store.append(req('s1', 'taken')),
      store.append(req('g2', 'g2')),
      store.append(req('s1', 'late', { expectedSeq: 0 })),
      store.append(req('g3', 'g3', { events: [{ type: 'x', payload: { score: Number.NaN } }] })),
      store.append(req('g4', 'g4', { events: [{ type: 'x', payload: { f: () => 1 } }] })),
      store.append(req('s1', 'next', { expectedSeq: 1 })),
    ]);
    await nextTick();
    release();
    await busy;
    const r = await settled;
    expect(r.map((x) => x.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected', 'rejected', 'rejected', 'fulfilled']);
    const reason = (i: number) => (r[i] as PromiseRejectedResult).reason;
    expect(reason(1)).toBeInstanceOf(DuplicateCommand);
    expect((reason(1) as DuplicateCommand).record).toMatchObject({ result: { receipt: 'r1' }, events: [{ seq: 1, commandId: 'taken' }] });
    expect(reason(3)).toBeInstanceOf(SeqConflict);
    expect((reason(3) as SeqConflict).actual).toBe(1);
    expect(reason(4)).toMatchObject({ name: 'TypeError', message: expect.stringMatching(/non-finite/) });
    expect(reason(5)).toBeInstanceOf(Error);
    // Nothing of the refused ones is in the file; each good one is, once.
    const seen = committed();
    expect([...seen.commands.keys()].sort()).toEqual(['busy/b1', 'g1/g1', 'g2/g2', 's1/next', 's1/taken', 'warm/w0']);
    expect((await store.read('s1')).map((e) => e.commandId)).toEqual(['taken', 'next']);
    expect(await store.read('g3')).toEqual([]);
    expect(verifyChain('s1', await store.read('s1'))).toBeNull();
  });

  it('close() writes and answers everything asked for before it, then refuses', async () => {
    const appends = Array.from({ length: 30 }, (_, i) => store.append(req(`s${i % 3}`, `c${i}`)));
    const doc = store.storeDocUpdate('s0', new Uint8Array([1, 2, 3]));
    const closed = store.close();
    await expect(store.append(req('s9', 'after'))).rejects.toThrow(/closed/);
    await closed;
    const out = await Promise.all(appends);
    expect(out.map((evs) => evs[0].seq)).toEqual(Array.from({ length: 30 }, (_, i) => Math.floor(i / 3) + 1));
    expect(await doc).toBe(1);
    expect(writerOf(store)).toBeNull();
    store = SqliteEventStore.open(dir);
    for (const s of ['s0', 's1', 's2']) {
      const evs = await store.read(s);
      expect(evs).toHaveLength(10);
      expect(verifyChain(s, evs)).toBeNull();
    }
    expect(await store.read('s9')).toEqual([]);
    expect((await store.docUpdates('s0')).map((u) => [...u])).toEqual([[1, 2, 3]]);
  });

  it('refuses every item of a transaction that cannot commit (the lock held past busy_timeout), and goes on writing', async () => {
    await store.append(req('s1', 'c0'));
    const release = holdWriteLock();
    // The writer gives up after its busy_timeout (5 s): BEGIN IMMEDIATE fails, nothing was written.
    const r = await Promise.allSettled([store.append(req('s1', 'c1', { expectedSeq: 1 })), store.append(req('s2', 'd1')), store.storeDocUpdate('s1', new Uint8Array([1]))]);
    release();
    expect(r.map((x) => x.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect((r[0] as PromiseRejectedResult).reason).toMatchObject({ code: 'SQLITE_BUSY' });
    expect(committed().events).toBe(1);
    // The same writer takes the next ones.
    expect((await store.append(req('s1', 'c1', { expectedSeq: 1 })))[0].seq).toBe(2);
    expect(await store.storeDocUpdate('s1', new Uint8Array([1]))).toBe(1);
  }, 20_000);

  it('when the writer thread dies, refuses what it had not answered; a retry lands exactly once and a new writer takes over', async () => {
    await store.append(req('s1', 'c0'));
    const release = holdWriteLock();
    const pending = store.append(req('s1', 'c1', { expectedSeq: 1 }));
    const outcome = pending.then(
      () => 'resolved',
      (e: Error) => e.message,
    );
    await nextTick();
    await nextTick();
    const stopped = writerOf(store)!.terminate();
    release();
    await stopped;
    // Either committed or not before it died: unknown, so refused (never acknowledged).
    expect(await outcome).toMatch(/writer stopped/);
    // The client's retry under the same command id: written now, or found written.
    const retry = await store.append(req('s1', 'c1')).then(
      (evs) => evs.map((e) => e.seq),
      (e) => (e instanceof DuplicateCommand ? e.record.events.map((x) => x.seq) : Promise.reject(e)),
    );
    expect(retry).toEqual([2]);
    expect(committed().commands.get('s1/c1')).toBe(1);
    expect((await store.read('s1')).map((e) => e.commandId)).toEqual(['c0', 'c1']);
  });

  it('does not keep a process alive once everything is answered, and keeps it alive until close() is done', () => {
    const script = join(dir, 'no-close.mts');
    const storeModule = new URL('../../../server/store/sqlite.ts', import.meta.url).href;
    writeFileSync(
      script,
      `import { SqliteEventStore } from ${JSON.stringify(storeModule)};\n` +
        `const s = SqliteEventStore.open(${JSON.stringify(join(dir, 'other'))});\n` +
        `const evs = await s.append({ sessionId: 'x', actor: null, commandId: 'c1', ts: 1, events: [{ type: 'a', payload: {} }] });\n` +
        `console.log('appended', evs[0].seq);\n` +
        // Nothing else keeps this process alive while the second store closes.
        `const t = SqliteEventStore.open(${JSON.stringify(join(dir, 'third'))});\n` +
        `await t.append({ sessionId: 'y', actor: null, commandId: 'c1', ts: 1, events: [{ type: 'a', payload: {} }] });\n` +
        `await t.close();\n` +
        `console.log('closed');\n`,
    );
    const r = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim().split('\n')).toEqual(['appended 1', 'closed']);
    expect(r.status).toBe(0);
    const db = new Database(join(dir, 'other', 'panelroom.sqlite'), { readonly: true });
    expect((db.prepare('SELECT COUNT(*) AS c FROM events').get() as { c: number }).c).toBe(1);
    db.close();
  });
});
