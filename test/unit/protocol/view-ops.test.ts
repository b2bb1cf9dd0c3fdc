import { describe, expect, it } from 'vitest';
import { diffSection, settledView } from '../../../server/realtime/view-diff';
import { appliedOps, ViewReplica } from '../../../shared/protocol/view-sync';
import { rng } from '../../bench/lib';

// Path-level patches (issue 15): the ops the server computes for a big section, applied by the client's
// ViewReplica, give exactly the JSON of the new section (key order included), and send only what changed.

const json = (v: unknown) => JSON.stringify(v);

/** Applies diffSection's ops (through JSON, as the wire does) and returns the section's JSON, or null if sent whole. */
function roundTrip(held: unknown, next: unknown): { out: string; ops: unknown[] } | null {
  const plain = JSON.parse(json(held));
  const ops = diffSection('x', plain, next);
  if (!ops) return null;
  const after = appliedOps({ x: plain }, JSON.parse(json(ops)));
  expect(after).not.toBeNull();
  return { out: json(after!.x), ops };
}

/** A thousand sections made by `gen` and edited by `mutate`: every one sent as ops (most are) rebuilds
 *  exactly the edited section's JSON. */
function expectRandomEditsRebuilt(gen: (depth: number) => unknown, mutate: (v: unknown, depth: number) => unknown): void {
  let patched = 0;
  for (let i = 0; i < 1000; i++) {
    const held = { root: gen(0), pad: 'p' };
    const next = { root: mutate(held.root, 0), pad: 'p' };
    const r = roundTrip(held, next);
    if (!r) continue;
    patched++;
    expect(r.out).toBe(json(next));
  }
  expect(patched).toBeGreaterThan(500);
}

describe('path-level patches', () => {
  it('sends a changed leaf deep in a big section as one op', () => {
    const held = { suppliers: Array.from({ length: 10 }, (_, i) => ({ id: `S${i}`, items: { a: { votes: [] as unknown[], pass: 0 } } })) };
    const next = structuredClone(held);
    next.suppliers[3].items.a.pass = 1;
    const r = roundTrip(held, next)!;
    expect(r.out).toBe(json(next));
    expect(r.ops).toEqual([{ p: ['x', 'suppliers', 3, 'items', 'a', 'pass'], v: 1 }]);
  });

  it('sends an append-only list (the log tail) as its new entries, dropping the oldest', () => {
    const tail = Array.from({ length: 40 }, (_, i) => ({ seq: i + 1, type: 't', hash: `h${i}` }));
    const held = { head: 'h39', seq: 40, tail };
    const next = { head: 'h41', seq: 42, tail: [...tail.slice(2), { seq: 41, type: 't', hash: 'h40' }, { seq: 42, type: 't', hash: 'h41' }] };
    const r = roundTrip(held, next)!;
    expect(r.out).toBe(json(next));
    expect(r.ops).toContainEqual({ p: ['x', 'tail'], w: [2, [next.tail[38], next.tail[39]]] });
    expect(json(r.ops).length).toBeLessThan(json(next).length / 5);
  });

  it('does not walk a settled object the new section still holds where the held one had it', () => {
    const sheets = Array.from({ length: 10 }, (_, i) => settledView({ entries: settledView({ a: { points: String(i) } }), submittedAt: null as number | null }));
    const prev = { mine: Object.fromEntries(sheets.map((x, i) => [`S${i}`, x])) };
    const held = JSON.parse(json(prev));
    // One sheet changes: a new settled object. The others are the very objects of the previous value.
    const next = { mine: { ...prev.mine, S4: settledView({ entries: settledView({ a: { points: '9' } }), submittedAt: 1 }) } };
    const ops = diffSection('x', held, next, prev)!;
    expect(ops).toEqual([
      { p: ['x', 'mine', 'S4', 'entries', 'a', 'points'], v: '9' },
      { p: ['x', 'mine', 'S4', 'submittedAt'], v: 1 },
    ]);
    expect(json(appliedOps({ x: held }, ops)!.x)).toBe(json(next));
    // The proof that a settled object is skipped: held differs from it (it never would in the room), and
    // no op is made for it; an object that is not settled is walked and its difference sent.
    const stale = JSON.parse(json(prev));
    stale.mine.S2.entries.a.points = 'stale';
    expect(diffSection('x', stale, next, prev)!.some((o) => o.p.includes('S2'))).toBe(false);
    const loose = { mine: { ...prev.mine, S2: { entries: { a: { points: '2' } }, submittedAt: null } } };
    expect(diffSection('x', stale, loose, { mine: { ...prev.mine, S2: loose.mine.S2 } })).toContainEqual({ p: ['x', 'mine', 'S2', 'entries', 'a', 'points'], v: '2' });
    // Without the previous value, everything is walked.
    expect(diffSection('x', stale, next)!.some((o) => o.p.includes('S2'))).toBe(true);
  });

  it('keeps key order: a key added in the middle replaces its object, one added last is appended', () => {
    const held = { a: 1, c: 3, big: 'x'.repeat(50) };
    const middle = { a: 1, b: 2, c: 3, big: 'x'.repeat(50) };
    const r1 = roundTrip({ o: held }, { o: middle })!;
    expect(r1.out).toBe(json({ o: middle }));
    const last = { a: 1, c: 3, big: 'x'.repeat(50), d: 4 };
    const r2 = roundTrip({ o: held }, { o: last })!;
    expect(r2.out).toBe(json({ o: last }));
    expect(r2.ops).toEqual([{ p: ['x', 'o', 'd'], v: 4 }]);
  });

  it('writes undefined, NaN and toJSON values as JSON does', () => {
    const held = { a: 1, b: 2, list: [1, 2, 3], when: '2020-01-01T00:00:00.000Z' };
    const next = { a: undefined, b: Number.NaN, list: [1, undefined, 3], when: new Date('2021-01-01T00:00:00.000Z'), f: () => 1 };
    const r = roundTrip(held, next)!;
    expect(r.out).toBe(json(next));
  });

  it('rebuilds random edits exactly (a thousand seeded cases)', () => {
    const rand = rng(15);
    const gen = (depth: number): unknown => {
      const r = rand();
      if (depth > 3 || r < 0.3) return r < 0.1 ? null : r < 0.2 ? Math.floor(rand() * 5) : `v${Math.floor(rand() * 4)}`;
      if (r < 0.6) return Array.from({ length: Math.floor(rand() * 5) }, () => gen(depth + 1));
      const o: Record<string, unknown> = {};
      for (let i = 0; i < Math.floor(rand() * 5); i++) o[`k${Math.floor(rand() * 6)}`] = gen(depth + 1);
      return o;
    };
    const mutate = (v: unknown, depth: number): unknown => {
      if (rand() < 0.15) return gen(depth);
      if (Array.isArray(v)) {
        const out = v.map((x) => mutate(x, depth + 1));
        if (rand() < 0.2) out.push(gen(depth + 1));
        if (rand() < 0.2) out.shift();
        return out;
      }
      if (v && typeof v === 'object') {
        const out: Record<string, unknown> = {};
        for (const [k, x] of Object.entries(v)) if (rand() > 0.1) out[k] = mutate(x, depth + 1);
        if (rand() < 0.2) out[`k${Math.floor(rand() * 8)}`] = gen(depth + 1);
        return out;
      }
      return v;
    };
    expectRandomEditsRebuilt(gen, mutate);
  });

  it('rebuilds random edits exactly where keys move, vanish as undefined or hold NaN and dates (a thousand seeded cases)', () => {
    const rand = rng(16);
    const leaf = (): unknown => {
      const r = rand();
      return r < 0.1 ? undefined : r < 0.2 ? Number.NaN : r < 0.3 ? new Date(Date.UTC(2026, 0, 1 + Math.floor(rand() * 3))) : r < 0.6 ? Math.floor(rand() * 5) : `v${Math.floor(rand() * 4)}`;
    };
    const gen = (depth: number): unknown => {
      const r = rand();
      if (depth > 3 || r < 0.3) return leaf();
      if (r < 0.5) return Array.from({ length: Math.floor(rand() * 5) }, () => gen(depth + 1));
      const o: Record<string, unknown> = {};
      for (let i = 0; i < Math.floor(rand() * 6); i++) o[`k${Math.floor(rand() * 6)}`] = gen(depth + 1);
      return o;
    };
    const mutate = (v: unknown, depth: number): unknown => {
      if (rand() < 0.1) return gen(depth);
      if (Array.isArray(v)) return v.map((x) => mutate(x, depth + 1));
      if (v && typeof v === 'object' && !(v instanceof Date)) {
        const kept = Object.entries(v).filter(() => rand() > 0.1);
        // Sometimes two keys trade places, sometimes a value becomes undefined (JSON leaves the key out).
        if (kept.length > 1 && rand() < 0.2) kept.push(kept.splice(Math.floor(rand() * kept.length), 1)[0]);
        const out: Record<string, unknown> = {};
        for (const [k, x] of kept) out[k] = rand() < 0.1 ? undefined : mutate(x, depth + 1);
        if (rand() < 0.2) out[`k${Math.floor(rand() * 8)}`] = gen(depth + 1);
        return out;
      }
      return v;
    };
    expectRandomEditsRebuilt(gen, mutate);
  });

  it('a replica applies a patch with ops, and refuses one whose path it does not hold', () => {
    const r = new ViewReplica();
    r.snapshot({ epoch: 'e', seq: 1, serverTime: 0, channels: { role: { version: 5, seq: 1, json: json({ review: { suppliers: [{ id: 'S1', n: 0 }] }, other: { keep: true } }) } } });
    const other = r.view.other;
    expect(r.patch({ ch: 'role', seq: 2, base: 5, version: 6, serverTime: 0, set: {}, del: [], ops: [{ p: ['review', 'suppliers', 0, 'n'], v: 1 }] })).toBe(true);
    expect(r.view).toEqual({ review: { suppliers: [{ id: 'S1', n: 1 }] }, other: { keep: true } });
    expect(r.view.other).toBe(other); // an unchanged section is the same object
    expect(r.patch({ ch: 'role', seq: 3, base: 6, version: 7, serverTime: 0, set: {}, del: [], ops: [{ p: ['nope', 'a'], v: 1 }] })).toBe(false);
  });
});
