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
});
