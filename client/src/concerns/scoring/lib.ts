// Helpers shared by the scoring components. The tablet previews each entry with the same validator
// the server uses (shared/rules/score-entry.ts): comfort only, the server decides (docs/anomaly.md
// "Server-side truth").
import { validateScore, type ScoreInput } from '../../../../shared/rules/score-entry';
import { D } from '../../../../shared/rules/decimal';
import { plainString } from '../../../../shared/rules/money/amount';
import type { Factor } from '../../../../shared/domain/rubric/types';

export type Text = { zh: string; en: string };

export function preview(f: Factor, v: ScoreInput): { ok: true; points: string; detail: Text | null } | { ok: false; error: Text } {
  const r = validateScore(f, v);
  return r.ok ? { ok: true, points: plainString(r.points), detail: r.detail ?? null } : { ok: false, error: r.error };
}

/** Exact sum of decimal strings, printed plainly. */
export function sum(values: (string | null | undefined)[]): string {
  return plainString(values.reduce((a, v) => (v ? a.plus(new D(v)) : a), new D(0)));
}

export const ratio = (v: string, max: string | number): number => {
  const m = new D(String(max));
  // A position on the dot plot's axis (display only; never stored or compared).
  return m.isZero() ? 0 : new D(v).div(m).toDecimalPlaces(4).toNumber();
};

/** The legal ground each rule stands for (docs/anomaly.md, intro; 000 说明7 L464-474). */
export const RULE_GROUND: Record<string, Text> = {
  R0: { zh: '分项评分超出评分标准范围', en: 'Item score outside the scoring standard' },
  R1: { zh: '分值汇总计算错误', en: 'Summing error' },
  R2: { zh: '客观评审因素评分不一致', en: 'Objective factor scored inconsistently' },
  R3: { zh: '评分畸高畸低（须经评审小组认定）', en: 'Abnormally high or low score (panel determination)' },
  R4: { zh: '评分畸高畸低（须经评审小组认定）', en: 'Abnormally high or low score (panel determination)' },
  R5: { zh: '评分倾向（由评审小组认定是否畸高畸低）', en: 'Tendency (the panel decides on abnormal scores)' },
  R6: { zh: '整体宽严提示', en: 'General leniency / severity' },
  R7: { zh: '区分度 / 离散度提示', en: 'Discrimination / dispersion' },
  R8: { zh: '异常低价（报价环节处理）', en: 'Abnormally low price (quote stage)' },
  TOTAL30: { zh: '总分偏离 ±30%', en: 'Total deviates ±30%' },
};

export const SEVERITY: Record<string, Text> = {
  block: { zh: '须解决', en: 'Blocking' },
  review: { zh: '待复核', en: 'Review' },
  info: { zh: '提示', en: 'Info' },
};

export const KEY_LABEL: Record<string, Text> = {
  final_score_desc: { zh: '得分', en: 'score' },
  evaluated_price_asc: { zh: '评审价', en: 'evaluated price' },
  final_quote_asc: { zh: '最后报价', en: 'final quote' },
  technical_score_desc: { zh: '技术得分', en: 'technical score' },
  panel_vote: { zh: '评审小组投票', en: 'panel vote' },
};

export const CATEGORIES: Text[] = [
  { zh: '专业判断', en: 'Professional judgement' },
  { zh: '响应文件内容理解差异', en: 'Different reading of the response' },
  { zh: '评分标准理解差异', en: 'Different reading of the standard' },
  { zh: '其他', en: 'Other' },
];
