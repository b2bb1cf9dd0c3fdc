import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { D } from '../../../shared/rules/decimal';
import { priceScores, priceScoreExplanation } from '../../../shared/rules/price-score';

const ten = new D(10);
const ev = (o: Record<string, string>) => Object.entries(o).map(([id, p]) => ({ id, price: new D(p) }));

describe('priceScores (000 L437; 003 L766; 004 L1193)', () => {
  it('base = the lowest evaluated price, which scores full marks', () => {
    const r = priceScores(ev({ A: '1242000', B: '1200000', C: '1500000' }), ten, 2);
    expect(r.base!.toString()).toBe('1200000');
    expect(r.scores.B.toString()).toBe('10');
    expect(r.scores.A.toString()).toBe('9.66');
    expect(r.scores.C.toString()).toBe('8');
    const e = priceScoreExplanation(r.base!, new D('1242000'), ten, r.scores.A);
    expect(e.zh).toBe('价格分 = 评审基准价 1,200,000.00 ÷ 评审价 1,242,000.00 × 10 = 9.66');
    expect(e.en).toBe('Price score = base price 1,200,000.00 ÷ evaluated price 1,242,000.00 × 10 = 9.66');
  });

  it('rounds an exact x.xx5 half-up (not to even, not by binary floating point)', () => {
    // 1,070 / 1,600 × 10 = 6.6875 → 6.69; 1,337 / 2,000 × 10 = 6.685 → 6.69; 535 / 800 × 30 = 20.0625 → 20.06
    expect(priceScores(ev({ A: '1070', B: '1600' }), ten, 2).scores.B.toString()).toBe('6.69');
    expect(priceScores(ev({ A: '1337', B: '2000' }), ten, 2).scores.B.toString()).toBe('6.69');
    expect(priceScores(ev({ A: '1.005', B: '10' }), ten, 2).scores.B.toString()).toBe('1.01');
    expect(priceScores(ev({ A: '2.675', B: '10' }), ten, 2).scores.B.toString()).toBe('2.68');
    // seed 004: × 30 % × 100 = weight 30
    expect(priceScores(ev({ A: '535', B: '800' }), new D(30), 2).scores.B.toString()).toBe('20.06');
    expect(priceScores(ev({ A: '1', B: '3' }), ten, 2).scores.B.toString()).toBe('3.33');
    expect(priceScores(ev({ A: '2', B: '3' }), ten, 2).scores.B.toString()).toBe('6.67');
  });

  it('handles no suppliers and refuses a price ≤ 0', () => {
    expect(priceScores([], ten, 2)).toEqual({ base: null, scores: {} });
    expect(() => priceScores(ev({ A: '0' }), ten, 2)).toThrow(RangeError);
  });

  it('uses the exact evaluated price (after deductions, unrounded)', () => {
    const r = priceScores(ev({ A: '1117800.045', B: '1242000.05' }), ten, 2);
    expect(r.scores.A.toString()).toBe('10');
    expect(r.scores.B.toString()).toBe('9');
  });

  const price = fc.bigInt({ min: 1n, max: 99999999999999n }).map((f) => new D(f.toString()).div(100));
  const weight = fc.constantFrom('10', '30', '100', '7.5').map((w) => new D(w));

  it('property: every score is in [0, weight]; the base scores exactly the weight', () => {
    fc.assert(
      fc.property(fc.array(price, { minLength: 1, maxLength: 10 }), weight, (ps, w) => {
        const r = priceScores(ps.map((p, i) => ({ id: `S${i}`, price: p })), w, 2);
        return Object.values(r.scores).every((s) => s.gte(0) && s.lte(w)) && ps.some((p, i) => p.eq(r.base!) && r.scores[`S${i}`].eq(w));
      }),
    );
  });

  it('property: a lower evaluated price never gets a lower price score', () => {
    fc.assert(
      fc.property(fc.array(price, { minLength: 2, maxLength: 10 }), weight, fc.integer({ min: 0, max: 4 }), (ps, w, places) => {
        const r = priceScores(ps.map((p, i) => ({ id: `S${i}`, price: p })), w, places);
        return ps.every((a, i) => ps.every((b, j) => !a.lt(b) || r.scores[`S${i}`].gte(r.scores[`S${j}`])));
      }),
    );
  });
});
