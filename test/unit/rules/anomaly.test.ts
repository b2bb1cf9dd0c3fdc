// The worked examples of docs/anomaly.md (Ex. 1–5 and 7), reproduced exactly.
import { describe, expect, it } from 'vitest';
import { dec, fixed, type Dec } from '../../../shared/rules/decimal';
import type { Flag } from '../../../shared/rules/types';
import { detectAnomalies, tendency, type AnomalyInput } from '../../../shared/rules/anomaly/index';
import {
  EXAMPLE_MEMBERS,
  EXAMPLE_PRICE_SCORES,
  EXAMPLE_SUPPLIERS,
  exampleRubric,
  exampleScores,
} from '../../../shared/rules/anomaly/example';
import { finalScores, firstRanked, memberTotal, whatIf, type TotalsInput } from '../../../shared/rules/anomaly/what-if';

const labels = Object.fromEntries(EXAMPLE_MEMBERS.map((m) => [m, `专家${m.slice(1)}`]));

function example(fixedEx1 = true, over: Partial<AnomalyInput> = {}): AnomalyInput {
  const { scores, evidence } = exampleScores(fixedEx1);
  return {
    rubric: exampleRubric(),
    preset: 'standard',
    members: EXAMPLE_MEMBERS,
    suppliers: EXAMPLE_SUPPLIERS,
    memberLabels: labels,
    scores,
    evidence,
    priceScores: EXAMPLE_PRICE_SCORES,
    ...over,
  };
}

const key = (f: Flag) => [f.rule, f.member ?? '-', f.supplier ?? '-', f.factor ?? '-'].join('·');
const of = (flags: Flag[], rule: Flag['rule']) => flags.filter((f) => f.rule === rule);
const find = (flags: Flag[], rule: Flag['rule'], m: string | null, s: string | null, f: string | null) =>
  flags.find((x) => x.rule === rule && x.member === m && x.supplier === s && x.factor === f);

function totalsInput(input: AnomalyInput): TotalsInput {
  return {
    members: input.members,
    suppliers: input.suppliers,
    leafIds: ['F1', 'F2', 'F3', 'F4'],
    scores: input.scores,
    priceScores: input.priceScores,
    places: 2,
  };
}

describe('anomaly.md Ex. 1 — R2 objective inconsistency (BLOCK)', () => {
  it('flags M4 on B·F4 (8 points against 10), blocking, with the evidence side by side', () => {
    const flags = detectAnomalies(example(false));
    const r2 = of(flags, 'R2');
    expect(r2.map(key)).toEqual(['R2·M4·B·F4']);
    expect(r2[0].severity).toBe('block');
    expect(r2[0].inputs).toMatchObject({ x: '8', others: ['10', '10', '10', '10'], majority: '10', evidence: '4' });
    expect(r2[0].message.zh).toBe(
      '客观评审因素评分不一致：「类似业绩」供应商B——专家1/2/3/5：10分（5项），专家4：8分（4项）。客观分须一致，请核对证明材料后修改，并填写理由。',
    );
    expect(r2[0].whatIf).toBeUndefined();
  });

  it('after M4 corrects to 10 ("漏计一项合同") nothing is flagged under R2', () => {
    expect(of(detectAnomalies(example(true)), 'R2')).toEqual([]);
  });
});

describe('anomaly.md Ex. 2 — R3 item flags (ref = median of others)', () => {
  const flags = detectAnomalies(example());
  const r3 = of(flags, 'R3');

  it('flags exactly B·F1·M5, B·F2·M5 and B·F3·M5', () => {
    expect(r3.map(key)).toEqual(['R3·M5·B·F1', 'R3·M5·B·F2', 'R3·M5·B·F3']);
    expect(r3.every((f) => f.severity === 'review' && f.threshold === '0.30')).toBe(true);
  });

  it.each([
    ['F1', { x: '12', others: ['21', '22', '22', '23'], ref: '22', d: '-10', ratio: '-0.3333', grades: '2' }],
    ['F2', { x: '2', others: ['8', '8', '8', '12'], ref: '8', d: '-6', ratio: '-0.5000', grades: '2' }],
    ['F3', { x: '3', others: ['6', '6', '6', '6.5'], ref: '6', d: '-3', ratio: '-0.3750', grades: null }],
  ])('B·%s·M5 has the inputs of the table', (f, inputs) => {
    expect(find(flags, 'R3', 'M5', 'B', f)?.inputs).toMatchObject(inputs);
  });

  it.each([
    ['M3', 'A', 'F2'], // +4, +33 %, 1 grade: one-grade disagreement is normal judgement
    ['M5', 'C', 'F1'], // +5, 16.7 %, 1 grade
    ['M5', 'C', 'F2'], // +4, 33 %, 1 grade
    ['M5', 'C', 'F3'], // +2, 25 %
  ])('does not flag %s·%s·%s', (m, s, f) => {
    expect(find(flags, 'R3', m, s, f)).toBeUndefined();
  });

  it('writes the message of anomaly.md "Messages" (R3)', () => {
    expect(find(flags, 'R3', 'M5', 'B', 'F1')?.message.zh).toBe(
      '评分偏离提示（待复核）：您对供应商B「技术方案」评 12 分（0–15档）；其他 4 位专家为 21、22、22、23 分（中位数 22，21–25档），相差 10 分，占该项满分的 33%，跨 2 个档次。请选择「修改评分」或「维持并说明理由」。本提示及处理结果将记入评审报告。',
    );
    expect(find(flags, 'R3', 'M5', 'B', 'F1')?.message.en).toContain('2 grades apart');
  });
});

describe('anomaly.md Ex. 3 — R4 subtotals (subjective maximum 50)', () => {
  const flags = detectAnomalies(example());
  const r4 = of(flags, 'R4');

  it('flags B·M5 (17 against 36.5, −39 %) and C·M5 (49 against 38.25, +21.5 %) and nothing else', () => {
    expect(r4.map(key)).toEqual(['R4·M5·B·-', 'R4·M5·C·-']);
    expect(r4[0].inputs).toMatchObject({ x: '17', others: ['36', '36', '37', '39.5'], ref: '36.5', d: '-19.5', max: '50', ratio: '-0.3900', impact: '-4.03' });
    expect(r4[1].inputs).toMatchObject({ x: '49', ref: '38.25', d: '10.75', ratio: '0.2150', impact: '2.03' });
  });

  it('writes the message of anomaly.md "Messages" (R4)', () => {
    expect(r4[0].message.zh).toBe(
      '主观分合计偏离：供应商B 您的主观分合计 17，其他专家中位数 36.5，相差 19.5（主观满分 50 的 39%），影响该供应商最终得分 −4.03 分。',
    );
    expect(r4[1].message.zh).toContain('相差 10.75（主观满分 50 的 21.5%），影响该供应商最终得分 +2.03 分。');
  });

  it('C’s inflated scores escape every item-level rule but are caught by the subtotal rule', () => {
    expect(of(flags, 'R3').filter((f) => f.supplier === 'C')).toEqual([]);
  });
});

describe('anomaly.md Ex. 4 — R5 tendency for M5', () => {
  const input = example();
  const t = tendency(input);
  const flags = detectAnomalies(input);

  it('computes b, L and F as in the example', () => {
    expect(t.ratios.M5.B.map((q) => fixed(q.r, 3))).toEqual(['-0.333', '-0.500', '-0.375']);
    expect(t.ratios.M5.C.map((q) => fixed(q.r, 3))).toEqual(['0.167', '0.333', '0.250']);
    expect(fixed(t.b.M5.B, 3)).toBe('-0.403');
    expect(fixed(t.b.M5.C, 3)).toBe('0.250');
    expect(fixed(t.b.M5.A, 3)).toBe('0.000');
    expect(fixed(t.L.M5, 3)).toBe('-0.051');
    expect(fixed(t.F.M5.C, 2)).toBe('0.30');
    expect(fixed(t.F.M5.B, 2)).toBe('-0.35');
  });

  it('flags M5·C (+0.30, 3/3 positive) and M5·B (−0.35, 3/3 negative) only', () => {
    expect(of(flags, 'R5').map(key)).toEqual(['R5·M5·B·-', 'R5·M5·C·-']);
    expect(find(flags, 'R5', 'M5', 'C', null)?.inputs).toMatchObject({ F: '0.3009', sameDirection: 3, of: 3 });
    expect(find(flags, 'R5', 'M5', 'B', null)?.inputs).toMatchObject({ F: '-0.3519', sameDirection: 3, of: 3 });
  });

  it('no other member reaches |F| ≥ 0.20; the closest is M3·C at −0.136', () => {
    let closest: { m: string; s: string; F: Dec } | null = null;
    for (const m of EXAMPLE_MEMBERS.filter((x) => x !== 'M5')) {
      for (const s of EXAMPLE_SUPPLIERS) {
        const F = t.F[m][s];
        expect(F.abs().lessThan('0.20')).toBe(true);
        if (!closest || F.abs().greaterThan(closest.F.abs())) closest = { m, s, F };
      }
    }
    expect(closest?.m).toBe('M3');
    expect(closest?.s).toBe('C');
    expect(fixed(closest!.F, 3)).toBe('-0.136');
  });

  it('writes the message of anomaly.md "Messages" (R5) on the C flag', () => {
    expect(find(flags, 'R5', 'M5', 'C', null)?.message.zh).toBe(
      '评分倾向提示：专家5 对供应商C 的 3/3 个主观项均高于其他专家（扣除其整体宽严后平均高 30% 满分），对供应商B 的 3/3 项均低于其他专家（平均低 35%）。请评审委员会复核并认定是否存在评分畸高、畸低。',
    );
  });

  it('R6 (|L| ≥ 0.15) flags nobody: L(M5) = −0.051', () => {
    expect(of(flags, 'R6')).toEqual([]);
  });
});

describe('anomaly.md Ex. 5 — totals, final scores and impact', () => {
  const input = example();
  const t = totalsInput(input);

  it('member totals and finals A 84.40, B 83.10, C 82.90', () => {
    const totals = (s: string) => EXAMPLE_MEMBERS.map((m) => fixed(memberTotal(t, input.scores, m, s) as Dec, 2));
    expect(totals('A')).toEqual(['83.50', '82.50', '89.00', '83.50', '83.50']);
    expect(totals('B')).toEqual(['86.00', '87.00', '89.50', '86.00', '67.00']);
    expect(totals('C')).toEqual(['80.00', '80.50', '79.00', '84.00', '91.00']);
    const finals = finalScores(t);
    expect(EXAMPLE_SUPPLIERS.map((s) => fixed(finals[s] as Dec, 2))).toEqual(['84.40', '83.10', '82.90']);
    expect(firstRanked(EXAMPLE_SUPPLIERS, finals)).toBe('A');
  });

  it('M5 impact = (x − mean_others) / 5: A −0.23, B −4.03, C +2.03', () => {
    const impact = (s: string) => {
      const tot = EXAMPLE_MEMBERS.map((m) => memberTotal(t, input.scores, m, s) as Dec);
      const others = tot.slice(0, 4).reduce((a, b) => a.plus(b), dec(0)).div(4);
      return fixed(tot[4].minus(others).div(5), 2);
    };
    expect([impact('A'), impact('B'), impact('C')]).toEqual(['-0.23', '-4.03', '2.03']);
  });

  it('what-if (M5’s subjective items replaced by the others’ median): A 84.40, B 86.90, C 80.70; first place A → B', () => {
    const w = whatIf(
      t,
      EXAMPLE_SUPPLIERS.map((s) => ({ member: 'M5', supplier: s, factors: ['F1', 'F2', 'F3'] })),
    );
    expect(EXAMPLE_SUPPLIERS.map((s) => fixed(w.after[s] as Dec, 2))).toEqual(['84.40', '86.90', '80.70']);
    expect(w.firstRankedBefore).toBe('A');
    expect(w.firstRankedAfter).toBe('B');
  });

  it('all of M5’s flags are marked high, with the what-if of each', () => {
    const flags = detectAnomalies(input);
    const m5 = flags.filter((f) => f.member === 'M5' && f.severity === 'review');
    expect(m5.map(key)).toEqual([
      'R3·M5·B·F1',
      'R3·M5·B·F2',
      'R3·M5·B·F3',
      'R4·M5·B·-',
      'R4·M5·C·-',
      'R5·M5·B·-',
      'R5·M5·C·-',
    ]);
    expect(m5.every((f) => f.high === true)).toBe(true);
    for (const f of m5.filter((x) => x.supplier === 'B')) {
      expect(f.whatIf).toEqual({
        finalScoreBefore: '83.10',
        finalScoreAfter: '86.90',
        delta: '3.80',
        firstRankedBefore: 'A',
        firstRankedAfter: 'B',
      });
    }
    for (const f of m5.filter((x) => x.supplier === 'C')) {
      expect(f.whatIf).toEqual({
        finalScoreBefore: '82.90',
        finalScoreAfter: '80.70',
        delta: '-2.20',
        firstRankedBefore: 'A',
        firstRankedAfter: 'A',
      });
    }
    // Nobody else has a REVIEW flag.
    expect(flags.filter((f) => f.severity === 'review' && f.member !== 'M5')).toEqual([]);
  });

  it('the regional ±30 % preset flags nothing: the largest deviation is 19.4 %, on B', () => {
    const flags = detectAnomalies({ ...input, preset: 'total30' });
    expect(of(flags, 'TOTAL30')).toEqual([]);
    expect(flags.filter((f) => ['R3', 'R4', 'R5'].includes(f.rule))).toEqual([]);
    let worst = { s: '', r: dec(0) };
    for (const s of EXAMPLE_SUPPLIERS) {
      const tot = EXAMPLE_MEMBERS.map((m) => memberTotal(t, input.scores, m, s) as Dec);
      const mu = tot.reduce((a, b) => a.plus(b), dec(0)).div(tot.length);
      for (const x of tot) {
        const r = x.minus(mu).abs().div(mu);
        if (r.greaterThan(worst.r)) worst = { s, r };
      }
    }
    expect(worst.s).toBe('B');
    expect(fixed(worst.r.times(100), 1)).toBe('19.4');
  });
});

describe('anomaly.md Ex. 7 — R1 rounding pitfalls', () => {
  // Two members whose totals average to an exact .xx5: Decimal half-up, not binary floating point.
  const finalOf = (a: string, b: string) => {
    const t: TotalsInput = {
      members: ['M1', 'M2'],
      suppliers: ['S'],
      leafIds: ['X'],
      scores: { M1: { S: { X: dec(a) } }, M2: { S: { X: dec(b) } } },
      priceScores: { S: dec(0) },
      places: 2,
    };
    return fixed(finalScores(t).S as Dec, 2);
  };

  it.each([
    ['82.70', '82.71', '82.71'], // JavaScript's binary 82.705 prints 82.70 at 2 decimals
    ['1.00', '1.01', '1.01'], // and binary 1.005 prints 1.00
    ['85.12', '85.13', '85.13'], // Python round(85.125, 2) → 85.12
    ['2.67', '2.68', '2.68'], // Python round(2.675, 2) → 2.67
  ])('mean of %s and %s rounds half-up to %s', (a, b, want) => {
    expect(finalOf(a, b)).toBe(want);
  });

  it('the what-if reports finals rounded once, half-up', () => {
    const { scores } = exampleScores(true);
    // M1's B total 86.00 → 86.025 would need a 3-decimal item; use F3 = 6.025 (an R0 value, still counted).
    scores.M1.B.F3 = dec('6.025');
    const flags = detectAnomalies(example(true, { scores }));
    // B: (86.025 + 87 + 89.5 + 86 + 67) / 5 = 83.105 → 83.11
    expect(find(flags, 'R4', 'M5', 'B', null)?.whatIf?.finalScoreBefore).toBe('83.11');
  });
});
