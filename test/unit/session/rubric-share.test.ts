import { describe, expect, it } from 'vitest';
import { buildSession } from '../../../server/session/create';
import { roomKernel } from '../../../server/concerns';
import { sharedRubric } from '../../../server/session/rubric-share';
import { DEMO_SESSION } from '../../../server/demo/demo-session';
import { loadTemplate } from '../../../shared/domain/rubric/templates';
import type { Rubric } from '../../../shared/domain/rubric/types';
import type { StoredEvent } from '../../../server/store/types';

// Issue 15, memory per room: the sessions of one rubric hold one object of it, the sessions replayed
// at start as much as those created while the server runs; never one whose rubric differs.

/** A session's log as a restart reads it back: every payload parsed from its stored JSON. */
function replayed(ts: number) {
  const c = buildSession(DEMO_SESSION, ts);
  const events = c.events.map((e, i) => JSON.parse(JSON.stringify({ ...e, sessionId: c.sessionId, seq: i + 1, ts, actor: null, commandId: null, prevHash: '', hash: '' })) as StoredEvent);
  return roomKernel.fold(c.sessionId, events);
}

const copy = (r: Rubric): Rubric => JSON.parse(JSON.stringify(r));

describe('one rubric object for the sessions of one rubric', () => {
  it('two sessions replayed from their own logs hold the very same rubric, equal to each one', () => {
    const a = replayed(1_700_000_000_000);
    const b = replayed(1_700_000_100_000);
    expect(a.id).not.toBe(b.id);
    expect(a.rubricHash).toBe(b.rubricHash);
    expect(b.rubric).toBe(a.rubric);
    expect(JSON.stringify(b.rubric)).toBe(JSON.stringify((buildSession(DEMO_SESSION, 1).events[0].payload as { rubric: Rubric }).rubric));
  });

  it('shares only what is the same tree, keys in the same order, whatever the hash says', () => {
    const base = copy(loadTemplate('seed004'));
    const hash = 'h-test-' + Math.random();
    expect(sharedRubric(hash, base)).toBe(base);
    const same = copy(base);
    expect(sharedRubric(hash, same)).toBe(base);
    // Another value under the same hash: its own.
    const other = copy(base);
    (other.rules as { budget?: string }).budget = '1.00';
    expect(JSON.stringify(other)).not.toBe(JSON.stringify(base));
    expect(sharedRubric(hash, other)).toBe(other);
    // The same values in another key order: its own (its views' JSON follows its order).
    const { rules, ...rest } = copy(base) as unknown as Record<string, unknown>;
    const reordered = { rules, ...rest } as unknown as Rubric;
    expect(sharedRubric(hash, reordered)).toBe(reordered);
    // Without a hash, nothing is shared.
    expect(sharedRubric(undefined, copy(base))).not.toBe(base);
  });
});
