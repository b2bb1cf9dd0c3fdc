// Rubric validation (评分标准校验): the structure the engine reads (docs/rubrics.md, "Factor
// fields" and "The rules block"), then the arithmetic docs/rubrics.md says every template passes:
// factors add up to total_points and to each group's points, composites to their sub-factors.
// Unknown extra fields are kept: the prose transcription (price, policy_deductions, …) rides along.
import { CLAUSE_KEYS } from './citations';
import { z } from 'zod';
import { dec, type Dec } from '../../rules/decimal';
import type { Bilingual } from '../../rules/types';
import { plainString as show } from '../../rules/money/amount';
import type { Factor, Rubric } from './types';

export interface RubricError {
  /** Where in the JSON, e.g. `factors[4].sub_factors[2].max_points`. */
  path: string;
  /** The id of the innermost factor the path is in, when it is in one. */
  factorId: string | null;
  message: Bilingual;
}

export type RubricValidation = { ok: true; rubric: Rubric } | { ok: false; errors: RubricError[] };

// A rubric number: a JSON number (finite) or a plain decimal string ("0.5").
const DECIMAL_RE = /^-?\d+(\.\d+)?$/;
const num = z.union([z.number().finite(), z.string().regex(DECIMAL_RE)]);
const money = z.string().regex(/^\d+(\.\d+)?$/);
const rate = z.string().regex(/^(0(\.\d+)?|1(\.0+)?)$/);
const count = z.number().int().nonnegative();

const kinds = [
  'price_formula',
  'discrete_levels',
  'range_bands',
  'count_based',
  'yes_no',
  'deduction',
  'composite',
  'range',
] as const;

const level = z.looseObject({ points: num, criterion_zh: z.string(), or_below: z.boolean().nullable().optional() });
const band = z.looseObject({ min: num, max: num, criterion_zh: z.string() });
const countRule = z.looseObject({
  mode: z.enum(['per_unit', 'tiers', 'checklist']),
  gate_zh: z.string().nullable().optional(),
  points_per_unit: num.nullable().optional(),
  cap: num.nullable().optional(),
  tiers: z
    .array(z.looseObject({ min_count: count, max_count: count.nullable(), points: num }))
    .nullable()
    .optional(),
  items: z.array(z.looseObject({ item_zh: z.string(), points: num })).nullable().optional(),
});

const factorSchema: z.ZodType<unknown> = z.lazy(() =>
  z.looseObject({
    id: z.string().min(1),
    group: z.enum(['price', 'commercial', 'technical']),
    name_zh: z.string().min(1),
    name_en: z.string().nullable().optional(),
    max_points: num,
    min_points: num,
    kind: z.enum(kinds),
    objective: z.boolean(),
    consistency_check: z.enum(['strict', 'advisory', 'none', 'computed']),
    rule_zh: z.string(),
    levels: z.array(level).nullable().optional(),
    bands: z.array(band).nullable().optional(),
    count_rule: countRule.nullable().optional(),
    yes_no: z.looseObject({ yes_points: num, no_points: num }).nullable().optional(),
    deduction: z
      .looseObject({ start_points: num, per_item_deduction: num, floor: num })
      .nullable()
      .optional(),
    allowed_values: z.array(num).nullable().optional(),
    allowed_range: z.tuple([num, num]),
    step: z.string().regex(/^\d+(\.\d+)?$/).nullable().optional(),
    sub_factors: z.array(factorSchema).nullable().optional(),
  }),
);

const rulesSchema = z.looseObject({
  budget: money.nullable(),
  maxPrice: money.nullable(),
  overBudget: z.literal('invalid'),
  rounding: z.looseObject({ places: z.number().int().min(0).max(10), mode: z.literal('half_up') }),
  aggregation: z.literal('mean_of_member_totals'),
  price: z.looseObject({
    factor: z.string().min(1),
    weight: z.string().regex(/^\d+(\.\d+)?$/),
    base: z.literal('lowest_evaluated_price'),
    denominator: z.literal('evaluated_price'),
  }),
  deductions: z.looseObject({
    smallMicro: rate.nullable(),
    prisonAsSmallMicro: z.boolean(),
    disabledWelfareAsSmallMicro: z.boolean(),
    smeFamilyStacking: z.boolean(),
    consortiumOrSubcontract: z
      .looseObject({ rate, minSmallMicroShare: rate, requires: z.string().nullable() })
      .nullable(),
    domesticProduct: z.looseObject({ rate, minShare: rate, goodsOnly: z.boolean() }).nullable(),
    crossPolicyBase: z.literal('original_quote'),
    notWhenReservedForSme: z.boolean(),
  }),
  abnormalLow: z.looseObject({
    compare: z.literal('corrected_final_quote'),
    population: z.literal('responsive'),
    triggers: z.array(
      z.looseObject({ id: z.string().min(1), of: z.enum(['mean', 'second_lowest', 'max_price']), ratio: rate }),
    ),
    explanationMinutes: z.number().int().nonnegative().nullable(),
  }),
  quoteCorrection: z.array(
    z.enum([
      'summary_sheet_over_body',
      'words_over_figures',
      'decimal_misplacement',
      'unit_price_over_line_total',
      'sum_of_lines_over_total',
    ]),
  ),
  ranking: z
    .array(z.enum(['final_score_desc', 'evaluated_price_asc', 'final_quote_asc', 'technical_score_desc', 'panel_vote']))
    .min(1),
  candidates: z.looseObject({
    count: z.number().int().min(1),
    whenTwoFinalQuotesAllowed: z.number().int().min(1).nullable(),
  }),
  minimumSuppliers: z.looseObject({
    open: z.number().int().min(0).nullable(),
    afterReview: z.number().int().min(0).nullable(),
    finalQuote: z.number().int().min(0).nullable(),
    continue: z.number().int().min(0).nullable(),
    exceptions: z.array(
      z.enum([
        'research_or_tech_transfer_two_final_quotes',
        'government_services_two_suppliers',
        'supervisor_approval',
        'two_bids_switch_to_negotiation',
      ]),
    ),
  }),
  panel: z
    .looseObject({
      minMembers: z.number().int().min(1),
      odd: z.boolean(),
      minExpertFraction: z.string().regex(/^\d+\/[1-9]\d*$/),
    })
    .nullable(),
});

const rubricSchema = z.looseObject({
  schema_version: z.string(),
  project: z.looseObject({
    name_zh: z.string(),
    procurement_method: z.enum(['competitive_consultation', 'public_tender']),
  }),
  total_points: num,
  rules: rulesSchema,
  groups: z
    .array(z.looseObject({ id: z.enum(['price', 'commercial', 'technical']), name_zh: z.string(), points: num }))
    .min(1),
  factors: z.array(factorSchema).min(1),
  // The procurement document's own clause numbers (issue 13 item 2; citations.ts).
  citations: z
    .object({
      document_zh: z.string().trim().min(2).max(30),
      clauses: z.partialRecord(z.enum(CLAUSE_KEYS), z.string().trim().min(1).max(60)),
    })
    .optional(),
});

function pathString(path: readonly PropertyKey[]): string {
  let s = '';
  for (const p of path) {
    if (typeof p === 'number') s += `[${p}]`;
    else s += s === '' ? String(p) : `.${String(p)}`;
  }
  return s;
}

/** The id of the innermost factor on `path`, read from the raw JSON. */
function factorIdAt(json: unknown, path: readonly PropertyKey[]): string | null {
  let node: unknown = json;
  let id: string | null = null;
  for (let i = 0; i < path.length; i++) {
    if (node === null || typeof node !== 'object') break;
    node = (node as Record<PropertyKey, unknown>)[path[i] as string];
    const key = path[i - 1];
    if (typeof path[i] === 'number' && (key === 'factors' || key === 'sub_factors')) {
      const fid = node && typeof node === 'object' ? (node as { id?: unknown }).id : undefined;
      if (typeof fid === 'string') id = fid;
    }
  }
  return id;
}


function label(f: Factor): { zh: string; en: string } {
  return { zh: `「${f.id} ${f.name_zh}」`, en: `"${f.id} ${f.name_en ?? f.name_zh}"` };
}

/** Structural and arithmetic check of a rubric (docs/rubrics.md). */
export function validateRubric(json: unknown): RubricValidation {
  const parsed = rubricSchema.safeParse(json);
  if (!parsed.success) {
    return {
      ok: false,
      errors: parsed.error.issues.map((iss) => {
        const path = pathString(iss.path);
        return {
          path,
          factorId: factorIdAt(json, iss.path),
          message: {
            zh: `评分标准字段 ${path || '(根)'} 无效：${iss.message}`,
            en: `${path || '(root)'}: ${iss.message}`,
          },
        };
      }),
    };
  }
  const rubric = json as Rubric;
  const errors: RubricError[] = [];
  const err = (path: string, f: Factor | null, zh: string, en: string) =>
    errors.push({ path, factorId: f ? f.id : null, message: { zh, en } });

  // ids unique across all levels (sub-factor ids extend the parent's; docs/rubrics.md "Factor fields").
  const seen = new Map<string, string>();
  const walk = (fs: Factor[], base: string, visit: (f: Factor, path: string) => void) =>
    fs.forEach((f, i) => {
      const p = `${base}[${i}]`;
      visit(f, p);
      if (f.sub_factors) walk(f.sub_factors, `${p}.sub_factors`, visit);
    });
  walk(rubric.factors, 'factors', (f, p) => {
    const prior = seen.get(f.id);
    if (prior !== undefined) {
      err(
        `${p}.id`,
        f,
        `因素编号「${f.id}」重复（已在 ${prior} 使用）`,
        `Factor id "${f.id}" is used twice (already at ${prior})`,
      );
    } else seen.set(f.id, p);
  });

  // total_points = Σ top-level max_points = Σ groups' points; each group = Σ of its factors.
  const total = dec(rubric.total_points);
  const topSum = rubric.factors.reduce((a, f) => a.plus(dec(f.max_points)), dec(0));
  if (!topSum.eq(total)) {
    err('factors', null, `各因素满分之和 ${show(topSum)} 不等于总分 ${show(total)}`, `The factors' maximum points add up to ${show(topSum)}, not the total ${show(total)}`);
  }
  const groupIds = new Set<string>();
  rubric.groups.forEach((g, gi) => {
    if (groupIds.has(g.id)) err(`groups[${gi}].id`, null, `分组「${g.id}」重复`, `Group "${g.id}" is listed twice`);
    groupIds.add(g.id);
    const sum = rubric.factors.filter((f) => f.group === g.id).reduce((a, f) => a.plus(dec(f.max_points)), dec(0));
    if (!sum.eq(dec(g.points))) {
      err(
        `groups[${gi}].points`,
        null,
        `分组「${g.name_zh}」的因素满分之和 ${show(sum)} 不等于其分值 ${show(dec(g.points))}`,
        `Group "${g.id}": its factors add up to ${show(sum)}, not its ${show(dec(g.points))} points`,
      );
    }
  });
  const groupSum = rubric.groups.reduce((a, g) => a.plus(dec(g.points)), dec(0));
  if (!groupSum.eq(total)) {
    err('groups', null, `各分组分值之和 ${show(groupSum)} 不等于总分 ${show(total)}`, `The groups add up to ${show(groupSum)}, not the total ${show(total)}`);
  }

  walk(rubric.factors, 'factors', (f, p) => checkFactor(f, p, err, groupIds));

  // The price factor (rules.price.factor) exists, is price_formula, and its max equals the weight.
  const all: Factor[] = [];
  walk(rubric.factors, 'factors', (f) => all.push(f));
  const priceId = rubric.rules.price.factor;
  const price = all.find((f) => f.id === priceId);
  if (!price) {
    err('rules.price.factor', null, `价格因素「${priceId}」不存在`, `The price factor "${priceId}" is not in the factors`);
  } else {
    if (price.kind !== 'price_formula') {
      err('rules.price.factor', price, `价格因素${label(price).zh}的类型须为 price_formula，而不是 ${price.kind}`, `The price factor ${label(price).en} must be of kind price_formula, not ${price.kind}`);
    }
    const w = dec(rubric.rules.price.weight);
    if (!dec(price.max_points).eq(w)) {
      err('rules.price.weight', price, `价格因素${label(price).zh}的满分 ${show(dec(price.max_points))} 不等于价格权重 ${show(w)}`, `The price factor ${label(price).en} has maximum ${show(dec(price.max_points))}, not the price weight ${show(w)}`);
    }
  }
  for (const f of all) {
    if (f.kind === 'price_formula' && f.id !== priceId) {
      err(`factors`, f, `因素${label(f).zh}为价格公式，但 rules.price.factor 指向「${priceId}」`, `Factor ${label(f).en} is a price formula but rules.price.factor names "${priceId}"`);
    }
  }
  const triggerIds = new Set<string>();
  rubric.rules.abnormalLow.triggers.forEach((t, i) => {
    if (triggerIds.has(t.id)) err(`rules.abnormalLow.triggers[${i}].id`, null, `异常低价触发条件编号「${t.id}」重复`, `Abnormal-low trigger id "${t.id}" is used twice`);
    triggerIds.add(t.id);
  });
  if (new Set(rubric.rules.quoteCorrection).size !== rubric.rules.quoteCorrection.length) {
    err('rules.quoteCorrection', null, '算术修正步骤重复', 'A quote-correction step is listed twice');
  }
  if (new Set(rubric.rules.ranking).size !== rubric.rules.ranking.length) {
    err('rules.ranking', null, '排序规则重复', 'A ranking key is listed twice');
  }
  const pf = rubric.rules.panel?.minExpertFraction;
  if (pf) {
    const [n, d] = pf.split('/').map((x) => dec(x));
    if (n.gt(d)) err('rules.panel.minExpertFraction', null, `专家比例 ${pf} 大于 1`, `The expert fraction ${pf} is above 1`);
  }

  return errors.length ? { ok: false, errors } : { ok: true, rubric };
}

type ErrFn = (path: string, f: Factor | null, zh: string, en: string) => void;

function checkFactor(f: Factor, p: string, err: ErrFn, groups: Set<string>): void {
  const L = label(f);
  const max = dec(f.max_points);
  const min = dec(f.min_points);
  if (!groups.has(f.group)) err(`${p}.group`, f, `因素${L.zh}的分组「${f.group}」不在 groups 中`, `Factor ${L.en}: group "${f.group}" is not in groups`);
  if (max.lte(0)) err(`${p}.max_points`, f, `因素${L.zh}的满分须大于 0`, `Factor ${L.en}: max_points must be above 0`);
  if (!min.eq(0)) err(`${p}.min_points`, f, `因素${L.zh}的最低分须为 0`, `Factor ${L.en}: min_points must be 0`);
  const [r0, r1] = f.allowed_range.map((x) => dec(x));
  if (!r0.eq(min) || !r1.eq(max)) {
    err(`${p}.allowed_range`, f, `因素${L.zh}的分值范围 [${show(r0)}, ${show(r1)}] 与 [0, ${show(max)}] 不一致`, `Factor ${L.en}: allowed_range [${show(r0)}, ${show(r1)}] is not [0, ${show(max)}]`);
  }
  const within = (v: Dec) => v.gte(0) && v.lte(max);
  const av = f.allowed_values ? f.allowed_values.map((x) => dec(x)) : null;
  if (av) {
    av.forEach((v, i) => {
      if (!within(v)) err(`${p}.allowed_values[${i}]`, f, `因素${L.zh}的允许分值 ${show(v)} 超出 [0, ${show(max)}]`, `Factor ${L.en}: allowed value ${show(v)} is outside [0, ${show(max)}]`);
    });
    if (!av.some((v) => v.eq(max))) err(`${p}.allowed_values`, f, `因素${L.zh}的允许分值不包含满分 ${show(max)}`, `Factor ${L.en}: allowed_values does not contain the maximum ${show(max)}`);
  }
  const inAllowed = (v: Dec) => !av || av.some((a) => a.eq(v));
  const need = (field: string, present: unknown) => {
    if (present === null || present === undefined) {
      err(`${p}.${field}`, f, `因素${L.zh}（${f.kind}）缺少 ${field}`, `Factor ${L.en} (${f.kind}) has no ${field}`);
      return false;
    }
    return true;
  };
  if (f.kind !== 'composite' && f.sub_factors && f.sub_factors.length) {
    err(`${p}.sub_factors`, f, `因素${L.zh}不是组合因素，不应有子项`, `Factor ${L.en} is not composite but has sub-factors`);
  }
  switch (f.kind) {
    case 'composite': {
      if (!f.sub_factors || f.sub_factors.length === 0) {
        err(`${p}.sub_factors`, f, `组合因素${L.zh}没有子项`, `Composite factor ${L.en} has no sub-factors`);
        break;
      }
      const sum = f.sub_factors.reduce((a, s) => a.plus(dec(s.max_points)), dec(0));
      if (!sum.eq(max)) {
        err(`${p}.sub_factors`, f, `因素${L.zh}的子项分值之和 ${show(sum)} 不等于其满分 ${show(max)}`, `Factor ${L.en}: its sub-factors add up to ${show(sum)}, not its maximum ${show(max)}`);
      }
      f.sub_factors.forEach((s, i) => {
        if (s.group !== f.group) err(`${p}.sub_factors[${i}].group`, s, `子项「${s.id}」的分组与其上级${L.zh}不同`, `Sub-factor "${s.id}" is in another group than its parent ${L.en}`);
      });
      break;
    }
    case 'discrete_levels': {
      if (!av || av.length === 0) {
        err(`${p}.allowed_values`, f, `等级因素${L.zh}缺少允许分值`, `Level factor ${L.en} has no allowed_values`);
      }
      (f.levels ?? []).forEach((l, i) => {
        const v = dec(l.points);
        if (!within(v) || !inAllowed(v)) err(`${p}.levels[${i}].points`, f, `因素${L.zh}的等级分值 ${show(v)} 不在允许分值内`, `Factor ${L.en}: level points ${show(v)} is not an allowed value`);
      });
      break;
    }
    case 'range_bands': {
      if (!need('bands', f.bands) || !f.bands) break;
      if (f.bands.length === 0) err(`${p}.bands`, f, `分档因素${L.zh}没有分档`, `Band factor ${L.en} has no bands`);
      const bs = f.bands.map((b) => ({ min: dec(b.min), max: dec(b.max) }));
      bs.forEach((b, i) => {
        if (b.min.gt(b.max) || !within(b.min) || !within(b.max)) {
          err(`${p}.bands[${i}]`, f, `因素${L.zh}的分档 ${show(b.min)}–${show(b.max)} 超出 [0, ${show(max)}]`, `Factor ${L.en}: band ${show(b.min)}–${show(b.max)} is outside [0, ${show(max)}]`);
        }
        bs.forEach((o, j) => {
          if (j > i && b.min.lte(o.max) && o.min.lte(b.max)) {
            err(`${p}.bands[${j}]`, f, `因素${L.zh}的分档 ${show(o.min)}–${show(o.max)} 与 ${show(b.min)}–${show(b.max)} 重叠`, `Factor ${L.en}: band ${show(o.min)}–${show(o.max)} overlaps ${show(b.min)}–${show(b.max)}`);
          }
        });
      });
      if (!bs.some((b) => b.max.eq(max))) err(`${p}.bands`, f, `因素${L.zh}没有达到满分 ${show(max)} 的分档`, `Factor ${L.en}: no band reaches the maximum ${show(max)}`);
      break;
    }
    case 'range':
      if (f.step !== undefined && f.step !== null && dec(f.step).lte(0)) err(`${p}.step`, f, `因素${L.zh}的步长须大于 0`, `Factor ${L.en}: step must be above 0`);
      break;
    case 'yes_no': {
      if (!need('yes_no', f.yes_no) || !f.yes_no) break;
      const y = dec(f.yes_no.yes_points);
      const n = dec(f.yes_no.no_points);
      if (!y.eq(max)) err(`${p}.yes_no.yes_points`, f, `因素${L.zh}“是”的分值 ${show(y)} 不等于满分 ${show(max)}`, `Factor ${L.en}: yes_points ${show(y)} is not the maximum ${show(max)}`);
      if (!within(n) || n.gte(y)) err(`${p}.yes_no.no_points`, f, `因素${L.zh}“否”的分值 ${show(n)} 无效`, `Factor ${L.en}: no_points ${show(n)} is invalid`);
      break;
    }
    case 'deduction': {
      if (!need('deduction', f.deduction) || !f.deduction) break;
      const s = dec(f.deduction.start_points);
      const per = dec(f.deduction.per_item_deduction);
      const fl = dec(f.deduction.floor);
      if (!s.eq(max)) err(`${p}.deduction.start_points`, f, `因素${L.zh}的起始分 ${show(s)} 不等于满分 ${show(max)}`, `Factor ${L.en}: start_points ${show(s)} is not the maximum ${show(max)}`);
      if (per.lte(0)) err(`${p}.deduction.per_item_deduction`, f, `因素${L.zh}的每项扣分须大于 0`, `Factor ${L.en}: per_item_deduction must be above 0`);
      if (!within(fl) || fl.gt(s)) err(`${p}.deduction.floor`, f, `因素${L.zh}的最低分 ${show(fl)} 无效`, `Factor ${L.en}: floor ${show(fl)} is invalid`);
      break;
    }
    case 'count_based': {
      if (!need('count_rule', f.count_rule) || !f.count_rule) break;
      const cr = f.count_rule;
      const cap = cr.cap !== null && cr.cap !== undefined ? dec(cr.cap) : null;
      if (cap && (!within(cap) || !cap.eq(max))) err(`${p}.count_rule.cap`, f, `因素${L.zh}的上限 ${show(cap)} 不等于满分 ${show(max)}`, `Factor ${L.en}: cap ${show(cap)} is not the maximum ${show(max)}`);
      if (cr.mode === 'per_unit') {
        if (cr.points_per_unit === null || cr.points_per_unit === undefined || dec(cr.points_per_unit).lte(0)) {
          err(`${p}.count_rule.points_per_unit`, f, `因素${L.zh}的每项分值须大于 0`, `Factor ${L.en}: points_per_unit must be above 0`);
        } else if (!cap) {
          err(`${p}.count_rule.cap`, f, `因素${L.zh}按项计分但没有上限`, `Factor ${L.en}: per-unit scoring without a cap`);
        } else if (av) {
          const ppu = dec(cr.points_per_unit);
          for (let k = 0; dec(k).times(ppu).lt(cap); k++) {
            const v = dec(k).times(ppu);
            if (!inAllowed(v)) err(`${p}.allowed_values`, f, `因素${L.zh}：${k} 项得 ${show(v)} 分，不在允许分值内`, `Factor ${L.en}: ${k} units give ${show(v)}, which is not an allowed value`);
          }
          if (!inAllowed(cap)) err(`${p}.allowed_values`, f, `因素${L.zh}：上限 ${show(cap)} 不在允许分值内`, `Factor ${L.en}: the cap ${show(cap)} is not an allowed value`);
        }
      } else if (cr.mode === 'tiers') {
        const tiers = cr.tiers ?? [];
        if (tiers.length === 0) err(`${p}.count_rule.tiers`, f, `因素${L.zh}没有计数档次`, `Factor ${L.en} has no count tiers`);
        tiers.forEach((t, i) => {
          const v = dec(t.points);
          if (t.max_count !== null && t.max_count < t.min_count) err(`${p}.count_rule.tiers[${i}]`, f, `因素${L.zh}的计数档次 ${t.min_count}–${t.max_count} 无效`, `Factor ${L.en}: count tier ${t.min_count}–${t.max_count} is empty`);
          if (!within(v) || !inAllowed(v)) err(`${p}.count_rule.tiers[${i}].points`, f, `因素${L.zh}的档次分值 ${show(v)} 不在允许分值内`, `Factor ${L.en}: tier points ${show(v)} is not an allowed value`);
          tiers.forEach((o, j) => {
            const oMax = o.max_count ?? Infinity;
            const tMax = t.max_count ?? Infinity;
            if (j > i && t.min_count <= oMax && o.min_count <= tMax) err(`${p}.count_rule.tiers[${j}]`, f, `因素${L.zh}的计数档次 ${o.min_count}–${o.max_count ?? '∞'} 与 ${t.min_count}–${t.max_count ?? '∞'} 重叠`, `Factor ${L.en}: count tier ${o.min_count}–${o.max_count ?? '∞'} overlaps ${t.min_count}–${t.max_count ?? '∞'}`);
          });
        });
        if (tiers.length && !tiers.some((t) => dec(t.points).eq(max))) err(`${p}.count_rule.tiers`, f, `因素${L.zh}没有达到满分的计数档次`, `Factor ${L.en}: no tier reaches the maximum`);
      } else {
        const items = cr.items ?? [];
        if (items.length === 0) err(`${p}.count_rule.items`, f, `因素${L.zh}没有清单项`, `Factor ${L.en} has no checklist items`);
        items.forEach((it, i) => {
          if (dec(it.points).lte(0)) err(`${p}.count_rule.items[${i}].points`, f, `因素${L.zh}的清单项分值须大于 0`, `Factor ${L.en}: checklist item points must be above 0`);
        });
        const sum = items.reduce((a, it) => a.plus(dec(it.points)), dec(0));
        const reach = cap && cap.lt(sum) ? cap : sum;
        if (items.length && !reach.eq(max)) err(`${p}.count_rule.items`, f, `因素${L.zh}的清单项分值之和 ${show(reach)} 不等于其满分 ${show(max)}`, `Factor ${L.en}: the checklist items add up to ${show(reach)}, not its maximum ${show(max)}`);
      }
      break;
    }
    case 'price_formula':
      break;
  }
}
