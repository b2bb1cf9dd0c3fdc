import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PresenceCoalescer } from '../../../server/realtime/presence-coalesce';

// Presence is flushed once the arrivals pause, at most a bound after the first (issue 15: a reconnect
// storm gives each room a few presence patches, not one per 100 ms); a flush of the session settles it.

describe('presence coalescing', () => {
  let flushed: string[] = [];
  let c: PresenceCoalescer;
  // The fake timers' clock, from 0: each flush is recorded with the time it fired at.
  const now = () => Date.now();
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
    flushed = [];
    c = new PresenceCoalescer((id) => flushed.push(`${id}@${now()}`), 100, 500, now);
  });
  afterEach(() => vi.useRealTimers());
  const advance = (ms: number) => vi.advanceTimersByTime(ms);

  it('one change goes out after the quiet time', () => {
    c.changed('s');
    advance(99);
    expect(flushed).toEqual([]);
    advance(1);
    expect(flushed).toEqual(['s@100']);
    expect(c.isPending('s')).toBe(false);
  });

  it('changes that keep coming wait for a pause, but never longer than the bound after the first', () => {
    for (let i = 0; i < 12; i++) {
      c.changed('s');
      advance(60);
    }
    // 12 arrivals 60 ms apart (720 ms): one flush at 500 ms, then one for the rest after they pause.
    expect(flushed).toEqual(['s@500']);
    advance(100);
    expect(flushed).toEqual(['s@500', 's@760']);
    // Another session is coalesced on its own (the clock is at 820 now).
    c.changed('t');
    advance(100);
    expect(flushed).toEqual(['s@500', 's@760', 't@920']);
  });

  it('a flush of the session settles the presence waiting (it sent the presence as it was)', () => {
    c.changed('s');
    advance(50);
    c.flushed('s');
    advance(1000);
    expect(flushed).toEqual([]);
    c.changed('s');
    advance(100);
    expect(flushed).toEqual(['s@1150']);
  });
});
