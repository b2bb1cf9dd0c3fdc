import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../../server/store/canonical';
import { rng } from '../../bench/lib';

// The hash chain's canonical JSON must never change: every stored event's hash was computed from it.
// The module now appends its text (issue 15: fewer allocations per command); this is how it first wrote
// arrays and objects, kept to compare with (strings, numbers, booleans and null it writes as it did).
function firstForm(v: unknown): string {
  if (v === null || typeof v !== 'object') return canonicalJson(v);
  if (Array.isArray(v)) return '[' + v.map((x) => (x === undefined ? 'null' : firstForm(x))).join(',') + ']';
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o).filter((k) => o[k] !== undefined).sort();
  return '{' + keys.map((k) => JSON.stringify(k) + ':' + firstForm(o[k])).join(',') + '}';
}

const WORDS = ['a', 'b', 'B', '10', '2', '', 'é', '评分', '供应商', 'z\u0000', 'q"uote', 'back\\slash', '\ud83d\ude00', 'line\nbreak', '__proto_', 'constructor'];

function value(r: () => number, depth: number): unknown {
  const k = Math.floor(r() * (depth > 3 ? 6 : 9));
  switch (k) {
    case 0:
      return null;
    case 1:
      return r() < 0.5;
    case 2:
      return [0, -0, 1, -1, 0.5, 1e21, 123456789.125, -3.75e-7][Math.floor(r() * 8)];
    case 3:
      return WORDS[Math.floor(r() * WORDS.length)] + (r() < 0.3 ? String(Math.floor(r() * 100)) : '');
    case 4:
      return undefined;
    case 5:
      return '0.' + String(Math.floor(r() * 1e6)).padStart(6, '0');
    case 6:
    case 7: {
      const o: Record<string, unknown> = {};
      const n = Math.floor(r() * 6);
      for (let i = 0; i < n; i++) o[WORDS[Math.floor(r() * WORDS.length)] + (r() < 0.4 ? String(i) : '')] = value(r, depth + 1);
      return o;
    }
    default: {
      const n = Math.floor(r() * 5);
      return Array.from({ length: n }, () => value(r, depth + 1));
    }
  }
}

describe('canonical JSON: the same text as its first form', () => {
  it('over 20,000 random values (sorted keys, undefined members dropped, undefined items as null, escapes)', () => {
    const r = rng(20261207);
    let objects = 0;
    for (let i = 0; i < 20_000; i++) {
      const v = { payload: value(r, 0), seq: i, ts: 1765100000000 + i, sender: 'M1' };
      expect(canonicalJson(v)).toBe(firstForm(v));
      if (JSON.stringify(v.payload)?.startsWith('{')) objects++;
    }
    expect(objects).toBeGreaterThan(2_000);
  });

  it('keeps the examples it has always given, and refuses what cannot be hashed', () => {
    expect(canonicalJson({ b: 1, a: [1, { d: 'x', c: undefined }, undefined] })).toBe('{"a":[1,{"d":"x"},null],"b":1}');
    expect(canonicalJson({ 评分: '1.50', B: true, a: null, '10': 0, '2': -0 })).toBe('{"10":0,"2":0,"B":true,"a":null,"评分":"1.50"}');
    expect(canonicalJson({})).toBe('{}');
    expect(canonicalJson([])).toBe('[]');
    expect(canonicalJson({ x: undefined })).toBe('{}');
    // A key JSON.parse makes an own property, as any other.
    const proto = JSON.parse('{"b":1,"__proto__":{"x":true},"a":[2]}');
    expect(canonicalJson(proto)).toBe('{"__proto__":{"x":true},"a":[2],"b":1}');
    expect(canonicalJson(proto)).toBe(firstForm(proto));
    // A hole is written as JSON.stringify stores it (null), so that the text is the same before and after
    // the value is stored and read back.
    // eslint-disable-next-line no-sparse-arrays
    const holes = [1, , 2];
    expect(canonicalJson({ holes })).toBe('{"holes":[1,null,2]}');
    expect(canonicalJson({ holes })).toBe(canonicalJson(JSON.parse(JSON.stringify({ holes }))));
    expect(() => canonicalJson({ a: [Number.NaN] })).toThrow(TypeError);
    expect(() => canonicalJson({ a: -Infinity })).toThrow(TypeError);
    expect(() => canonicalJson({ a: () => 1 })).toThrow(TypeError);
    expect(() => canonicalJson({ a: 1n })).toThrow(TypeError);
  });
});
