// Over budget / over the maximum price (超预算 / 超最高限价): a corrected final quote above either
// limit makes the response invalid (rubric `rules.overBudget: "invalid"`; 000 L1373, L1377; 003 L37).
// "Above" is strict: a quote equal to the limit is within it.
import type { Dec } from './decimal';
import type { Bilingual } from './types';
import { formatYuan } from './money/amount';

export interface OverBudget {
  reason: 'over_budget';
  limit: Dec;
  which: 'budget' | 'max_price';
  message: Bilingual;
}

/** null when the quote is within both limits (a null limit is no limit). When both are exceeded the
 *  lower limit is reported (it is the one the quote had to meet); on equal limits, the maximum price. */
export function overBudget(quote: Dec, budget: Dec | null, maxPrice: Dec | null): OverBudget | null {
  const over: { which: 'budget' | 'max_price'; limit: Dec }[] = [];
  if (maxPrice !== null && quote.gt(maxPrice)) over.push({ which: 'max_price', limit: maxPrice });
  if (budget !== null && quote.gt(budget)) over.push({ which: 'budget', limit: budget });
  if (over.length === 0) return null;
  const hit = over.length === 2 && over[1].limit.lt(over[0].limit) ? over[1] : over[0];
  const nameZh = hit.which === 'budget' ? '采购预算' : '最高限价';
  const nameEn = hit.which === 'budget' ? 'the budget' : 'the maximum price';
  return {
    reason: 'over_budget',
    limit: hit.limit,
    which: hit.which,
    message: {
      zh: `最终报价 ${formatYuan(quote)} 元超过${nameZh} ${formatYuan(hit.limit)} 元，响应无效。`,
      en: `The final quote ${formatYuan(quote)} yuan is above ${nameEn} ${formatYuan(hit.limit)} yuan; the response is invalid.`,
    },
  };
}
