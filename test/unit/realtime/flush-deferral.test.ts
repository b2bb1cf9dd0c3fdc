import { describe, expect, it } from 'vitest';
import { deferFlush, flushSlice, FLUSH_SLICE_MAX_MS, MAX_FLUSH_DEFERRALS, MAX_FLUSH_DEFER_MS } from '../../../server/realtime/socket';

// A session's due flush waits for its commands in flight (a burst goes out as one patch per audience),
// but never long: every ack of the session waits with it (issue 15: on a busy server eight ticks were
// a tenth of a second and more).
describe('the flush deferral', () => {
  it('waits only while commands are in flight', () => {
    expect(deferFlush(0, null, 0)).toBe(false);
    expect(deferFlush(0, { ticks: 1, since: 0 }, 0.1)).toBe(false);
    expect(deferFlush(1, null, 0)).toBe(true);
  });

  it('waits at most MAX_FLUSH_DEFERRALS ticks', () => {
    expect(deferFlush(2, { ticks: MAX_FLUSH_DEFERRALS - 1, since: 100 }, 100.1)).toBe(true);
    expect(deferFlush(2, { ticks: MAX_FLUSH_DEFERRALS, since: 100 }, 100.1)).toBe(false);
  });

  it('waits at most MAX_FLUSH_DEFER_MS, however few ticks went by (a busy server)', () => {
    expect(deferFlush(1, { ticks: 1, since: 100 }, 100 + MAX_FLUSH_DEFER_MS / 2)).toBe(true);
    expect(deferFlush(1, { ticks: 1, since: 100 }, 100 + MAX_FLUSH_DEFER_MS)).toBe(false);
    expect(deferFlush(1, { ticks: 1, since: 100 }, 100 + 40)).toBe(false);
  });
});

// The flushes' slice of a tick (issue 15): at least the minimum, as long as the loop's other work since
// the last flushes took, at most the maximum: a busy loop does not starve the flushes (and their acks).
describe('the flush slice', () => {
  it("is the minimum on a quiet loop, the other work's time on a busy one, never more than the maximum", () => {
    expect(flushSlice(8, FLUSH_SLICE_MAX_MS, 0)).toBe(8);
    expect(flushSlice(8, FLUSH_SLICE_MAX_MS, 3)).toBe(8);
    expect(flushSlice(8, FLUSH_SLICE_MAX_MS, 20)).toBe(20);
    expect(flushSlice(8, FLUSH_SLICE_MAX_MS, 5000)).toBe(FLUSH_SLICE_MAX_MS);
    // A test that wants one session per tick sets both to 0 (view-skip.test.ts).
    expect(flushSlice(0, 0, 20)).toBe(0);
  });
});
