// Yuan amounts in figures (小写金额): reading what a supplier or a moderator typed, and printing money.
// Money never passes through a JavaScript number here: the string is checked by pattern and handed
// to decimal.js whole (docs/rules.md §2.17 "Use decimal arithmetic, never binary floating point").
import { D, fixed, type Dec } from '../decimal';
import type { Bilingual } from '../types';

export type AmountParse = { ok: true; value: Dec } | { ok: false; reason: Bilingual };

/** The largest amount the engine reads or writes: 9999亿9999万9999元9角9分, the range 大写 can write
 *  with 亿 as the highest section marker (see words.ts). */
export const MAX_AMOUNT: Dec = new D('999999999999.99');

const FULL_WIDTH = /[\uFF10-\uFF19\uFF0C\uFF0E\uFF0B\uFF0D]/;
// Grouped thousands must be groups of exactly three ("12,0000" is refused: docs/evaluate.md's own
// example of a bad amount), or no separators at all.
const PLAIN = /^(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?$/;

function refuse(zh: string, en: string): AmountParse {
  return { ok: false, reason: { zh, en } };
}

/** Read a yuan amount in figures: optional thousands separators, at most 2 decimals (分 is the
 *  smallest unit of money), non-negative, no exponent, no full-width characters. */
export function parseAmount(s: string): AmountParse {
  return read(s, 2, MAX_AMOUNT);
}

/** Read a non-negative plain decimal with any number of decimals and no upper limit (quantities).
 *  Same refusals as parseAmount otherwise. */
export function parseDecimal(s: string): AmountParse {
  return read(s, null, null);
}

function read(s: string, maxDecimals: number | null, max: Dec | null): AmountParse {
  if (typeof s !== 'string') return refuse('必须是文字形式的数字', 'must be a string of figures');
  const t = s.trim();
  if (t === '') return refuse('金额为空', 'the amount is empty');
  const fw = FULL_WIDTH.exec(t);
  if (fw) {
    // Full-width digits come from Chinese IMEs; refusing (rather than folding) makes the person retype
    // the figure they meant instead of us guessing at a mixed-width string.
    return refuse(
      `“${t}”含全角字符“${fw[0]}”，请用半角数字填写`,
      `"${t}" contains the full-width character "${fw[0]}"; type half-width digits`,
    );
  }
  if (/^[-\u2212]/.test(t)) return refuse(`“${t}”为负数，金额不能为负`, `"${t}" is negative`);
  if (/^\+?[\d.,]*[eE]/.test(t)) {
    return refuse(`“${t}”使用了科学计数法，请写出完整数字`, `"${t}" uses an exponent; write the figures out`);
  }
  const m = PLAIN.exec(t);
  if (!m) {
    return refuse(
      `“${t}”不是有效的金额（应为如 1,380,000.00 或 1380000.00 的数字）`,
      `"${t}" is not a decimal amount (expected e.g. 1,380,000.00 or 1380000.00)`,
    );
  }
  if (maxDecimals !== null && m[1] !== undefined && m[1].length > maxDecimals) {
    return refuse(`“${t}”超过两位小数（金额最小单位为分）`, `"${t}" has more than 2 decimals (the smallest unit is the fen)`);
  }
  const value = new D(t.replace(/,/g, ''));
  if (max !== null && value.gt(max)) {
    return refuse(
      `“${t}”超出可处理范围（最大 999,999,999,999.99 元）`,
      `"${t}" is out of range (at most 999,999,999,999.99)`,
    );
  }
  return { ok: true, value };
}

function group(intDigits: string): string {
  return intDigits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** "1,380,000.00": half-up to 2 places (four-five rounding, 000 L328), with thousands separators. */
export function formatYuan(v: Dec): string {
  const s = fixed(v, 2);
  const neg = s.startsWith('-');
  const [i, f] = (neg ? s.slice(1) : s).split('.');
  return `${neg ? '-' : ''}${group(i)}.${f}`;
}

/** Like formatYuan but never rounds: at least 2 decimals, more when the value has them (a unit
 *  price corrected by decimal misplacement may be finer than 分; show it as it is). */
export function formatYuanExact(v: Dec): string {
  const s = exactString(v);
  const neg = s.startsWith('-');
  const [i, f] = (neg ? s.slice(1) : s).split('.');
  return `${neg ? '-' : ''}${group(i)}.${f}`;
}

/** "1380000.00": half-up to 2 places, no separators (the evaluation file's money format). */
export function amountString(v: Dec): string {
  return fixed(v, 2);
}

/** At least 2 decimals, all of the value's own decimals, never rounded, never an exponent. */
export function exactString(v: Dec): string {
  return fixed(v, Math.max(2, v.decimalPlaces()));
}

/** A plain decimal string without trailing zeros and without exponent ("12", "1.5"). */
export function plainString(v: Dec): string {
  return fixed(v, v.decimalPlaces());
}

/** "10%", "12.5%": a rate in 0..1 printed as a percentage, exactly. */
export function pct(rate: Dec): string {
  return `${plainString(rate.times(100))}%`;
}
