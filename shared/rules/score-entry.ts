// Score entry validation (分项评分校验). A member's value for one leaf factor is checked against the
// scoring standard before anything is stored: docs/rules.md §2.16 "Derived entry validation" and §2.21
// ground 2 (分项评分超出评分标准范围; 000 说明7 L464-474; 004 §5.2.5(2) L1249-1257), docs/anomaly.md R0.
import { D, dec, type Dec } from './decimal';
import type { Bilingual } from './types';
import type { Factor } from '../domain/rubric/types';
import { plainString as plain } from './money/amount';

export type ScoreInput =
  | string
  | number
  | { count: number; gate?: boolean }
  | { yes: boolean }
  | { unmet: number }
  | { items: boolean[] };

export type ScoreOk = { ok: true; points: Dec; count?: number; detail?: Bilingual };
export type ScoreError = { ok: false; error: Bilingual; allowed: Bilingual };
export type ScoreResult = ScoreOk | ScoreError;

/** Plain decimals only: ASCII digits, one optional point; no sign, exponent, separators or full-width digits. */
const PLAIN = /^\d+(\.\d+)?$/;


/** What the member typed, for messages. */
function enteredText(input: ScoreInput): string {
  if (typeof input === 'string') return input;
  if (typeof input === 'number') return String(input);
  return JSON.stringify(input);
}

export type DecimalParse = { ok: true; value: Dec } | { ok: false; reason: Bilingual };

/** A points value typed as a plain decimal string or a finite JSON number. Negative values parse
 *  (they are out of range, not malformed), everything else that is not a plain decimal does not. */
export function parsePoints(input: string | number): DecimalParse {
  let text: string;
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) {
      return { ok: false, reason: { zh: `分值须为有限的数（${String(input)}）`, en: `the value must be a finite number (${String(input)})` } };
    }
    text = String(input);
  } else {
    text = input.trim();
  }
  const neg = text.startsWith('-');
  const body = neg ? text.slice(1) : text;
  if (!PLAIN.test(body)) {
    return {
      ok: false,
      reason: {
        zh: `“${String(input)}”不是普通小数（只接受如 8 或 0.5 的半角数字，不接受科学计数法、千分位或全角数字）`,
        en: `"${String(input)}" is not a plain decimal (only half-width digits such as 8 or 0.5; no exponent, separators or full-width digits)`,
      },
    };
  }
  const v = new D(body);
  return { ok: true, value: neg ? v.negated() : v };
}

function name(f: Factor): Bilingual {
  return { zh: f.name_zh, en: f.name_en ?? f.name_zh };
}

function pointsList(values: Dec[]): string {
  return values.map(plain).join('/');
}

/** The finite set of points a factor allows, descending, or null for a range (bands, range). */
export function allowedSet(f: Factor): Dec[] | null {
  const uniq = (vs: Dec[]) =>
    vs
      .filter((v, i) => vs.findIndex((w) => w.eq(v)) === i)
      .sort((a, b) => b.comparedTo(a));
  if (f.allowed_values && f.allowed_values.length) return uniq(f.allowed_values.map((x) => dec(x)));
  const max = dec(f.max_points);
  switch (f.kind) {
    case 'discrete_levels':
      return uniq((f.levels ?? []).map((l) => dec(l.points)));
    case 'yes_no':
      return f.yes_no ? uniq([dec(f.yes_no.yes_points), dec(f.yes_no.no_points)]) : null;
    case 'deduction': {
      if (!f.deduction) return null;
      const start = dec(f.deduction.start_points);
      const per = dec(f.deduction.per_item_deduction);
      const floor = dec(f.deduction.floor);
      const out: Dec[] = [];
      for (let v = start; v.gt(floor); v = v.minus(per)) out.push(v);
      out.push(floor);
      return uniq(out);
    }
    case 'count_based': {
      const cr = f.count_rule;
      if (!cr) return null;
      const cap = cr.cap !== null && cr.cap !== undefined ? dec(cr.cap) : max;
      if (cr.mode === 'per_unit' && cr.points_per_unit !== undefined && cr.points_per_unit !== null) {
        const ppu = dec(cr.points_per_unit);
        const out: Dec[] = [];
        for (let k = 0; dec(k).times(ppu).lt(cap); k++) out.push(dec(k).times(ppu));
        out.push(cap);
        return uniq(out);
      }
      if (cr.mode === 'tiers') return uniq((cr.tiers ?? []).map((t) => dec(t.points)));
      if (cr.mode === 'checklist') {
        let sums: Dec[] = [dec(0)];
        for (const it of cr.items ?? []) sums = sums.concat(sums.map((s) => s.plus(dec(it.points))));
        return uniq(sums.map((s) => D.min(s, cap)));
      }
      return null;
    }
    default:
      return null;
  }
}

/** The step of a band or range factor: `step`, or whole points by default (docs/rules.md §5.7). */
export function factorStep(f: Factor): Dec {
  return f.step ? dec(f.step) : dec(1);
}

/** What the factor allows, in words, for the R0 message (docs/anomaly.md "Messages"). */
export function allowedText(f: Factor): Bilingual {
  const max = dec(f.max_points);
  if (f.kind === 'price_formula') return { zh: '由系统按价格公式计算', en: 'computed by the system from the price formula' };
  if (f.kind === 'composite') return { zh: '由子项分值相加', en: 'the sum of its sub-factors' };
  if (f.kind === 'range_bands' && f.bands) {
    const step = factorStep(f);
    const bands = f.bands.map((b) => (dec(b.min).eq(dec(b.max)) ? plain(dec(b.min)) : `${plain(dec(b.min))}–${plain(dec(b.max))}`));
    return {
      zh: `${bands.join('/')} 分（步长 ${plain(step)} 分）`,
      en: `${bands.join(' / ')} points (in steps of ${plain(step)})`,
    };
  }
  if (f.kind === 'range') {
    const step = factorStep(f);
    const [a, b] = f.allowed_range.map((x) => dec(x));
    return { zh: `${plain(a)}–${plain(b)} 分（步长 ${plain(step)} 分）`, en: `${plain(a)}–${plain(b)} points (in steps of ${plain(step)})` };
  }
  if (f.kind === 'count_based' && f.count_rule?.mode === 'tiers' && f.count_rule.tiers) {
    const t = f.count_rule.tiers;
    const zh = t.map((x) => `${x.max_count === null ? `≥${x.min_count}` : `${x.min_count}–${x.max_count}`} → ${plain(dec(x.points))}`).join('；');
    const set = allowedSet(f) ?? [];
    return {
      zh: `${pointsList(set)} 分（计数 ${zh} 分）`,
      en: `${pointsList(set)} points (count ${zh.replace(/；/g, '; ')})`,
    };
  }
  const set = allowedSet(f);
  if (set) return { zh: `${pointsList(set)} 分`, en: `${pointsList(set)} points` };
  return { zh: `0–${plain(max)} 分`, en: `0–${plain(max)} points` };
}

function outOfRange(f: Factor, entered: string): ScoreError {
  const allowed = allowedText(f);
  const n = name(f);
  return {
    ok: false,
    // docs/anomaly.md R0 message: 分项评分超出评分标准范围：「实施方案」只允许 12/8/5/2/0 分，您输入了 10。
    error: {
      zh: `分项评分超出评分标准范围：「${n.zh}」只允许 ${allowed.zh}，您输入了 ${entered}。`,
      en: `Out of range: "${n.en}" allows only ${allowed.en}; you entered ${entered}.`,
    },
    allowed,
  };
}

function refuse(f: Factor, zh: string, en: string): ScoreError {
  return { ok: false, error: { zh, en }, allowed: allowedText(f) };
}

function wrongShape(f: Factor, entered: string): ScoreError {
  const n = name(f);
  return refuse(
    f,
    `分项评分格式无效：「${n.zh}」不接受 ${entered} 这种录入。`,
    `Invalid entry: "${n.en}" does not take ${entered}.`,
  );
}

/** A points value checked against a finite allowed set. */
function checkInSet(f: Factor, v: Dec, entered: string, setOf: (f: Factor) => Dec[] | null): ScoreResult {
  const set = setOf(f);
  if (!set || !set.some((a) => a.eq(v))) return outOfRange(f, entered);
  return { ok: true, points: set.find((a) => a.eq(v)) as Dec };
}

function isCount(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
}

/** Points from a count (计数), through the factor's count rule (docs/rubrics.md `count_rule.mode`). */
function fromCount(f: Factor, input: { count: number; gate?: boolean }): ScoreResult {
  const cr = f.count_rule;
  const n = name(f);
  const entered = enteredText(input);
  if (!cr || cr.mode === 'checklist') return wrongShape(f, entered);
  if (!isCount(input.count)) {
    return refuse(f, `分项评分格式无效：「${n.zh}」的计数须为非负整数，您输入了 ${String(input.count)}。`, `Invalid entry: the count for "${n.en}" must be a whole number ≥ 0; you entered ${String(input.count)}.`);
  }
  const count = input.count;
  // A gate (e.g. seed 000 1.2.3 "活动类型齐全") that is not met scores 0 (docs/rules.md §5.8; 000 L355-359).
  if (cr.gate_zh && input.gate === false) {
    return {
      ok: true,
      points: dec(0),
      count,
      detail: { zh: `前提条件未满足（${cr.gate_zh}），得 0 分`, en: `precondition not met (${cr.gate_zh}): 0 points` },
    };
  }
  if (cr.mode === 'per_unit') {
    const ppu = dec(cr.points_per_unit ?? 0);
    const cap = cr.cap !== null && cr.cap !== undefined ? dec(cr.cap) : dec(f.max_points);
    const raw = dec(count).times(ppu);
    const points = D.min(raw, cap);
    return {
      ok: true,
      points,
      count,
      detail: {
        zh: `${count} × ${plain(ppu)} 分${raw.gt(cap) ? `，上限 ${plain(cap)} 分` : ''} = ${plain(points)} 分`,
        en: `${count} × ${plain(ppu)}${raw.gt(cap) ? `, capped at ${plain(cap)}` : ''} = ${plain(points)} points`,
      },
    };
  }
  const tier = (cr.tiers ?? []).find((t) => count >= t.min_count && (t.max_count === null || count <= t.max_count));
  if (!tier) {
    // A count outside every tier is R0 (docs/anomaly.md "Precise readings").
    const allowed = allowedText(f);
    return {
      ok: false,
      error: {
        zh: `分项评分超出评分标准范围：「${n.zh}」的计数 ${count} 不在任何档次内，只允许 ${allowed.zh}。`,
        en: `Out of range: the count ${count} for "${n.en}" is in no tier; allowed: ${allowed.en}.`,
      },
      allowed,
    };
  }
  const points = dec(tier.points);
  const span = tier.max_count === null ? `≥${tier.min_count}` : `${tier.min_count}–${tier.max_count}`;
  return {
    ok: true,
    points,
    count,
    detail: { zh: `计数 ${count}（${span} 档）得 ${plain(points)} 分`, en: `count ${count} (tier ${span}): ${plain(points)} points` },
  };
}

/**
 * Check one member's entry for one leaf factor and turn it into points.
 * discrete_levels: one of allowed_values. range_bands: inside a band, on the step (whole points by
 * default, docs/rules.md §5.7; values between bands are invalid). range: in allowed_range on `step`.
 * count_based: a count through per_unit / tiers, checklist items, or the points themselves
 * (checked against allowed_values). yes_no: yes/no or its points. deduction: unmet items
 * (start − per_item × unmet, floored) or its points. price_formula and composite take no input.
 */
export function validateScore(factor: Factor, input: ScoreInput): ScoreResult {
  return validate(factor, input, allowedSet);
}

/**
 * `validateScore` for many entries against one rubric (an evaluation): each factor's allowed set is
 * built once, and the result for a plain entry ("8", 8) is computed once per factor and shared (the
 * results are read, never changed). Use a fresh validator per evaluation: it assumes the factors do
 * not change while it is in use. `remember: false` keeps the allowed sets only (bounded by the
 * rubric's factors), for a validator that lives as long as its rubric and sees whatever members type
 * (server/scoring/handlers.ts): remembered results would grow with every distinct entry.
 */
export function scoreValidator(opts: { remember?: boolean } = {}): (factor: Factor, input: ScoreInput) => ScoreResult {
  const sets = new Map<Factor, Dec[] | null>();
  const setOf = (f: Factor) => {
    let set = sets.get(f);
    if (set === undefined) sets.set(f, (set = allowedSet(f)));
    return set;
  };
  if (opts.remember === false) return (factor, input) => validate(factor, input, setOf);
  const plainResults = new Map<Factor, Map<string, ScoreResult>>();
  return (factor, input) => {
    if (typeof input !== 'string' && typeof input !== 'number') return validate(factor, input, setOf);
    let byEntry = plainResults.get(factor);
    if (!byEntry) plainResults.set(factor, (byEntry = new Map()));
    const k = (typeof input === 'string' ? 's' : 'n') + String(input);
    let r = byEntry.get(k);
    if (!r) byEntry.set(k, (r = validate(factor, input, setOf)));
    return r;
  };
}

function validate(factor: Factor, input: ScoreInput, setOf: (f: Factor) => Dec[] | null): ScoreResult {
  const n = name(factor);
  const entered = enteredText(input);
  if (factor.kind === 'price_formula') {
    return refuse(factor, `「${n.zh}」的价格分由系统计算，不能录入。`, `"${n.en}" is computed by the system from the price formula; it takes no entry.`);
  }
  if (factor.kind === 'composite') {
    return refuse(factor, `「${n.zh}」为组合因素，请为其子项评分。`, `"${n.en}" is a composite factor; score its sub-factors.`);
  }
  if (input === null || input === undefined) return wrongShape(factor, String(input));

  if (typeof input === 'object') {
    if (Array.isArray(input)) return wrongShape(factor, entered);
    if ('count' in input) {
      if (factor.kind !== 'count_based') return wrongShape(factor, entered);
      return fromCount(factor, input);
    }
    if ('items' in input) {
      const cr = factor.count_rule;
      if (factor.kind !== 'count_based' || !cr || cr.mode !== 'checklist' || !Array.isArray(input.items)) return wrongShape(factor, entered);
      const items = cr.items ?? [];
      if (input.items.length !== items.length || input.items.some((b) => typeof b !== 'boolean')) {
        return refuse(factor, `分项评分格式无效：「${n.zh}」须逐项回答 ${items.length} 项（是/否）。`, `Invalid entry: "${n.en}" needs a yes/no for each of its ${items.length} items.`);
      }
      const cap = cr.cap !== null && cr.cap !== undefined ? dec(cr.cap) : dec(factor.max_points);
      const sum = items.reduce((a, it, i) => (input.items[i] ? a.plus(dec(it.points)) : a), dec(0));
      const points = D.min(sum, cap);
      const count = input.items.filter(Boolean).length;
      return {
        ok: true,
        points,
        count,
        detail: {
          zh: `具备 ${count} 项：${items.filter((_, i) => input.items[i]).map((it) => `${it.item_zh} ${plain(dec(it.points))}`).join('、') || '无'}，计 ${plain(points)} 分`,
          en: `${count} items provided: ${plain(points)} points`,
        },
      };
    }
    if ('yes' in input) {
      if (factor.kind !== 'yes_no' || !factor.yes_no || typeof input.yes !== 'boolean') return wrongShape(factor, entered);
      return { ok: true, points: dec(input.yes ? factor.yes_no.yes_points : factor.yes_no.no_points) };
    }
    if ('unmet' in input) {
      const d = factor.deduction;
      if (factor.kind !== 'deduction' || !d) return wrongShape(factor, entered);
      if (!isCount(input.unmet)) {
        return refuse(factor, `分项评分格式无效：「${n.zh}」的不满足项数须为非负整数，您输入了 ${String(input.unmet)}。`, `Invalid entry: the number of unmet items for "${n.en}" must be a whole number ≥ 0; you entered ${String(input.unmet)}.`);
      }
      // "一项不满足扣1分,扣完为止" (004 §5.2.3 L1219): start − per_item × unmet, never below the floor.
      const start = dec(d.start_points);
      const per = dec(d.per_item_deduction);
      const floor = dec(d.floor);
      const points = D.max(start.minus(per.times(input.unmet)), floor);
      return {
        ok: true,
        points,
        count: input.unmet,
        detail: {
          zh: `${plain(start)} − ${input.unmet} × ${plain(per)}${points.eq(floor) ? `，扣完为止（最低 ${plain(floor)}）` : ''} = ${plain(points)} 分`,
          en: `${plain(start)} − ${input.unmet} × ${plain(per)}${points.eq(floor) ? `, floored at ${plain(floor)}` : ''} = ${plain(points)} points`,
        },
      };
    }
    return wrongShape(factor, entered);
  }

  if (typeof input !== 'string' && typeof input !== 'number') return wrongShape(factor, entered);
  const parsed = parsePoints(input);
  if (!parsed.ok) {
    return refuse(factor, `分项评分格式无效：「${n.zh}」${parsed.reason.zh}。`, `Invalid entry for "${n.en}": ${parsed.reason.en}.`);
  }
  const v = parsed.value;
  if (v.isNegative() && !v.isZero()) return outOfRange(factor, entered);
  const max = dec(factor.max_points);

  switch (factor.kind) {
    case 'range_bands':
    case 'range': {
      const step = factorStep(factor);
      if (v.decimalPlaces() > step.decimalPlaces() || !v.mod(step).isZero()) return outOfRange(factor, entered);
      if (factor.kind === 'range') {
        const [a, b] = factor.allowed_range.map((x) => dec(x));
        if (v.lt(a) || v.gt(b) || v.gt(max)) return outOfRange(factor, entered);
        return { ok: true, points: v };
      }
      const band = (factor.bands ?? []).find((b) => v.gte(dec(b.min)) && v.lte(dec(b.max)));
      if (!band) return outOfRange(factor, entered);
      return { ok: true, points: v };
    }
    case 'discrete_levels':
    case 'yes_no':
    case 'deduction':
    case 'count_based':
      return checkInSet(factor, v, entered, setOf);
    default:
      return wrongShape(factor, entered);
  }
}

/** The points an entry stands for even when it is out of range (R0 values are reported and still
 *  counted as entered, never dropped or clamped: docs/evaluate.md). Structured entries that
 *  cannot be scored (a count outside every tier) count 0. */
export function enteredPoints(factor: Factor, input: ScoreInput): Dec {
  const r = validateScore(factor, input);
  if (r.ok) return r.points;
  if (typeof input === 'string' || typeof input === 'number') {
    const p = parsePoints(input);
    if (p.ok) return p.value;
  }
  return dec(0);
}
