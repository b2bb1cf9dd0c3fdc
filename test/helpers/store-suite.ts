import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { verifyChain, eventHash } from '../../server/store/chain';
import { canonicalJson, GENESIS_HASH } from '../../server/store/canonical';
import { DuplicateCommand, SeqConflict, type EventStore } from '../../server/store/types';
import { roomKernel } from '../../server/concerns';
import { buildSession } from '../../server/session/create';
import { DEMO_SESSION } from '../../server/demo/demo-session';

// The event-store contract (docs/architecture.md "The event log is the truth"), run against every
// store behind the EventStore interface: SQLite (test/unit/store/sqlite.test.ts) and PostgreSQL
// (test/integration/store-postgres.test.ts, issue 9: "passing the same store test suite").

export interface StoreHarness {
  /** A fresh, empty store of its own. */
  create(): Promise<EventStore>;
  /** Another handle on the same data (after the first was closed, or beside it). */
  reopen(): Promise<EventStore>;
  /** Alters one event's stored payload behind the store's back, as an intruder with database access would. */
  tamper(sessionId: string, seq: number, payload: unknown): Promise<void>;
  /** Removes every trace of this harness's data. */
  destroy(): Promise<void>;
}

export function storeSuite(name: string, makeHarness: () => StoreHarness): void {
  let h: StoreHarness;
  let store: EventStore;
  beforeEach(async () => {
    h = makeHarness();
    store = await h.create();
  });
  afterEach(async () => {
    await store.close();
    await h.destroy();
  });

  const append = (n: number, commandId: string | null = null, session = 's1') =>
    store.append({ sessionId: session, actor: { personId: 'A1', role: 'moderator' }, commandId, ts: 1_700_000_000_000 + n, events: [{ type: 't:x', payload: { n, amount: '1380000.00' } }] });

  describe(`canonical JSON (${name})`, () => {
    it('sorts keys, drops undefined and refuses non-finite numbers', () => {
      expect(canonicalJson({ b: 1, a: [1, { d: 'x', c: undefined }] })).toBe('{"a":[1,{"d":"x"}],"b":1}');
      expect(() => canonicalJson({ a: Number.NaN })).toThrow();
      expect(() => canonicalJson({ a: Infinity })).toThrow();
    });
  });

  describe(`event log (${name})`, () => {
    it('reports its kind', () => {
      expect(store.kind).toBe(name);
    });

    it('chains each event to the previous one with sha256 and verifies', async () => {
      for (let i = 0; i < 5; i++) await append(i);
      const events = await store.read('s1');
      expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
      expect(events[0].prevHash).toBe(GENESIS_HASH);
      for (let i = 1; i < events.length; i++) expect(events[i].prevHash).toBe(events[i - 1].hash);
      expect(events[2].hash).toBe(eventHash(events[1].hash, events[2]));
      expect(events[2]).toMatchObject({ ts: 1_700_000_000_002, actor: { personId: 'A1', role: 'moderator' }, payload: { n: 2, amount: '1380000.00' } });
      expect(verifyChain('s1', events)).toBeNull();
      expect((await store.read('s1', 4)).map((e) => e.seq)).toEqual([4, 5]);
    });

    it('names the first altered event', async () => {
      for (let i = 0; i < 5; i++) await append(i);
      await store.close();
      await h.tamper('s1', 3, { n: 2, amount: '1380000.01' });
      store = await h.reopen();
      const bad = verifyChain('s1', await store.read('s1'));
      expect(bad?.seq).toBe(3);
      expect(bad?.problem).toBe('hash');
      expect(bad?.message.zh).toContain('被改动');
    });

    it('detects a deleted event as a gap', async () => {
      for (let i = 0; i < 4; i++) await append(i);
      const events = (await store.read('s1')).filter((e) => e.seq !== 2);
      expect(verifyChain('s1', events)).toMatchObject({ seq: 3, problem: 'seq_gap' });
    });

    it('takes a command id once: a retry is refused with the first answer', async () => {
      const first = await store.append({ sessionId: 's1', actor: null, commandId: 'cmd-1', ts: 1, events: [{ type: 'a', payload: {} }, { type: 'b', payload: {} }], result: { receipt: 'r1' } });
      let dup: unknown;
      try {
        await store.append({ sessionId: 's1', actor: null, commandId: 'cmd-1', ts: 2, events: [{ type: 'a', payload: {} }], result: { receipt: 'r2' } });
      } catch (e) {
        dup = e;
      }
      expect(dup).toBeInstanceOf(DuplicateCommand);
      expect((dup as DuplicateCommand).record.result).toEqual({ receipt: 'r1' });
      expect((dup as DuplicateCommand).record.events.map((e) => e.seq)).toEqual(first.map((e) => e.seq));
      expect(await store.read('s1')).toHaveLength(2);
      expect(await store.findCommand('s1', 'cmd-1')).toMatchObject({ result: { receipt: 'r1' } });
      expect(await store.findCommand('s1', 'cmd-2')).toBeNull();
      // The same command id in another session is another command.
      await store.append({ sessionId: 's2', actor: null, commandId: 'cmd-1', ts: 3, events: [{ type: 'a', payload: {} }] });
      expect(await store.read('s2')).toHaveLength(1);
    });

    it('remembers who sent a command and what it was (its fingerprint), also after reopening', async () => {
      await store.append({ sessionId: 's1', actor: { personId: 'S1', role: 'supplier' }, commandId: 'cmd-f', ts: 1, events: [{ type: 'a', payload: {} }], result: { r: 1 }, fingerprint: 'fp-1' });
      await store.append({ sessionId: 's1', actor: null, commandId: 'cmd-g', ts: 2, events: [{ type: 'a', payload: {} }] });
      let dup: unknown;
      try {
        await store.append({ sessionId: 's1', actor: { personId: 'S2', role: 'supplier' }, commandId: 'cmd-f', ts: 3, events: [{ type: 'b', payload: {} }], fingerprint: 'fp-2' });
      } catch (e) {
        dup = e;
      }
      expect(dup).toBeInstanceOf(DuplicateCommand);
      expect((dup as DuplicateCommand).record.fingerprint).toBe('fp-1');
      await store.close();
      store = await h.reopen();
      expect(await store.findCommand('s1', 'cmd-f')).toMatchObject({ fingerprint: 'fp-1', result: { r: 1 } });
      expect(await store.findCommand('s1', 'cmd-g')).toMatchObject({ fingerprint: null });
      expect(await store.read('s1')).toHaveLength(2);
    });

    it('commits appends of the same tick across sessions together; a refused one fails alone (group commit)', async () => {
      await store.append({ sessionId: 's1', actor: null, commandId: 'dup', ts: 1, events: [{ type: 'a', payload: {} }], result: { n: 1 } });
      // Issued in one tick: five sessions, one retry of a committed command, one writer that is behind.
      const settled = await Promise.allSettled([
        ...[1, 2, 3, 4, 5].map((i) => store.append({ sessionId: `g${i}`, actor: null, commandId: `c${i}`, ts: 10 + i, events: [{ type: 'a', payload: { i } }, { type: 'b', payload: { i } }] })),
        store.append({ sessionId: 's1', actor: null, commandId: 'dup', ts: 20, events: [{ type: 'a', payload: {} }] }),
        store.append({ sessionId: 's1', actor: null, commandId: 'late', ts: 21, events: [{ type: 'a', payload: {} }], expectedSeq: 0 }),
        store.append({ sessionId: 's1', actor: null, commandId: 'next', ts: 22, events: [{ type: 'c', payload: {} }], expectedSeq: 1 }),
      ]);
      for (let i = 0; i < 5; i++) {
        const r = settled[i];
        expect(r.status).toBe('fulfilled');
        expect((r as PromiseFulfilledResult<any>).value.map((e: any) => [e.sessionId, e.seq])).toEqual([
          [`g${i + 1}`, 1],
          [`g${i + 1}`, 2],
        ]);
        expect(verifyChain(`g${i + 1}`, await store.read(`g${i + 1}`))).toBeNull();
      }
      expect(settled[5].status === 'rejected' && (settled[5] as PromiseRejectedResult).reason).toBeInstanceOf(DuplicateCommand);
      expect(settled[6].status === 'rejected' && (settled[6] as PromiseRejectedResult).reason).toBeInstanceOf(SeqConflict);
      expect(settled[7].status).toBe('fulfilled');
      // Nothing of the refused ones was written; the others are there once.
      expect((await store.read('s1')).map((e) => e.type)).toEqual(['a', 'c']);
      expect(await store.findCommand('s1', 'late')).toBeNull();
      expect(verifyChain('s1', await store.read('s1'))).toBeNull();
    });

    it('refuses an append from a writer whose state is behind, appending nothing', async () => {
      await append(0);
      let err: unknown;
      try {
        await store.append({ sessionId: 's1', actor: null, commandId: 'late', ts: 1, events: [{ type: 'x', payload: {} }], expectedSeq: 0, tokens: [{ tokenHash: 'h-late', sessionId: 's1', personId: 'M9', token: 'tok-late' }] });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(SeqConflict);
      expect((err as SeqConflict).actual).toBe(1);
      expect(await store.read('s1')).toHaveLength(1);
      expect(await store.findCommand('s1', 'late')).toBeNull();
      expect(await store.findToken('h-late')).toBeNull();
      await store.append({ sessionId: 's1', actor: null, commandId: null, ts: 2, events: [{ type: 'x', payload: {} }], expectedSeq: 1 });
      expect(await store.read('s1')).toHaveLength(2);
    });

    it('serializes concurrent appends to one session into one gap-free chain', async () => {
      await Promise.all(Array.from({ length: 20 }, (_, i) => append(i, `c-${i}`)));
      const events = await store.read('s1');
      expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      expect(verifyChain('s1', events)).toBeNull();
      expect(new Set(events.map((e) => e.commandId)).size).toBe(20);
    });

    it('keeps sessions apart', async () => {
      await append(0, null, 's1');
      await append(0, null, 's2');
      await append(1, null, 's2');
      expect((await store.read('s1')).length).toBe(1);
      expect(verifyChain('s2', await store.read('s2'))).toBeNull();
      expect((await store.listSessionIds()).sort()).toEqual(['s1', 's2']);
    });

    it('lists every session once, in the order of its first event (a restart replays them so)', async () => {
      // Ids that sort otherwise than their first events' times, and sessions with several events.
      await store.append({ sessionId: 'm-late', actor: null, commandId: null, ts: 3000, events: [{ type: 't:x', payload: {} }, { type: 't:x', payload: {} }] });
      await store.append({ sessionId: 'z-first', actor: null, commandId: null, ts: 1000, events: [{ type: 't:x', payload: {} }] });
      await store.append({ sessionId: 'a-middle', actor: null, commandId: null, ts: 2000, events: [{ type: 't:x', payload: {} }] });
      await store.append({ sessionId: 'z-first', actor: null, commandId: null, ts: 4000, events: [{ type: 't:x', payload: {} }] });
      // Two first events at one moment: by id.
      await store.append({ sessionId: 'b-tie', actor: null, commandId: null, ts: 2000, events: [{ type: 't:x', payload: {} }] });
      expect(await store.listSessionIds()).toEqual(['z-first', 'a-middle', 'b-tie', 'm-late']);
    });

    it('keeps join tokens, in issue order, and revokes them', async () => {
      const tokens = ['b', 'a', 'c'].map((p) => ({ tokenHash: `h-${p}`, sessionId: 's1', personId: p, token: `token-${p}` }));
      await store.append({ sessionId: 's1', actor: null, commandId: null, ts: 1, events: [{ type: 'x', payload: {} }], tokens });
      expect((await store.tokens('s1')).map((t) => t.personId)).toEqual(['b', 'a', 'c']);
      await store.append({ sessionId: 's1', actor: null, commandId: null, ts: 2, events: [{ type: 'y', payload: {} }], revokeTokens: ['h-a'] });
      expect(await store.findToken('h-a')).toEqual({ tokenHash: 'h-a', sessionId: 's1', personId: 'a', token: 'token-a', revoked: true });
      expect(await store.findToken('h-b')).toMatchObject({ revoked: false });
      expect(await store.findToken('nope')).toBeNull();
      expect(await store.tokens('s2')).toEqual([]);
    });

    it('survives reopening: replay gives the same state', async () => {
      const built = buildSession(DEMO_SESSION, 1_700_000_000_000);
      await store.append({ sessionId: built.sessionId, actor: null, commandId: null, ts: 1_700_000_000_000, events: built.events, tokens: built.tokens });
      const before = roomKernel.fold(built.sessionId, await store.read(built.sessionId));
      await store.close();
      store = await h.reopen();
      const after = roomKernel.fold(built.sessionId, await store.read(built.sessionId));
      expect(after).toEqual(before);
      expect(after.order).toHaveLength(1 + 1 + 5 + 4 + 1);
      expect(after.stage).toBe('signin');
      expect(Object.values(after.people).filter((p) => p.role === 'purchaser_rep')).toHaveLength(1);
      expect((await store.tokens(built.sessionId)).every((t) => t.token.length >= 22)).toBe(true);
      expect(verifyChain(built.sessionId, await store.read(built.sessionId))).toBeNull();
    });
  });

  // The live requirements document's Yjs updates (docs/rules.md §2.8; issue 9: unpublished edits survive a
  // restart of every process): beside the log, never in it.
  describe(`document updates (${name})`, () => {
    it('stores updates in order, per session, durably, compacts in one step, and leaves the log alone', async () => {
      expect(store.docUpdates && store.storeDocUpdate).toBeTruthy();
      expect(await store.docUpdates!('s1')).toEqual([]);
      expect(await store.storeDocUpdate!('s1', new Uint8Array([1, 2, 3]))).toBe(1);
      expect(await store.storeDocUpdate!('s1', new Uint8Array([4, 0, 255]))).toBe(2);
      expect(await store.storeDocUpdate!('s2', new Uint8Array([9]))).toBe(1);
      await store.close();
      store = await h.reopen();
      expect((await store.docUpdates!('s1')).map((u) => [...u])).toEqual([[1, 2, 3], [4, 0, 255]]);
      expect(await store.storeDocUpdate!('s1', new Uint8Array([7, 7]), true)).toBe(1);
      expect((await store.docUpdates!('s1')).map((u) => [...u])).toEqual([[7, 7]]);
      expect((await store.docUpdates!('s2')).map((u) => [...u])).toEqual([[9]]);
      expect(await store.read('s1')).toEqual([]);
      expect(await store.listSessionIds()).toEqual([]);
    });
  });
}
