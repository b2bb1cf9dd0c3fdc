import { afterAll, describe, expect, it } from 'vitest';
import { SessionViewMemo, type Section } from '../../../server/realtime/view-memo';
import { releaseValue } from '../../../server/realtime/audiences';
import { jsonText } from '../../../server/realtime/section-json';
import { applyEventTracked } from '../../../server/realtime/state-keys';
import { VIEW_PARTS } from '../../../server/session/fold';
import type { Principal, SessionState } from '../../../server/session/types';
import type { StoredEvent } from '../../../server/store/types';

// Issue 15, what outlives the young generation: an event that touches a state key many views read (every
// score moves `scoring`) runs each of those views again, and most come out as they were. The memo keeps
// the sections it already had where the new ones say the same (the same JSON, a value with the same JSON
// now), and the entry itself when every section did: what is sent never changes, and the new copies
// die young instead of replacing equal ones already old.

type Demo = SessionState & { seq: number; marks: string[]; big: number[] };
const event = (seq: number, who: string): StoredEvent => ({ sessionId: 'x', seq, type: 'demo', ts: 0, actor: null, commandId: null, payload: { who }, prevHash: '', hash: '' });
/** Each event appends its author to `marks`: the very list a section may hold as its value. */
const mark = (s: SessionState, e: StoredEvent) => {
  const d = s as Demo;
  d.marks.push((e.payload as { who: string }).who);
  d.seq = e.seq;
};
const who = (role: Principal['role'], personId: string): Principal => ({ sessionId: 'x', personId, role });

let runs = 0;
// A member's own marks (a fresh object per call), the state's own list for the staff, and a count that
// every event changes.
const saved = VIEW_PARTS.splice(0, VIEW_PARTS.length, {
  name: 'demo',
  view: (s, viewer) => {
    runs++;
    const d = s as Demo;
    if (viewer.role === 'moderator') return { marks: d.marks, big: d.big };
    // The state's own list while it is short, a fresh empty one once it is long.
    if (viewer.role === 'observer') return { seen: d.marks.length > 1 ? [] : d.marks };
    return { mine: { who: viewer.personId, n: d.marks.filter((m) => m === viewer.personId).length }, title: '评分' };
  },
});
afterAll(() => {
  VIEW_PARTS.splice(0, VIEW_PARTS.length, ...saved);
});

function build(memo: SessionViewMemo, s: SessionState, p: Principal): Map<string, Section> {
  return new Map(memo.part(0, s, p, new Map(), []).map((sec) => [sec.key, sec]));
}

describe('a part run again after an event, coming out as it was (issue 15)', () => {
  it('keeps the very sections and entry it had, valid at the state now (the view not run again)', () => {
    const s = { seq: 0, marks: [], big: [] } as unknown as Demo;
    const memo = new SessionViewMemo().of(s);
    const m1 = who('expert', 'M1');
    const used: unknown[] = [];
    const before = memo.part(0, s, m1, new Map(), used as never[]);
    applyEventTracked(s, event(1, 'M2'), mark);
    runs = 0;
    const used2: unknown[] = [];
    const after = memo.part(0, s, m1, new Map(), used2 as never[]);
    expect(runs).toBe(1);
    // The same section objects, in the same entry.
    expect(after).toBe(before);
    expect(used2[0]).toBe(used[0]);
    expect(jsonText(after[0].json!)).toBe('{"who":"M1","n":0}');
    // Valid now: asked again, the view is not run.
    expect(memo.stillValid(s, used2[0] as never)).toBe(true);
    build(memo, s, m1);
    expect(runs).toBe(1);
  });

  it('keeps only the sections that came out the same; a changed one is the new section', () => {
    const s = { seq: 0, marks: [], big: [] } as unknown as Demo;
    const memo = new SessionViewMemo().of(s);
    const m1 = who('expert', 'M1');
    const before = build(memo, s, m1);
    applyEventTracked(s, event(1, 'M1'), mark);
    const after = build(memo, s, m1);
    expect(after.get('title')).toBe(before.get('title'));
    expect(after.get('mine')).not.toBe(before.get('mine'));
    expect(jsonText(after.get('mine')!.json!)).toBe('{"who":"M1","n":1}');
    expect(jsonText(before.get('mine')!.json!)).toBe('{"who":"M1","n":0}');
  });

  it("never keeps a section whose value is the state's own list changed in place since its JSON was made", () => {
    const s = { seq: 0, marks: [], big: [] } as unknown as Demo;
    const memo = new SessionViewMemo().of(s);
    const mod = who('moderator', 'A');
    const before = build(memo, s, mod);
    expect(jsonText(before.get('marks')!.json!)).toBe('[]');
    applyEventTracked(s, event(1, 'M1'), mark);
    // The held section's value is the list itself, changed; its JSON is what it was.
    expect(before.get('marks')!.value).toEqual(['M1']);
    const after = build(memo, s, mod);
    expect(after.get('marks')).not.toBe(before.get('marks'));
    expect(jsonText(after.get('marks')!.json!)).toBe('["M1"]');
    // The list that did not move is kept.
    expect(after.get('big')).toBe(before.get('big'));
  });

  it('never keeps a section with the same JSON whose value says something else now (the state changed it in place)', () => {
    const s = { seq: 0, marks: [], big: [] } as unknown as Demo;
    const memo = new SessionViewMemo().of(s);
    const obs = who('observer', 'O');
    const before = build(memo, s, obs);
    expect(before.get('seen')!.value).toBe(s.marks);
    applyEventTracked(s, event(1, 'M1'), mark);
    applyEventTracked(s, event(2, 'M2'), mark);
    const after = build(memo, s, obs);
    // The same text as before ("[]"), but the held value is the list, now two long: not kept.
    expect(jsonText(after.get('seen')!.json!)).toBe(jsonText(before.get('seen')!.json!));
    expect(before.get('seen')!.value).toEqual(['M1', 'M2']);
    expect(after.get('seen')).not.toBe(before.get('seen'));
    expect(after.get('seen')!.value).toEqual([]);
  });

  it('never keeps a section whose value was let go (audiences.ts releaseValue): the new one, with its value', () => {
    const s = { seq: 0, marks: [], big: Array.from({ length: 3000 }, (_, i) => i) } as unknown as Demo;
    const memo = new SessionViewMemo().of(s);
    const mod = who('moderator', 'A');
    const before = build(memo, s, mod);
    expect(releaseValue(before.get('big')!)).toBe(true);
    applyEventTracked(s, event(1, 'M1'), mark);
    const after = build(memo, s, mod);
    expect(after.get('big')).not.toBe(before.get('big'));
    expect(after.get('big')!.released).toBeUndefined();
    expect(after.get('big')!.value).toBe(s.big);
    expect(jsonText(after.get('big')!.json!)).toBe(jsonText(before.get('big')!.json!));
  });
});
