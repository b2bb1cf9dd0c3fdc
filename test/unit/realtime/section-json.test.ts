import { describe, it, expect } from 'vitest';
import { createHash } from 'node:crypto';
import Decimal from 'decimal.js';
import { BYTES_MIN, PIECES_MIN, heldJson, jsonText, ownBytes, ownConcat } from '../../../server/realtime/section-json';
import { jsonDigest } from '../../../server/realtime/audiences';
import { viewJson } from '../../../server/realtime/state-keys';

// A section's JSON as the server holds it (issue 15: a cold server's views after a restart): encoded in
// one pass through a scratch buffer, long JSON encoded from its parts, digests in one call. Whatever the
// path, the bytes are exactly JSON.stringify's text as UTF-8 (a client's digest from before a restart
// must match the new process's).

/** A review-like value: suppliers × items × votes, Chinese labels, and everything JSON.stringify skips
 *  or rewrites (undefined, functions, symbols, toJSON, holes, -0, NaN, escapes, a lone surrogate). */
function big(suppliers: number) {
  const votes = (i: number) =>
    Array.from({ length: 9 }, (_, m) => ({ memberId: `M${m + 1}`, label: `专家 ${m + 1}`, pass: (i + m) % 3 !== 0, reason: m === 2 ? '资质证书过期\n"原件"未提供' : '', skipped: undefined, f: () => 1 }));
  const items = (s: number) => Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`Q${i}`, { pass: i, votes: votes(s + i), clarification: i === 3 ? { id: 'c', status: null } : null }]));
  const nullProto = Object.assign(Object.create(null) as Record<string, unknown>, { x: '无原型', y: [1, undefined, () => 2] });
  // eslint-disable-next-line no-sparse-arrays
  const holes = [1, , 3];
  return {
    phase: 'review',
    amount: new Decimal('12345.60'),
    at: new Date(0),
    odd: { neg: -0, nan: NaN, inf: Infinity, sym: Symbol('s'), lone: 'a\ud800b', esc: '\u2028\u0000' },
    nullProto,
    holes,
    [Symbol('hidden')]: 'never',
    suppliers: Array.from({ length: suppliers }, (_, s) => ({ id: `S${s + 1}`, label: `供应商${s + 1}有限公司`, items: items(s), toLater: undefined })),
  };
}

describe('section JSON (issue 15: the cold views of a restart)', () => {
  it('heldJson is exactly JSON.stringify as UTF-8, long JSON encoded from its parts (nested long parts too)', () => {
    for (const n of [0, 1, 3, 12, 40]) {
      const v = big(n);
      const text = JSON.stringify(v);
      const j = heldJson(v)!;
      expect(jsonText(j)).toBe(text);
      expect(typeof j === 'string').toBe(text.length < BYTES_MIN);
      if (typeof j !== 'string') expect(j.equals(Buffer.from(text))).toBe(true);
    }
    // Long enough that the suppliers' list, and the whole, are taken apart.
    expect(JSON.stringify(big(40).suppliers).length).toBeGreaterThan(PIECES_MIN);
    // A long array whose items are long themselves, an array of long strings, a long string alone.
    const nested = [big(12), big(12), 'x'.repeat(PIECES_MIN), undefined, null];
    expect(jsonText(heldJson(nested)!)).toBe(JSON.stringify(nested));
    expect(jsonText(heldJson({ a: '中'.repeat(PIECES_MIN), b: ['文'.repeat(PIECES_MIN)] })!)).toBe(JSON.stringify({ a: '中'.repeat(PIECES_MIN), b: ['文'.repeat(PIECES_MIN)] }));
    // Lists inside a long JSON, written item by item when short (issue 15): what JSON.stringify makes of
    // undefined, functions and symbols in a list, a list too long for that, an empty one, a list of lists.
    const lists = { pad: '文'.repeat(PIECES_MIN), few: [undefined, () => 1, Symbol('s'), big(1), -0, [[], [null]]], many: Array.from({ length: 300 }, (_, i) => ({ i })), none: [], last: [big(3)] };
    expect(jsonText(heldJson(lists)!)).toBe(JSON.stringify(lists));
    expect(heldJson(undefined)).toBeUndefined();
    expect(heldJson(() => 1)).toBeUndefined();
    // And through viewJson, the path every section takes.
    expect(jsonText(viewJson(big(40))!)).toBe(JSON.stringify(big(40)));
  });

  it('ownBytes and ownConcat are the UTF-8 of the text, whatever its length (the scratch buffer grows and is reused)', () => {
    const texts = ['', 'a', '二', 'a\ud800b', '中文'.repeat(20_000), 'x'.repeat(70_000), '{"k":"值"}'.repeat(50), '😀'.repeat(5)];
    for (const t of texts) expect(ownBytes(t).equals(Buffer.from(t))).toBe(true);
    const parts = ['{"a":', Buffer.from('"二"'), ',"b":', ownBytes('文'.repeat(3000)), '}'];
    expect(ownConcat(parts).toString()).toBe(`{"a":"二","b":${'文'.repeat(3000)}}`);
    // Own allocations, not views of the scratch buffer: a later encoding does not change an earlier one.
    const first = ownBytes('第一');
    ownBytes('второй');
    expect(first.toString()).toBe('第一');
  });

  it('a digest is SHA-256 of the UTF-8, the same from the string or the bytes', () => {
    for (const t of ['{"a":1}', '{"a":"二"}', JSON.stringify(big(3))]) {
      const expected = createHash('sha256').update(Buffer.from(t)).digest('base64url').slice(0, 22);
      expect(jsonDigest(t)).toBe(expected);
      expect(jsonDigest(Buffer.from(t))).toBe(expected);
    }
  });
});
