// Issue 17: a flag's message addressed to the flagged member (「您对供应商…」) reads in the third person
// for everyone else, and loses 「（待复核）」 once the panel has dealt with it (docs/anomaly.md "Messages").
import { describe, expect, it } from 'vitest';
import { dec } from '../../../shared/rules/decimal';
import { inThirdPerson, r0Message, r3Message, r4Message, settledMessage, total30Message } from '../../../shared/rules/anomaly/messages';
import { exampleRubric } from '../../../shared/rules/anomaly/example';
import { scoredLeaves } from '../../../shared/domain/rubric/index';

const who = { zh: '专家 2', en: 'Expert 2' };
const factor = scoredLeaves(exampleRubric())[0];
const r3 = r3Message({ factor, supplier: 'B', x: dec('12'), others: ['21', '22', '22', '23'].map(dec), ref: dec('22'), d: dec('-10'), ratio: dec('0.33'), xBand: null, refBand: null, grades: null });

describe('a flag message for the others on the panel', () => {
  it('R3: 「专家 2 对供应商B…」, and what the member is to do instead of 「请选择」', () => {
    expect(r3.zh).toContain('您对供应商B');
    const m = inThirdPerson(r3, who);
    expect(m.zh).toContain('评分偏离提示（待复核）：专家 2 对供应商B「');
    expect(m.zh).toContain('由该专家选择「修改评分」或「维持并说明理由」');
    expect(m.en).toContain('Expert 2 gave supplier B 12 points');
    expect(m.en).toContain('Expert 2 chooses to change the score or to keep it with a reason.');
    for (const x of [m.zh]) expect(x).not.toMatch(/您|请选择/);
    expect(m.en).not.toMatch(/\b[Yy]ou(r)?\b|Choose/);
  });
  it('R4, TOTAL30 and R0 likewise; a message without 您 is unchanged', () => {
    const r4 = inThirdPerson(r4Message('B', dec('17'), dec('36.5'), dec('-19.5'), dec('50'), dec('0.39'), dec('-4.03'), 2), who);
    expect(r4.zh).toContain('供应商B 专家 2 的主观分合计 17');
    expect(r4.en).toContain("for supplier B Expert 2's subjective subtotal is 17");
    const t30 = inThirdPerson(total30Message('C', dec('50'), dec('80'), dec('0.375'), '0.3', 2), who);
    expect(t30.zh).toContain('专家 2 对供应商C 的总分');
    expect(t30.zh).toContain('由该专家提交书面说明');
    expect(t30.en).toContain("Expert 2's total for supplier C");
    expect(t30.en).toContain('Expert 2 gives a written explanation;');
    const r0 = inThirdPerson(r0Message('实施方案', '12/8/5/2/0', '10'), who);
    expect(r0.zh).toContain('专家 2 输入了 10');
    expect(r0.en).toContain('Expert 2 entered 10');
    for (const m of [r4, t30, r0]) {
      expect(m.zh).not.toContain('您');
      expect(m.en).not.toMatch(/\b[Yy]ou(r)?\b/);
    }
    const plain = { zh: '区分度提示：专家 3 对全部 4 家供应商的「服务」均评 5 分。', en: 'Low discrimination: Expert 3 gave all 4 suppliers 5 points for “x”.' };
    expect(inThirdPerson(plain, who)).toEqual(plain);
  });
  it('a settled flag no longer says 待复核', () => {
    const s = settledMessage(r3);
    expect(s.zh.startsWith('评分偏离提示：您对供应商B')).toBe(true);
    expect(s.en.startsWith('Score deviation: you gave')).toBe(true);
  });
});
