// Small exact-decimal helpers for the anomaly rules (docs/anomaly.md). Scores are Dec
// throughout; a JavaScript number only ever holds a count (members, levels, grades).
import { D, dec, fixed, type Dec } from '../decimal';
import { cmp, exactlySummable, exactSum } from '../exact';

export { cmp } from '../exact';
import type { ConsistencyCheck, Factor, Rubric } from '../../domain/rubric/types';

/** A scored leaf of the rubric (composite factors are summed from their leaves, docs/anomaly.md "Scope"). */
export interface Leaf {
  id: string;
  factor: Factor;
  max: Dec;
  /** Position among the leaves, in rubric order (used to order flags). */
  order: number;
  check: ConsistencyCheck;
  /** docs/anomaly.md "Scope": subjective = `consistency_check: none`; R3–R7 look only at these. */
  subjective: boolean;
}

function isPrice(f: Factor, rubric: Rubric): boolean {
  return f.kind === 'price_formula' || f.consistency_check === 'computed' || f.id === rubric.rules?.price?.factor;
}

/** The non-price leaves in rubric order (depth first; a composite's children replace it). */
export function leavesOf(rubric: Rubric): Leaf[] {
  const out: Leaf[] = [];
  const walk = (fs: Factor[]) => {
    for (const f of fs) {
      if (f.sub_factors && f.sub_factors.length > 0) {
        walk(f.sub_factors);
        continue;
      }
      if (isPrice(f, rubric)) continue;
      out.push({
        id: f.id,
        factor: f,
        max: dec(f.max_points),
        order: out.length,
        check: f.consistency_check,
        subjective: f.consistency_check === 'none',
      });
    }
  };
  walk(rubric.factors);
  return out;
}

export function sorted(vals: Dec[]): Dec[] {
  return vals.length < 2 ? [...vals] : [...vals].sort(cmp);
}

/** Exact sum; summed in ascending order so that the result does not depend on input order. */
export function sum(vals: Dec[]): Dec {
  if (exactlySummable(vals)) return exactSum(vals);
  return sorted(vals).reduce((acc, v) => acc.plus(v), new D(0));
}

export function mean(vals: Dec[]): Dec | null {
  if (vals.length === 0) return null;
  return sum(vals).div(vals.length);
}

/** docs/anomaly.md "Scope": the median of an even number of values is the mean of the two middle ones. */
export function median(vals: Dec[]): Dec | null {
  if (vals.length === 0) return null;
  const s = sorted(vals);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : midpoint(s[mid - 1], s[mid]);
}

// ---------- memos by identity ----------
//
// Decimals are immutable and the same objects recur throughout one run of the rules (the allowed
// values of a factor, the medians of a column), so pure functions of them are remembered per object
// — only inside `remembering` (one detectAnomalies call), in plain Maps dropped at its end.

let scope: Map<object, Map<unknown, unknown>> | null = null;

/** Run `fn` with the memos of this module on; they are forgotten when it returns. */
export function remembering<T>(fn: () => T): T {
  const outer = scope;
  scope = new Map();
  try {
    return fn();
  } finally {
    scope = outer;
  }
}

function table<K, V>(owner: object): Map<K, V> | null {
  if (scope === null) return null;
  let t = scope.get(owner);
  if (!t) scope.set(owner, (t = new Map()));
  return t as Map<K, V>;
}

/** A function of one object, remembered per object while `remembering`. */
export function memo1<A extends object, T>(fn: (a: A) => T): (a: A) => T {
  const owner = {};
  return (a) => {
    const t = table<A, T>(owner);
    if (t === null) return fn(a);
    let r = t.get(a);
    if (r === undefined && !t.has(a)) t.set(a, (r = fn(a)));
    return r as T;
  };
}

/** A function of two values, remembered per pair while `remembering`. */
export function memo2<A extends object, B, T>(fn: (a: A, b: B) => T): (a: A, b: B) => T {
  const owner = {};
  return (a, b) => {
    const t = table<A, Map<B, T>>(owner);
    if (t === null) return fn(a, b);
    let inner = t.get(a);
    if (!inner) t.set(a, (inner = new Map()));
    let r = inner.get(b);
    if (r === undefined && !inner.has(b)) inner.set(b, (r = fn(a, b)));
    return r as T;
  };
}

/** (a + b) / 2, the even median. */
export const midpoint = memo2((a: Dec, b: Dec) => a.plus(b).div(2));
export const minus = memo2((a: Dec, b: Dec) => a.minus(b));
export const div = memo2((a: Dec, b: Dec) => a.div(b));
export const abs = memo1((a: Dec) => a.abs());

/** A decimal as written, without exponent and without trailing zeros ("36.5", "12"). */
export const plain = memo1((v: Dec): string => fixed(v, v.decimalPlaces()));

/** A ratio for `inputs`: half-up to 4 decimals (display only; the rules compare exact values). */
export const ratio4 = memo1((v: Dec): string => fixed(v, 4));

/** |v| as a percentage for messages: exact when it has at most one decimal ("0.375" → "37.5",
 *  "0.215" → "21.5"), otherwise half-up to a whole percent ("0.3333" → "33"), as in docs/anomaly.md. */
export const pct = memo1((v: Dec): string => {
  const p = v.abs().times(100);
  return p.decimalPlaces() <= 1 ? plain(p) : fixed(p, 0);
});

/** |v| as a percentage with a fixed number of decimals, half-up ("0.19374" → "19.4"). */
export function pctAt(v: Dec, places: number): string {
  return fixed(v.abs().times(100), places);
}

/** A signed display with the typographic minus used in docs/anomaly.md's messages ("−4.03", "+2.03"). */
export function signed(v: Dec, places: number): string {
  const s = fixed(v.abs(), places);
  if (v.toDecimalPlaces(places, D.ROUND_HALF_UP).isZero()) return s;
  return (v.isNegative() ? '−' : '+') + s;
}

/** A ratio written as a percentage, e.g. "0.30" → "30", "0.455" → "45.5". */
export function ratioAsPct(r: string | Dec): string {
  return plain(dec(r).times(100));
}

// ---------- grades (docs/anomaly.md "Precise readings", R3) ----------

export interface GradeScale {
  /** Number of grades (levels or bands). */
  count: number;
  /** Rank 0 = the best grade; a value off the list ranks as the number of grades above it. */
  rank(x: Dec): Dec;
  /** The band a value lies in ("21–25"), for messages; null for levels or a value in a gap. */
  label(x: Dec): string | null;
}

/** Grade distance exists only for `discrete_levels` (allowed_values, descending) and `range_bands`
 *  (the band index). Ranking a value as "the number of grades strictly above it" gives the list
 *  index for a value on the list and the reading of docs/anomaly.md for a value off it, whatever order
 *  the rubric lists them in. */
export function gradeScale(f: Factor): GradeScale | null {
  if (f.kind === 'discrete_levels') {
    const raw = f.allowed_values && f.allowed_values.length > 0 ? f.allowed_values : (f.levels ?? []).map((l) => l.points);
    const values = raw.map((v) => dec(v));
    if (values.length === 0) return null;
    return {
      count: values.length,
      rank: (x) => new D(values.filter((v) => v.greaterThan(x)).length),
      label: () => null,
    };
  }
  if (f.kind === 'range_bands') {
    const bands = (f.bands ?? []).map((b) => ({ min: dec(b.min), max: dec(b.max) }));
    if (bands.length === 0) return null;
    return {
      count: bands.length,
      rank: (x) => new D(bands.filter((b) => b.min.greaterThan(x)).length),
      label: (x) => {
        const b = bands.find((bb) => bb.min.lessThanOrEqualTo(x) && bb.max.greaterThanOrEqualTo(x));
        return b ? `${plain(b.min)}–${plain(b.max)}` : null;
      },
    };
  }
  return null;
}

/** The Chinese "allowed values" text of a factor for the R0 message ("12/8/5/2/0", "26–30、21–25"). */
export function allowedText(f: Factor): string {
  if (f.kind === 'range_bands' && f.bands && f.bands.length > 0) {
    return f.bands.map((b) => `${plain(dec(b.min))}–${plain(dec(b.max))}`).join('、');
  }
  if (f.allowed_values && f.allowed_values.length > 0) {
    return f.allowed_values.map((v) => plain(dec(v))).join('/');
  }
  const [lo, hi] = f.allowed_range;
  const step = f.step ?? '1';
  return `${plain(dec(lo))}–${plain(dec(hi))}（步长 ${plain(dec(step))}）`;
}
