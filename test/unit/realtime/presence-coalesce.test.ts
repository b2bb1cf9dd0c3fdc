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

  it('in a storm (presence waiting in many sessions at once) the windows widen; alone again, they narrow', () => {
    const storm = new PresenceCoalescer((id) => flushed.push(`${id}@${now()}`), 100, 500, now, { sessions: 3, quietMs: 1000, maxWaitMs: 2000 });
    // Three waiting at once: the third waits for the storm's quiet time (the first two armed before it).
    for (const id of ['a', 'b', 'c']) storm.changed(id);
    advance(100);
    expect(flushed).toEqual(['a@100', 'b@100']);
    advance(899);
    expect(flushed).toEqual(['a@100', 'b@100']);
    advance(1);
    expect(flushed).toEqual(['a@100', 'b@100', 'c@1000']);
    // Alone again: the ordinary quiet time.
    storm.changed('a');
    advance(100);
    expect(flushed).toEqual(['a@100', 'b@100', 'c@1000', 'a@1100']);
  });

  it('in a storm a session whose arrivals keep coming goes out at most the storm bound after its first change', () => {
    const storm = new PresenceCoalescer((id) => flushed.push(`${id}@${now()}`), 100, 500, now, { sessions: 2, quietMs: 1000, maxWaitMs: 2000 });
    // Two sessions, each with an arrival every 300 ms: in the ordinary windows every 100 ms pause would
    // send; in the storm they wait for the bound, 2 s after each one's first change.
    storm.changed('a');
    for (let t = 0; t < 2000; t += 300) {
      storm.changed('b');
      storm.changed('a');
      advance(300);
    }
    expect(flushed.sort()).toEqual(['a@2000', 'b@2000']);
  });

  it("holds the presence (an event's flush does not send it) only while it waits with the storm windows", () => {
    const storm = new PresenceCoalescer((id) => flushed.push(`${id}@${now()}`), 100, 500, now, { sessions: 2, quietMs: 1000, maxWaitMs: 2000 });
    storm.changed('a');
    // Alone: the ordinary windows, not held (an event's flush sends it and settles it, as before).
    expect(storm.holding('a')).toBe(false);
    storm.changed('b');
    expect([storm.holding('a'), storm.holding('b')]).toEqual([false, true]);
    // Re-armed in the storm: held too.
    storm.changed('a');
    expect(storm.holding('a')).toBe(true);
    // Its timer fired (the flush for its presence): no longer held.
    advance(1000);
    expect(flushed.sort()).toEqual(['a@1000', 'b@1000']);
    expect([storm.holding('a'), storm.holding('b')]).toEqual([false, false]);
    // Settled by a flush: no longer held.
    storm.changed('a');
    storm.changed('b');
    expect(storm.holding('b')).toBe(true);
    storm.flushed('b');
    expect(storm.holding('b')).toBe(false);
  });
});
