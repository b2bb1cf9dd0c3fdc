// Exact-decimal primitives shared by the totals and the anomaly rules, written for speed: a
// comparison that does not copy its argument, and sums that skip the ascending sort when no partial
// sum can round. Results are the same Decimals (same value, same sign of zero) as the plain code.
import { D, type Dec } from './decimal';

// Read once: the imported binding is a getter under CommonJS interop, and these run in hot loops.
const Ctor = D;

/** `a.comparedTo(b)`, without the copy of `b` that decimal.js makes on every call (the sorts and
 *  medians of the anomaly rules compare tens of thousands of values). Same result for every input:
 *  the body is decimal.js 10's comparedTo, read on `b` itself (its documented `d`, `e`, `s`). */
export function cmp(a: Dec, b: Dec): number {
  if (!(b instanceof Ctor) || b.e > Ctor.maxE || b.e < Ctor.minE) return a.comparedTo(b);
  const xd = a.d;
  const yd = b.d;
  const xs = a.s;
  const ys = b.s;
  if (!xd || !yd) return !xs || !ys ? NaN : xs !== ys ? xs : xd === yd ? 0 : (!xd ? 1 : 0) ^ (xs < 0 ? 1 : 0) ? 1 : -1;
  if (!xd[0] || !yd[0]) return xd[0] ? xs : yd[0] ? -ys : 0;
  if (xs !== ys) return xs;
  if (a.e !== b.e) return (a.e > b.e ? 1 : 0) ^ (xs < 0 ? 1 : 0) ? 1 : -1;
  if (xd === yd) return 0;
  const xdL = xd.length;
  const ydL = yd.length;
  for (let i = 0, j = xdL < ydL ? xdL : ydL; i < j; ++i) {
    if (xd[i] !== yd[i]) return (xd[i] > yd[i] ? 1 : 0) ^ (xs < 0 ? 1 : 0) ? 1 : -1;
  }
  return xdL === ydL ? 0 : (xdL > ydL ? 1 : 0) ^ (xs < 0 ? 1 : 0) ? 1 : -1;
}

// ---------- exact sums ----------
//
// `sum` adds in ascending order so that a rounded (inexact) sum does not depend on input order. When
// every partial sum is exact — each value a multiple of 10^-p and Σ|v| < 10^(precision − p) — the
// order cannot matter, and the sum is taken by counting equal values instead (the scores of a panel
// are a handful of distinct Decimals). Exact results are the same Decimal whatever the order.

/** Whether adding the values (and any subset, in any order) from 0 is exact at D's precision. */
export function exactlySummable(vals: readonly Dec[]): boolean {
  let top = 1;
  let places = 0;
  for (let i = 0; i < vals.length; i++) {
    const v = vals[i];
    if (!(v instanceof Ctor) || !v.d) return false;
    if (v.e + 1 > top) top = v.e + 1;
    const dp = v.decimalPlaces();
    if (dp > places) places = dp;
  }
  // |Σ| < n × 10^top ≤ 10^(top + digits of n); each partial sum has at most that many integer digits.
  return top + String(vals.length).length + places <= Ctor.precision;
}

/** Σ vals from 0 when `exactlySummable(vals)`: equal objects counted once and multiplied. */
export function exactSum(vals: readonly Dec[]): Dec {
  let acc = new Ctor(0);
  if (vals.length <= 4) {
    for (let i = 0; i < vals.length; i++) acc = acc.plus(vals[i]);
    return acc;
  }
  const counts = new Map<Dec, number>();
  for (let i = 0; i < vals.length; i++) counts.set(vals[i], (counts.get(vals[i]) ?? 0) + 1);
  if (counts.size * 2 > vals.length) {
    for (let i = 0; i < vals.length; i++) acc = acc.plus(vals[i]);
    return acc;
  }
  for (const [v, n] of counts) acc = acc.plus(n === 1 ? v : v.times(n));
  return acc;
}

