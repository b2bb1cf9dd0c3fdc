import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { D } from '../../../shared/rules/decimal';
import { amountToWords, parseAmountWords } from '../../../shared/rules/money/words';

const w = (s: string) => amountToWords(new D(s));
const read = (s: string) => {
  const p = parseAmountWords(s);
  if (!p.ok) throw new Error(`${s}: ${p.reason.zh}`);
  return p.value.toString();
};
const refuse = (s: string) => {
  const p = parseAmountWords(s);
  expect(p.ok, s).toBe(false);
  return p.ok ? { zh: '', en: '' } : p.reason;
};

describe('amountToWords', () => {
  it('writes the forms Chinese finance uses', () => {
    expect(w('0')).toBe('零元整');
    expect(w('1376000')).toBe('壹佰叁拾柒万陆仟元整');
    expect(w('1000000001')).toBe('壹拾亿零壹元整');
    expect(w('100000000')).toBe('壹亿元整');
    expect(w('100000005')).toBe('壹亿零伍元整');
    expect(w('100050000')).toBe('壹亿零伍万元整');
    expect(w('107000.53')).toBe('壹拾万零柒仟元伍角叁分');
    expect(w('1050')).toBe('壹仟零伍拾元整');
    expect(w('10')).toBe('壹拾元整');
    expect(w('100000')).toBe('壹拾万元整');
    expect(w('600000')).toBe('陆拾万元整'); // seed 004 budget, L183-185
    expect(w('1511936')).toBe('壹佰伍拾壹万壹仟玖佰叁拾陆元整'); // seed 003 maximum price
    expect(w('1.05')).toBe('壹元零伍分');
    expect(w('1680.32')).toBe('壹仟陆佰捌拾元叁角贰分');
    expect(w('10.5')).toBe('壹拾元伍角'); // no 整 after 角
    expect(w('0.5')).toBe('伍角');
    expect(w('0.56')).toBe('伍角陆分');
    expect(w('0.06')).toBe('陆分');
    expect(w('999999999999.99')).toBe('玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分');
    expect(amountToWords('1,376,000.00')).toBe('壹佰叁拾柒万陆仟元整');
  });
  it('refuses what it cannot write', () => {
    expect(() => w('-1')).toThrow(RangeError);
    expect(() => w('1000000000000')).toThrow(RangeError);
    expect(() => amountToWords('12,0000')).toThrow(RangeError);
  });
});

describe('parseAmountWords', () => {
  it('reads what suppliers write', () => {
    expect(read('壹佰叁拾柒万陆仟元整')).toBe('1376000');
    expect(read('人民币 壹佰叁拾柒万陆仟圆')).toBe('1376000');
    expect(read('人民币：壹佰叁拾柒万 陆仟元正')).toBe('1376000');
    expect(read('拾万元整')).toBe('100000');
    expect(read('拾元')).toBe('10');
    expect(read('壹仟零伍拾元整')).toBe('1050');
    expect(read('壹仟零佰伍拾元')).toBe('1050');
    expect(read('壹仟伍拾元')).toBe('1050');
    expect(read('壹拾万柒仟元')).toBe('107000');
    expect(read('壹元零角伍分')).toBe('1.05');
    expect(read('壹拾元伍角整')).toBe('10.5');
    expect(read('伍角')).toBe('0.5');
    expect(read('零元伍角陆分')).toBe('0.56');
    expect(read('陆分')).toBe('0.06');
    expect(read('零元整')).toBe('0');
    expect(read('陆拾万元整')).toBe('600000');
  });
  it('refuses non-amounts, naming the character and its position', () => {
    expect(refuse('').zh).toContain('空');
    const liang = refuse('两万元整');
    expect(liang.zh).toContain('「两」');
    expect(liang.zh).toContain('第1个字符');
    expect(refuse('叁万元整abc').zh).toContain('「a」');
    expect(refuse('三万元整').zh).toContain('小写');
    expect(refuse('壹元元').zh).toContain('出现两次');
    expect(refuse('壹元伍分伍角').zh).toContain('「角」');
    expect(refuse('壹拾壹佰元').zh).toContain('「佰」');
    expect(refuse('壹贰元').zh).toContain('「贰」');
    expect(refuse('壹佰叁拾柒万陆仟').zh).toContain('「元」');
    expect(refuse('整').zh).toContain('「整」');
    expect(refuse('壹元整伍角').zh).toContain('「整」');
    expect(refuse('壹元伍').zh).toContain('「伍」');
    expect(refuse('壹万万元').zh).toContain('「万」');
    expect(refuse('壹万壹亿元').zh).toContain('「亿」');
    expect(refuse('佰元').zh).toContain('「佰」');
    // Would have to guess: 壹佰伍元 is 150 in speech and 105 by position.
    expect(refuse('壹佰伍元').zh).toContain('「伍」');
    expect(refuse('壹亿伍万元').zh).toContain('「伍」');
    expect(refuse('人民币').zh).toContain('空');
    for (const r of [refuse('两元'), refuse('x')]) expect(r.en.length).toBeGreaterThan(0);
  });
  it('round-trips every amount: parseAmountWords(amountToWords(x)) == x', () => {
    // Uniform amounts, and digit strings rich in zeros (where 零 and 万/亿 rules live).
    const uniform = fc.bigInt({ min: 0n, max: 99999999999999n });
    const zeroRich = fc
      .array(fc.constantFrom(0, 0, 0, 0, 1, 5, 9), { minLength: 1, maxLength: 14 })
      .map((ds) => BigInt(ds.join('')));
    fc.assert(
      fc.property(fc.oneof(uniform, zeroRich), (fen) => {
        const x = new D(fen.toString()).div(100);
        const p = parseAmountWords(amountToWords(x));
        return p.ok && p.value.eq(x);
      }),
      { numRuns: 5000 },
    );
  });
});
