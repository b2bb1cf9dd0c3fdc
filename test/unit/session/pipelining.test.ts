import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createKernel } from '../../../server/session/kernel';
import { SessionRuntime } from '../../../server/session/runtime';
import { buildSession } from '../../../server/session/create';
import { sessionConcern } from '../../../server/session/core';
import { participantsConcern } from '../../../server/participants/concern';
import { projectorConcern } from '../../../server/projector/concern';
import { SqliteEventStore, writerOf, type SqliteOptions } from '../../../server/store/sqlite';
import { verifyChain } from '../../../server/store/chain';
import { DEMO_SESSION } from '../../../server/demo/demo-session';
import type { StoredEvent } from '../../../server/store/types';
import type { Concern, Principal } from '../../../server/session/types';
import type { Ack } from '../../../shared/protocol/ack';
import { sameState, workingCopy } from '../../../server/session/working-state';

// Pipelining within a session (issue 15: the writer thread's cost per command; server/session/runtime.ts).
// A room of one (the projector concern) on a real SQLite file: commands sent together are handled one
// after another, each on the state the earlier ones left, and committed together — one transaction —
// while nothing of them (ack, change) leaves before its commit. Another connection holding the file's
// write lock keeps the writer busy, so that what happens before a commit shows.

let dir = '';
let store: SqliteEventStore | null = null;
afterEach(async () => {
  await store?.close();
  store = null;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = '';
});

const T0 = 1_700_000_000_000;

async function roomOfOne(opts: SqliteOptions = {}, concerns: Concern[] = [sessionConcern, participantsConcern, projectorConcern]) {
  dir = mkdtempSync(join(tmpdir(), 'panelroom-pipe-'));
  const s = (store = SqliteEventStore.open(dir, opts));
  const kernel = createKernel(concerns);
  const built = buildSession(DEMO_SESSION, T0);
  await s.append({ sessionId: built.sessionId, actor: null, commandId: null, ts: T0, events: built.events, tokens: built.tokens, expectedSeq: 0 });
  const changes: { seq: number; events: StoredEvent[] }[] = [];
  const rt = await SessionRuntime.load(built.sessionId, s, (st, evs) => changes.push({ seq: st.seq, events: evs }), kernel, () => T0 + 100_000);
  const moderator: Principal = { sessionId: built.sessionId, personId: 'A1', role: 'moderator' };
  const scene = (id: string, sc: string) => rt.execute(moderator, 'screen:scene', { id, scene: sc });
  return { store: s, kernel, rt, moderator, changes, scene };
}

/** What a fresh connection (a process started after a crash) reads: the committed events of the session. */
function committedSeq(sessionId: string): number {
  const db = new Database(join(dir, 'panelroom.sqlite'), { readonly: true });
  try {
    return (db.prepare('SELECT COALESCE(MAX(seq), 0) AS s FROM events WHERE session_id = ?').get(sessionId) as { s: number }).s;
  } finally {
    db.close();
  }
}

function holdWriteLock(): () => void {
  const db = new Database(join(dir, 'panelroom.sqlite'));
  db.exec('BEGIN IMMEDIATE');
  return () => {
    db.exec('COMMIT');
    db.close();
  };
}

const tick = () => new Promise<void>((r) => setImmediate(r));
async function ticks(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await tick();
}

/** Each ack, with the committed seq a fresh connection read when it came. */
function tracked(sessionId: string, p: Promise<Ack>): Promise<{ ack: Ack; committed: number }> {
  return p.then((ack) => ({ ack, committed: committedSeq(sessionId) }));
}

const SCENES = ['blank', 'signin', 'welcome'];

describe('pipelining within a session (issue 15)', () => {
  it('commits commands sent together in one transaction, each handled on the state the earlier left, each acknowledged after its commit', async () => {
    const { store, kernel, rt, changes, scene } = await roomOfOne();
    await scene('warm-0001', 'blank'); // the writer thread is running
    const seq0 = rt.state.seq;
    const before = { ...store.commits };
    const release = holdWriteLock();
    const n = 6;
    // Six changes and, between them, a command that changes nothing on the state the one before it left.
    const acks = Array.from({ length: n }, (_, i) => tracked(rt.id, scene(`cmd-burst-${i}`.padEnd(10, 'x'), SCENES[(i + 1) % 3])));
    const same = tracked(rt.id, scene('cmd-same-0001', SCENES[n % 3]));
    let answered = 0;
    for (const a of [...acks, same]) void a.then(() => answered++);
    await ticks(5);
    // Handled, posted, not committed: nothing answered, the committed state and its listeners unmoved.
    expect(answered).toBe(0);
    expect(rt.state.seq).toBe(seq0);
    expect(changes.filter((c) => c.seq > seq0)).toEqual([]);
    expect(rt.inFlight).toBe(n + 1);
    release();
    const out = await Promise.all(acks);
    // One transaction for the six appends; each ack came when a fresh connection read its event.
    expect(store.commits.transactions - before.transactions).toBe(1);
    expect(store.commits.appends - before.appends).toBe(n);
    out.forEach(({ ack, committed }, i) => {
      expect(ack).toMatchObject({ ok: true, seq: seq0 + i + 1 });
      expect(committed).toBeGreaterThanOrEqual(seq0 + i + 1);
    });
    // The last command saw the scene the sixth left: nothing to append.
    expect((await same).ack).toMatchObject({ ok: true, data: { scene: SCENES[n % 3] }, seq: seq0 + n });
    const log = await store.read(rt.id);
    expect(log).toHaveLength(seq0 + n);
    expect(verifyChain(rt.id, log)).toBeNull();
    expect(kernel.fold(rt.id, log)).toEqual(rt.state);
    // The listeners heard of each commit with its events, in order.
    expect(changes.filter((c) => c.seq > seq0).flatMap((c) => c.events.map((e) => e.seq))).toEqual(log.slice(seq0).map((e) => e.seq));
  });

  it('posts a command that arrives while the batch before it is being written on the state it will leave', async () => {
    const { store, kernel, rt, scene } = await roomOfOne();
    await scene('warm-0001', 'blank');
    const seq0 = rt.state.seq;
    const release = holdWriteLock();
    const first = [scene('cmd-first-01', 'signin'), scene('cmd-first-02', 'welcome')];
    await ticks(3); // posted to the busy writer
    const second = [scene('cmd-second-1', 'welcome'), scene('cmd-second-2', 'blank')];
    await ticks(3);
    expect(rt.state.seq).toBe(seq0);
    release();
    const acks = await Promise.all([...first, ...second]);
    // `welcome` again on the working state (the first batch's last scene) changes nothing.
    expect(acks).toMatchObject([
      { ok: true, seq: seq0 + 1 },
      { ok: true, seq: seq0 + 2 },
      { ok: true, data: { scene: 'welcome' }, seq: seq0 + 2 },
      { ok: true, seq: seq0 + 3 },
    ]);
    const log = await store.read(rt.id);
    expect(log.slice(seq0).map((e) => (e.payload as { scene: string }).scene)).toEqual(['signin', 'welcome', 'blank']);
    expect(kernel.fold(rt.id, log)).toEqual(rt.state);
  });

  it('when the writer stops with commands in flight, refuses what it did not answer; the state is the log; retries land once', async () => {
    const { store, kernel, rt, scene } = await roomOfOne();
    await scene('warm-0001', 'blank');
    const seq0 = rt.state.seq;
    const release = holdWriteLock();
    const ids = ['cmd-lost-001', 'cmd-lost-002', 'cmd-lost-003'];
    const scenes = ['signin', 'welcome', 'blank'];
    const acks = ids.map((id, i) => scene(id, scenes[i]));
    await ticks(3);
    // As in the store's own test: the thread is told to stop, then the lock goes (a thread stopped while
    // it waits inside SQLite's busy handler would take the process down with it).
    const stopped = writerOf(store)!.terminate();
    release();
    await stopped;
    const out = await Promise.all(acks);
    // Whatever it had not answered is refused (it may or may not be committed); nothing else is said.
    for (const a of out) if (!a.ok) expect(a).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(out.some((a) => !a.ok)).toBe(true);
    expect(rt.state).toEqual(kernel.fold(rt.id, await store.read(rt.id)));
    // The clients' retries (the same ids) go through on a new writer: each command once in the log.
    for (const [i, id] of ids.entries()) expect(await scene(id, scenes[i])).toMatchObject({ ok: true });
    expect(await scene('cmd-next-001', 'welcome')).toMatchObject({ ok: true });
    const log = await store.read(rt.id);
    expect(log.slice(seq0).map((e) => e.commandId)).toEqual([...ids, 'cmd-next-001']);
    expect(rt.state).toEqual(kernel.fold(rt.id, log));
  });

  it('fails every command pipelined behind one whose commit fails, commits those before it, and rebuilds the state from the log', async () => {
    // The projector concern with a flaw: the scene `signin` is appended with a payload the writer cannot
    // hash (a NaN), so that its append fails alone in a transaction where the others commit.
    const flawed: Concern = {
      ...projectorConcern,
      handlers: {
        'screen:scene': (ctx, p) => {
          const r = projectorConcern.handlers['screen:scene'](ctx, p);
          return p.scene === 'signin' ? { ...r, events: r.events.map((e) => ({ ...e, payload: { ...(e.payload as object), weight: Number.NaN } })) } : r;
        },
      },
    };
    const { store, kernel, rt, changes, scene } = await roomOfOne({}, [sessionConcern, participantsConcern, flawed]);
    await scene('warm-0001', 'blank');
    const seq0 = rt.state.seq;
    const before = { ...store.commits };
    const release = holdWriteLock();
    const acks = [scene('cmd-good-001', 'welcome'), scene('cmd-flaw-001', 'signin'), scene('cmd-after-01', 'blank'), scene('cmd-after-02', 'signin'), scene('cmd-after-03', 'signin')];
    await ticks(3);
    release();
    const out = await Promise.all(acks);
    expect(out[0]).toMatchObject({ ok: true, seq: seq0 + 1 });
    // The failed one, the two behind it that append, and the one that changed nothing on their state.
    expect(out.slice(1)).toMatchObject([1, 2, 3, 4].map(() => ({ ok: false, error: { code: 'internal' } })));
    expect(store.commits.transactions - before.transactions).toBe(1);
    const log = await store.read(rt.id);
    expect(log.slice(seq0).map((e) => e.commandId)).toEqual(['cmd-good-001']);
    expect(rt.state).toEqual(kernel.fold(rt.id, log));
    expect(rt.state.screen.scene).toBe('welcome');
    // The rebuilt state was told to the listeners (the realtime layer re-sends what changed).
    expect(changes.at(-1)).toMatchObject({ seq: seq0 + 1, events: [] });
    // The session goes on: a command behind the repair runs on the log's state.
    expect(await scene('cmd-after-01', 'blank')).toMatchObject({ ok: true, seq: seq0 + 2 });
    expect(rt.state).toEqual(kernel.fold(rt.id, await store.read(rt.id)));
  });

  it('logs what each handler decided, even when it put an object of the working state in its payload and the next command changes it', async () => {
    // A handler that records the screen as it found it — the state's own object, which the projector's
    // reducer changes in place — as handlers may.
    const recording: Concern = {
      ...projectorConcern,
      handlers: {
        'screen:scene': (ctx, p) => {
          const r = projectorConcern.handlers['screen:scene'](ctx, p);
          return { ...r, events: r.events.map((e) => ({ ...e, payload: { ...(e.payload as object), found: ctx.state.screen } })) };
        },
      },
    };
    const { store, kernel, rt, scene } = await roomOfOne({}, [sessionConcern, participantsConcern, recording]);
    await scene('warm-0001', 'blank');
    const seq0 = rt.state.seq;
    const acks = await Promise.all(['signin', 'welcome', 'blank', 'signin'].map((sc, i) => scene(`cmd-found-0${i}`, sc)));
    expect(acks.map((a) => a.ok)).toEqual([true, true, true, true]);
    const log = await store.read(rt.id);
    expect(log.slice(seq0).map((e) => (e.payload as { found: { scene: string } }).found.scene)).toEqual(['blank', 'signin', 'welcome', 'blank']);
    expect(kernel.fold(rt.id, log)).toEqual(rt.state);
  });

  it('gives a retry that arrives while the first is in flight the first one’s answer, with one effect; another payload under its id is refused', async () => {
    const { store, rt, moderator, scene } = await roomOfOne();
    await scene('warm-0001', 'blank');
    const seq0 = rt.state.seq;
    const release = holdWriteLock();
    const first = scene('cmd-retry-01', 'signin');
    await ticks(3);
    const retry = scene('cmd-retry-01', 'signin');
    const reused = scene('cmd-retry-01', 'welcome');
    const again = rt.execute(moderator, 'screen:scene', { id: 'cmd-retry-01', scene: 'signin' });
    let early = 0;
    for (const p of [first, retry]) void p.then(() => early++);
    await ticks(3);
    expect(early).toBe(0);
    release();
    const [a, b] = await Promise.all([first, retry]);
    expect(a).toMatchObject({ ok: true, seq: seq0 + 1 });
    expect(b).toEqual(a);
    expect(await reused).toMatchObject({ ok: false, error: { code: 'command_reused' } });
    expect(await again).toEqual(a);
    const log = await store.read(rt.id);
    expect(log.slice(seq0).map((e) => e.commandId)).toEqual(['cmd-retry-01']);
    // After the commit, a retry is answered from the log.
    expect(await scene('cmd-retry-01', 'signin')).toEqual(a);
  });

  it('reads the store for a command id only when the session’s index of its ids may hold it (the log stays the truth)', async () => {
    const { store: first, rt, scene } = await roomOfOne();
    let reads = 0;
    const find = first.findCommand.bind(first);
    first.findCommand = (s, c) => {
      reads++;
      return find(s, c);
    };
    const a = await scene('cmd-index-01', 'signin');
    await scene('cmd-index-02', 'welcome');
    expect(reads).toBe(0);
    expect(await scene('cmd-index-01', 'signin')).toEqual(a);
    expect(reads).toBe(1);
    // After a restart the index is rebuilt from the log.
    await first.close();
    const reopened = SqliteEventStore.open(dir);
    store = reopened;
    const kernel = createKernel([sessionConcern, participantsConcern, projectorConcern]);
    const rt2 = await SessionRuntime.load(rt.id, reopened, () => {}, kernel, () => T0 + 200_000);
    let reads2 = 0;
    const find2 = reopened.findCommand.bind(reopened);
    reopened.findCommand = (s, c) => {
      reads2++;
      return find2(s, c);
    };
    const moderator: Principal = { sessionId: rt.id, personId: 'A1', role: 'moderator' };
    expect(await rt2.execute(moderator, 'screen:scene', { id: 'cmd-index-01', scene: 'signin' })).toEqual(a);
    expect(reads2).toBe(1);
    expect(await rt2.execute(moderator, 'screen:scene', { id: 'cmd-index-03', scene: 'blank' })).toMatchObject({ ok: true });
    expect(reads2).toBe(1);
  });

  it('with a store that does not pipeline (as PostgreSQL), runs each command after the commit before it', async () => {
    const { store, kernel, rt, scene } = await roomOfOne({ pipelined: false });
    await scene('warm-0001', 'blank');
    const seq0 = rt.state.seq;
    const before = { ...store.commits };
    let reads = 0;
    const find = store.findCommand.bind(store);
    store.findCommand = (s, c) => {
      reads++;
      return find(s, c);
    };
    const acks = await Promise.all(['signin', 'welcome', 'welcome', 'blank'].map((sc, i) => scene(`cmd-serial-${i}`, sc)));
    expect(acks).toMatchObject([{ seq: seq0 + 1 }, { seq: seq0 + 2 }, { data: { scene: 'welcome' }, seq: seq0 + 2 }, { seq: seq0 + 3 }]);
    expect(store.commits.transactions - before.transactions).toBe(3);
    expect(reads).toBe(4);
    expect(kernel.fold(rt.id, await store.read(rt.id))).toEqual(rt.state);
  });

  it('with a store that does not pipeline, catches up when another writer moved the log (SeqConflict) and runs the command once more', async () => {
    // Two runtimes of one session on one store stand for two processes on PostgreSQL (issue 9).
    const { store, kernel, rt, moderator, scene } = await roomOfOne({ pipelined: false });
    await scene('warm-0001', 'blank');
    const other = await SessionRuntime.load(rt.id, store, () => {}, kernel, () => T0 + 100_000);
    expect(await other.execute(moderator, 'screen:scene', { id: 'cmd-other-01', scene: 'signin' })).toMatchObject({ ok: true });
    const seq = other.state.seq;
    // `rt` still believes the scene is `blank`: its append conflicts, it catches up, and runs again on
    // the log's state — where `signin` is already shown: nothing to append.
    expect(await scene('cmd-mine-001', 'signin')).toMatchObject({ ok: true, data: { scene: 'signin' }, seq });
    expect(await scene('cmd-mine-002', 'welcome')).toMatchObject({ ok: true, seq: seq + 1 });
    const log = await store.read(rt.id);
    expect(log.slice(-2).map((e) => e.commandId)).toEqual(['cmd-other-01', 'cmd-mine-002']);
    expect(rt.state).toEqual(kernel.fold(rt.id, log));
  });

  it('gives the working state its own copy of each slice the events in flight touch, and shares the rest', async () => {
    const { kernel, rt } = await roomOfOne();
    const committed = rt.state;
    const before = structuredClone(committed);
    const w = workingCopy(committed);
    kernel.applyEvent(w.writer, { sessionId: rt.id, seq: committed.seq + 1, type: 'screen:scene_changed', ts: T0, actor: null, commandId: 'x', payload: { scene: 'blank' }, prevHash: 'pending', hash: 'pending' });
    expect(w.state.screen.scene).toBe('blank');
    expect(w.state.seq).toBe(committed.seq + 1);
    // The committed state is untouched, slices and log tail included.
    expect(committed).toEqual(before);
    expect(w.state.screen).not.toBe(committed.screen);
    expect(w.state.tail).not.toBe(committed.tail);
    // A slice the event did not reach is the committed state's own object.
    expect(w.state.people).toBe(committed.people);
    expect(sameState(w.state, committed)).toBe(false);
  });
});
