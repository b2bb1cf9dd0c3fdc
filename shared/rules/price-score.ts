// Price score (价格分): base / evaluated price × weight, rounded half-up once (000 L437; 003 L766;
// 004 §5.2.3 L1193; docs/rules.md §2.17 and §5 decision 2: the evaluated price is the denominator, so the
// base supplier gets full marks).
import { D, fixed, type Dec } from './decimal';
import type { Bilingual } from './types';
import { formatYuan, plainString } from './money/amount';

/** base = the lowest evaluated price; each score = base × weight ÷ price, rounded half-up to
 *  `places`. Multiplying before dividing keeps an exact .xx5 exact, so half-up rounds it up. Throws
 *  RangeError on a price ≤ 0 (no quote can be zero; the caller must have refused it). */
export function priceScores(
  evaluated: { id: string; price: Dec }[],
  weight: Dec,
  places: number,
): { base: Dec | null; scores: Record<string, Dec> } {
  const scores: Record<string, Dec> = {};
  if (evaluated.length === 0) return { base: null, scores };
  for (const e of evaluated) {
    if (!e.price.gt(0)) throw new RangeError(`priceScores: evaluated price of ${e.id} is not positive (${e.price.toString()})`);
  }
  const base = evaluated.reduce((m, e) => (e.price.lt(m) ? e.price : m), evaluated[0].price);
  for (const e of evaluated) {
    scores[e.id] = base.times(weight).div(e.price).toDecimalPlaces(places, D.ROUND_HALF_UP);
  }
  return { base, scores };
}

/** "价格分 = 评审基准价 1,200,000.00 ÷ 评审价 1,242,000.00 × 10 = 9.66". */
export function priceScoreExplanation(base: Dec, price: Dec, weight: Dec, score: Dec, places = 2): Bilingual {
  const s = fixed(score, places);
  const w = plainString(weight);
  return {
    zh: `价格分 = 评审基准价 ${formatYuan(base)} ÷ 评审价 ${formatYuan(price)} × ${w} = ${s}`,
    en: `Price score = base price ${formatYuan(base)} ÷ evaluated price ${formatYuan(price)} × ${w} = ${s}`,
  };
}
