import { afterAll, describe, expect, it } from 'vitest';
import Decimal from 'decimal.js';
import { SessionViewMemo, sameValue, type Section } from '../../../server/realtime/view-memo';
import { digestOf, digestCount, releaseValue } from '../../../server/realtime/audiences';
import { jsonText } from '../../../server/realtime/section-json';
import { applyEventTracked } from '../../../server/realtime/state-keys';
import { VIEW_PARTS } from '../../../server/session/fold';
import type { Principal, SessionState } from '../../../server/session/types';
import type { StoredEvent } from '../../../server/store/types';

// A cold server builds each role's view parts for the role's first arrival (issue 15: the restart
// storm). A role's section whose value equals, item for item, the same section another role's valid
// entry holds takes that section's JSON instead of encoding it again; each keeps its own value, and an
// entry that is no longer valid is never compared (a view may return a list of the state itself).

describe('sameValue: the same JSON text, decided without encoding', () => {
  it('is true only where JSON.stringify would give the same text, and false when unsure', () => {
    const d = new Decimal('1.5');
    expect(sameValue({ a: 1, b: [1, 'x', null, { c: true }] }, { a: 1, b: [1, 'x', null, { c: true }] }, 0)).toBe(true);
    expect(sameValue({ a: 1, b: 2 }, { b: 2, a: 1 }, 0)).toBe(false); // another key order: another text
    expect(sameValue({ a: 1 }, { a: 1, b: 2 }, 0)).toBe(false);
    expect(sameValue([1, 2], [1, 2, 3], 0)).toBe(false);
    expect(sameValue([1], { 0: 1 }, 0)).toBe(false);
    expect(sameValue({ a: '1' }, { a: 1 }, 0)).toBe(false);
    expect(sameValue({ a: null }, { a: undefined }, 0)).toBe(false);
    expect(sameValue({ a: NaN }, { a: NaN }, 0)).toBe(false); // unsure: the JSON decides
    // A class or a toJSON: only the very same object.
    expect(sameValue({ d }, { d }, 0)).toBe(true);
    expect(sameValue({ d }, { d: new Decimal('1.5') }, 0)).toBe(false);
    expect(sameValue({ t: new Date(0) }, { t: new Date(0) }, 0)).toBe(false);
    expect(sameValue({ toJSON: () => 1 }, { toJSON: () => 1 }, 0)).toBe(false);
    // Too deep to compare: unsure.
    const deep = (n: number): unknown => (n === 0 ? 1 : [deep(n - 1)]);
    expect(sameValue(deep(10), deep(10), 0)).toBe(true);
    expect(sameValue(deep(100), deep(100), 0)).toBe(false);
  });
});

type Demo = SessionState & { seq: number; items: number[]; counts: Record<string, number> };
const event = (seq: number): StoredEvent => ({ sessionId: 'x', seq, type: 'demo', ts: 0, actor: null, commandId: null, payload: null, prevHash: '', hash: '' });
const push = (s: SessionState, e: StoredEvent) => {
  const d = s as Demo;
  d.items.push(e.seq);
  d.seq = e.seq;
};
const who = (role: Principal['role'], personId: string): Principal => ({ sessionId: 'x', personId, role });

// A part whose output depends on the viewer's role only in part: the staff see `items` (the state's own
// list, as it is), everyone `board` (a fresh object per call, the same for every role), the wall a
// `board` with another key order.
const saved = VIEW_PARTS.splice(0, VIEW_PARTS.length, {
  name: 'demo',
  view: (s, viewer) => {
    const d = s as Demo;
    const board = viewer.role === 'screen' ? { n: d.items.length, title: '评分' } : { title: '评分', n: d.items.length };
    // An observer told to look away gets no items (a key whose value is undefined: no JSON at all).
    if (viewer.role === 'observer' && d.counts.away) return { items: undefined, board };
    return viewer.role === 'moderator' || viewer.role === 'observer' ? { items: d.items, board } : { board, role: viewer.role };
  },
});
afterAll(() => {
  VIEW_PARTS.splice(0, VIEW_PARTS.length, ...saved);
});

function build(memo: SessionViewMemo, s: SessionState, p: Principal): Map<string, Section> {
  return new Map(memo.part(0, s, p, new Map(), []).map((sec) => [sec.key, sec]));
}

describe("a role's sections equal to another role's (issue 15: the restart storm)", () => {
  it('take the JSON of the equal section (one string, one digest), each keeping its own value', () => {
    const s = { seq: 0, items: [1, 2], counts: {} } as unknown as Demo;
    const memo = new SessionViewMemo().of(s);
    const mod = build(memo, s, who('moderator', 'A'));
    const obs = build(memo, s, who('observer', 'O'));
    const exp = build(memo, s, who('expert', 'M1'));
    const wall = build(memo, s, who('screen', 'W'));
    expect(memo.interned).toBe(3); // observer: items and board; expert: board
    expect(obs.get('board')!.json).toBe(mod.get('board')!.json);
    expect(obs.get('board')!.value).not.toBe(mod.get('board')!.value);
    expect(exp.get('board')!.json).toBe(mod.get('board')!.json);
    expect(obs.get('items')!.json).toBe(mod.get('items')!.json);
    // Another key order is another text: encoded on its own.
    expect(jsonText(wall.get('board')!.json!)).toBe(JSON.stringify({ n: 2, title: '评分' }));
    // What differs is never taken: the role names itself.
    expect(jsonText(exp.get('role')!.json!)).toBe('"expert"');
    expect(jsonText(wall.get('role')!.json!)).toBe('"screen"');
    // One string, one digest.
    const before = digestCount.computed;
    expect(digestOf(exp.get('board')!)).toBe(digestOf(mod.get('board')!));
    expect(digestCount.computed - before).toBe(1);
  });

  it("never compares with an entry made before an event changed what it read (its value may be the state's own list, changed since)", () => {
    const s = { seq: 0, items: [1], counts: {} } as unknown as Demo;
    const memo = new SessionViewMemo().of(s);
    const mod = build(memo, s, who('moderator', 'A'));
    expect(jsonText(mod.get('items')!.json!)).toBe('[1]');
    // The event appends to the very list the moderator's section holds as its value.
    applyEventTracked(s, event(1), push);
    expect(mod.get('items')!.value).toEqual([1, 1]);
    const obs = build(memo, s, who('observer', 'O'));
    expect(obs.get('items')!.json).not.toBe(mod.get('items')!.json);
    expect(jsonText(obs.get('items')!.json!)).toBe('[1,1]');
    expect(jsonText(obs.get('board')!.json!)).toBe(JSON.stringify({ title: '评分', n: 2 }));
    // Rebuilt after the event, the moderator's is equal to the observer's: that one is taken.
    const again = build(memo, s, who('moderator', 'A'));
    expect(again.get('items')!.json).toBe(obs.get('items')!.json);
  });

  it('never takes the JSON of a section whose value was let go (an idle big section: audiences.ts releaseValue)', () => {
    const s = { seq: 0, items: Array.from({ length: 3000 }, (_, i) => i), counts: {} } as unknown as Demo;
    const memo = new SessionViewMemo().of(s);
    const mod = build(memo, s, who('moderator', 'A'));
    expect(releaseValue(mod.get('items')!)).toBe(true);
    expect(mod.get('items')!.value).toBeUndefined();
    (s.counts as Record<string, number>).away = 1;
    const obs = build(memo, s, who('observer', 'O'));
    // Its own value is undefined: no JSON, not the released section's.
    expect(obs.get('items')!.json).toBeUndefined();
  });
});
