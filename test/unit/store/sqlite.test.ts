import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { READ_MMAP_BYTES, SqliteEventStore } from '../../../server/store/sqlite';
import { eventOfRow, type EventRow } from '../../../server/store/event-row.mjs';
import { storeSuite } from '../../helpers/store-suite';
import { SessionRegistry } from '../../../server/session/registry';
import { createKernel } from '../../../server/session/kernel';
import { buildSession } from '../../../server/session/create';
import { sessionConcern } from '../../../server/session/core';
import { participantsConcern } from '../../../server/participants/concern';
import { DEMO_SESSION } from '../../../server/demo/demo-session';
import { describe, it, expect } from 'vitest';

// The shared event-store contract against the embedded default store, one temporary file per test.
storeSuite('sqlite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'panelroom-log-'));
  return {
    create: async () => SqliteEventStore.open(dir),
    reopen: async () => SqliteEventStore.open(dir),
    tamper: async (sessionId, seq, payload) => {
      const db = new Database(join(dir, 'panelroom.sqlite'));
      db.prepare('UPDATE events SET payload = ? WHERE session_id = ? AND seq = ?').run(JSON.stringify(payload), sessionId, seq);
      db.close();
    },
    destroy: async () => rmSync(dir, { recursive: true, force: true }),
  };
});

describe('group commit (sqlite)', () => {
  it('writes the appends of one tick in one transaction (one fsync) and answers each after it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'panelroom-group-'));
    const store = SqliteEventStore.open(dir);
    try {
      const before = { ...store.commits };
      const all = await Promise.all(
        Array.from({ length: 20 }, (_, i) => store.append({ sessionId: `r${i}`, actor: null, commandId: `k${i}`, ts: i, events: [{ type: 'score:submitted', payload: { i } }] })),
      );
      expect(all.map((evs) => evs[0].seq)).toEqual(Array(20).fill(1));
      expect(store.commits.transactions - before.transactions).toBe(1);
      expect(store.commits.appends - before.appends).toBe(20);
      // Committed: another connection on the file sees every one.
      const db = new Database(join(dir, 'panelroom.sqlite'), { readonly: true });
      expect((db.prepare('SELECT COUNT(*) AS c FROM events').get() as { c: number }).c).toBe(20);
      db.close();
      // Appends of separate ticks are separate transactions.
      await store.append({ sessionId: 'r0', actor: null, commandId: 'x1', ts: 30, events: [{ type: 'a', payload: {} }] });
      await store.append({ sessionId: 'r0', actor: null, commandId: 'x2', ts: 31, events: [{ type: 'a', payload: {} }] });
      expect(store.commits.transactions - before.transactions).toBe(3);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('listing the sessions (sqlite)', () => {
  it('seeks each session in the primary key instead of scanning every event (issue 15: a restart)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'panelroom-list-'));
    const store = SqliteEventStore.open(dir);
    try {
      const source = (store as unknown as { stmt: { sessions: { source: string } } }).stmt.sessions.source;
      const db = new Database(join(dir, 'panelroom.sqlite'), { readonly: true });
      const plan = (db.prepare(`EXPLAIN QUERY PLAN ${source}`).all() as { detail: string }[]).map((r) => r.detail);
      db.close();
      // Every access to the events table is a search by its key, none a scan of the table.
      const onEvents = plan.filter((d) => /\bevents\b|\be\b/.test(d) && /^(SCAN|SEARCH)/.test(d));
      expect(onEvents.length).toBeGreaterThan(0);
      for (const d of onEvents) expect(d, plan.join(' | ')).toMatch(/^SEARCH/);
    } finally {
      void store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});


describe('reading a session back (sqlite)', () => {
  it('gives each event as its row holds it, from any seq (issue 15: the replay reads rows as arrays)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'panelroom-read-'));
    const store = SqliteEventStore.open(dir);
    try {
      const moderator = { personId: 'A1', role: 'moderator' as const };
      const expert = { personId: 'E2', role: 'expert' as const };
      await store.append({ sessionId: 's1', actor: null, commandId: null, ts: 1, events: [{ type: 'session:created', payload: { name: '石景山区道路扬尘监测', amount: '1380000.00' } }] });
      await store.append({ sessionId: 's1', actor: moderator, commandId: 'c1', ts: 2, events: [{ type: 't:x', payload: { note: '引号 " 与 \\ 反斜杠\n换行' } }, { type: 't:y', payload: [1, { a: null }] }] });
      await store.append({ sessionId: 's1', actor: expert, commandId: 'c2', ts: 3, events: [{ type: 't:x', payload: {} }] });
      await store.append({ sessionId: 's1', actor: moderator, commandId: 'c3', ts: 4, events: [{ type: 't:z', payload: { n: 1 } }] });
      await store.append({ sessionId: 's2', actor: expert, commandId: 'c1', ts: 5, events: [{ type: 't:x', payload: { other: true } }] });
      const db = new Database(join(dir, 'panelroom.sqlite'), { readonly: true });
      const rows = (from: number) => (db.prepare('SELECT * FROM events WHERE session_id = ? AND seq >= ? ORDER BY seq').all('s1', from) as EventRow[]).map(eventOfRow);
      for (const from of [1, 2, 4, 6]) expect(await store.read('s1', from)).toStrictEqual(rows(from));
      db.close();
      const read = await store.read('s1');
      expect(read.map((e) => e.actor)).toEqual([null, moderator, moderator, expert, moderator]);
      // A stored event's actor is not to be changed (one object per actor and read).
      expect(Object.isFrozen(read[1].actor)).toBe(true);
      expect(() => {
        (read[1].actor as { role: string }).role = 'observer';
      }).toThrow();
      expect((await store.read('s2')).map((e) => [e.sessionId, e.seq, e.commandId])).toEqual([['s2', 1, 'c1']]);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the reading connection (sqlite)', () => {
  it('maps the file for its reads, and still may not write (issue 15: a restart reads every log)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'panelroom-mmap-'));
    const store = SqliteEventStore.open(dir);
    try {
      const db = (store as unknown as { db: Database.Database }).db;
      expect(db.pragma('mmap_size', { simple: true })).toBe(READ_MMAP_BYTES);
      expect(db.pragma('query_only', { simple: true })).toBe(1);
    } finally {
      void store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('maps the file only for the start-up replay: after it, reads go by system call (issue 15: RSS per room)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'panelroom-mmap-'));
    const store = SqliteEventStore.open(dir);
    try {
      const built = buildSession(DEMO_SESSION, 1_700_000_000_000);
      await store.append({ sessionId: built.sessionId, actor: null, commandId: null, ts: 1_700_000_000_000, events: built.events, tokens: built.tokens, expectedSeq: 0 });
      const db = (store as unknown as { db: Database.Database }).db;
      const registry = new SessionRegistry(store, createKernel([sessionConcern, participantsConcern]), () => 1_700_000_100_000);
      expect(db.pragma('mmap_size', { simple: true })).toBe(READ_MMAP_BYTES);
      expect(await registry.loadAll()).toBe(1);
      expect(registry.isReady).toBe(true);
      expect(db.pragma('mmap_size', { simple: true })).toBe(0);
      // Still readable, and still read-only.
      expect((await store.read(built.sessionId)).length).toBe(built.events.length);
      expect(await registry.load(built.sessionId)).not.toBeNull();
      expect(db.pragma('query_only', { simple: true })).toBe(1);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
