// Arithmetic correction of a final quote (算术修正): 003 Ch3 §3.2 L655-667; 004 §5.2.1(2) L1109-1121;
// 000 附件3 注1 L906. The rubric's `rules.quoteCorrection` lists the steps in the order the document
// applies them ("同时出现两种以上不一致的，按照前款规定的顺序修正", 003 §3.2.5 L665); this module
// applies exactly those, in that order, and records one step per change so the supplier can be shown
// what it is asked to confirm (003 §3.2.6 L667; 004 §5.2.1(2) L1121).
import { D, type Dec } from './decimal';
import type { Bilingual, CorrectionResult, CorrectionStep, QuoteLine, QuoteSheet } from './types';
import type { QuoteCorrectionStep } from '../domain/rubric/types';
import { MAX_AMOUNT, exactString, formatYuanExact, parseAmount, parseDecimal, plainString } from './money/amount';
import { amountToWords, parseAmountWords } from './money/words';
import { extend } from '../extend';

/** A quote sheet the engine cannot correct without guessing: the caller reports `field` and `reason`
 *  (docs/evaluate.md: exit status 2 naming the field). */
export class QuoteSheetError extends Error {
  readonly field: string;
  readonly value: string | null;
  readonly reason: Bilingual;
  constructor(field: string, value: string | null, reason: Bilingual) {
    super(`${field}: ${reason.en}`);
    this.name = 'QuoteSheetError';
    this.field = field;
    this.value = value;
    this.reason = reason;
  }
}

interface Line {
  item: string;
  unitPrice: Dec;
  quantity: Dec;
  total: Dec;
}

function money(field: string, s: unknown): Dec {
  if (typeof s !== 'string') {
    throw new QuoteSheetError(field, null, { zh: '缺少金额', en: 'the amount is missing' });
  }
  const p = parseAmount(s);
  if (!p.ok) throw new QuoteSheetError(field, s, p.reason);
  return p.value;
}

function decimal(field: string, s: unknown): Dec {
  if (typeof s !== 'string') {
    throw new QuoteSheetError(field, null, { zh: '缺少数值', en: 'the value is missing' });
  }
  const p = parseDecimal(s);
  if (!p.ok) throw new QuoteSheetError(field, s, p.reason);
  return p.value;
}

const y = formatYuanExact;

function itemLabel(l: Line, i: number): Bilingual {
  const name = l.item ? `「${l.item}」` : '';
  return { zh: `第${i + 1}项${name}`, en: `line ${i + 1}${l.item ? ` (${l.item})` : ''}` };
}

/** When unit × quantity and the line total differ by exactly 10^k (k ≠ 0), the decimal point (or a
 *  percentage) is "obviously misplaced" (003 §3.2.3 L661; 004 ③ L1117); returns k, else null. */
function misplacement(product: Dec, total: Dec): number | null {
  if (product.isZero() || total.isZero() || product.eq(total)) return null;
  const ratio = total.div(product);
  // A power of ten has one significant digit, and it is 1.
  if (ratio.sd() !== 1 || !ratio.eq(new D(10).pow(ratio.e))) return null;
  return ratio.e;
}

/** Apply the rubric's correction steps, in order, to a supplier's raw final-quote sheet. */
export function correctQuote(sheet: QuoteSheet, steps: QuoteCorrectionStep[]): CorrectionResult {
  let amount = money('amount', sheet.amount);
  const hasSummary = sheet.summaryTotal !== undefined && sheet.summaryTotal !== null && sheet.summaryTotal.trim() !== '';
  const summary = hasSummary ? money('summaryTotal', sheet.summaryTotal) : null;
  const lines: Line[] = (sheet.lines ?? []).map((l, i) => ({
    item: l.item ?? '',
    // Unit prices may be finer than 分 (a per-item price of 0.125 yuan); line totals and the quote may not.
    unitPrice: decimal(`lines[${i}].unitPrice`, l.unitPrice),
    quantity: decimal(`lines[${i}].quantity`, l.quantity),
    total: money(`lines[${i}].total`, l.total),
  }));
  const out: CorrectionStep[] = [];

  for (const rule of steps) {
    switch (rule) {
      case 'summary_sheet_over_body': {
        // 004 §5.2.1(2)① L1113: the 开标一览表 governs over the rest of the bid. In 004 this is also
        // how the summary total governs a decimal misplacement (③ L1117; docs/rules.md §5 decision 17).
        if (summary !== null && !summary.eq(amount)) {
          out.push({
            rule,
            line: null,
            field: 'amount',
            before: exactString(amount),
            after: exactString(summary),
            detail: {
              zh: `开标一览表总价${y(summary)}元与投标文件正文报价${y(amount)}元不一致，以开标一览表为准，修正为${y(summary)}元。`,
              en: `The quote summary sheet total ${y(summary)} differs from the body of the bid (${y(amount)}); the summary sheet governs: corrected to ${y(summary)} yuan.`,
            },
          });
          amount = summary;
        }
        break;
      }
      case 'words_over_figures': {
        // 003 §3.2.2 L661; 004 ② L1115. Unreadable words are not guessed at: the caller reports them.
        const w = sheet.amountInWords;
        if (w === null || w === undefined || w.trim() === '') break;
        const p = parseAmountWords(w);
        if (!p.ok) throw new QuoteSheetError('amountInWords', w, p.reason);
        if (!p.value.eq(amount)) {
          out.push({
            rule,
            line: null,
            field: 'amount',
            before: exactString(amount),
            after: exactString(p.value),
            detail: {
              zh: `大写金额${w.trim()}与小写金额${y(amount)}元不一致，以大写为准，修正为${y(p.value)}元。`,
              en: `The amount in words ${w.trim()} (${y(p.value)}) differs from the amount in figures ${y(amount)}; the words govern: corrected to ${y(p.value)} yuan.`,
            },
          });
          amount = p.value;
        }
        break;
      }
      case 'decimal_misplacement': {
        // 003 §3.2.3 L661 "以总价为准，并修改单价": the line total governs the misplaced unit price.
        lines.forEach((l, i) => {
          const product = l.unitPrice.times(l.quantity);
          const k = misplacement(product, l.total);
          if (k === null) return;
          const fixedUnit = l.total.div(l.quantity); // exact: unit × 10^k
          const lab = itemLabel(l, i);
          out.push({
            rule,
            line: i,
            field: 'unitPrice',
            before: exactString(l.unitPrice),
            after: exactString(fixedUnit),
            detail: {
              zh: `${lab.zh}单价${y(l.unitPrice)}元 × 数量${plainString(l.quantity)} = ${y(product)}元，与该项总价${y(l.total)}元相差${plainString(new D(10).pow(Math.abs(k)))}倍，属单价小数点明显错位，以总价为准，单价修正为${y(fixedUnit)}元。`,
              en: `${cap(lab.en)}: unit price ${y(l.unitPrice)} × quantity ${plainString(l.quantity)} = ${y(product)}, a factor of ${plainString(new D(10).pow(Math.abs(k)))} from the line total ${y(l.total)}; the decimal point of the unit price is obviously misplaced, so the total governs: unit price corrected to ${y(fixedUnit)}.`,
            },
          });
          l.unitPrice = fixedUnit;
        });
        break;
      }
      case 'unit_price_over_line_total': {
        // 003 §3.2.4 L663; 004 ④ L1119; 000 附件3 注1 L906: the unit-price calculation governs the total.
        lines.forEach((l, i) => {
          const product = l.unitPrice.times(l.quantity);
          if (product.eq(l.total)) return;
          const lab = itemLabel(l, i);
          out.push({
            rule,
            line: i,
            field: 'total',
            before: exactString(l.total),
            after: exactString(product),
            detail: {
              zh: `${lab.zh}单价${y(l.unitPrice)}元 × 数量${plainString(l.quantity)} = ${y(product)}元，与该项总价${y(l.total)}元不一致，以单价计算结果为准，该项总价修正为${y(product)}元。`,
              en: `${cap(lab.en)}: unit price ${y(l.unitPrice)} × quantity ${plainString(l.quantity)} = ${y(product)} differs from the line total ${y(l.total)}; the unit price governs: line total corrected to ${y(product)}.`,
            },
          });
          l.total = product;
        });
        break;
      }
      case 'sum_of_lines_over_total': {
        // 003 §3.2.4 L663 "总价金额与按单价汇总金额不一致的，以单价金额计算结果为准".
        if (lines.length === 0) break;
        const sum = lines.reduce((acc, l) => acc.plus(l.total), new D(0));
        if (!sum.eq(amount)) {
          out.push({
            rule,
            line: null,
            field: 'amount',
            before: exactString(amount),
            after: exactString(sum),
            detail: {
              zh: `各分项总价合计${y(sum)}元与报价总价${y(amount)}元不一致，以单价金额计算结果为准，总价修正为${y(sum)}元。`,
              en: `The line totals add up to ${y(sum)}, not the quoted total ${y(amount)}; the unit-price calculation governs: total corrected to ${y(sum)}.`,
            },
          });
          amount = sum;
        }
        break;
      }
      default: {
        const never: never = rule;
        throw new Error(`unknown quote-correction step: ${String(never)}`);
      }
    }
  }

  if (amount.gt(MAX_AMOUNT)) {
    throw new QuoteSheetError('lines', null, {
      zh: `修正后的报价${y(amount)}元超出可处理范围（最大 999,999,999,999.99 元）`,
      en: `the corrected quote ${y(amount)} is out of range (at most 999,999,999,999.99)`,
    });
  }
  const inWords = amountToWords(amount);
  const correctedLines: QuoteLine[] | undefined = sheet.lines
    ? lines.map((l) => ({
        item: l.item,
        unitPrice: exactString(l.unitPrice),
        quantity: plainString(l.quantity),
        total: exactString(l.total),
      }))
    : undefined;
  const corrected: QuoteSheet = extend(
    {
      amountInWords: inWords,
      amount: exactString(amount),
      // The summary sheet is brought in line only where the document makes it govern (004 ①); elsewhere
      // it is left as written.
      ...(sheet.summaryTotal !== undefined
        ? { summaryTotal: summary !== null && steps.includes('summary_sheet_over_body') ? exactString(amount) : sheet.summaryTotal }
        : {}),
    },
    correctedLines ? { lines: correctedLines } : {},
  );
  return { corrected: amount, inWords, steps: out, needsConfirmation: out.length > 0, sheet: corrected };
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
