import type { Rubric } from './types';

// Citations from the session's own procurement document (issue 13 item 2). A rubric carries, in
// `citations`, the clause numbers of the document it was transcribed from (磋商文件 / 招标文件 第X章 X.X);
// the room cites them in the words it shows: 「依据磋商文件第三章 3.3.1」. A rubric without a clause
// for a key cites the document as a whole ("依据磋商文件"), never another document's number.

/** What the room cites, each a rule of the procurement the document states in one of its clauses. */
export const CLAUSE_KEYS = [
  'criteria', // the evaluation method and criteria (评审方法和评审标准 / 评标办法)
  'consultation', // the one-on-one consultation (磋商)
  'change', // substantive changes to the requirements, confirmed by the purchaser representative
  'clarification', // clarifications (澄清)
  'finalQuote', // the final quote and its deadline
  'lateQuote', // no final quote in time: invalid
  'correction', // arithmetic correction (算术修正)
  'correctionConfirm', // the corrected quote binds once the supplier confirms it
  'abnormalLowJudgement', // the panel may open an abnormal-low review on its judgement
  'abnormalLowExplain', // the supplier explains its price
  'abnormalLowInvalid', // an unproven price makes the response invalid
  'smallMicro',
  'prison',
  'disabledWelfare',
  'consortiumOrSubcontract',
  'domesticProduct',
  'panel', // the panel's size and composition
  'report', // the report's contents and signing (a member who neither signs nor dissents is deemed to agree)
  'resultChange', // changing the results once summarised: only on the four legal grounds
] as const;
export type ClauseKey = (typeof CLAUSE_KEYS)[number];

export const CLAUSE_KEY_LABEL: Record<ClauseKey, { zh: string; en: string }> = {
  criteria: { zh: '评审方法和评审标准', en: 'Evaluation method and criteria' },
  consultation: { zh: '磋商', en: 'Consultation' },
  change: { zh: '采购需求的实质性变动', en: 'Substantive changes' },
  clarification: { zh: '澄清、说明或补正', en: 'Clarifications' },
  finalQuote: { zh: '最后报价', en: 'Final quote' },
  lateQuote: { zh: '未按时提交最后报价', en: 'Final quote not in time' },
  correction: { zh: '报价的算术修正', en: 'Arithmetic correction' },
  correctionConfirm: { zh: '修正后报价的确认', en: 'Confirming the corrected quote' },
  abnormalLowJudgement: { zh: '评审小组启动异常低价审查', en: 'Abnormal-low review on the panel’s judgement' },
  abnormalLowExplain: { zh: '异常低价的书面说明', en: 'Explaining an abnormally low price' },
  abnormalLowInvalid: { zh: '不能证明报价合理性的处理', en: 'Price not proven reasonable' },
  smallMicro: { zh: '小微企业价格扣除', en: 'Small/micro-enterprise deduction' },
  prison: { zh: '监狱企业价格扣除', en: 'Prison-enterprise deduction' },
  disabledWelfare: { zh: '残疾人福利性单位价格扣除', en: 'Disabled-welfare-unit deduction' },
  consortiumOrSubcontract: { zh: '联合体或分包价格扣除', en: 'Consortium or subcontract deduction' },
  domesticProduct: { zh: '本国产品价格扣除', en: 'Domestic-product deduction' },
  panel: { zh: '评审小组的组成', en: 'The panel' },
  report: { zh: '评审报告', en: 'The report' },
  resultChange: { zh: '修改评审结果', en: 'Changing the results' },
};

export interface RubricCitations {
  /** The document's own name for itself: 磋商文件, 招标文件, 竞争性磋商文件 … */
  document_zh: string;
  /** Clause key → the clause as the document numbers it, e.g. 「第三章 3.3.1」. */
  clauses: Partial<Record<ClauseKey, string>>;
}

export type Cite = { zh: string; en: string };

const CN_NUM: Record<string, number> = { 一: 1, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9, 十: 10 };
const DOC_EN: Record<string, string> = { 磋商文件: 'the consultation document', 竞争性磋商文件: 'the consultation document', 招标文件: 'the tender document' };

/** 「第三章 3.3.1」 → "Ch. 3 §3.3.1"; 「前附表」 → "data sheet"; 「说明」 → "note". */
export function clauseEn(zh: string): string {
  return zh
    .replace(/\s+(\d)/g, ' §$1')
    .replace(/第([一二三四五六七八九十]+)章/g, (_, n: string) => `Ch. ${[...n].reduce((a, c) => (c === '十' ? (a || 1) * 10 : a + CN_NUM[c]), 0)}`)
    .replace(/投标人须知前附表|供应商须知资料表|前附表|资料表/g, 'data sheet')
    .replace(/说明/g, ' note ')
    .replace(/、/g, ', ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The document the rubric comes from, by its own name; by the method when the rubric names none. */
export function documentName(r: Rubric | null | undefined, method?: string): string {
  const c = (r as { citations?: RubricCitations } | null | undefined)?.citations;
  if (c?.document_zh) return c.document_zh;
  return method === 'public_tender' || r?.project?.procurement_method === 'public_tender' ? '招标文件' : '磋商文件';
}

/** 「磋商文件第三章 3.3.1」 / "the consultation document Ch. 3 §3.3.1"; the document alone without a clause. */
export function cite(r: Rubric | null | undefined, key: ClauseKey, method?: string): Cite {
  const doc = documentName(r, method);
  const clause = (r as { citations?: RubricCitations } | null | undefined)?.citations?.clauses?.[key];
  const docEn = DOC_EN[doc] ?? 'the procurement document';
  return clause ? { zh: `${doc}${clause}`, en: `${docEn} ${clauseEn(clause)}` } : { zh: doc, en: docEn };
}

/** 「（依据磋商文件第三章 3.3.1）」 / " (per the consultation document Ch. 3 §3.3.1)". */
export function per(r: Rubric | null | undefined, key: ClauseKey, method?: string): Cite {
  const c = cite(r, key, method);
  return { zh: `（依据${c.zh}）`, en: ` (per ${c.en})` };
}

/** Every key's citation, for a view (the clients cite without the rubric). */
export function citationsView(r: Rubric | null | undefined, method?: string): Record<ClauseKey, Cite> {
  return Object.fromEntries(CLAUSE_KEYS.map((k) => [k, cite(r, k, method)])) as Record<ClauseKey, Cite>;
}
