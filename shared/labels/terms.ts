import type { Text } from './text';

// The words that differ between the two procurement methods (docs/tender.md "Words"): a 竞争性磋商
// has 供应商, a 磋商小组, 最后报价, 评审基准价/评审价 and a 评审报告; a 公开招标 has 投标人, a 评标委员会,
// 投标报价, 评标基准价/评标价 and a 评标报告 (docs/rules.md §2.11 "Tender (004)"). One table, a function
// of the method, used by the server's views, the clients and the report: the room's own sentences are
// written in the consultation's words and `inMethod` puts them in the tender's.

export type Method = 'competitive_consultation' | 'public_tender';

export interface Terms {
  supplier: Text;
  panel: Text;
  quote: Text;
  basePrice: Text;
  evaluatedPrice: Text;
  report: Text;
  candidate: Text;
  document: Text;
  response: Text;
}

const CONSULTATION: Terms = {
  supplier: { zh: '供应商', en: 'supplier' },
  panel: { zh: '磋商小组', en: 'panel' },
  quote: { zh: '最后报价', en: 'final quote' },
  basePrice: { zh: '评审基准价', en: 'base price' },
  evaluatedPrice: { zh: '评审价', en: 'evaluated price' },
  report: { zh: '评审报告', en: 'evaluation report' },
  candidate: { zh: '成交候选供应商', en: 'recommended supplier' },
  document: { zh: '磋商文件', en: 'consultation document' },
  response: { zh: '响应文件', en: 'response' },
};

const TENDER: Terms = {
  supplier: { zh: '投标人', en: 'bidder' },
  panel: { zh: '评标委员会', en: 'evaluation committee' },
  quote: { zh: '投标报价', en: 'bid price' },
  basePrice: { zh: '评标基准价', en: 'base bid price' },
  evaluatedPrice: { zh: '评标价', en: 'evaluated bid price' },
  report: { zh: '评标报告', en: 'bid evaluation report' },
  candidate: { zh: '中标候选人', en: 'recommended bidder' },
  document: { zh: '招标文件', en: 'tender document' },
  response: { zh: '投标文件', en: 'bid' },
};

export function termsOf(method: string | null | undefined): Terms {
  return method === 'public_tender' ? TENDER : CONSULTATION;
}

/** Consultation word → tender word, longest first so that a compound is replaced before its parts
 *  (成交候选供应商 before 供应商, 评审基准价 before 评审价). */
export const TENDER_WORDS_ZH: readonly (readonly [string, string])[] = [
  ['竞争性磋商文件', '招标文件'],
  ['评审方法与评审标准', '评标方法和标准'],
  ['成交候选供应商', '中标候选人'],
  ['中标候选供应商', '中标候选人'],
  ['评审基准价', '评标基准价'],
  ['评审报告', '评标报告'],
  ['评审小组', '评标委员会'],
  ['磋商小组', '评标委员会'],
  ['磋商文件', '招标文件'],
  ['响应文件', '投标文件'],
  ['响应无效', '投标无效'],
  ['无效响应', '无效投标'],
  ['评审过程', '评标过程'],
  ['最后报价', '投标报价'],
  ['磋商报价', '投标报价'],
  ['最终报价', '投标报价'],
  ['磋商顺序', '开标顺序'],
  ['评审价', '评标价'],
  ['供应商', '投标人'],
  ['成交', '中标'],
];

const TENDER_WORDS_EN: readonly (readonly [RegExp, string])[] = [
  [/\bconsultation document\b/g, 'tender document'],
  [/\bfinal quotes\b/g, 'bid prices'],
  [/\bFinal quotes\b/g, 'Bid prices'],
  [/\bfinal quote\b/g, 'bid price'],
  [/\bFinal quote\b/g, 'Bid price'],
  [/\bsuppliers\b/g, 'bidders'],
  [/\bSuppliers\b/g, 'Bidders'],
  [/\bsupplier\b/g, 'bidder'],
  [/\bSupplier\b/g, 'Bidder'],
];

const ZH_RE = new RegExp(TENDER_WORDS_ZH.map(([a]) => a).join('|'), 'g');
const ZH_MAP = new Map(TENDER_WORDS_ZH);

/** A sentence of the room in the method's words (Chinese). */
export function inMethodZh(method: string | null | undefined, zh: string): string {
  if (method !== 'public_tender' || !zh) return zh;
  return zh.replace(ZH_RE, (m) => ZH_MAP.get(m) ?? m);
}

/** A sentence of the room in the method's words (English). */
export function inMethodEn(method: string | null | undefined, en: string): string {
  if (method !== 'public_tender' || !en) return en;
  let out = en;
  for (const [re, to] of TENDER_WORDS_EN) out = out.replace(re, to);
  return out;
}

/** Both languages. */
export function inMethod(method: string | null | undefined, t: Text): Text {
  return method === 'public_tender' ? { zh: inMethodZh(method, t.zh), en: inMethodEn(method, t.en) } : t;
}

/** The stage labels of a tender where they differ (the quote stage is the opening record's). */
export const TENDER_STAGE_LABEL: Partial<Record<string, Text>> = {
  final_quote: { zh: '投标报价（开标一览表）', en: 'Bid prices (opening record)' },
};
