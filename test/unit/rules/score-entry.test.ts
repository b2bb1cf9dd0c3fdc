// validateScore (shared/rules/score-entry.ts): every factor kind, count tiers at their edges,
// gates, the deduction floor, the per-unit cap, and the refusals of docs/anomaly.md R0.
import { describe, expect, it } from 'vitest';
import { scoreValidator, validateScore, type ScoreInput } from '../../../shared/rules/score-entry';
import { loadTemplate } from '../../../shared/domain/rubric/templates';
import { findFactor, scoredLeaves } from '../../../shared/domain/rubric/index';
import type { Factor } from '../../../shared/domain/rubric/types';

const s000 = loadTemplate('seed000');
const s003 = loadTemplate('seed003');
const s004 = loadTemplate('seed004');
const f = (r: typeof s000, id: string): Factor => findFactor(r, id) as Factor;

function pts(factor: Factor, input: ScoreInput): string {
  const r = validateScore(factor, input);
  if (!r.ok) throw new Error(r.error.en);
  return r.points.toString();
}
function refused(factor: Factor, input: ScoreInput) {
  const r = validateScore(factor, input);
  expect(r.ok).toBe(false);
  if (r.ok) throw new Error('accepted');
  return r;
}

describe('discrete_levels', () => {
  const f7 = f(s003, '7');
  it('accepts the allowed values only', () => {
    for (const v of ['12', '8', '5', '2', '0', 12, 8, '8.00']) expect(pts(f7, v)).toBe(String(Number(v)));
  });
  it('gives the R0 message of anomaly.md', () => {
    const r = refused(f7, '10');
    expect(r.error.zh).toBe('分项评分超出评分标准范围：「道路尘负荷监测服务」只允许 12/8/5/2/0 分，您输入了 10。');
    expect(r.allowed).toEqual({ zh: '12/8/5/2/0 分', en: '12/8/5/2/0 points' });
    expect(r.error.en).toContain('12/8/5/2/0');
  });
  it('seed 000 "X分及以下" allows every whole number below', () => {
    const f24 = f(s000, '2.4');
    for (const v of ['8', '6', '4', '2', '1', '0']) expect(pts(f24, v)).toBe(v);
    refused(f24, '3');
    refused(f24, '1.5');
  });
});

describe('malformed values', () => {
  const f7 = f(s003, '7');
  it.each([
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['-Infinity', Number.NEGATIVE_INFINITY],
    ['exponent', '8e0'],
    ['exponent upper', '1E1'],
    ['full-width', '８'],
    ['comma', '1,2'],
    ['text', 'eight'],
    ['empty', ''],
    ['plus sign', '+8'],
    ['hex', '0x8'],
    ['trailing dot', '8.'],
  ])('refuses %s', (_n, v) => {
    const r = refused(f7, v as ScoreInput);
    expect(r.error.zh).toContain('道路尘负荷监测服务');
    expect(r.allowed.zh).toBe('12/8/5/2/0 分');
  });
  it('refuses negative values as out of range', () => {
    expect(refused(f7, '-2').error.zh).toContain('您输入了 -2');
    refused(f7, -8);
  });
  it('refuses input shapes of another kind', () => {
    refused(f7, { yes: true });
    refused(f7, { count: 3 });
    refused(f7, { unmet: 1 });
    refused(f7, { items: [true] });
  });
});

describe('range_bands (seed 004 二.1: 21–25 / 16–20 / 10–15 / 0)', () => {
  const b = f(s004, '二.1');
  it('accepts values inside a band on whole points', () => {
    for (const v of ['25', '21', '20', '16', '15', '10', '0']) expect(pts(b, v)).toBe(v);
  });
  it('refuses gaps, fractions and values above the max', () => {
    for (const v of ['5', '9', '26', '22.5', '0.5']) refused(b, v);
    expect(refused(b, '9').allowed.zh).toBe('21–25/16–20/10–15/0 分（步长 1 分）');
  });
  it('honours a step of 0.5', () => {
    const half = { ...b, step: '0.5' };
    expect(pts(half, '22.5')).toBe('22.5');
    refused(half, '22.25');
    refused(half, '22.50001');
  });
});

describe('range', () => {
  const r: Factor = { ...f(s004, '二.1'), id: 'X', name_zh: '售后服务', kind: 'range', bands: null, max_points: 8, allowed_range: [0, 8], step: '0.5' };
  it('accepts values in allowed_range on the step', () => {
    for (const v of ['0', '0.5', '6.5', '8']) expect(pts(r, v)).toBe(v);
  });
  it('refuses values off the step, with too many decimals, or out of range', () => {
    for (const v of ['6.3', '6.25', '8.5', '9']) refused(r, v);
    expect(refused(r, '6.3').allowed.zh).toBe('0–8 分（步长 0.5 分）');
  });
});

describe('count_based', () => {
  it('seed 000 1.2.3 tiers at their edges', () => {
    const c = f(s000, '1.2.3');
    const expected: [number, string][] = [
      [0, '0'], [9, '0'], [10, '1'], [39, '1'], [40, '2'], [69, '2'], [70, '4'], [99, '4'], [100, '6'], [1000, '6'],
    ];
    for (const [n, p] of expected) {
      const r = validateScore(c, { count: n, gate: true });
      expect(r.ok && r.points.toString()).toBe(p);
      expect(r.ok && r.count).toBe(n);
    }
  });
  it('seed 000 1.2.3 gate not met scores 0', () => {
    const r = validateScore(f(s000, '1.2.3'), { count: 150, gate: false });
    expect(r.ok && r.points.toString()).toBe('0');
    expect(r.ok && r.detail?.zh).toContain('活动类型齐全');
  });
  it('a count outside every tier is refused (R0): seed 000 1.2.2 has no tier above 9', () => {
    const c = f(s000, '1.2.2');
    expect(pts(c, { count: 6 })).toBe('6');
    expect(pts(c, { count: 5 })).toBe('3');
    expect(pts(c, { count: 2 })).toBe('0');
    const r = refused(c, { count: 10 });
    expect(r.error.zh).toContain('计数 10 不在任何档次内');
  });
  it('seed 003 factor 2: 2 per contract, capped at 10', () => {
    const c = f(s003, '2');
    expect(pts(c, { count: 0 })).toBe('0');
    expect(pts(c, { count: 4 })).toBe('8');
    expect(pts(c, { count: 5 })).toBe('10');
    expect(pts(c, { count: 12 })).toBe('10');
    const r = validateScore(c, { count: 7 });
    expect(r.ok && r.detail?.zh).toContain('上限 10');
  });
  it('points given directly are checked against allowed_values', () => {
    const c = f(s003, '2');
    expect(pts(c, '6')).toBe('6');
    expect(refused(c, '5').allowed.zh).toBe('10/8/6/4/2/0 分');
  });
  it('refuses bad counts', () => {
    const c = f(s003, '2');
    refused(c, { count: -1 });
    refused(c, { count: 2.5 });
    refused(c, { count: Number.NaN });
  });
  it('checklist (seed 004 二.2): items provided, or the points', () => {
    const c = f(s004, '二.2');
    expect(pts(c, { items: [true, true, true, true, true, true] })).toBe('15');
    expect(pts(c, { items: [true, false, false, true, false, false] })).toBe('5');
    refused(c, { items: [true] });
    refused(c, { count: 3 });
    expect(pts(c, '13')).toBe('13');
    refused(c, '14');
    refused(c, '1');
  });
});

describe('yes_no', () => {
  it('seed 003 factor 13 (0.5 or 0)', () => {
    const y = f(s003, '13');
    expect(pts(y, { yes: true })).toBe('0.5');
    expect(pts(y, { yes: false })).toBe('0');
    expect(pts(y, '0.5')).toBe('0.5');
    refused(y, '1');
    refused(y, '0.25');
  });
});

describe('deduction (seed 004 三.1: 5 − 1 per unmet item, floor 0)', () => {
  const d = f(s004, '三.1');
  it('derives points from unmet items and floors them', () => {
    expect(pts(d, { unmet: 0 })).toBe('5');
    expect(pts(d, { unmet: 2 })).toBe('3');
    expect(pts(d, { unmet: 5 })).toBe('0');
    expect(pts(d, { unmet: 7 })).toBe('0');
    const r = validateScore(d, { unmet: 7 });
    expect(r.ok && r.detail?.zh).toContain('扣完为止');
  });
  it('accepts the points directly when allowed', () => {
    expect(pts(d, '4')).toBe('4');
    refused(d, '4.5');
    refused(d, '6');
    refused(d, { unmet: -1 });
  });
});

describe('computed factors refuse input', () => {
  it('price_formula and composite', () => {
    expect(refused(f(s003, '1'), '10').error.zh).toContain('由系统计算');
    expect(refused(f(s000, '2.2'), '30').error.zh).toContain('组合因素');
  });
});

// The scoring handlers keep one validator per rubric for as long as the rubric lives
// (server/scoring/handlers.ts): it must judge exactly as validateScore does, and with `remember: false`
// keep no result of what was typed (the entries members type are unbounded).
describe('a validator kept with its rubric', () => {
  const inputs: ScoreInput[] = ['8', 8, '8.0', '7.5', '-1', 'abc', '', 100, '12'];
  it('judges every entry as validateScore does, remembering or not', () => {
    for (const rubric of [s000, s003, s004])
      for (const remember of [true, false]) {
        const v = scoreValidator({ remember });
        for (const factor of scoredLeaves(rubric))
          for (const input of inputs) expect(JSON.stringify(v(factor, input))).toBe(JSON.stringify(validateScore(factor, input)));
      }
  });

  it('with remember: false gives a new result for each entry, so nothing typed is kept', () => {
    const factor = scoredLeaves(s003)[0];
    const kept = scoreValidator();
    expect(kept(factor, '8')).toBe(kept(factor, '8'));
    const fresh = scoreValidator({ remember: false });
    expect(fresh(factor, '8')).not.toBe(fresh(factor, '8'));
  });
});
