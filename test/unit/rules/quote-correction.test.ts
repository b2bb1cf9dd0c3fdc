import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { D } from '../../../shared/rules/decimal';
import { correctQuote, QuoteSheetError } from '../../../shared/rules/quote-correction';
import type { QuoteCorrectionStep } from '../../../shared/domain/rubric/types';
import { amountToWords } from '../../../shared/rules/money/words';

// The rubrics' own step lists (../shared/rubrics/seed00{0,3,4}.json rules.quoteCorrection).
const SEED003: QuoteCorrectionStep[] = ['words_over_figures', 'decimal_misplacement', 'unit_price_over_line_total', 'sum_of_lines_over_total'];
const SEED004: QuoteCorrectionStep[] = ['summary_sheet_over_body', ...SEED003];

describe('correctQuote', () => {
  it('leaves a consistent sheet alone, with no confirmation needed', () => {
    const r = correctQuote(
      {
        amountInWords: '壹佰叁拾捌万元整',
        amount: '1,380,000.00',
        lines: [
          { item: '监测设备', unitPrice: '50000.00', quantity: '12', total: '600000.00' },
          { item: '研究服务', unitPrice: '780000', quantity: '1', total: '780000' },
        ],
      },
      SEED003,
    );
    expect(r.steps).toEqual([]);
    expect(r.needsConfirmation).toBe(false);
    expect(r.corrected.toString()).toBe('1380000');
    expect(r.inWords).toBe('壹佰叁拾捌万元整');
  });

  it('words govern figures (003 Ch3 §3.2.2): 壹佰叁拾柒万陆仟元整 = 1,376,000.00', () => {
    const r = correctQuote({ amountInWords: '壹佰叁拾柒万陆仟元整', amount: '1830000.00' }, SEED003);
    expect(r.corrected.toString()).toBe('1376000');
    expect(r.needsConfirmation).toBe(true);
    expect(r.steps).toHaveLength(1);
    const s = r.steps[0];
    expect(s).toMatchObject({ rule: 'words_over_figures', field: 'amount', before: '1830000.00', after: '1376000.00', line: null });
    expect(s.detail.zh).toBe('大写金额壹佰叁拾柒万陆仟元整与小写金额1,830,000.00元不一致，以大写为准，修正为1,376,000.00元。');
    expect(s.detail.en).toContain('words govern');
    expect(r.inWords).toBe('壹佰叁拾柒万陆仟元整');
    expect(r.sheet.amount).toBe('1376000.00');
  });

  it('003 order: words, then decimal misplacement, then unit price over line total, then the sum', () => {
    const r = correctQuote(
      {
        amountInWords: '壹佰叁拾柒万陆仟元整',
        amount: '1,830,000.00',
        lines: [
          // 6,500.00 × 12 = 78,000 vs 780,000: factor 10, a misplaced decimal point → unit 65,000.00
          { item: '设备', unitPrice: '6500.00', quantity: '12', total: '780000.00' },
          // 300,000 × 2 = 600,000 vs 590,000: not a power of 10 → the unit price governs the total
          { item: '服务', unitPrice: '300000.00', quantity: '2', total: '590000.00' },
        ],
      },
      SEED003,
    );
    expect(r.steps.map((s) => [s.rule, s.line ?? null, s.field])).toEqual([
      ['words_over_figures', null, 'amount'],
      ['decimal_misplacement', 0, 'unitPrice'],
      ['unit_price_over_line_total', 1, 'total'],
      ['sum_of_lines_over_total', null, 'amount'],
    ]);
    expect(r.steps[1]).toMatchObject({ before: '6500.00', after: '65000.00' });
    expect(r.steps[1].detail.zh).toContain('第1项「设备」');
    expect(r.steps[1].detail.zh).toContain('相差10倍');
    expect(r.steps[2]).toMatchObject({ before: '590000.00', after: '600000.00' });
    expect(r.steps[0]).toMatchObject({ before: '1830000.00', after: '1376000.00' });
    // 780,000 + 600,000 = 1,380,000 ≠ the words' 1,376,000: the unit-price calculation governs last.
    expect(r.steps[3]).toMatchObject({ before: '1376000.00', after: '1380000.00' });
    expect(r.steps[3].detail.zh).toBe('各分项总价合计1,380,000.00元与报价总价1,376,000.00元不一致，以单价金额计算结果为准，总价修正为1,380,000.00元。');
    expect(r.corrected.toString()).toBe('1380000');
    expect(r.inWords).toBe('壹佰叁拾捌万元整');
  });

  it('seed 004 order with a summary sheet: 开标一览表 first, then words, lines and sum', () => {
    const r = correctQuote(
      {
        amountInWords: '伍拾捌万元整',
        amount: '590000.00', // the body of the bid
        summaryTotal: '580,000.00', // the 开标一览表
        lines: [
          { item: '分拣服务', unitPrice: '4000.00', quantity: '12', total: '480000.00' }, // 48,000 × 10
          { item: '运输服务', unitPrice: '100000.00', quantity: '1', total: '100000.00' },
        ],
      },
      SEED004,
    );
    expect(r.steps.map((s) => s.rule)).toEqual(['summary_sheet_over_body', 'decimal_misplacement']);
    expect(r.steps[0]).toMatchObject({ field: 'amount', before: '590000.00', after: '580000.00' });
    expect(r.steps[0].detail.zh).toContain('以开标一览表为准');
    expect(r.steps[1]).toMatchObject({ line: 0, field: 'unitPrice', before: '4000.00', after: '40000.00' });
    expect(r.corrected.toString()).toBe('580000');
    expect(r.sheet.summaryTotal).toBe('580000.00');
    expect(r.sheet.lines![0].unitPrice).toBe('40000.00');
    expect(r.needsConfirmation).toBe(true);
  });

  it('without summary_sheet_over_body in the rubric the summary total is ignored', () => {
    const r = correctQuote({ amountInWords: null, amount: '590000.00', summaryTotal: '580000.00' }, SEED003);
    expect(r.steps).toEqual([]);
    expect(r.corrected.toString()).toBe('590000');
    expect(r.sheet.summaryTotal).toBe('580000.00');
  });

  it('seed 000 (only the unit-price rule stated) corrects each line and the total', () => {
    const r = correctQuote(
      {
        amountInWords: null,
        amount: '1000.00',
        lines: [
          { item: 'a', unitPrice: '10.00', quantity: '3', total: '31.00' },
          { item: 'b', unitPrice: '0.50', quantity: '1.5', total: '0.70' },
        ],
      },
      ['unit_price_over_line_total', 'sum_of_lines_over_total'],
    );
    expect(r.steps.map((s) => [s.rule, s.line ?? null, s.after])).toEqual([
      ['unit_price_over_line_total', 0, '30.00'],
      ['unit_price_over_line_total', 1, '0.75'],
      ['sum_of_lines_over_total', null, '30.75'],
    ]);
    expect(r.inWords).toBe('叁拾元柒角伍分');
  });

  it('a unit price that is 100× too large (a misplaced percentage) is also corrected', () => {
    const r = correctQuote(
      { amountInWords: null, amount: '1200.00', lines: [{ item: 'x', unitPrice: '10000', quantity: '12', total: '1200' }] },
      SEED003,
    );
    expect(r.steps).toHaveLength(1);
    expect(r.steps[0]).toMatchObject({ rule: 'decimal_misplacement', after: '100.00' });
    expect(r.steps[0].detail.zh).toContain('相差100倍');
  });

  it('does not guess at unreadable words: QuoteSheetError naming the field', () => {
    let err: unknown;
    try {
      correctQuote({ amountInWords: '壹佰两拾万元', amount: '1200000.00' }, SEED003);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(QuoteSheetError);
    const q = err as QuoteSheetError;
    expect(q.field).toBe('amountInWords');
    expect(q.reason.zh).toContain('「两」');
    expect(q.reason.en.length).toBeGreaterThan(0);
    expect(q.message).toContain('amountInWords');
  });

  it('names the bad field of a sheet', () => {
    const sheet = (unit: string) => ({
      amountInWords: null,
      amount: '3.00',
      lines: [
        { item: 'a', unitPrice: '1', quantity: '1', total: '1' },
        { item: 'b', unitPrice: '1', quantity: '1', total: '1' },
        { item: 'c', unitPrice: unit, quantity: '1', total: '1' },
      ],
    });
    expect(() => correctQuote(sheet('1,0'), SEED003)).toThrow(/lines\[2\]\.unitPrice/);
    expect(() => correctQuote({ amountInWords: null, amount: '12,0000' }, SEED003)).toThrow(QuoteSheetError);
    try {
      correctQuote({ amountInWords: null, amount: 'abc' }, SEED003);
    } catch (e) {
      expect((e as QuoteSheetError).field).toBe('amount');
    }
    expect(() => correctQuote({ amountInWords: null, amount: '1', summaryTotal: '１' }, SEED004)).toThrow(/summaryTotal/);
  });

  it('property: after correction the sheet is consistent, and correcting again changes nothing', () => {
    const fen = fc.bigInt({ min: 1n, max: 10000000n }).map((f) => new D(f.toString()).div(100));
    const line = fc.record({ unit: fen, qty: fc.integer({ min: 1, max: 50 }), total: fen });
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 5 }), fen, fc.boolean(), (ls, amount, useWords) => {
        const sheet = {
          amountInWords: useWords ? amountToWords(amount) : null,
          amount: amount.toString(),
          lines: ls.map((l, i) => ({ item: `i${i}`, unitPrice: l.unit.toString(), quantity: String(l.qty), total: l.total.toString() })),
        };
        const r = correctQuote(sheet, SEED003);
        const sum = r.sheet.lines!.reduce((a, l) => a.plus(l.total), new D(0));
        const linesOk = r.sheet.lines!.every((l) => new D(l.unitPrice).times(l.quantity).eq(l.total));
        const again = correctQuote(r.sheet, SEED003);
        return sum.eq(r.corrected) && linesOk && again.steps.length === 0 && r.needsConfirmation === r.steps.length > 0;
      }),
    );
  });
});
