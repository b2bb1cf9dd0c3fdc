import { evaluate, type EvaluationInput } from '../../shared/rules/evaluate';
import { validateRubric } from '../../shared/domain/rubric/validate';
import type { Rubric, Factor } from '../../shared/domain/rubric/types';
import { D } from '../../shared/rules/decimal';
import { stats, time, ms, ratio, rng, type BenchSection } from './lib';

// Issue 3, "Speed": evaluating 9 members × 20 suppliers × 40 factors with every anomaly rule takes
// well under 50 ms. Floor: the unavoidable arithmetic — summing the same 7,200 scores with decimal.js.

const MEMBERS = 9;
const SUPPLIERS = 20;
const FACTORS = 40;

function leaf(id: string, over: Partial<Factor>): Factor {
  return {
    id,
    group: 'technical',
    name_zh: `因素${id}`,
    max_points: 2,
    min_points: 0,
    kind: 'discrete_levels',
    objective: false,
    nature: 'subjective',
    consistency_check: 'none',
    rule_zh: '评审规则',
    levels: [2, 1, 0].map((p) => ({ points: p, criterion_zh: `${p}分` })),
    allowed_values: [2, 1, 0],
    allowed_range: [0, 2],
    ...over,
  } as Factor;
}

export function benchRubric(): Rubric {
  const factors: Factor[] = [
    {
      ...leaf('P', {}),
      group: 'price',
      name_zh: '价格',
      max_points: 10,
      kind: 'price_formula',
      objective: true,
      nature: 'objective',
      consistency_check: 'computed',
      levels: null,
      allowed_values: null,
      allowed_range: [0, 10],
    },
  ];
  // 30 subjective level factors of 2 points (60) and 10 objective per-unit counts of 3 points (30).
  for (let i = 1; i <= 30; i++) factors.push(leaf(`T${i}`, {}));
  for (let i = 1; i <= 10; i++)
    factors.push(
      leaf(`C${i}`, {
        group: 'commercial',
        max_points: 3,
        kind: 'count_based',
        objective: true,
        nature: 'objective',
        consistency_check: 'strict',
        levels: null,
        count_rule: { mode: 'per_unit', points_per_unit: 1, cap: 3 },
        allowed_values: [3, 2, 1, 0],
        allowed_range: [0, 3],
      }),
    );
  const rubric = {
    schema_version: '1.0',
    project: { name_zh: '基准测试项目', procurement_method: 'competitive_consultation' },
    total_points: 100,
    rules: {
      budget: '2000000.00',
      maxPrice: '2000000.00',
      overBudget: 'invalid',
      rounding: { places: 2, mode: 'half_up' },
      aggregation: 'mean_of_member_totals',
      price: { factor: 'P', weight: '10', base: 'lowest_evaluated_price', denominator: 'evaluated_price' },
      deductions: {
        smallMicro: '0.10',
        prisonAsSmallMicro: true,
        disabledWelfareAsSmallMicro: true,
        smeFamilyStacking: false,
        consortiumOrSubcontract: { rate: '0.04', minSmallMicroShare: '0.30', requires: 'consortiumOrSubcontractingAllowed' },
        domesticProduct: null,
        crossPolicyBase: 'original_quote',
        notWhenReservedForSme: true,
      },
      abnormalLow: {
        compare: 'corrected_final_quote',
        population: 'responsive',
        triggers: [
          { id: '4.1.1', of: 'mean', ratio: '0.50' },
          { id: '4.1.2', of: 'second_lowest', ratio: '0.50' },
          { id: '4.1.3', of: 'max_price', ratio: '0.45' },
        ],
        explanationMinutes: 30,
      },
      quoteCorrection: ['words_over_figures', 'decimal_misplacement', 'unit_price_over_line_total', 'sum_of_lines_over_total'],
      ranking: ['final_score_desc', 'final_quote_asc', 'panel_vote'],
      candidates: { count: 3, whenTwoFinalQuotesAllowed: 2 },
      minimumSuppliers: { open: 3, afterReview: 3, finalQuote: 3, continue: 3, exceptions: [] },
      panel: { minMembers: 5, odd: true, minExpertFraction: '2/3' },
    },
    groups: [
      { id: 'price', name_zh: '价格', points: 10 },
      { id: 'technical', name_zh: '技术', points: 60 },
      { id: 'commercial', name_zh: '商务', points: 30 },
    ],
    factors,
  };
  const v = validateRubric(rubric);
  if (!v.ok) throw new Error('bench rubric invalid: ' + JSON.stringify(v.errors[0]));
  return v.rubric;
}

/**
 * `uniform`: every subjective entry drawn at random — members disagree everywhere, so nearly every
 * rule fires (hundreds of flags, each with its what-if): the worst case. `typical`: each supplier has
 * a level per factor that most members give, members stray one level now and then, and one member is
 * an outlier on a few suppliers — the shape of a real panel (a handful of flags).
 */
export type Scenario = 'uniform' | 'typical';

export function benchInput(seed = 42, scenario: Scenario = 'uniform'): EvaluationInput {
  const r = rng(seed);
  const members = Array.from({ length: MEMBERS }, (_, i) => ({ id: `M${i + 1}`, role: i === MEMBERS - 1 ? ('purchaser_rep' as const) : ('expert' as const) }));
  const suppliers = Array.from({ length: SUPPLIERS }, (_, i) => ({
    id: `S${i + 1}`,
    status: 'responsive' as const,
    invalidReason: null,
    finalQuote: `${1_000_000 + Math.floor(r() * 900_000)}.${String(Math.floor(r() * 100)).padStart(2, '0')}`,
    quoteSheet: null,
    policy: { enterprise: i % 3 === 0 ? ('small' as const) : ('medium' as const), smeDeclaration: i % 3 === 0 },
  }));
  const scores: EvaluationInput['scores'] = {};
  for (const m of members) {
    scores[m.id] = {};
    for (const s of suppliers) {
      const row: Record<string, string> = {};
      for (let f = 1; f <= 30; f++) {
        if (scenario === 'uniform') row[`T${f}`] = String(Math.floor(r() * 3));
        else {
          // The panel's level for this supplier and factor, derived from the ids so all members share it.
          const level = (Number(s.id.slice(1)) * 7 + f * 3) % 3;
          const outlier = m.id === 'M9' && Number(s.id.slice(1)) % 7 === 0 && f % 5 === 0;
          const stray = r() < 0.1;
          row[`T${f}`] = String(outlier ? (level === 0 ? 2 : 0) : stray ? Math.max(0, Math.min(2, level + (r() < 0.5 ? -1 : 1))) : level);
        }
      }
      // Objective counts mostly agree; a few members disagree so that R2 fires.
      for (let f = 1; f <= 10; f++) row[`C${f}`] = String((f + Number(s.id.slice(1))) % 4 === 0 && r() < 0.1 ? 1 : 3);
      scores[m.id][s.id] = row;
    }
  }
  return { settings: { anomalyPreset: 'standard' }, members, suppliers, scores };
}

export async function evaluateBench(): Promise<BenchSection> {
  const rubric = benchRubric();
  const typical = benchInput(42, 'typical');
  const uniform = benchInput(42, 'uniform');
  const values: string[] = [];
  for (const m of Object.values(typical.scores!)) for (const s of Object.values(m)) values.push(...Object.values(s as Record<string, string>));
  const floor = stats(await time(() => values.reduce((a, v) => a.plus(v), new D(0)), 60));
  const flagsTypical = evaluate(typical, rubric).flags.length;
  const flagsUniform = evaluate(uniform, rubric).flags.length;
  const t = stats(await time(() => evaluate(typical, rubric), 40));
  const u = stats(await time(() => evaluate(uniform, rubric), 20));
  const md = [
    `${MEMBERS} members × ${SUPPLIERS} suppliers × ${FACTORS} scored factors (${values.length} entries), every anomaly rule on.`,
    '',
    '| measure | flags raised | p50 | p99 | ratio to floor (p50) |',
    '|---|---|---|---|---|',
    `| floor: decimal.js sum of ${values.length} entries | — | ${ms(floor.p50)} ms | ${ms(floor.p99)} ms | 1.0× |`,
    `| \`evaluate\`, a typical panel | ${flagsTypical} | ${ms(t.p50)} ms | ${ms(t.p99)} ms | ${ratio(t.p50, floor.p50)} |`,
    `| \`evaluate\`, worst case: every entry random | ${flagsUniform} | ${ms(u.p50)} ms | ${ms(u.p99)} ms | ${ratio(u.p50, floor.p50)} |`,
    '',
    `Target (issue 3): well under 50 ms — typical panel ${t.p50 < 50 ? 'met' : '**not met**'} (p50 ${ms(t.p50)} ms); worst case ${u.p50 < 50 ? 'met' : '**not met**'} (p50 ${ms(u.p50)} ms: each of its review flags carries a what-if recomputation).`,
  ].join('\n');
  return { title: 'Rules engine: one evaluation', markdown: md };
}
