import { describe, expect, it } from 'vitest';
import { sameEntries, SessionViewMemo } from '../../../server/realtime/view-memo';

// A presence section is reused without encoding it again when its entries are the same (issue 15: a
// storm's flushes for events, the presence held); "the same" must mean "the same JSON", never less.

describe('presence entries', () => {
  const e = (connected: boolean, lastSeen: number | null) => ({ connected, lastSeen });

  it('are the same only with the same keys in the same order and the same values', () => {
    expect(sameEntries({ M1: e(true, 1), M2: e(false, null) }, { M1: e(true, 1), M2: e(false, null) })).toBe(true);
    expect(sameEntries({ M1: e(true, 1), M2: e(false, null) }, { M2: e(false, null), M1: e(true, 1) })).toBe(false);
    expect(sameEntries({ M1: e(true, 1) }, { M1: e(true, 2) })).toBe(false);
    expect(sameEntries({ M1: e(true, 1) }, { M1: e(false, 1) })).toBe(false);
    expect(sameEntries({ M1: e(true, null) }, { M1: e(true, 0) })).toBe(false);
    expect(sameEntries({ M1: e(true, 1) }, { M1: e(true, 1), M2: e(true, 1) })).toBe(false);
    expect(sameEntries({ M1: { connected: true, lastSeen: 1 } }, { M1: { lastSeen: 1, connected: true } })).toBe(false);
    // Not flat, or a value JSON leaves out: not decided here (false), the JSON decides.
    expect(sameEntries({ M1: { x: { y: 1 } } }, { M1: { x: { y: 1 } } })).toBe(false);
    expect(sameEntries({ M1: { x: undefined } }, { M1: { x: undefined } })).toBe(false);
  });

  it('keep the section (the same object) while equal, and give a new one when they change', () => {
    const memo = new SessionViewMemo();
    const a = memo.presence('all', { M1: e(true, 1) }, false);
    expect(memo.presence('all', { M1: e(true, 1) }, false)).toBe(a);
    const b = memo.presence('all', { M1: e(false, 2) }, false);
    expect(b).not.toBe(a);
    expect(b.json).toBe(JSON.stringify({ M1: e(false, 2) }));
    // Each presence audience its own.
    expect(memo.presence('supplier:S1', { M1: e(false, 2) }, true)).not.toBe(b);
  });

  it("are projected again only when the presence object or the session's people change", async () => {
    const { applyEventTracked } = await import('../../../server/realtime/state-keys');
    const s = {
      seq: 0,
      order: ['A1', 'M1', 'S1', 'S2'],
      people: { A1: { role: 'moderator' }, M1: { role: 'expert' }, S1: { role: 'supplier' }, S2: { role: 'supplier' } },
    } as never as import('../../../server/session/types').SessionState;
    const memo = new SessionViewMemo().of(s);
    const viewer = (role: string, personId: string) => ({ sessionId: 'x', role, personId }) as never;
    const p1 = { A1: e(true, 1), M1: e(true, 1), S1: e(true, 1), S2: e(false, null) };
    const all = memo.presenceOf('all', s, viewer('moderator', 'A1'), p1, false);
    expect(JSON.parse(all.json as string)).toEqual(p1);
    // A supplier sees itself and the panel, never another supplier (views.ts presenceView).
    const s1 = memo.presenceOf('supplier:S1', s, viewer('supplier', 'S1'), p1, true);
    expect(Object.keys(JSON.parse(s1.json as string))).toEqual(['A1', 'M1', 'S1']);
    // The same presence object, nothing changed: the very section, even when asked by another viewer of it.
    expect(memo.presenceOf('all', s, viewer('expert', 'M1'), p1, false)).toBe(all);
    // A new presence object (someone arrived): projected again.
    const p2 = { ...p1, S2: e(true, 2) };
    const all2 = memo.presenceOf('all', s, viewer('moderator', 'A1'), p2, false);
    expect(JSON.parse(all2.json as string).S2).toEqual(e(true, 2));
    // The people changed (an event touched them): projected again from the same presence object.
    applyEventTracked(s, { seq: 1 } as never, (t) => {
      (t as { order: string[] }).order.push('M2');
      (t as { people: Record<string, unknown> }).people.M2 = { role: 'expert' };
    });
    const p3 = { ...p2, M2: e(true, 3) };
    const all3 = memo.presenceOf('all', s, viewer('moderator', 'A1'), p3, false);
    expect(Object.keys(JSON.parse(all3.json as string))).toContain('M2');
    (s as { people: Record<string, { role: string }> }).people.M2.role = 'supplier';
    applyEventTracked(s, { seq: 2 } as never, (t) => void (t as { people: unknown }).people);
    // M2 is now a supplier: S1 no longer sees it, though the presence object is the same.
    const s1b = memo.presenceOf('supplier:S1', s, viewer('supplier', 'S1'), p3, true);
    expect(Object.keys(JSON.parse(s1b.json as string))).not.toContain('M2');
  });
});
