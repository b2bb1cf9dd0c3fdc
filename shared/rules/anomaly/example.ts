// The worked example of docs/anomaly.md ("Worked examples"): a 100-point rubric (F1 bands, F2 levels,
// F3 range 0–8 step 0.5, F4 count 2 per contract capped at 10, price 40), five members and three
// suppliers. Used by the tests and usable as a demonstration package.
import { dec, type Dec } from '../decimal';
import type { Factor, Rubric } from '../../domain/rubric/types';

function factor(p: Partial<Factor> & Pick<Factor, 'id' | 'name_zh' | 'kind' | 'max_points' | 'consistency_check'>): Factor {
  return {
    group: 'technical',
    min_points: 0,
    objective: p.consistency_check !== 'none',
    rule_zh: '',
    allowed_range: [0, p.max_points],
    ...p,
  };
}

export const EXAMPLE_FACTORS: Factor[] = [
  factor({
    id: 'F1',
    name_zh: '技术方案',
    name_en: 'Technical plan',
    kind: 'range_bands',
    max_points: 30,
    consistency_check: 'none',
    nature: 'subjective',
    bands: [
      { min: 26, max: 30, criterion_zh: '优' },
      { min: 21, max: 25, criterion_zh: '良' },
      { min: 16, max: 20, criterion_zh: '中' },
      { min: 0, max: 15, criterion_zh: '差' },
    ],
  }),
  factor({
    id: 'F2',
    name_zh: '实施方案',
    name_en: 'Implementation plan',
    kind: 'discrete_levels',
    max_points: 12,
    consistency_check: 'none',
    nature: 'subjective',
    levels: [12, 8, 5, 2, 0].map((points) => ({ points, criterion_zh: '' })),
    allowed_values: [12, 8, 5, 2, 0],
  }),
  factor({
    id: 'F3',
    name_zh: '售后服务',
    name_en: 'After-sales service',
    kind: 'range',
    max_points: 8,
    consistency_check: 'none',
    nature: 'subjective',
    step: '0.5',
  }),
  factor({
    id: 'F4',
    name_zh: '类似业绩',
    name_en: 'Similar contracts',
    group: 'commercial',
    kind: 'count_based',
    max_points: 10,
    consistency_check: 'strict',
    nature: 'objective',
    count_rule: { mode: 'per_unit', points_per_unit: 2, cap: 10 },
    allowed_values: [10, 8, 6, 4, 2, 0],
  }),
  factor({
    id: 'P',
    name_zh: '价格',
    name_en: 'Price',
    group: 'price',
    kind: 'price_formula',
    max_points: 40,
    consistency_check: 'computed',
    nature: 'objective',
  }),
];

export function exampleRubric(factors: Factor[] = EXAMPLE_FACTORS): Rubric {
  return {
    schema_version: '1.0',
    project: { name_zh: '评分异常示例', procurement_method: 'competitive_consultation' },
    total_points: 100,
    rules: {
      budget: null,
      maxPrice: null,
      overBudget: 'invalid',
      rounding: { places: 2, mode: 'half_up' },
      aggregation: 'mean_of_member_totals',
      price: { factor: 'P', weight: '40', base: 'lowest_evaluated_price', denominator: 'evaluated_price' },
      deductions: {
        smallMicro: null,
        prisonAsSmallMicro: false,
        disabledWelfareAsSmallMicro: false,
        smeFamilyStacking: false,
        consortiumOrSubcontract: null,
        domesticProduct: null,
        crossPolicyBase: 'original_quote',
        notWhenReservedForSme: false,
      },
      abnormalLow: { compare: 'corrected_final_quote', population: 'responsive', triggers: [], explanationMinutes: null },
      quoteCorrection: [],
      ranking: ['final_score_desc'],
      candidates: { count: 3, whenTwoFinalQuotesAllowed: null },
      minimumSuppliers: { open: null, afterReview: null, finalQuote: null, continue: null, exceptions: [] },
      panel: null,
    },
    groups: [
      { id: 'price', name_zh: '价格', points: 40 },
      { id: 'commercial', name_zh: '商务', points: 10 },
      { id: 'technical', name_zh: '技术', points: 50 },
    ],
    factors,
  };
}

export const EXAMPLE_MEMBERS = ['M1', 'M2', 'M3', 'M4', 'M5'];
export const EXAMPLE_SUPPLIERS = ['A', 'B', 'C'];

/** docs/anomaly.md worked-example table: F1, F2, F3 points and F4 counts, members M1..M5. */
export const EXAMPLE_TABLE: Record<string, { F1: string[]; F2: string[]; F3: string[]; F4count: number[] }> = {
  A: { F1: ['24', '23', '25', '24', '24'], F2: ['8', '8', '12', '8', '8'], F3: ['6', '6', '6.5', '6', '6'], F4count: [4, 4, 4, 4, 4] },
  B: { F1: ['22', '23', '21', '22', '12'], F2: ['8', '8', '12', '8', '2'], F3: ['6', '6', '6.5', '6', '3'], F4count: [5, 5, 5, 4, 5] },
  C: { F1: ['24', '25', '23', '24', '29'], F2: ['8', '8', '8', '12', '12'], F3: ['6', '5.5', '6', '6', '8'], F4count: [3, 3, 3, 3, 3] },
};

/** Price scores of the example: 40 × 900,000 / quote, rounded (A 37.50, B 40.00, C 36.00). */
export const EXAMPLE_PRICE_SCORES: Record<string, Dec> = { A: dec('37.50'), B: dec('40.00'), C: dec('36.00') };

/** The example's scores; `fixed` applies Ex. 1's correction (M4 counts 5 contracts for B). */
export function exampleScores(fixedEx1: boolean): {
  scores: Record<string, Record<string, Record<string, Dec>>>;
  evidence: Record<string, Record<string, Record<string, string>>>;
} {
  const scores: Record<string, Record<string, Record<string, Dec>>> = {};
  const evidence: Record<string, Record<string, Record<string, string>>> = {};
  EXAMPLE_MEMBERS.forEach((m, i) => {
    scores[m] = {};
    evidence[m] = {};
    for (const s of EXAMPLE_SUPPLIERS) {
      const row = EXAMPLE_TABLE[s];
      const count = fixedEx1 && s === 'B' && m === 'M4' ? 5 : row.F4count[i];
      // count_based per_unit: min(count × 2, 10) (../rubrics/README.md, count_rule.mode)
      const f4 = dec(count).times(2);
      scores[m][s] = { F1: dec(row.F1[i]), F2: dec(row.F2[i]), F3: dec(row.F3[i]), F4: f4.greaterThan(10) ? dec(10) : f4 };
      evidence[m][s] = { F4: String(count) };
    }
  });
  return { scores, evidence };
}
