import { describe, it, expect } from 'vitest';
import { codeTokens, codeTokensInContext } from '../../helpers/identifiers';
import { bjDateTime, bjDateTimeEn, durationEn, durationZh, yuan } from '../../../shared/labels/format';

// The identifier rule the report's tests and the screens sweep (test/e2e/words.ts) share (issue 13
// item 1), and the English twins of the report's dates and durations.
describe('the identifier rule', () => {
  it('finds snake_case, event names, JSON, ISO timestamps and camelCase', () => {
    const text = '结论 review_failed；score:revised；{"x":"12"}；2026-03-02T09:30:00+08:00；priceScore';
    for (const t of ['review_failed', 'score:revised', '{', '}', '2026-03-02T09:30', 'priceScore']) expect(codeTokens(text)).toContain(t);
    expect(codeTokensInContext('评审结论：review_failed。')[0]).toContain('‹评审结论：review_failed。›');
  });

  it('passes the words of the procurement, Latin names, hashes, amounts and URLs', () => {
    const ok = [
      '依据磋商文件第三章 3.3.1',
      '2026年3月2日 9:30（北京时间）',
      '1,511,936.00 元',
      'PanelRoom 评审室 · SHA-256 5149741fe2',
      '专家 1：✓ 通过；采购人代表：✗ 不通过',
      'https://example.org/join',
      '11010726210200018795-XM001',
      'Expert 2, Purchaser rep.',
    ];
    for (const t of ok) expect(codeTokens(t), t).toEqual([]);
  });
});

describe('dates, durations and amounts as a reader writes them', () => {
  const at = Date.UTC(2026, 2, 2, 1, 30, 5); // 9:30:05 in Beijing
  it('in Chinese and in the English twin', () => {
    expect(bjDateTime(at)).toBe('2026年3月2日 9:30');
    expect(bjDateTimeEn(at, true)).toBe('2 Mar 2026 9:30:05');
    expect(bjDateTimeEn(null)).toBe('—');
    expect(durationZh(870_000)).toBe('14 分 30 秒');
    expect(durationEn(870_000)).toBe('14 min 30 s');
    expect(durationEn(2_000)).toBe('2 s');
    expect(durationEn(3_900_000)).toBe('1 h 5 min');
    expect(yuan('1511936.00')).toBe('1,511,936.00 元');
    for (const t of [bjDateTimeEn(at, true), durationEn(870_000)]) expect(codeTokens(t)).toEqual([]);
  });
});
