// Boundaries, presets, the other rules (R1, R2 variants, R6, R7, R8, TOTAL30), messages, order,
// and fast-check properties of shared/rules/anomaly (docs/anomaly.md).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { D, dec, type Dec } from '../../../shared/rules/decimal';
import type { Flag } from '../../../shared/rules/types';
import type { Factor } from '../../../shared/domain/rubric/types';
import { PRESETS, detectAnomalies, r0AllowedText, r0Message, type AnomalyInput } from '../../../shared/rules/anomaly/index';
import {
  EXAMPLE_FACTORS,
  EXAMPLE_MEMBERS,
  EXAMPLE_PRICE_SCORES,
  EXAMPLE_SUPPLIERS,
  exampleRubric,
  exampleScores,
} from '../../../shared/rules/anomaly/example';
import { gradeScale } from '../../../shared/rules/anomaly/stats';

type Scores = AnomalyInput['scores'];

const key = (f: Flag) => [f.rule, f.severity, f.member ?? '-', f.supplier ?? '-', f.factor ?? '-'].join('·');
const find = (flags: Flag[], rule: Flag['rule'], m: string | null, s: string | null, f: string | null) =>
  flags.find((x) => x.rule === rule && x.member === m && x.supplier === s && x.factor === f);

function example(over: Partial<AnomalyInput> = {}): AnomalyInput {
  const { scores, evidence } = exampleScores(true);
  return {
    rubric: exampleRubric(),
    preset: 'standard',
    members: EXAMPLE_MEMBERS,
    suppliers: EXAMPLE_SUPPLIERS,
    scores,
    evidence,
    priceScores: EXAMPLE_PRICE_SCORES,
    ...over,
  };
}

/** Every member scores (supplier, factor) the same, except `m` on `f` for supplier B. */
function oneDeviation(factorId: 'F1' | 'F2' | 'F3', common: string, x: string, preset: AnomalyInput['preset'] = 'standard') {
  const { scores } = exampleScores(true);
  for (const m of EXAMPLE_MEMBERS) scores[m].B[factorId] = dec(common);
  scores.M5.B[factorId] = dec(x);
  return detectAnomalies(example({ scores, preset }));
}

describe('R3 boundaries (|d| ≥ 30 % × max_f and ≥ 2 grades)', () => {
  it('d exactly 30 % with 2 grades flags (F1: 13 against 22, bands 0–15 vs 21–25)', () => {
    const f = find(oneDeviation('F1', '22', '13'), 'R3', 'M5', 'B', 'F1');
    expect(f?.inputs).toMatchObject({ d: '-9', ratio: '-0.3000', grades: '2', thresholdPoints: '9' });
    expect(f?.message.zh).toContain('占该项满分的 30%，跨 2 个档次');
  });

  it('29.99 % does not flag (F1: 13.003 against 22)', () => {
    expect(find(oneDeviation('F1', '22', '13.003'), 'R3', 'M5', 'B', 'F1')).toBeUndefined();
  });

  it('a continuous factor uses the points condition alone (F3: 2.4 of 8 flags, 2.3992 does not)', () => {
    expect(find(oneDeviation('F3', '6', '3.6'), 'R3', 'M5', 'B', 'F3')?.inputs).toMatchObject({ d: '-2.4', grades: null });
    expect(find(oneDeviation('F3', '6', '3.6008'), 'R3', 'M5', 'B', 'F3')).toBeUndefined();
  });

  it('one grade apart never flags under the default preset, however far in points (F1: 16 against 25)', () => {
    // 16–20 vs 21–25 is one band: d = −9 = 30 %, 1 grade.
    expect(find(oneDeviation('F1', '25', '16'), 'R3', 'M5', 'B', 'F1')).toBeUndefined();
  });

  it('grades: a value off the list ranks as the number of levels above it; bands by index, gaps likewise', () => {
    const levels = gradeScale(EXAMPLE_FACTORS[1])!;
    expect(['12', '10', '8', '5', '1', '0', '13'].map((v) => levels.rank(dec(v)).toString())).toEqual(['0', '1', '1', '2', '4', '4', '0']);
    const seed004: Factor = {
      ...EXAMPLE_FACTORS[0],
      bands: [
        { min: 21, max: 25, criterion_zh: '' },
        { min: 16, max: 20, criterion_zh: '' },
        { min: 10, max: 15, criterion_zh: '' },
        { min: 0, max: 0, criterion_zh: '' },
      ],
    };
    const bands = gradeScale(seed004)!;
    expect(['25', '20.5', '16', '15', '5', '0'].map((v) => bands.rank(dec(v)).toString())).toEqual(['0', '1', '1', '2', '3', '3']);
    expect(bands.label(dec('5'))).toBeNull();
    expect(bands.label(dec('18'))).toBe('16–20');
    expect(gradeScale(EXAMPLE_FACTORS[2])).toBeNull();
  });
});

describe('presets', () => {
  it('are the table of anomaly.md "Presets"', () => {
    expect(PRESETS.standard).toMatchObject({ r3: { ratio: '0.30', grades: 2 }, r4: '0.20', r5: '0.20', total30: null, zh: '标准' });
    expect(PRESETS.strict).toMatchObject({ r3: { ratio: '0.20', grades: 2, gradesWhenFewLevels: 1 }, r4: '0.15', r5: '0.15', zh: '严格' });
    expect(PRESETS.lenient).toMatchObject({ r3: { ratio: '0.40', grades: 2 }, r4: '0.30', r5: '0.30', zh: '宽松' });
    expect(PRESETS.total30).toMatchObject({ r3: null, r4: null, r5: null, total30: '0.30', zh: '地方·总分±30%' });
  });

  it('严格 flags one grade when the factor has ≤ 3 grades, not when it has more', () => {
    const three: Factor = {
      ...EXAMPLE_FACTORS[1],
      id: 'F2',
      max_points: 3,
      allowed_values: [3, 1, 0],
      levels: [3, 1, 0].map((points) => ({ points, criterion_zh: '' })),
      allowed_range: [0, 3],
    };
    const rubric = exampleRubric([EXAMPLE_FACTORS[0], three, EXAMPLE_FACTORS[2], EXAMPLE_FACTORS[3], EXAMPLE_FACTORS[4]]);
    const { scores } = exampleScores(true);
    for (const m of EXAMPLE_MEMBERS) scores[m].A.F2 = dec('1');
    scores.M5.A.F2 = dec('3'); // +2 of 3 = 67 %, 1 grade apart
    for (const m of EXAMPLE_MEMBERS) for (const s of ['B', 'C']) scores[m][s].F2 = dec('1');
    const strict = detectAnomalies(example({ rubric, scores, preset: 'strict' }));
    expect(find(strict, 'R3', 'M5', 'A', 'F2')?.inputs).toMatchObject({ grades: '1', gradesRequired: '1' });
    const standard = detectAnomalies(example({ rubric, scores, preset: 'standard' }));
    expect(find(standard, 'R3', 'M5', 'A', 'F2')).toBeUndefined();
    // F2 with 5 levels: strict still needs 2 grades (A·F2·M3: 12 against 8, 1 grade, 33 %).
    expect(find(detectAnomalies(example({ preset: 'strict' })), 'R3', 'M3', 'A', 'F2')).toBeUndefined();
  });

  it('宽松 (40 %) keeps B·F2·M5 (50 %) and B·F1·M5 drops out (33 %)', () => {
    const flags = detectAnomalies(example({ preset: 'lenient' }));
    expect(flags.filter((f) => f.rule === 'R3').map((f) => f.factor)).toEqual(['F2']);
    // R4 at 30 %: B·M5 (39 %) stays, C·M5 (21.5 %) goes.
    expect(flags.filter((f) => f.rule === 'R4').map((f) => f.supplier)).toEqual(['B']);
  });

  it('TOTAL30 flags a member whose total deviates ≥ 30 % from the mean, with R3/R4/R5 off', () => {
    const { scores } = exampleScores(true);
    scores.M5.B = { F1: dec('0'), F2: dec('0'), F3: dec('0'), F4: dec('0') }; // total 40 against 86, 87, 89.5, 86
    const flags = detectAnomalies(example({ scores, preset: 'total30' }));
    const t = flags.filter((f) => f.rule === 'TOTAL30');
    expect(t.map((f) => [f.member, f.supplier, f.severity])).toEqual([['M5', 'B', 'review']]);
    // mean (86 + 87 + 89.5 + 86 + 40) / 5 = 77.7; d = −37.7; 48.5 %
    expect(t[0].inputs).toMatchObject({ x: '40', mean: '77.7', d: '-37.7', ratio: '-0.4852' });
    expect(t[0].message.zh).toBe(
      '总分偏离提示（待复核）：您对供应商B 的总分 40.00，全体专家平均 77.70，偏离 48.5%，达到 30%。请提交书面说明，本提示及处理结果将记入评审报告。',
    );
    expect(t[0].high).toBe(true);
    expect(flags.some((f) => ['R3', 'R4', 'R5'].includes(f.rule))).toBe(false);
  });
});

describe('R1 summing error (BLOCK)', () => {
  it('flags a typed total that differs from the computed one, with the message of anomaly.md', () => {
    const flags = detectAnomalies(example({ typedTotals: { M1: { B: dec('85.00'), A: dec('83.5') } } }));
    const r1 = flags.filter((f) => f.rule === 'R1');
    expect(r1.map(key)).toEqual(['R1·block·M1·B·-']);
    expect(r1[0].message.zh).toBe('分值汇总不一致：按分项计算合计为 86.00，录入合计为 85.00，请核对。');
    expect(r1[0].inputs).toMatchObject({ computed: '86', typed: '85', diff: '-1' });
  });
});

describe('R2 plurality rule and advisory factors', () => {
  const withF4 = (vals: string[], check: Factor['consistency_check'] = 'strict') => {
    const { scores } = exampleScores(true);
    EXAMPLE_MEMBERS.forEach((m, i) => (scores[m].A.F4 = dec(vals[i])));
    const f4 = { ...EXAMPLE_FACTORS[3], consistency_check: check };
    const rubric = exampleRubric([...EXAMPLE_FACTORS.slice(0, 3), f4, EXAMPLE_FACTORS[4]]);
    return detectAnomalies(example({ scores, rubric, evidence: undefined })).filter((f) => f.rule === 'R2');
  };

  it('a strict plurality: only the members holding another value are flagged', () => {
    expect(withF4(['10', '10', '10', '6', '8']).map((f) => f.member)).toEqual(['M4', 'M5']);
    expect(withF4(['10', '10', '10', '8', '8']).map((f) => f.member)).toEqual(['M4', 'M5']);
  });

  it('no value held by strictly more members than any other: every member is flagged', () => {
    expect(withF4(['10', '10', '8', '8', '6']).map((f) => f.member)).toEqual(['M1', 'M2', 'M3', 'M4', 'M5']);
    expect(withF4(['10', '10', '8', '6', '8']).map((f) => f.member)).toEqual(['M1', 'M2', 'M3', 'M4', 'M5']);
    expect(withF4(['10', '8', '6', '4', '2']).map((f) => f.member)).toEqual(['M1', 'M2', 'M3', 'M4', 'M5']);
  });

  it('counts are compared through their points ("10" and "10.0" agree)', () => {
    expect(withF4(['10', '10.0', '10.00', '10', '10'])).toEqual([]);
  });

  it('advisory factors give REVIEW flags with a what-if and the advisory wording', () => {
    const r2 = withF4(['8', '8', '8', '8', '0'], 'advisory');
    expect(r2.map((f) => [f.member, f.severity])).toEqual([['M5', 'review']]);
    expect(r2[0].message.zh).toBe(
      '客观评审因素评分不一致：「类似业绩」供应商A——M1/2/3/4：8分，M5：0分。请核对证明材料后修改或维持，并填写理由。',
    );
    // A: M5's total is 75.5 with 0 (final 82.80); with the others' median 8 it is 83.5 (final 84.40).
    expect(r2[0].whatIf).toMatchObject({ finalScoreBefore: '82.80', finalScoreAfter: '84.40', delta: '1.60' });
    expect(r2[0].high).toBe(true);
  });
});

describe('R6 and R7 (INFO)', () => {
  it('R6 flags a uniformly severe member, and R5 does not (F ≈ 0)', () => {
    const { scores } = exampleScores(true);
    for (const s of EXAMPLE_SUPPLIERS) {
      for (const m of EXAMPLE_MEMBERS.slice(0, 4)) Object.assign(scores[m][s], { F1: dec('24'), F2: dec('8'), F3: dec('6') });
      Object.assign(scores.M5[s], { F1: dec('18'), F2: dec('5'), F3: dec('4.5') }); // −20 %, −25 %, −18.75 %
    }
    const flags = detectAnomalies(example({ scores }));
    const r6 = flags.filter((f) => f.rule === 'R6');
    expect(r6.map(key)).toEqual(['R6·info·M5·-·-']);
    expect(r6[0].inputs).toEqual({ L: '-0.2125' });
    expect(r6[0].message.zh).toContain('偏低');
    expect(flags.filter((f) => f.rule === 'R5')).toEqual([]);
    expect(r6[0].high).toBeUndefined();
  });

  it('R7 (a) range ≥ 50 % of max_f (member null), (b) the same value to every supplier', () => {
    const flags = detectAnomalies(example()).filter((f) => f.rule === 'R7');
    expect(flags.map(key)).toEqual([
      'R7·info·-·B·F2', // 2..12, range 10 ≥ 6
      'R7·info·M1·-·F2',
      'R7·info·M1·-·F3',
      'R7·info·M2·-·F2',
      'R7·info·M4·-·F3',
    ]);
    expect(flags[0].message.zh).toBe('评分分歧提示：供应商B「实施方案」各专家评分 2–12 分，极差 10 分，达该项满分 12 的 83%，评分标准可能存在理解差异。');
    expect(flags[1].message.zh).toBe('区分度提示：M1 对全部 3 家供应商的「实施方案」均评 8 分。');
  });

  it('R7 (b) needs ≥ 3 suppliers', () => {
    const flags = detectAnomalies(example({ suppliers: ['A', 'B'] }));
    expect(flags.filter((f) => f.rule === 'R7' && f.supplier === null)).toEqual([]);
  });
});

describe('R8 abnormally low price (anomaly.md Ex. 6)', () => {
  it('one REVIEW flag per supplier, member and factor null, message of anomaly.md', () => {
    const second = { id: '4.1.2', of: 'second_lowest' as const, ratio: '0.50' };
    const max = { id: '4.1.3', of: 'max_price' as const, ratio: '0.45' };
    const { scores } = exampleScores(true);
    for (const m of EXAMPLE_MEMBERS) scores[m].D = { ...scores[m].A };
    const flags = detectAnomalies(
      example({
        scores,
        suppliers: ['A', 'B', 'C', 'D'],
        priceScores: { ...EXAMPLE_PRICE_SCORES, D: dec('40.00') },
        abnormalLow: {
          D: [
            { trigger: second, reference: dec('900000'), threshold: dec('450000'), quote: dec('430000') },
            { trigger: max, reference: dec('1100000'), threshold: dec('495000'), quote: dec('430000') },
          ],
        },
      }),
    );
    const r8 = flags.filter((f) => f.rule === 'R8');
    expect(r8.map(key)).toEqual(['R8·review·-·D·-']);
    expect(r8[0].inputs).toMatchObject({ quote: '430000', triggers: ['4.1.2', '4.1.3'] });
    expect(r8[0].message.zh).toBe(
      '异常低价提示：供应商D 最终报价 430,000 元，低于次低报价 900,000 的 50%（450,000）、低于最高限价的 45%（495,000）。请要求其在规定时间内提交书面说明及证明材料，由评审委员会认定。',
    );
    expect(r8[0].high).toBe(false);
    expect(r8[0].whatIf).toBeNull();
  });
});

describe('R0 message helper', () => {
  it('has the shape of anomaly.md "Messages" (R0)', () => {
    expect(r0Message('实施方案', r0AllowedText(EXAMPLE_FACTORS[1]), '10').zh).toBe('分项评分超出评分标准范围：「实施方案」只允许 12/8/5/2/0 分，您输入了 10。');
    expect(r0AllowedText(EXAMPLE_FACTORS[0])).toBe('26–30、21–25、16–20、0–15');
    expect(r0AllowedText(EXAMPLE_FACTORS[2])).toBe('0–8（步长 0.5）');
  });
});

describe('order', () => {
  it('flags come by rule, then supplier, member and factor order', () => {
    const { scores } = exampleScores(false);
    const flags = detectAnomalies(example({ scores, typedTotals: { M2: { C: dec('1') } } }));
    const rules = ['R0', 'R1', 'R2', 'R3', 'R4', 'R5', 'R6', 'R7', 'R8', 'TOTAL30'];
    const pos = (list: string[], v: string | null) => (v === null ? list.length : list.indexOf(v));
    const keys = flags.map((f) => [
      rules.indexOf(f.rule),
      pos(EXAMPLE_SUPPLIERS, f.supplier),
      pos(EXAMPLE_MEMBERS, f.member),
      pos(['F1', 'F2', 'F3', 'F4'], f.factor),
    ]);
    const sortedKeys = [...keys].sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2] || a[3] - b[3]);
    expect(keys).toEqual(sortedKeys);
    expect(flags[0].rule).toBe('R1');
  });
});

// ---------- properties ----------

const F1 = fc.integer({ min: 0, max: 30 }).map(String); // every whole point 0–30 lies in a band
const F2 = fc.constantFrom('12', '8', '5', '2', '0');
const F3 = fc.integer({ min: 0, max: 16 }).map((h) => dec(h).div(2).toString());
const F4 = fc.integer({ min: 0, max: 6 }).map((c) => D.min(dec(c).times(2), 10).toString()); // 2 per contract, cap 10
const item = fc.record({ F1, F2, F3, F4 });
const preset = fc.constantFrom('standard', 'strict', 'lenient', 'total30') as fc.Arbitrary<AnomalyInput['preset']>;

const panel = fc
  .record({ nm: fc.integer({ min: 2, max: 6 }), ns: fc.integer({ min: 1, max: 4 }) })
  .chain(({ nm, ns }) =>
    fc.record({
      members: fc.constant(Array.from({ length: nm }, (_, i) => `M${i + 1}`)),
      suppliers: fc.constant(Array.from({ length: ns }, (_, i) => String.fromCharCode(65 + i))),
      items: fc.array(fc.array(item, { minLength: ns, maxLength: ns }), { minLength: nm, maxLength: nm }),
      prices: fc.array(fc.integer({ min: 2000, max: 4000 }), { minLength: ns, maxLength: ns }),
      preset,
    }),
  );

function build(p: {
  members: string[];
  suppliers: string[];
  items: Record<string, string>[][];
  prices: number[];
  preset: AnomalyInput['preset'];
}): AnomalyInput {
  const scores: Scores = {};
  p.members.forEach((m, i) => {
    scores[m] = {};
    p.suppliers.forEach((s, j) => {
      scores[m][s] = Object.fromEntries(Object.entries(p.items[i][j]).map(([k, v]) => [k, dec(v)]));
    });
  });
  const priceScores: Record<string, Dec> = {};
  p.suppliers.forEach((s, j) => (priceScores[s] = dec(p.prices[j]).div(100)));
  return { rubric: exampleRubric(), preset: p.preset, members: p.members, suppliers: p.suppliers, scores, priceScores };
}

/** What a flag says, independent of input order (the first-ranked tie-break, `high` and `whatIf`,
 *  and the order of names inside messages depend on input order by design). */
const canon = (flags: Flag[]) =>
  flags.map((f) => JSON.stringify([f.rule, f.severity, f.member, f.supplier, f.factor, f.threshold, f.inputs])).sort();

describe('properties', () => {
  it('permuting members or suppliers does not change the set of flags', () => {
    fc.assert(
      fc.property(
        panel.chain((p) =>
          fc.record({
            p: fc.constant(p),
            mp: fc.shuffledSubarray(p.members, { minLength: p.members.length, maxLength: p.members.length }),
            sp: fc.shuffledSubarray(p.suppliers, { minLength: p.suppliers.length, maxLength: p.suppliers.length }),
          }),
        ),
        ({ p, mp, sp }) => {
          const input = build(p);
          const permuted = { ...input, members: mp, suppliers: sp };
          expect(canon(detectAnomalies(permuted))).toEqual(canon(detectAnomalies(input)));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('no flag when all members agree (other than R7 (b), which is about one member across suppliers)', () => {
    fc.assert(
      fc.property(panel, (p) => {
        const same = { ...p, items: p.items.map(() => p.items[0]) };
        const flags = detectAnomalies(build(same));
        expect(flags.filter((f) => !(f.rule === 'R7' && f.supplier === null))).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  it('no flag at all when all members agree and the suppliers are told apart', () => {
    fc.assert(
      fc.property(panel, (p) => {
        const row = p.items[0].map((it, j) => (j === 0 ? { ...it, F1: '30', F2: '12', F3: '8' } : { ...it, F1: '0', F2: '0', F3: '0' }));
        const flags = detectAnomalies(build({ ...p, items: p.items.map(() => row) }));
        expect(flags).toEqual([]);
      }),
      { numRuns: 100 },
    );
  });
});
