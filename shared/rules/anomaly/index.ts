// Score anomalies (评分异常): the rule set R1–R8 and TOTAL30 of docs/anomaly.md, with its
// presets, severities, and the display-only what-if that marks REVIEW flags `high`.
//
// The room flags and records; it never changes a score by itself (docs/anomaly.md, introduction; 87号令
// art. 64; 000 说明7 L466; 004 §5.2.5). R0 is the score-entry validator's (only its message is here,
// `r0Message`).
import { D, dec, fixed, type Dec } from '../decimal';
import type { AbnormalLowHit, AnomalyPreset, Flag, FlagRule } from '../types';
import type { Rubric } from '../../domain/rubric/types';
import { FEW_GRADES, HIGH_DELTA, PRESETS, R5_MIN_FACTORS, R5_MIN_SUPPLIERS, R6_THRESHOLD, R7_MIN_SUPPLIERS, R7_RANGE } from './presets';
import { abs, cmp, div, remembering, gradeScale, leavesOf, mean, median, memo1, memo2, midpoint, minus, plain, ratio4, sorted, sum, type GradeScale, type Leaf } from './stats';
import { memberTotal, whatIf, type Replacement, type TotalsInput, type WhatIfResult } from './what-if';
import {
  r1Message,
  r2Message,
  r3Message,
  r4Message,
  r5Message,
  r6Message,
  r7RangeMessage,
  r7SameMessage,
  r8Message,
  total30Message,
  type R2Group,
  type R5Clause,
} from './messages';
import { extend } from '../../extend';

export { PRESETS } from './presets';
export { r0Message, r0MessageFor } from './messages';
export { allowedText as r0AllowedText } from './stats';

export interface AnomalyInput {
  rubric: Rubric;
  preset: AnomalyPreset;
  /** Member ids, input order. */
  members: string[];
  /** Responsive supplier ids, input order. */
  suppliers: string[];
  /** For messages (e.g. "B" or a name); default the id. */
  supplierLabels?: Record<string, string>;
  /** For messages (e.g. "专家1"); default the id. */
  memberLabels?: Record<string, string>;
  /** member → supplier → LEAF factor id (non-price) → points as counted. */
  scores: Record<string, Record<string, Record<string, Dec>>>;
  /** Evidence for objective factors (e.g. the count), member → supplier → factor → text; shown in R2. */
  evidence?: Record<string, Record<string, Record<string, string>>>;
  /** Typed totals from paper sheets, member → supplier → total; R1 compares them with the computed ones. */
  typedTotals?: Record<string, Record<string, Dec>>;
  /** Rounded price score per responsive supplier. */
  priceScores: Record<string, Dec>;
  /** The price side's abnormal-low hits per supplier, for R8. */
  abnormalLow?: Record<string, AbnormalLowHit[]>;
}

// ---------- context ----------

interface Ctx {
  input: AnomalyInput;
  leaves: Leaf[];
  /** Subjective leaves with a positive maximum (R3–R7 divide by max_f). */
  subj: Leaf[];
  places: number;
  totals: TotalsInput;
  val(m: string, s: string, f: string): Dec | undefined;
  /** The other members' values for (s, f), members without a value left out. */
  others(m: string, s: string, f: string): Dec[];
  /** As `sorted(others(m, s, f))`, from the column sorted once. */
  othersSorted(m: string, s: string, f: string): Dec[];
  /** As `median(others(m, s, f))`, from the column sorted once; remembered. */
  othersMedian(m: string, s: string, f: string): Dec | null;
  /** The member's values of the supplier's subjective leaves, summed (`subtotal`); remembered. */
  subtotal(m: string, s: string): Dec | null;
  /** The column of supplier index `si` and leaf index `li` (position in `leaves`). */
  colAt(si: number, li: number): Column;
  /** othersMedian(members[mi], column's supplier, column's factor). */
  medianAt(col: Column, mi: number): Dec | null;
  /** othersSorted(members[mi], column's supplier, column's factor). */
  sortedAt(col: Column, mi: number): Dec[];
  /** memberTotal(c.totals, c.input.scores, m, s), remembered. */
  total(m: string, s: string): Dec | null;
  /** whatIf(c.totals, reps), remembered per set of replacements. */
  whatIf(reps: Replacement[]): WhatIfResult;
  ml(m: string): string;
  sl(s: string): string;
}

/** One (supplier, factor) column: the members' values, sorted once (stable, so that removing one
 *  member's entry gives exactly `sorted(others)`). */
interface Column {
  s: string;
  f: string;
  /** Member indices with a value, by ascending value (ties in member order). */
  order: number[];
  vals: (Dec | undefined)[];
  /** Member index → position in `order`, or -1. */
  pos: number[];
  medians: (Dec | null | undefined)[];
}

/** The k-th smallest of a column without the member at position p of its order (p < 0: none left
 *  out). Not a closure: under tsx every closure created in a hot path costs a defineProperty. */
function othersAt(col: Column, p: number, k: number): Dec {
  return col.vals[col.order[p >= 0 && k >= p ? k + 1 : k]] as Dec;
}

/** A flag under construction, with the items its what-if replaces (REVIEW flags only). */
interface Pending {
  flag: Flag;
  reps?: Replacement[];
}

function context(input: AnomalyInput): Ctx {
  if (!Object.prototype.hasOwnProperty.call(PRESETS, input.preset)) {
    throw new RangeError(`unknown anomaly preset: ${String(input.preset)} (standard | strict | lenient | total30)`);
  }
  const leaves = leavesOf(input.rubric);
  const places = input.rubric.rules?.rounding?.places ?? 2;
  const val = (m: string, s: string, f: string) => input.scores[m]?.[s]?.[f];
  const members = input.members;
  const others = (m: string, s: string, f: string) =>
    members
      .filter((o) => o !== m)
      .map((o) => val(o, s, f))
      .filter((v): v is Dec => v !== undefined);
  const subj = leaves.filter((l) => l.subjective && l.max.greaterThan(0));
  const totals: TotalsInput = {
    members,
    suppliers: input.suppliers,
    leafIds: leaves.map((l) => l.id),
    scores: input.scores,
    priceScores: input.priceScores,
    places,
  };
  // Columns are indexed by member position; with a member listed twice, "the others" leaves out
  // both entries, so the columns are not used (the plain definitions below apply).
  const memberIx = new Map<string, number>();
  members.forEach((m, i) => memberIx.set(m, i));
  const unique = memberIx.size === members.length;
  const columns = new Map<string, Map<string, Column>>();
  const column = (s: string, f: string): Column => {
    let bySupplier = columns.get(s);
    if (!bySupplier) columns.set(s, (bySupplier = new Map()));
    let col = bySupplier.get(f);
    if (!col) {
      const vals = members.map((m) => val(m, s, f));
      const order: number[] = [];
      for (let i = 0; i < vals.length; i++) if (vals[i] !== undefined) order.push(i);
      order.sort((a, b) => cmp(vals[a] as Dec, vals[b] as Dec) || a - b);
      const pos = members.map(() => -1);
      order.forEach((mi, p) => (pos[mi] = p));
      col = { s, f, order, vals, pos, medians: [] };
      bySupplier.set(f, col);
    }
    return col;
  };
  const sortedAt = (col: Column, mi: number): Dec[] => {
    if (!unique) return sorted(others(members[mi], col.s, col.f));
    const out: Dec[] = [];
    for (const o of col.order) if (o !== mi) out.push(col.vals[o] as Dec);
    return out;
  };
  const othersSorted = (m: string, s: string, f: string): Dec[] => {
    const mi = memberIx.get(m);
    if (!unique || mi === undefined) return sorted(others(m, s, f));
    return sortedAt(column(s, f), mi);
  };
  const othersMedian = (m: string, s: string, f: string): Dec | null => {
    const mi = memberIx.get(m);
    if (!unique || mi === undefined) return median(others(m, s, f));
    return medianAt(column(s, f), mi);
  };
  const grid: Column[][] = input.suppliers.map(() => []);
  const colAt = (si: number, li: number): Column => grid[si][li] ?? (grid[si][li] = column(input.suppliers[si], leaves[li].id));
  const medianAt = (col: Column, mi: number): Dec | null => {
    if (!unique) return median(others(members[mi], col.s, col.f));
    let r = col.medians[mi];
    if (r !== undefined) return r;
    const p = col.pos[mi];
    const n = p < 0 ? col.order.length : col.order.length - 1;
    if (n === 0) r = null;
    else {
      const mid = Math.floor(n / 2);
      r = n % 2 === 1 ? othersAt(col, p, mid) : midpoint(othersAt(col, p, mid - 1), othersAt(col, p, mid));
    }
    col.medians[mi] = r;
    return r;
  };
  const subtotals = new Map<string, Dec | null>();
  const memberTotals = new Map<string, Dec | null>();
  const whatIfs = new Map<string, WhatIfResult>();
  const key = (m: string, s: string) => m + '\u0000' + s;
  return {
    input,
    leaves,
    subj,
    places,
    totals,
    val,
    others,
    othersSorted,
    othersMedian,
    colAt,
    medianAt,
    sortedAt,
    subtotal: (m, s) => {
      const k = key(m, s);
      let r = subtotals.get(k);
      if (r === undefined) {
        const vals = subj.map((l) => val(m, s, l.id)).filter((v): v is Dec => v !== undefined);
        subtotals.set(k, (r = vals.length === 0 ? null : sum(vals)));
      }
      return r;
    },
    total: (m, s) => {
      const k = key(m, s);
      let r = memberTotals.get(k);
      if (r === undefined) memberTotals.set(k, (r = memberTotal(totals, input.scores, m, s)));
      return r;
    },
    whatIf: (reps) => {
      const k = JSON.stringify(reps.map((r) => [r.member, r.supplier, r.factors]));
      let w = whatIfs.get(k);
      if (!w) whatIfs.set(k, (w = whatIf(totals, reps, othersMedian)));
      return w;
    },
    ml: (m) => input.memberLabels?.[m] ?? m,
    sl: (s) => input.supplierLabels?.[s] ?? s,
  };
}

const strs = (vs: Dec[]) => sorted(vs).map(plain);

function flag(
  rule: FlagRule,
  severity: Flag['severity'],
  member: string | null,
  supplier: string | null,
  factor: string | null,
  inputs: Flag['inputs'],
  threshold: string | null,
  message: Flag['message'],
): Flag {
  return { rule, severity, member, supplier, factor, inputs, threshold, message };
}

// ---------- R1 分值汇总计算错误 ----------

/** R1: a typed total (paper sheets) differs from the total computed from the items. BLOCK. */
function r1(c: Ctx): Pending[] {
  const out: Pending[] = [];
  const typedTotals = c.input.typedTotals;
  if (!typedTotals) return out;
  for (const s of c.input.suppliers) {
    for (const m of c.input.members) {
      const typed = typedTotals[m]?.[s];
      if (typed === undefined) continue;
      const computed = c.total(m, s);
      if (computed === null || computed.equals(typed)) continue;
      const p = Math.max(c.places, computed.decimalPlaces(), typed.decimalPlaces());
      out.push({
        flag: flag(
          'R1',
          'block',
          m,
          s,
          null,
          { computed: plain(computed), typed: plain(typed), diff: plain(typed.minus(computed)) },
          '0',
          r1Message(fixed(computed, p), fixed(typed, p)),
        ),
      });
    }
  }
  return out;
}

// ---------- R2 客观评审因素评分不一致 ----------

/** R2: over factors with consistency_check strict (BLOCK) or advisory (REVIEW), tolerance 0.
 *  Plurality rule (docs/anomaly.md "Precise readings"): if one value is held by strictly more members than
 *  any other, every member holding another value is flagged; otherwise every member is. Counts are
 *  compared through their points (the scores are points). */
function r2(c: Ctx): Pending[] {
  const out: Pending[] = [];
  for (const leaf of c.leaves) {
    if (leaf.check !== 'strict' && leaf.check !== 'advisory') continue;
    const advisory = leaf.check === 'advisory';
    for (const s of c.input.suppliers) {
      const present = c.input.members.filter((m) => c.val(m, s, leaf.id) !== undefined);
      if (present.length < 2) continue;
      const groups: { points: Dec; members: string[] }[] = [];
      for (const m of present) {
        const v = c.val(m, s, leaf.id) as Dec;
        const g = groups.find((gg) => gg.points.equals(v));
        if (g) g.members.push(m);
        else groups.push({ points: v, members: [m] });
      }
      if (groups.length < 2) continue;
      const top = Math.max(...groups.map((g) => g.members.length));
      const leaders = groups.filter((g) => g.members.length === top);
      const majority = leaders.length === 1 ? leaders[0] : null;
      const flagged = present.filter((m) => !majority || !majority.members.includes(m));
      // Message: the largest group first, then by first appearance in member order.
      const shown: R2Group[] = [...groups]
        .sort((a, b) => b.members.length - a.members.length)
        .map((g) => ({
          points: g.points,
          labels: g.members.map(c.ml),
          evidence: [
            ...new Set(
              g.members.map((m) => c.input.evidence?.[m]?.[s]?.[leaf.id]).filter((e): e is string => !!e && e.length > 0),
            ),
          ],
        }));
      const message = r2Message(leaf.factor, c.sl(s), shown, advisory);
      for (const m of flagged) {
        const x = c.val(m, s, leaf.id) as Dec;
        const ev = c.input.evidence?.[m]?.[s]?.[leaf.id] ?? null;
        out.push({
          flag: flag(
            'R2',
            advisory ? 'review' : 'block',
            m,
            s,
            leaf.id,
            {
              x: plain(x),
              others: c.othersSorted(m, s, leaf.id).map(plain),
              majority: majority ? plain(majority.points) : null,
              evidence: ev,
            },
            '0',
            message,
          ),
          reps: advisory ? [{ member: m, supplier: s, factors: [leaf.id] }] : undefined,
        });
      }
    }
  }
  return out;
}

// ---------- R3 畸高畸低 candidate, item level ----------

/** R3 (subjective leaves only): |d| ≥ ratio × max_f, and for levels and bands also a grade distance
 *  ≥ grades (严格: gradesWhenFewLevels when the factor has ≤ 3 grades). REVIEW. */
function r3(c: Ctx): Pending[] {
  const out: Pending[] = [];
  const set = PRESETS[c.input.preset].r3;
  if (!set) return out;
  const ratio = dec(set.ratio);
  for (const leaf of c.subj) {
    const scale = gradeScale(leaf.factor);
    const required =
      scale && set.gradesWhenFewLevels !== undefined && scale.count <= FEW_GRADES ? set.gradesWhenFewLevels : set.grades;
    const limit = ratio.times(leaf.max);
    // Per pair of objects (x, ref): whether |x − ref| reaches the limit. The same few values recur.
    const reaches = memo2((x: Dec, ref: Dec) => !abs(minus(x, ref)).lessThan(limit));
    const rank = scale ? memo1((v: Dec) => scale.rank(v)) : null;
    const gradesOf = memo2((a: Dec, b: Dec) => abs(minus(a, b)));
    for (let si = 0; si < c.input.suppliers.length; si++) {
      const s = c.input.suppliers[si];
      const col = c.colAt(si, leaf.order);
      for (let mi = 0; mi < c.input.members.length; mi++) {
        const m = c.input.members[mi];
        const x = col.vals[mi];
        if (x === undefined) continue;
        const ref = c.medianAt(col, mi);
        if (ref === null) continue;
        if (!reaches(x, ref)) continue;
        const d = minus(x, ref);
        const others = c.sortedAt(col, mi);
        let grades: Dec | null = null;
        if (scale && rank) {
          // median(others.map(rank)) without the sort: `others` is ascending and a grade rank never
          // rises with the value, so the ranks are already in descending order (the sorted list
          // reversed: its middle is at the same place, the two middles of an even count swapped).
          const n = others.length;
          const h = n >> 1;
          const refRank = n % 2 === 1 ? rank(others[h]) : midpoint(rank(others[h]), rank(others[h - 1]));
          grades = gradesOf(rank(x), refRank);
          if (grades.lessThan(required)) continue;
        }
        const r = div(d, leaf.max);
        out.push({
          flag: flag(
            'R3',
            'review',
            m,
            s,
            leaf.id,
            {
              x: plain(x),
              others: others.map(plain),
              ref: plain(ref),
              d: plain(d),
              max: plain(leaf.max),
              ratio: ratio4(r),
              thresholdPoints: plain(limit),
              grades: grades === null ? null : plain(grades),
              gradesRequired: scale ? String(required) : null,
            },
            set.ratio,
            r3Message({
              factor: leaf.factor,
              supplier: c.sl(s),
              x,
              others,
              ref,
              d,
              ratio: r,
              xBand: scale ? bandLabel(scale, x) : null,
              refBand: scale ? bandLabel(scale, ref) : null,
              grades,
            }),
          ),
        });
      }
    }
  }
  // What-if: the member's R3-flagged items of that supplier together (docs/anomaly.md Ex. 5: "All of M5's
  // flags are marked high").
  const byCell = new Map<string, string[]>();
  for (const p of out) {
    const k = JSON.stringify([p.flag.member, p.flag.supplier]);
    let factors = byCell.get(k);
    if (!factors) byCell.set(k, (factors = []));
    factors.push(p.flag.factor as string);
  }
  for (const p of out) {
    const factors = byCell.get(JSON.stringify([p.flag.member, p.flag.supplier])) as string[];
    p.reps = [{ member: p.flag.member as string, supplier: p.flag.supplier as string, factors: [...factors] }];
  }
  return out;
}

const bandLabels = new WeakMap<GradeScale, Map<Dec, string | null>>();
function bandLabel(scale: GradeScale, v: Dec): string | null {
  let m = bandLabels.get(scale);
  if (!m) bandLabels.set(scale, (m = new Map()));
  let r = m.get(v);
  if (r === undefined) m.set(v, (r = scale.label(v)));
  return r;
}

// ---------- R4 畸高畸低 candidate, supplier level ----------

/** The member's effect on the supplier's final score: (x − mean of the others' totals) / n
 *  (docs/anomaly.md Ex. 5, "M5 impact"). */
function impact(c: Ctx, m: string, s: string): Dec {
  const present = c.input.members.filter((o) => c.total(o, s) !== null);
  const x = c.total(m, s);
  const others = present.filter((o) => o !== m).map((o) => c.total(o, s) as Dec);
  const mo = mean(others);
  if (x === null || mo === null) return new D(0);
  return x.minus(mo).div(present.length);
}

/** R4: the member's subjective subtotal against the median of the others' subtotals, |d| ≥ r4 × the
 *  subjective maximum (Σ max_points of the subjective leaves). REVIEW. */
function r4(c: Ctx): Pending[] {
  const out: Pending[] = [];
  const th = PRESETS[c.input.preset].r4;
  if (!th) return out;
  const max = sum(c.leaves.filter((l) => l.subjective).map((l) => l.max));
  if (!max.greaterThan(0)) return out;
  const limit = dec(th).times(max);
  for (const s of c.input.suppliers) {
    for (const m of c.input.members) {
      const x = c.subtotal(m, s);
      if (x === null) continue;
      const others = c.input.members
        .filter((o) => o !== m)
        .map((o) => c.subtotal(o, s))
        .filter((v): v is Dec => v !== null);
      const ref = median(others);
      if (ref === null) continue;
      const d = minus(x, ref);
      if (abs(d).lessThan(limit)) continue;
      const r = d.div(max);
      const imp = impact(c, m, s);
      out.push({
        flag: flag(
          'R4',
          'review',
          m,
          s,
          null,
          {
            x: plain(x),
            others: strs(others),
            ref: plain(ref),
            d: plain(d),
            max: plain(max),
            ratio: ratio4(r),
            thresholdPoints: plain(limit),
            impact: fixed(imp, c.places),
          },
          th,
          r4Message(c.sl(s), x, ref, d, max, r, imp, c.places),
        ),
        reps: [{ member: m, supplier: s, factors: c.subj.map((l) => l.id) }],
      });
    }
  }
  return out;
}

// ---------- R5 tendency, R6 leniency ----------

export interface Tendency {
  /** member → supplier → per subjective leaf d / max_f (leaves without a value left out). */
  ratios: Record<string, Record<string, { factor: string; r: Dec; d: Dec }[]>>;
  /** b(m, s) = mean over the subjective leaves of d / max_f. */
  b: Record<string, Record<string, Dec>>;
  /** L(m) = mean of b over the responsive suppliers. */
  L: Record<string, Dec>;
  /** F(m, s) = b − L. */
  F: Record<string, Record<string, Dec>>;
}

/** The R5/R6 statistics (docs/anomaly.md "Precise readings", R5, R6). */
export function tendency(input: AnomalyInput): Tendency {
  return remembering(() => tendencyOf(context(input)));
}

function tendencyOf(c: Ctx): Tendency {
  const t: Tendency = { ratios: {}, b: {}, L: {}, F: {} };
  for (let mi = 0; mi < c.input.members.length; mi++) {
    const m = c.input.members[mi];
    t.ratios[m] = {};
    t.b[m] = {};
    t.F[m] = {};
    for (let si = 0; si < c.input.suppliers.length; si++) {
      const s = c.input.suppliers[si];
      const rs: { factor: string; r: Dec; d: Dec }[] = [];
      for (const leaf of c.subj) {
        const col = c.colAt(si, leaf.order);
        const x = col.vals[mi];
        const ref = c.medianAt(col, mi);
        if (x === undefined || ref === null) continue;
        const d = minus(x, ref);
        rs.push({ factor: leaf.id, r: div(d, leaf.max), d });
      }
      t.ratios[m][s] = rs;
      const b = mean(rs.map((q) => q.r));
      if (b !== null) t.b[m][s] = b;
    }
    const L = mean(Object.values(t.b[m]));
    if (L === null) continue;
    t.L[m] = L;
    for (const s of Object.keys(t.b[m])) t.F[m][s] = t.b[m][s].minus(L);
  }
  return t;
}

/** R5: |F| ≥ r5 and ≥ ⅔ of the subjective factors deviate in the direction of F (the sign of the
 *  member's d on the factor); ≥ 3 suppliers and ≥ 3 subjective factors. REVIEW (by the panel). */
function r5(c: Ctx, t: Tendency): Pending[] {
  const out: Pending[] = [];
  const th = PRESETS[c.input.preset].r5;
  if (!th || c.input.suppliers.length < R5_MIN_SUPPLIERS || c.subj.length < R5_MIN_FACTORS) return out;
  const limit = dec(th);
  const hits: Record<string, { s: string; clause: R5Clause; inputs: Flag['inputs'] }[]> = {};
  for (const m of c.input.members) {
    hits[m] = [];
    for (const s of c.input.suppliers) {
      const F = t.F[m]?.[s];
      if (F === undefined || F.abs().lessThan(limit)) continue;
      const rs = t.ratios[m][s];
      const same = rs.filter((q) => (F.isPositive() ? q.d.greaterThan(0) : q.d.lessThan(0))).length;
      if (same * 3 < rs.length * 2) continue;
      hits[m].push({
        s,
        clause: { supplier: c.sl(s), F, same, of: rs.length },
        inputs: {
          b: ratio4(t.b[m][s]),
          L: ratio4(t.L[m]),
          F: ratio4(F),
          factors: rs.map((q) => q.factor),
          ratios: rs.map((q) => ratio4(q.r)),
          sameDirection: same,
          of: rs.length,
        },
      });
    }
  }
  for (const m of c.input.members) {
    for (const h of hits[m]) {
      const clauses = [h.clause, ...hits[m].filter((o) => o.s !== h.s).map((o) => o.clause)];
      out.push({
        flag: flag('R5', 'review', m, h.s, null, h.inputs, th, r5Message(c.ml(m), clauses)),
        reps: [{ member: m, supplier: h.s, factors: c.subj.map((l) => l.id) }],
      });
    }
  }
  return out;
}

/** R6: |L| ≥ 0.15, whenever L exists (≥ 2 members, ≥ 1 subjective leaf). INFO. */
function r6(c: Ctx, t: Tendency): Pending[] {
  const out: Pending[] = [];
  const limit = dec(R6_THRESHOLD);
  for (const m of c.input.members) {
    const L = t.L[m];
    if (L === undefined || L.abs().lessThan(limit)) continue;
    out.push({ flag: flag('R6', 'info', m, null, null, { L: ratio4(L) }, R6_THRESHOLD, r6Message(c.ml(m), L)) });
  }
  return out;
}

// ---------- R7 low discrimination, dispersion ----------

/** R7 (a) per (supplier, subjective leaf): range across members ≥ 50 % of max_f (member null);
 *  (b) per (member, subjective leaf): the same value to every supplier, with ≥ 3 suppliers. INFO. */
function r7(c: Ctx): Pending[] {
  const out: Pending[] = [];
  const share = dec(R7_RANGE);
  const limits = c.subj.map((leaf) => share.times(leaf.max));
  const wide = c.subj.map((_, i) => memo1((range: Dec) => !range.lessThan(limits[i])));
  for (let si = 0; si < c.input.suppliers.length; si++) {
    const s = c.input.suppliers[si];
    for (let li = 0; li < c.subj.length; li++) {
      const leaf = c.subj[li];
      const col = c.colAt(si, leaf.order);
      if (col.order.length < 2) continue;
      // The column's present values, sorted stably (= sorted(vals) in member order).
      const sv = col.order.map((i) => col.vals[i] as Dec);
      const lo = sv[0];
      const hi = sv[sv.length - 1];
      const range = minus(hi, lo);
      if (!wide[li](range)) continue;
      out.push({
        flag: flag(
          'R7',
          'info',
          null,
          s,
          leaf.id,
          { values: sv.map(plain), range: plain(range), max: plain(leaf.max), ratio: ratio4(div(range, leaf.max)) },
          R7_RANGE,
          r7RangeMessage(leaf.factor, c.sl(s), lo, hi, leaf.max),
        ),
      });
    }
  }
  if (c.input.suppliers.length >= R7_MIN_SUPPLIERS) {
    for (const m of c.input.members) {
      for (const leaf of c.subj) {
        const vals = c.input.suppliers.map((s) => c.val(m, s, leaf.id));
        if (vals.some((v) => v === undefined)) continue;
        const first = vals[0] as Dec;
        if (!vals.every((v) => (v as Dec).equals(first))) continue;
        out.push({
          flag: flag(
            'R7',
            'info',
            m,
            null,
            leaf.id,
            { value: plain(first), suppliers: vals.length },
            null,
            r7SameMessage(leaf.factor, c.ml(m), first, vals.length),
          ),
        });
      }
    }
  }
  return out;
}

// ---------- R8 abnormally low price ----------

/** R8: one REVIEW flag per supplier with abnormal-low hits (computed by the price side), member and
 *  factor null (docs/anomaly.md "Precise readings"; 003 Ch3 §4.1; 87号令 art. 60). */
function r8(c: Ctx): Pending[] {
  const out: Pending[] = [];
  for (const s of c.input.suppliers) {
    const hits = c.input.abnormalLow?.[s] ?? [];
    if (hits.length === 0) continue;
    out.push({
      flag: extend(
        flag(
          'R8',
          'review',
          null,
          s,
          null,
          {
            quote: plain(hits[0].quote),
            triggers: hits.map((h) => h.trigger.id),
            references: hits.map((h) => plain(h.reference)),
            thresholds: hits.map((h) => plain(h.threshold)),
            ratios: hits.map((h) => h.trigger.ratio),
          },
          plain(hits[0].threshold),
          r8Message(
            c.sl(s),
            hits[0].quote,
            hits.map((h) => ({ of: h.trigger.of, ratio: h.trigger.ratio, reference: h.reference, threshold: h.threshold })),
          ),
        ),
        { high: false, whatIf: null },
      ),
    });
  }
  return out;
}

// ---------- TOTAL30 (preset 地方·总分±30 %) ----------

/** TOTAL30: a member's total deviates ≥ 30 % from the arithmetic mean of all members' totals for
 *  that supplier. REVIEW (written explanation, note in the report). */
function total30(c: Ctx): Pending[] {
  const out: Pending[] = [];
  const th = PRESETS[c.input.preset].total30;
  if (!th) return out;
  for (const s of c.input.suppliers) {
    const rows = c.input.members
      .map((m) => ({ m, x: c.total(m, s) }))
      .filter((r): r is { m: string; x: Dec } => r.x !== null);
    const mu = mean(rows.map((r) => r.x));
    if (mu === null || !mu.greaterThan(0) || rows.length < 2) continue;
    const limit = dec(th).times(mu);
    for (const { m, x } of rows) {
      const d = x.minus(mu);
      if (d.abs().lessThan(limit)) continue;
      const r = d.div(mu);
      out.push({
        flag: flag(
          'TOTAL30',
          'review',
          m,
          s,
          null,
          { x: plain(x), totals: strs(rows.map((q) => q.x)), mean: plain(mu), d: plain(d), ratio: ratio4(r) },
          th,
          total30Message(c.sl(s), x, mu, r, th, c.places),
        ),
        reps: [{ member: m, supplier: s, factors: c.subj.map((l) => l.id) }],
      });
    }
  }
  return out;
}

// ---------- what-if and order ----------

/** docs/anomaly.md "Severity ordering": a REVIEW flag is high if its what-if changes the supplier's final
 *  score by ≥ 1.00 or changes the first-ranked supplier. Display only; no score is replaced. */
function attachWhatIf(c: Ctx, p: Pending): void {
  if (p.flag.severity !== 'review' || !p.reps) return;
  const s = p.flag.supplier as string;
  const w = c.whatIf(p.reps);
  const before = w.before[s];
  const after = w.after[s];
  if (before === null || before === undefined || after === null || after === undefined) {
    p.flag.whatIf = null;
    p.flag.high = false;
    return;
  }
  const delta = after.minus(before);
  p.flag.whatIf = {
    finalScoreBefore: fixed(before, c.places),
    finalScoreAfter: fixed(after, c.places),
    delta: fixed(delta, c.places),
    firstRankedBefore: w.firstRankedBefore,
    firstRankedAfter: w.firstRankedAfter,
  };
  p.flag.high = delta.abs().greaterThanOrEqualTo(HIGH_DELTA) || w.firstRankedBefore !== w.firstRankedAfter;
}

const RULE_ORDER: FlagRule[] = ['R0', 'R1', 'R2', 'R3', 'R4', 'R5', 'R6', 'R7', 'R8', 'TOTAL30'];

function orderFlags(c: Ctx, flags: Flag[]): Flag[] {
  // Positions by id (the first, as indexOf), each flag's key computed once.
  const positions = (list: string[]) => {
    const m = new Map<string, number>();
    list.forEach((v, i) => {
      if (!m.has(v)) m.set(v, i);
    });
    return (v: string | null) => (v === null ? list.length : (m.get(v) ?? -1));
  };
  const rule = positions(RULE_ORDER);
  const supplier = positions(c.input.suppliers);
  const member = positions(c.input.members);
  const factor = positions(c.leaves.map((l) => l.id));
  const keyed = flags.map((f) => ({ f, k: [rule(f.rule), supplier(f.supplier), member(f.member), factor(f.factor)] }));
  keyed.sort((a, b) => {
    const ka = a.k;
    const kb = b.k;
    for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i] - kb[i];
    return 0;
  });
  return keyed.map((x) => x.f);
}

/** Every anomaly flag of docs/anomaly.md for one package, ordered by rule, supplier, member, factor. */
export function detectAnomalies(input: AnomalyInput): Flag[] {
  return remembering(() => detect(input));
}

function detect(input: AnomalyInput): Flag[] {
  const c = context(input);
  const t = tendencyOf(c);
  const pending = [...r1(c), ...r2(c), ...r3(c), ...r4(c), ...r5(c, t), ...r6(c, t), ...r7(c), ...r8(c), ...total30(c)];
  for (const p of pending) attachWhatIf(c, p);
  return orderFlags(
    c,
    pending.map((p) => p.flag),
  );
}
