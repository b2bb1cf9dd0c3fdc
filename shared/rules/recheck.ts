// Re-check focus (复核重点): 003 Ch3 §7.3 L757 "特别是对排名第一的、报价最低的、响应文件被认定为无效的
// 情形进行重点复核"; docs/rules.md §2.20; docs/evaluate.md "recheckFocus".
import type { Dec } from './decimal';

export interface RecheckSupplier {
  id: string;
  status: 'responsive' | 'invalid' | 'withdrawn';
  rank: number | null;
  /** Corrected final quote. */
  finalQuote: Dec | null;
  evaluatedPrice: Dec | null;
}

export interface RecheckFocus {
  firstRanked: string | null;
  lowestQuote: string | null;
  lowestEvaluatedPrice: string | null;
  invalid: string[];
}

function lowest(list: RecheckSupplier[], pick: (s: RecheckSupplier) => Dec | null): string | null {
  let best: RecheckSupplier | null = null;
  for (const s of list) {
    const v = pick(s);
    if (v === null) continue;
    const b = best ? pick(best) : null;
    if (b === null || v.lt(b)) best = s; // strict: the first in input order wins a tie
  }
  return best ? best.id : null;
}

/**
 * `suppliers` in rank order (ties in input order), then the rest in input order. firstRanked: the
 * first supplier ranked 1; lowest quote and evaluated price over responsive suppliers in input order
 * (the first on a tie) — pass `inputOrder` for that; invalid: ids of invalid (not withdrawn) suppliers.
 */
export function recheckFocus(suppliers: RecheckSupplier[], inputOrder: RecheckSupplier[] = suppliers): RecheckFocus {
  const responsive = inputOrder.filter((s) => s.status === 'responsive');
  return {
    firstRanked: suppliers.find((s) => s.rank === 1)?.id ?? null,
    lowestQuote: lowest(responsive, (s) => s.finalQuote),
    lowestEvaluatedPrice: lowest(responsive, (s) => s.evaluatedPrice),
    invalid: inputOrder.filter((s) => s.status === 'invalid').map((s) => s.id),
  };
}
