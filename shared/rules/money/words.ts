// Amounts in words (大写金额). The words govern over the figures when they differ (003 Ch3 §3.2.2
// L661; 004 §5.2.1(2)② L1115), so the reader must be exact and must refuse rather than guess.
//
// Writing follows the People's Bank of China 《支付结算办法》 附件《正确填写票据和结算凭证的基本规定》:
// - 整 (正) only after 元; "到角为止的，在角之后可以不写整字" — we write none after 角; 分 never takes 整.
// - Every 拾 is written with its digit, 壹拾 at the head of a section too (壹拾万, 壹拾亿): it is the
//   form finance departments use because a bare 拾 can be altered by prefixing a digit.
// - A run of zeros between two non-zero digits of the integer part, across 万/亿 boundaries too,
//   is written as one 零 (壹拾万零柒仟元整, 壹拾亿零壹元整, 壹亿零伍元整). The same rule lets one also
//   omit that 零 ("可以只写一个零字，也可以不写"); we always write it, which the reader accepts either way.
// - 万/亿 are written only after a non-zero section (壹亿元整, not 壹亿零万元整).
// - A zero 元 digit before a non-zero 角 writes no 零 (壹仟陆佰捌拾元叁角贰分); a zero 角 before a
//   non-zero 分 does (壹元零伍分). With no 元 at all the words start at 角 or 分 (伍角陆分, 陆分).
import { D, fixed, type Dec } from '../decimal';
import type { Bilingual } from '../types';
import { MAX_AMOUNT, parseAmount, type AmountParse } from './amount';

const DIGITS = '零壹贰叁肆伍陆柒捌玖';
const SMALL_UNITS = ['', '拾', '佰', '仟'];

/** Write an amount 0.00 … 999,999,999,999.99 in words. Values finer than 分 are rounded half-up to
 *  分 first (大写 has no smaller unit). Throws RangeError outside the range or on a bad string. */
export function amountToWords(v: Dec | string): string {
  let value: Dec;
  if (typeof v === 'string') {
    const p = parseAmount(v);
    if (!p.ok) throw new RangeError(`amountToWords: ${p.reason.en}`);
    value = p.value;
  } else {
    value = v.toDecimalPlaces(2, D.ROUND_HALF_UP);
  }
  if (value.isNeg() || value.gt(MAX_AMOUNT)) {
    throw new RangeError(`amountToWords: ${value.toString()} is outside 0.00 … 999,999,999,999.99`);
  }
  const fen = fixed(value.times(100), 0);
  const intDigits = fen.length > 2 ? fen.slice(0, -2) : '0';
  const jiao = fen.length >= 2 ? Number(fen[fen.length - 2]) : 0;
  const fenDigit = Number(fen[fen.length - 1]);

  let out = '';
  if (intDigits !== '0') {
    let pendingZero = false;
    const n = intDigits.length;
    for (let i = 0; i < n; i++) {
      const p = n - 1 - i;
      const d = Number(intDigits[i]);
      if (d === 0) {
        pendingZero = out !== '';
      } else {
        if (pendingZero) out += '零';
        pendingZero = false;
        out += DIGITS[d] + SMALL_UNITS[p % 4];
      }
      if (p === 8 || p === 4) {
        // The section marker belongs to the 4 digits ending here; an all-zero section has none.
        const sectionStart = Math.max(0, i - 3);
        if (/[1-9]/.test(intDigits.slice(sectionStart, i + 1))) out += p === 8 ? '亿' : '万';
      }
    }
    out += '元';
    if (jiao === 0 && fenDigit === 0) return out + '整';
    if (jiao === 0) return `${out}零${DIGITS[fenDigit]}分`;
  } else if (jiao === 0 && fenDigit === 0) {
    return '零元整';
  }
  if (jiao !== 0) out += DIGITS[jiao] + '角';
  if (fenDigit !== 0) out += DIGITS[fenDigit] + '分';
  return out;
}

// ---------------------------------------------------------------------------------------------
// Reading

const LOWER_DIGITS: Record<string, string> = {
  一: '壹', 二: '贰', 三: '叁', 四: '肆', 五: '伍', 六: '陆', 七: '柒', 八: '捌', 九: '玖', 〇: '零',
  十: '拾', 百: '佰', 千: '仟',
};

type Tok =
  | { k: 'digit'; d: number; ch: string; pos: number }
  | { k: 'zero'; ch: string; pos: number }
  | { k: 'unit'; u: 1 | 2 | 3; ch: string; pos: number }
  | { k: 'big'; u: 4 | 8; ch: string; pos: number }
  | { k: 'yuan'; ch: string; pos: number }
  | { k: 'jiao'; ch: string; pos: number }
  | { k: 'fen'; ch: string; pos: number }
  | { k: 'zheng'; ch: string; pos: number };

function fail(zh: string, en: string): AmountParse {
  return { ok: false, reason: { zh, en } };
}

function at(t: { ch: string; pos: number }): Bilingual {
  return { zh: `第${t.pos}个字符「${t.ch}」`, en: `character ${t.pos} "${t.ch}"` };
}

function failAt(t: { ch: string; pos: number }, zh: string, en: string): AmountParse {
  const w = at(t);
  return fail(`大写金额${w.zh}${zh}`, `amount in words, ${w.en}: ${en}`);
}

/** Read an amount in words as suppliers write it: 元 or 圆, 整 (or 正) optional, also after 角 or 分,
 *  an optional leading 人民币, whitespace anywhere, redundant 零 (壹仟零伍拾, 零角), 拾 at the very
 *  start for 壹拾. Refuses 两, lower-case numerals, misplaced units, and anything it would have to
 *  guess at (壹佰伍元: 105 or 150?), naming the character and its 1-based position. */
export function parseAmountWords(s: string): AmountParse {
  if (typeof s !== 'string' || s.trim() === '') return fail('大写金额为空', 'the amount in words is empty');
  // Positions count the string as written (whitespace included) so a person can find the character.
  const chars = Array.from(s);
  const toks: Tok[] = [];
  let i = 0;
  while (i < chars.length && /\s/.test(chars[i])) i++;
  if (chars.slice(i, i + 3).join('') === '人民币') {
    i += 3;
    while (i < chars.length && /[\s:：]/.test(chars[i])) i++;
  }
  for (; i < chars.length; i++) {
    const ch = chars[i];
    const pos = i + 1;
    if (/\s/.test(ch)) continue;
    const d = DIGITS.indexOf(ch);
    if (d === 0) toks.push({ k: 'zero', ch, pos });
    else if (d > 0) toks.push({ k: 'digit', d, ch, pos });
    else if (ch === '拾') toks.push({ k: 'unit', u: 1, ch, pos });
    else if (ch === '佰') toks.push({ k: 'unit', u: 2, ch, pos });
    else if (ch === '仟') toks.push({ k: 'unit', u: 3, ch, pos });
    else if (ch === '万') toks.push({ k: 'big', u: 4, ch, pos });
    else if (ch === '亿') toks.push({ k: 'big', u: 8, ch, pos });
    else if (ch === '元' || ch === '圆') toks.push({ k: 'yuan', ch, pos });
    else if (ch === '角') toks.push({ k: 'jiao', ch, pos });
    else if (ch === '分') toks.push({ k: 'fen', ch, pos });
    else if (ch === '整' || ch === '正') toks.push({ k: 'zheng', ch, pos });
    else if (ch === '两') {
      return failAt({ ch, pos }, '不是大写金额用字，应写「贰」', 'is not a numeral of amounts in words; write "贰"');
    } else if (LOWER_DIGITS[ch]) {
      return failAt(
        { ch, pos },
        `是小写数字，大写金额应写「${LOWER_DIGITS[ch]}」`,
        `is a lower-case numeral; amounts in words use "${LOWER_DIGITS[ch]}"`,
      );
    } else {
      return failAt({ ch, pos }, '不是大写金额用字', 'is not a character of an amount in words');
    }
  }
  if (toks.length === 0) return fail('大写金额为空', 'the amount in words is empty');

  // Integer part: sections of up to 仟佰拾个 closed by 亿, 万 or 元, in that order.
  // Section values are kept as Dec like all money; digits and unit exponents are small ints.
  let yi: Dec | null = null;
  let wan: Dec | null = null;
  let cur: Dec = new D(0); // current section value
  let curHasDigit = false;
  let lastUnit = 4; // units inside a section must strictly descend: 仟 > 佰 > 拾
  let pending: Extract<Tok, { k: 'digit' }> | null = null;
  let zeroSinceUnit = false; // a 零 after the last 佰/仟/万/亿 makes a following units digit unambiguous
  let prevMarker = ''; // the 万/亿 that closed the previous section
  let leadingZero: Tok | null = null; // 零元… : an explicit zero integer part
  let seen = false; // any integer token so far
  let k = 0;

  const closeSection = (t: Tok): AmountParse | null => {
    if (pending) {
      // 壹佰伍元 reads as 150 in speech and 105 by position, 壹亿伍万 as 1.5亿 or 1亿零5万: refuse
      // rather than guess. After 拾 a units digit is the ordinary form (伍拾伍).
      const after = lastUnit === 2 || lastUnit === 3 ? SMALL_UNITS[lastUnit] : lastUnit === 4 ? prevMarker : '';
      if (after !== '' && !zeroSinceUnit) {
        return failAt(
          pending,
          `紧跟在「${after}」之后，既无单位也无「零」，无法确定金额`,
          `follows "${after}" with neither a unit nor "零"; the amount is ambiguous`,
        );
      }
      cur = cur.plus(pending.d);
      curHasDigit = true;
      pending = null;
    }
    if (t.k === 'big' && !curHasDigit) {
      return failAt(t, '前缺少数字', 'has no digits before it');
    }
    return null;
  };

  for (; k < toks.length; k++) {
    const t = toks[k];
    if (t.k === 'yuan' || t.k === 'jiao' || t.k === 'fen' || t.k === 'zheng') break;
    if (t.k === 'digit') {
      if (pending) return failAt(t, `前的「${pending.ch}」缺少单位`, `follows "${pending.ch}", which has no unit`);
      pending = t;
      seen = true;
    } else if (t.k === 'zero') {
      if (pending) return failAt(t, `前的「${pending.ch}」缺少单位`, `follows "${pending.ch}", which has no unit`);
      const next = toks[k + 1];
      if (!seen && next && next.k === 'yuan') leadingZero = t;
      else if (next && (next.k === 'big' || next.k === 'yuan')) {
        return failAt(t, `之后紧跟「${next.ch}」，缺少数字`, `is directly followed by "${next.ch}"; a digit is missing`);
      }
      zeroSinceUnit = true;
      seen = true;
    } else if (t.k === 'unit') {
      let d: number;
      if (pending) {
        d = pending.d;
        pending = null;
      } else if (t.u === 1 && !seen) {
        d = 1; // 拾 at the very start means 壹拾
      } else if (toks[k - 1]?.k === 'zero') {
        d = 0; // 零佰 as a placeholder: redundant, but unambiguous
      } else {
        return failAt(t, '前缺少数字', 'has no digit before it');
      }
      if (t.u >= lastUnit) {
        return failAt(t, '的位置不对（单位须从高到低）', 'is out of place (units must descend)');
      }
      cur = cur.plus(new D(10).pow(t.u).times(d));
      if (d !== 0) curHasDigit = true;
      lastUnit = t.u;
      zeroSinceUnit = false;
      seen = true;
    } else {
      // 亿 / 万
      if (t.u === 8 && (yi !== null || wan !== null)) {
        return failAt(t, yi !== null ? '出现两次' : '不能出现在「万」之后（单位顺序错误或金额超出范围）',
          yi !== null ? 'appears twice' : 'cannot follow "万" (units out of order or amount out of range)');
      }
      if (t.u === 4 && wan !== null) return failAt(t, '出现两次', 'appears twice');
      const err = closeSection(t);
      if (err) return err;
      if (t.u === 8) yi = cur;
      else wan = cur;
      cur = new D(0);
      curHasDigit = false;
      lastUnit = 4;
      zeroSinceUnit = false;
      prevMarker = t.ch;
    }
  }

  let intValue: Dec = new D(0);
  let hadYuan = false;
  const first = toks[k];
  if (first && first.k === 'yuan') {
    const err = closeSection(first);
    if (err) return err;
    if (!seen) return failAt(first, '前缺少数字', 'has no digits before it');
    intValue = (yi ?? new D(0)).times('1e8').plus((wan ?? new D(0)).times('1e4')).plus(cur);
    if (intValue.isZero() && !leadingZero) return failAt(first, '前缺少数字', 'has no digits before it');
    hadYuan = true;
    k++;
  } else if (first && first.k === 'zheng') {
    return failAt(first, '只能写在「元」、「角」或「分」之后', 'may only follow "元", "角" or "分"');
  } else if (!first) {
    // Ran out of tokens inside the integer part: no 元 at all.
    const last = toks[toks.length - 1];
    return failAt(last, '之后缺少「元」', 'is not followed by "元"');
  } else {
    // 角 or 分 without 元: allowed only when nothing but that digit came before (伍角, 陆分).
    if (yi !== null || wan !== null || !cur.isZero() || leadingZero) {
      return failAt(first, '之前缺少「元」', 'comes without a preceding "元"');
    }
  }

  // Fraction: [零] [D角 | 零角] [零] [D分 | 零分] [整]
  let jiao = 0;
  let fen = 0;
  let stage = 0; // 0: before 角, 1: after 角, 2: after 分, 3: after 整
  let digit: Extract<Tok, { k: 'digit' }> | null = hadYuan ? null : pending;
  let zero: Tok | null = null;
  if (!hadYuan) pending = null;
  for (; k < toks.length; k++) {
    const t = toks[k];
    if (stage === 3) return failAt(t, '出现在「整」之后', 'comes after "整"');
    if (t.k === 'digit') {
      if (digit) return failAt(t, `前的「${digit.ch}」缺少单位`, `follows "${digit.ch}", which has no unit`);
      digit = t;
      zero = null;
    } else if (t.k === 'zero') {
      if (digit) return failAt(t, `前的「${digit.ch}」缺少单位`, `follows "${digit.ch}", which has no unit`);
      zero = t;
    } else if (t.k === 'jiao') {
      if (stage >= 1) return failAt(t, stage === 2 ? '出现在「分」之后' : '出现两次', stage === 2 ? 'comes after "分"' : 'appears twice');
      if (!digit && !zero) return failAt(t, '前缺少数字', 'has no digit before it');
      jiao = digit ? digit.d : 0;
      digit = null;
      zero = null;
      stage = 1;
    } else if (t.k === 'fen') {
      if (stage >= 2) return failAt(t, '出现两次', 'appears twice');
      if (!digit && !zero) return failAt(t, '前缺少数字', 'has no digit before it');
      fen = digit ? digit.d : 0;
      digit = null;
      zero = null;
      stage = 2;
    } else if (t.k === 'zheng') {
      if (digit) return failAt(digit, '缺少单位「角」或「分」', 'has no unit ("角" or "分")');
      if (!hadYuan && stage === 0) return failAt(t, '只能写在「元」、「角」或「分」之后', 'may only follow "元", "角" or "分"');
      stage = 3;
    } else if (t.k === 'yuan') {
      return failAt(t, hadYuan ? '出现两次' : '出现在「角」或「分」之后', hadYuan ? 'appears twice' : 'comes after "角" or "分"');
    } else {
      return failAt(t, '出现在「元」之后，位置不对', 'comes after "元" and is out of place');
    }
  }
  if (digit) return failAt(digit, '缺少单位「角」或「分」', 'has no unit ("角" or "分")');
  if (zero) return failAt(zero, '之后缺少数字或「角」「分」', 'is not followed by a digit, "角" or "分"');
  const value = intValue.plus(new D(jiao).div(10)).plus(new D(fen).div(100));
  if (value.gt(MAX_AMOUNT)) {
    return fail('大写金额超出可处理范围（最大 999,999,999,999.99 元）', 'the amount in words is out of range (at most 999,999,999,999.99)');
  }
  return { ok: true, value };
}
