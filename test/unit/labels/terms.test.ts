import { describe, it, expect } from 'vitest';
import { inMethod, inMethodZh, termsOf, TENDER_WORDS_ZH } from '../../../shared/labels/terms';

// The method-aware term table (docs/tender.md "Words"): a tender's sentences never carry the
// consultation's words; a consultation's are left as written.
describe('the words of the method', () => {
  it('names the tender’s things by the tender’s words', () => {
    const t = termsOf('public_tender');
    expect([t.supplier.zh, t.panel.zh, t.quote.zh, t.basePrice.zh, t.evaluatedPrice.zh, t.report.zh]).toEqual(['投标人', '评标委员会', '投标报价', '评标基准价', '评标价', '评标报告']);
    expect(termsOf('competitive_consultation').supplier.zh).toBe('供应商');
  });

  it('puts a consultation sentence in the tender’s words, compounds before their parts', () => {
    expect(inMethodZh('public_tender', '评审小组认定供应商的最后报价，评审基准价为最低评审价；推荐成交候选供应商')).toBe(
      '评标委员会认定投标人的投标报价，评标基准价为最低评标价；推荐中标候选人',
    );
    expect(inMethodZh('public_tender', '磋商小组审查响应文件，响应无效')).toBe('评标委员会审查投标文件，投标无效');
    expect(inMethodZh('public_tender', '推荐的中标候选供应商')).toBe('推荐的中标候选人');
    expect(inMethod('public_tender', { zh: '供应商', en: 'The supplier submits its final quote' })).toEqual({ zh: '投标人', en: 'The bidder submits its bid price' });
    // A consultation is untouched.
    expect(inMethodZh('competitive_consultation', '供应商的最后报价')).toBe('供应商的最后报价');
    // No tender word is rewritten again into something else.
    for (const [, to] of TENDER_WORDS_ZH) expect(inMethodZh('public_tender', to), to).toBe(to);
  });
});
