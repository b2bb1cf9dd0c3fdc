// Totals and averaging (汇总): docs/rules.md §2.17 "Derived pipeline" and docs/rubrics.md
// pipeline steps 6-7. A member's total = the exact sum of the member's leaf scores + the rounded
// price score; the final score = the mean of the member totals, rounded half-up once
// ("算数平均值为该供应商的最终得分", 000 §20.3 L328; "第三位四舍五入", 000 L328, 003 Ch3 §7.1 L753).
// Group subtotals used for tie-breaks are means rounded the same way (docs/rules.md §2.17 step 5).
import { D, dec, type Dec } from './decimal';
import type { Factor, GroupId, Rubric } from '../domain/rubric/types';
import { scoredLeaves } from '../domain/rubric/index';
import { exactlySummable, exactSum } from './exact';

const ZERO = dec(0);

/** One member's scores for one supplier: leaf factor id → points (price factor excluded). */
export type LeafScores = Record<string, Dec>;

/** Half-up rounding to the rubric's places (四舍五入; rules.rounding). */
export function roundScore(v: Dec, places: number): Dec {
  return v.toDecimalPlaces(places, D.ROUND_HALF_UP);
}

/** Arithmetic mean, exact (no rounding). Throws on an empty list. */
export function mean(values: Dec[]): Dec {
  if (values.length === 0) throw new RangeError('mean of no values');
  // In order, or counted when no partial sum can round (exact.ts): the same Decimal either way.
  const total = exactlySummable(values) ? exactSum(values) : values.reduce((a, v) => a.plus(v), dec(0));
  return total.dividedBy(values.length);
}

/** Mean rounded half-up once (000 §20.3 L328). */
export function roundedMean(values: Dec[], places: number): Dec {
  return roundScore(mean(values), places);
}

/** A composite factor's points: the sum of its sub-factors (docs/rubrics.md "Factor fields": composite). */
export function factorPoints(factor: Factor, scores: LeafScores): Dec {
  if (factor.kind === 'composite') {
    return (factor.sub_factors ?? []).reduce((a, s) => a.plus(factorPoints(s, scores)), dec(0));
  }
  return scores[factor.id] ?? dec(0);
}

/** A member's subtotal per group (exact); the price group holds the rounded price score. */
export function memberGroupTotals(rubric: Rubric, scores: LeafScores, priceScore: Dec): Record<GroupId, Dec> {
  return groupTotalsOf(rubric, scoredLeaves(rubric), scores, priceScore);
}

function groupTotalsOf(rubric: Rubric, leaves: Factor[], scores: LeafScores, priceScore: Dec): Record<GroupId, Dec> {
  // Fast path: no partial sum can round, so each group is an exact sum in any order (exact.ts).
  // The keys are inserted in the order of the loop below.
  const byGroup = new Map<GroupId, Dec[]>();
  for (const g of rubric.groups) byGroup.set(g.id, []);
  const all: Dec[] = [priceScore];
  for (const leaf of leaves) {
    let list = byGroup.get(leaf.group);
    if (!list) byGroup.set(leaf.group, (list = []));
    const v = scores[leaf.id] ?? ZERO;
    list.push(v);
    all.push(v);
  }
  if (!byGroup.has('price')) byGroup.set('price', []);
  if (exactlySummable(all)) {
    const fast = {} as Record<GroupId, Dec>;
    for (const [g, list] of byGroup) fast[g] = exactSum(list);
    fast.price = fast.price.plus(priceScore);
    return fast;
  }
  const out = {} as Record<GroupId, Dec>;
  for (const g of rubric.groups) out[g.id] = dec(0);
  for (const leaf of leaves) {
    out[leaf.group] = (out[leaf.group] ?? dec(0)).plus(scores[leaf.id] ?? dec(0));
  }
  out.price = (out.price ?? dec(0)).plus(priceScore);
  return out;
}

/** A member's total: exact Σ leaf scores + the rounded price score (docs/rules.md §2.17 step 3). */
export function memberTotal(rubric: Rubric, scores: LeafScores, priceScore: Dec): Dec {
  return totalOf(scoredLeaves(rubric), scores, priceScore);
}


function totalOf(leaves: Factor[], scores: LeafScores, priceScore: Dec): Dec {
  const vals = leaves.map((leaf) => scores[leaf.id] ?? ZERO);
  vals.push(priceScore);
  if (exactlySummable(vals)) {
    vals.pop();
    return exactSum(vals).plus(priceScore);
  }
  return leaves.reduce((a, leaf) => a.plus(scores[leaf.id] ?? dec(0)), dec(0)).plus(priceScore);
}

export interface SupplierTotals {
  /** member → exact total (already at most the places of its parts). */
  memberTotals: Record<string, Dec>;
  /** member → group → exact subtotal. */
  memberGroups: Record<string, Record<GroupId, Dec>>;
  /** Mean of the member totals, rounded half-up once. */
  finalScore: Dec;
  /** group → mean of the member subtotals, rounded the same way. */
  groupScores: Record<GroupId, Dec>;
}

/**
 * A supplier's totals over the panel. `scores`: member → leaf id → points; `priceScore` is the
 * rounded price score (price-score.ts), the same for every member.
 */
export function supplierTotals(
  rubric: Rubric,
  members: string[],
  scores: Record<string, LeafScores>,
  priceScore: Dec,
): SupplierTotals {
  const places = rubric.rules.rounding.places;
  const memberTotals: Record<string, Dec> = {};
  const memberGroups: Record<string, Record<GroupId, Dec>> = {};
  const leaves = scoredLeaves(rubric);
  for (const m of members) {
    const s = scores[m] ?? {};
    memberTotals[m] = totalOf(leaves, s, priceScore);
    memberGroups[m] = groupTotalsOf(rubric, leaves, s, priceScore);
  }
  const groupScores = {} as Record<GroupId, Dec>;
  for (const g of rubric.groups) {
    groupScores[g.id] = roundedMean(members.map((m) => memberGroups[m][g.id]), places);
  }
  return {
    memberTotals,
    memberGroups,
    finalScore: roundedMean(members.map((m) => memberTotals[m]), places),
    groupScores,
  };
}
