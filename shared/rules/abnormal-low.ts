// Abnormal-low-price triggers (异常低价): 003 Ch3 §4.1 L707-717; docs/rules.md §2.14 and §5 decision 3;
// docs/anomaly.md R8. Each trigger fires when quote < ratio × reference, strictly, compared exactly: the
// reference is never rounded (a mean of 3 quotes is a repeating decimal; rounding it could move a
// supplier across the line).
import { D, type Dec } from './decimal';
import type { AbnormalLowHit, Bilingual } from './types';
import type { RubricRules } from '../domain/rubric/types';
import { formatYuan, pct } from './money/amount';

/** Which triggers fire for each supplier of the population (every supplier still responsive, the
 *  suspect included, on corrected quotes before deductions). Every id of the population is a key;
 *  hits are in the rubric's trigger order. */
export function abnormalLowTriggers(
  population: { id: string; quote: Dec }[],
  al: RubricRules['abnormalLow'],
  maxPrice: Dec | null,
): Record<string, AbnormalLowHit[]> {
  const out: Record<string, AbnormalLowHit[]> = {};
  for (const p of population) out[p.id] = [];
  const n = population.length;
  if (n === 0) return out;
  const sum = population.reduce((a, p) => a.plus(p.quote), new D(0));
  // "次低报价" read as the second element of the sorted quotes: a tie for lowest makes it equal to
  // the lowest, so neither of the tied suppliers is < 50 % of it (rubrics/README.md abnormalLow).
  const sorted = population.map((p) => p.quote).sort((a, b) => a.comparedTo(b));
  for (const t of al.triggers) {
    const ratio = new D(t.ratio);
    for (const p of population) {
      let hit: AbnormalLowHit | null = null;
      if (t.of === 'mean') {
        // 4.1.1 L709: quote < ratio × Σ/n, compared as quote × n < ratio × Σ so nothing is divided.
        if (p.quote.times(n).lt(ratio.times(sum))) {
          const reference = sum.div(n);
          hit = { trigger: t, reference, threshold: ratio.times(sum).div(n), quote: p.quote };
        }
      } else if (t.of === 'second_lowest') {
        // 4.1.2 L711-713; with fewer than 2 suppliers there is no second-lowest quote.
        if (n >= 2) {
          const reference = sorted[1];
          const threshold = ratio.times(reference);
          if (p.quote.lt(threshold)) hit = { trigger: t, reference, threshold, quote: p.quote };
        }
      } else if (t.of === 'max_price') {
        // 4.1.3 L715: 45 % of the maximum price; no maximum price, no trigger.
        if (maxPrice !== null) {
          const threshold = ratio.times(maxPrice);
          if (p.quote.lt(threshold)) hit = { trigger: t, reference: maxPrice, threshold, quote: p.quote };
        }
      }
      if (hit) out[p.id].push(hit);
    }
  }
  return out;
}

const REF: Record<AbnormalLowHit['trigger']['of'], Bilingual> = {
  mean: { zh: '平均报价', en: 'the mean quote' },
  second_lowest: { zh: '次低报价', en: 'the second-lowest quote' },
  max_price: { zh: '最高限价', en: 'the maximum price' },
};

/** The R8 message of docs/anomaly.md: "异常低价提示：供应商D 最终报价 430,000.00 元，低于次低报价
 *  900,000.00 的 50%（450,000.00）、低于最高限价 1,100,000.00 的 45%（495,000.00）。…". Amounts are
 *  shown rounded half-up to 2 decimals; the comparison itself was exact. */
export function abnormalLowMessage(
  supplierLabel: string,
  hits: AbnormalLowHit[],
  explanationMinutes: number | null = null,
): Bilingual {
  if (hits.length === 0) {
    return {
      zh: `供应商${supplierLabel} 未触发异常低价条件。`,
      en: `Supplier ${supplierLabel} meets no abnormal-low-price trigger.`,
    };
  }
  const quote = formatYuan(hits[0].quote);
  const zhParts = hits.map(
    (h) => `低于${REF[h.trigger.of].zh} ${formatYuan(h.reference)} 的 ${pct(new D(h.trigger.ratio))}（${formatYuan(h.threshold)}）`,
  );
  const enParts = hits.map(
    (h) => `below ${pct(new D(h.trigger.ratio))} of ${REF[h.trigger.of].en} ${formatYuan(h.reference)} (${formatYuan(h.threshold)})`,
  );
  const ids = hits.map((h) => h.trigger.id).join('、');
  const within = explanationMinutes !== null
    ? { zh: `在不少于${explanationMinutes}分钟内`, en: ` within at least ${explanationMinutes} minutes` }
    : { zh: '在规定时间内', en: ' within the set time' };
  return {
    zh: `异常低价提示：供应商${supplierLabel} 最终报价 ${quote} 元，${zhParts.join('、')}（触发条件 ${ids}）。请要求其${within.zh}提交书面说明及证明材料，由评审委员会认定。`,
    en: `Abnormally low price: supplier ${supplierLabel}'s final quote ${quote} yuan is ${enParts.join(', and ')} (trigger ${hits.map((h) => h.trigger.id).join(', ')}). Ask for a written explanation with evidence${within.en}; the panel decides.`,
  };
}
