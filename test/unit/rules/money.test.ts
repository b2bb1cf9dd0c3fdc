import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { D } from '../../../shared/rules/decimal';
import { parseAmount, parseDecimal, formatYuan, formatYuanExact, amountString, pct } from '../../../shared/rules/money/amount';
import { overBudget } from '../../../shared/rules/budget';

const ok = (s: string) => {
  const p = parseAmount(s);
  if (!p.ok) throw new Error(`${s}: ${p.reason.en}`);
  return p.value.toString();
};
const refused = (s: string) => {
  const p = parseAmount(s);
  expect(p.ok, s).toBe(false);
  return p.ok ? null : p.reason;
};

describe('parseAmount', () => {
  it('reads figures with and without thousands separators', () => {
    expect(ok('1,380,000.00')).toBe('1380000');
    expect(ok('1380000.00')).toBe('1380000');
    expect(ok('1511936')).toBe('1511936');
    expect(ok('0.5')).toBe('0.5');
    expect(ok(' 680,371.20 ')).toBe('680371.2');
    expect(ok('999,999,999,999.99')).toBe('999999999999.99');
    expect(ok('0')).toBe('0');
  });
  it('refuses what is not a yuan amount, saying why in both languages', () => {
    for (const s of ['', '  ', '12,0000', '1,38,000', '1.234', '-5', '1e5', '1E5', '１２３', '1,380,000．00', 'abc', '1.', '.5', '¥100', '1 000'])
      refused(s);
    const fw = refused('１２３')!;
    expect(fw.zh).toContain('全角');
    expect(fw.en).toContain('full-width');
    expect(refused('-5')!.zh).toContain('负');
    expect(refused('1e5')!.en).toContain('exponent');
    expect(refused('1.234')!.zh).toContain('两位小数');
    expect(refused('1000000000000.00')!.zh).toContain('范围');
    expect(refused('999999999999.991')).not.toBeNull();
  });
  it('never loses a digit: parse(amountString(x)) == x for every 2-decimal amount', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 99999999999999n }), (fen) => {
        const v = new D(fen.toString()).div(100);
        const a = parseAmount(amountString(v));
        const b = parseAmount(formatYuan(v));
        return a.ok && b.ok && a.value.eq(v) && b.value.eq(v);
      }),
    );
  });
});

describe('parseDecimal (quantities)', () => {
  it('allows more decimals but refuses the same garbage', () => {
    const p = parseDecimal('0.125');
    expect(p.ok && p.value.toString()).toBe('0.125');
    expect(parseDecimal('1e3').ok).toBe(false);
    expect(parseDecimal('-1').ok).toBe(false);
  });
});

describe('formatting', () => {
  it('formats yuan half-up with separators', () => {
    expect(formatYuan(new D('1380000'))).toBe('1,380,000.00');
    expect(formatYuan(new D('680371.2'))).toBe('680,371.20');
    expect(formatYuan(new D('1.005'))).toBe('1.01');
    expect(formatYuan(new D('0.125'))).toBe('0.13');
    expect(formatYuan(new D('999'))).toBe('999.00');
    expect(amountString(new D('1380000'))).toBe('1380000.00');
    expect(amountString(new D('82.705'))).toBe('82.71');
    expect(formatYuanExact(new D('6500.125'))).toBe('6,500.125');
    expect(pct(new D('0.10'))).toBe('10%');
    expect(pct(new D('0.125'))).toBe('12.5%');
  });
});

describe('overBudget', () => {
  const max = new D('1511936.00');
  it('is strict: equal to the limit is fine', () => {
    expect(overBudget(new D('1511936.00'), max, max)).toBeNull();
    const o = overBudget(new D('1511936.01'), max, max)!;
    expect(o.reason).toBe('over_budget');
    expect(o.which).toBe('max_price');
    expect(o.limit.eq(max)).toBe(true);
    expect(o.message.zh).toContain('1,511,936.00');
    expect(o.message.en).toContain('maximum price');
  });
  it('works with only a budget, and reports the lower limit when both are exceeded', () => {
    expect(overBudget(new D('600000.01'), new D('600000'), null)!.which).toBe('budget');
    expect(overBudget(new D('600000.00'), new D('600000'), null)).toBeNull();
    expect(overBudget(new D('1e9'), null, null)).toBeNull();
    const o = overBudget(new D('700'), new D('500'), new D('600'))!;
    expect(o.which).toBe('budget');
    expect(o.limit.toString()).toBe('500');
  });
});
