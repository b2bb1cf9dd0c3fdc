// Member totals, final scores and the display-only what-if of docs/anomaly.md "Severity ordering".
// Kept here (not in the totals module of the scoring pipeline) so that the anomaly rules do not
// depend on it; the arithmetic is the one of docs/rules.md §2.17 "Derived pipeline":
//   member total = exact Σ of the member's leaf scores + the rounded price score (step 3);
//   final score  = mean of the member totals, rounded half-up once to rules.rounding.places (step 4;
//                  000 L328 "第三位四舍五入").
import { D, type Dec } from '../decimal';
import { cmp, median, sum } from './stats';
import { extend } from '../../extend';

export type ScoreTable = Record<string, Record<string, Record<string, Dec>>>;

export interface TotalsInput {
  members: string[];
  suppliers: string[];
  /** Non-price leaf ids, in rubric order. */
  leafIds: string[];
  scores: ScoreTable;
  priceScores: Record<string, Dec>;
  places: number;
}

/** The member's total for a supplier, or null when the member has no score for it. Leaves the
 *  member has not scored are left out (the score-entry validator reports them). */
export function memberTotal(t: TotalsInput, scores: ScoreTable, m: string, s: string): Dec | null {
  const row = scores[m]?.[s];
  if (!row) return null;
  const vals = t.leafIds.map((f) => row[f]).filter((v): v is Dec => v !== undefined);
  const price = t.priceScores[s] ?? new D(0);
  return sum(vals).plus(price);
}

/** The exact (unrounded) mean of the member totals for a supplier. */
export function meanTotal(t: TotalsInput, scores: ScoreTable, s: string): Dec | null {
  const totals = t.members.map((m) => memberTotal(t, scores, m, s)).filter((v): v is Dec => v !== null);
  if (totals.length === 0) return null;
  return sum(totals).div(totals.length);
}

/** Final score per supplier: the mean of member totals, rounded half-up once (docs/rules.md §2.17). */
export function finalScores(t: TotalsInput, scores: ScoreTable = t.scores): Record<string, Dec | null> {
  const out: Record<string, Dec | null> = {};
  for (const s of t.suppliers) {
    const m = meanTotal(t, scores, s);
    out[s] = m === null ? null : m.toDecimalPlaces(t.places, D.ROUND_HALF_UP);
  }
  return out;
}

/** The highest final score; the first in input order on a tie. */
export function firstRanked(suppliers: string[], finals: Record<string, Dec | null>): string | null {
  let best: string | null = null;
  for (const s of suppliers) {
    const v = finals[s];
    if (v === null || v === undefined) continue;
    if (best === null || cmp(v, finals[best] as Dec) > 0) best = s;
  }
  return best;
}

/** One member's items of one supplier to replace by the other members' median. */
export interface Replacement {
  member: string;
  supplier: string;
  factors: string[];
}

/** A copy of the scores where each replaced item is the median of the other members' values for the
 *  same (supplier, factor) (docs/anomaly.md: "replace the flagged member's flagged items with the others'
 *  median"). Medians are taken from the original scores. */
export function replaceWithMedian(t: TotalsInput, reps: Replacement[]): ScoreTable {
  const out: ScoreTable = {};
  for (const m of Object.keys(t.scores)) {
    out[m] = {};
    for (const s of Object.keys(t.scores[m])) out[m][s] = { ...t.scores[m][s] };
  }
  for (const r of reps) {
    for (const f of r.factors) {
      const others = t.members
        .filter((o) => o !== r.member)
        .map((o) => t.scores[o]?.[r.supplier]?.[f])
        .filter((v): v is Dec => v !== undefined);
      const ref = median(others);
      if (ref === null || !out[r.member]?.[r.supplier]) continue;
      out[r.member][r.supplier][f] = ref;
    }
  }
  return out;
}

export interface WhatIfResult {
  before: Record<string, Dec | null>;
  after: Record<string, Dec | null>;
  firstRankedBefore: string | null;
  firstRankedAfter: string | null;
}

interface Baseline {
  totals: Map<string, Dec | null>;
  finals: Record<string, Dec | null>;
  first: string | null;
}

// The unchanged totals are computed once per input: a what-if changes one member's items of one
// supplier, so only that supplier's mean is recomputed (9 × 20 × 40 with hundreds of flags stays fast).
const baselines = new WeakMap<TotalsInput, Baseline>();
const cell = (m: string, s: string) => m + '\u0000' + s;

function baseline(t: TotalsInput): Baseline {
  let b = baselines.get(t);
  if (b) return b;
  const totals = new Map<string, Dec | null>();
  for (const m of t.members) for (const s of t.suppliers) totals.set(cell(m, s), memberTotal(t, t.scores, m, s));
  const finals = finalScoresFrom(t, totals);
  b = { totals, finals, first: firstRanked(t.suppliers, finals) };
  baselines.set(t, b);
  return b;
}

function meanOf(t: TotalsInput, values: (Dec | null | undefined)[]): Dec | null {
  const present = values.filter((v): v is Dec => v !== null && v !== undefined);
  if (present.length === 0) return null;
  return sum(present).div(present.length).toDecimalPlaces(t.places, D.ROUND_HALF_UP);
}

function finalScoresFrom(
  t: TotalsInput,
  totals: Map<string, Dec | null>,
  only?: Iterable<string>,
  base?: Map<string, Dec | null>,
): Record<string, Dec | null> {
  const out: Record<string, Dec | null> = {};
  const get = (k: string) => (base === undefined || totals.has(k) ? totals.get(k) : base.get(k));
  for (const s of only ?? t.suppliers) out[s] = meanOf(t, t.members.map((m) => get(cell(m, s))));
  return out;
}

/** The other members' median for (supplier, factor), as in replaceWithMedian. */
export type OthersMedian = (member: string, supplier: string, factor: string) => Dec | null;

function othersMedianOf(t: TotalsInput): OthersMedian {
  return (member, supplier, f) =>
    median(
      t.members
        .filter((o) => o !== member)
        .map((o) => t.scores[o]?.[supplier]?.[f])
        .filter((v): v is Dec => v !== undefined),
    );
}

/** The final scores with `reps` applied. `othersMedian` may supply the medians (the anomaly rules
 *  keep them per column); it must return what replaceWithMedian would use. */
export function whatIf(t: TotalsInput, reps: Replacement[], othersMedian: OthersMedian = othersMedianOf(t)): WhatIfResult {
  const b = baseline(t);
  const leaf = new Set(t.leafIds);
  // The replaced cells, with the others' median taken from the original scores (replaceWithMedian).
  const changed = new Map<string, Map<string, Dec>>();
  for (const r of reps) {
    if (!t.scores[r.member]?.[r.supplier]) continue;
    for (const f of r.factors) {
      const ref = othersMedian(r.member, r.supplier, f);
      if (ref === null) continue;
      const key = cell(r.member, r.supplier);
      if (!changed.has(key)) changed.set(key, new Map());
      changed.get(key)!.set(f, ref);
    }
  }
  // Only the replaced cells; the others are read from the baseline.
  const totals = new Map<string, Dec | null>();
  const affected = new Set<string>();
  for (const r of reps) {
    const key = cell(r.member, r.supplier);
    const items = changed.get(key);
    const old = b.totals.get(key);
    if (!items || old === null || old === undefined) continue;
    const row = t.scores[r.member][r.supplier];
    let total = old;
    for (const [f, v] of items) {
      if (!leaf.has(f)) continue;
      if (row[f] !== undefined) total = total.minus(row[f]);
      total = total.plus(v);
    }
    totals.set(key, total);
    affected.add(r.supplier);
  }
  const after = extend(b.finals, finalScoresFrom(t, totals, affected, b.totals));
  return { before: b.finals, after, firstRankedBefore: b.first, firstRankedAfter: firstRanked(t.suppliers, after) };
}
