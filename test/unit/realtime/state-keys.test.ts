import { describe, it, expect } from 'vitest';
import { jsonText } from '../../../server/realtime/section-json';
import { applyEventTracked, noteAccesses, readingSubKeys, stateVersions, subKeys, viewJson, whileUnchanged } from '../../../server/realtime/state-keys';
import type { SessionState } from '../../../server/session/types';
import type { StoredEvent } from '../../../server/store/types';

// The key tracking the view memo relies on (issue 15): sub-keys of a top-level key, and projections
// kept while nothing they read changed.

type Demo = { seq: number; box: Record<string, number>; other: number };
const event = (seq: number, type: string, payload: unknown): StoredEvent => ({ sessionId: 'x', seq, type, ts: 0, actor: null, commandId: null, payload, prevHash: '', hash: '' });
/** A reducer: `put` writes box[who], `bump` writes other. */
const apply = (s: SessionState, e: StoredEvent) => {
  const d = s as unknown as Demo;
  const p = e.payload as { who: string };
  if (e.type === 'put') d.box[p.who] = (d.box[p.who] ?? 0) + 1;
  else d.other++;
  d.seq = e.seq;
};

subKeys('box', 'box/*', (_s, e) => (e.type === 'put' && (e.payload as { who: string }).who !== 'all' ? [`box/${(e.payload as { who: string }).who}`] : ['box/*']));

describe('state keys (issue 15)', () => {
  it('an event touching a split key bumps the sub-key its refiner names, and a reader of sub-keys depends on those only', () => {
    const s = { seq: 0, box: {}, other: 0 } as unknown as SessionState;
    applyEventTracked(s, event(1, 'put', { who: 'a' }), apply);
    const v = () => new Map(stateVersions(s).keys);
    const before = v();
    applyEventTracked(s, event(2, 'put', { who: 'b' }), apply);
    const after = v();
    expect(after.get('box/b')).toBeGreaterThan(0);
    expect(after.get('box/a')).toBe(before.get('box/a'));
    expect(after.get('box')).toBeGreaterThan(before.get('box')!);

    const reads = new Set<PropertyKey>();
    noteAccesses(reads, () => readingSubKeys('box', ['box/a'], () => (s as unknown as Demo).box));
    // Read through the untracked object here: nothing noted; through the tracked one below.
    expect([...reads]).toEqual([]);
  });

  it('whileUnchanged recomputes only when a key or sub-key it read moved', () => {
    const s = { seq: 0, box: {}, other: 0 } as unknown as SessionState;
    let runs = 0;
    const count = () =>
      whileUnchanged(s, 'demo.a', (t) =>
        readingSubKeys('box', ['box/a'], () => {
          runs++;
          return { a: (t as unknown as Demo).box.a ?? 0 };
        }),
      );
    const outer = new Set<PropertyKey>();
    const first = noteAccesses(outer, count);
    expect(runs).toBe(1);
    // Its reads are noted for the caller as the sub-keys, never the whole key.
    expect([...outer].sort()).toEqual(['box/*', 'box/a']);
    applyEventTracked(s, event(1, 'put', { who: 'b' }), apply);
    applyEventTracked(s, event(2, 'bump', {}), apply);
    expect(count()).toBe(first);
    expect(runs).toBe(1);
    applyEventTracked(s, event(3, 'put', { who: 'a' }), apply);
    expect(count()).toEqual({ a: 1 });
    expect(runs).toBe(2);
    // The catch-all sub-key moves every reader.
    applyEventTracked(s, event(4, 'put', { who: 'all' }), apply);
    count();
    expect(runs).toBe(3);
  });

  it("viewJson composes a view that spreads a shared projection from the projection's parts, written exactly as JSON.stringify, again and again", () => {
    const s = { seq: 0, box: {}, other: 0 } as unknown as SessionState;
    const big = Array.from({ length: 200 }, (_, i) => ({ id: `S${i}`, label: `供应商${i}`, votes: [i, i + 1] }));
    const shared = whileUnchanged(s, 'demo.big', () => ({ phase: 'review', items: big, suppliers: big.slice(0, 50), members: 9 }));
    // Two audiences' views of it (a role adds a field), each composed from the parts' JSON; the parts
    // are then kept as slices of the first composed view (memory per room, issue 15): every later
    // composition must still write exactly what JSON.stringify writes.
    for (let round = 0; round < 3; round++)
      for (const extra of [{}, { canConclude: true, remaining: 3 }, { minimum: { ok: false, n: '二' } }]) {
        const v = { ...shared, ...extra };
        const j = viewJson(v)!;
        // Long JSON is held as its UTF-8 bytes (section-json.ts), in an allocation of its own.
        expect(j).toBeInstanceOf(Buffer);
        expect(jsonText(j)).toBe(JSON.stringify(v));
        expect(jsonText(viewJson(shared.items)!)).toBe(JSON.stringify(big));
        expect(jsonText(viewJson(shared.suppliers)!)).toBe(JSON.stringify(big.slice(0, 50)));
        // The parts are views of the composition's memory, not copies.
        expect((viewJson(shared.items) as Buffer).buffer).toBe((j as Buffer).buffer);
      }
    // Short JSON stays a string.
    expect(viewJson({ a: '二' })).toBe('{"a":"二"}');
  });
});
