import { describe, it, expect } from 'vitest';
import { AudienceChannel, RELEASE_MIN, sweepChannelCaches } from '../../../server/realtime/audiences';
import { sectionValue, type Section, type SectionMap } from '../../../server/realtime/view-memo';
import { forgetShared, whileUnchanged } from '../../../server/realtime/state-keys';
import { held, jsonText } from '../../../server/realtime/section-json';
import { appliedOps } from '../../../shared/protocol/view-sync';
import type { SessionState } from '../../../server/session/types';

// Memory per room (issue 15, server/realtime/audiences.ts `releaseValue`): a big section whose channel
// went idle lets go of its value; whatever needs the value again (a resume by delta, a diff, a whole
// section in a patch) reads the same thing from its JSON, and the shared projection's cache lets go of
// it too, so that it is computed again when next asked.

const section = (key: string, value: unknown): Section => ({ key, value, json: held(JSON.stringify(value)), personal: false });
const review = (n: number) => ({ items: Array.from({ length: 200 }, (_, i) => ({ id: `I${i}`, text: `审查项${i}：资格证明文件`, votes: i === 0 ? n : 0 })) });
const view = (n: number, sec?: Section): SectionMap =>
  new Map([
    ['review', sec ?? section('review', review(n))],
    ['stage', section('stage', { current: 'review' })],
  ]);

describe('big sections let go of their values when idle (issue 15)', () => {
  it('an idle channel releases a big section’s value, and sends the same afterwards: by delta, by ops, whole', () => {
    const big = section('review', review(0));
    expect(Buffer.byteLength(jsonText(big.json!))).toBeGreaterThanOrEqual(RELEASE_MIN);
    const idle = new AudienceChannel('s:x:role:observer', true);
    const busy = new AudienceChannel('s:x:role:expert', true);
    const base = idle.version;
    idle.update(view(0, big), 1);
    busy.update(view(0, big), 1);
    const before = idle.since(base)!;
    idle.full();
    sweepChannelCaches();
    busy.full();
    sweepChannelCaches(); // idle unused for a whole interval: its caches and its big section's value go
    expect(big.released).toBe(true);
    expect(big.value).toBeUndefined();
    // The small section keeps its value.
    expect(idle.since(base)!.set.stage).toEqual({ current: 'review' });
    // Resumed by delta: the same section, from its JSON.
    expect(idle.since(base)).toEqual(before);
    expect(sectionValue(big)).toEqual(review(0));
    // The next change: the same ops as a channel that kept everything, and they rebuild the section.
    const next = idle.update(view(1), 2)!;
    const kept = new AudienceChannel('s:x:role:buyer_rep', true);
    kept.update(view(0), 1);
    expect(next.ops).toEqual(kept.update(view(1), 2)!.ops);
    expect(appliedOps({ review: review(0) }, next.ops)).toEqual({ review: review(1) });
    expect(idle.checkMirror()).toBeNull();
    // A channel that never held it gets it whole, from the JSON.
    const late = new AudienceChannel('s:x:role:moderator', true);
    expect(late.update(view(0, big), 3)!.set.review).toEqual(review(0));
    expect(late.checkMirror()).toBeNull();
  });

  it('a released projection is forgotten by its cache and computed again when next asked', () => {
    const s = { seq: 0 } as unknown as SessionState;
    let runs = 0;
    const get = () => whileUnchanged(s, 'demo.release', () => (runs++, review(0)));
    const first = get();
    expect(get()).toBe(first);
    expect(runs).toBe(1);
    forgetShared(first);
    const again = get();
    expect(runs).toBe(2);
    expect(again).not.toBe(first);
    expect(again).toEqual(first);
    // Forgetting a value the cache no longer holds leaves the newer one alone.
    forgetShared(first);
    expect(get()).toBe(again);
    expect(runs).toBe(2);
  });
});
