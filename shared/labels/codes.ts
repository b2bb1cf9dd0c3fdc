import type { Text } from './text';
import { PRESETS } from '../rules/anomaly/presets';

// Code → label tables for every status, ground, preset and key the report or a screen names
// (issue 13 item 1). Each table is total over its code set: the keys are typed by the union they
// label where the union exists, and test/unit/labels/labels.test.ts checks the rest.

export const METHOD_LABEL: Record<'competitive_consultation' | 'public_tender', Text> = {
  competitive_consultation: { zh: '竞争性磋商', en: 'Competitive consultation' },
  public_tender: { zh: '公开招标', en: 'Public tender' },
};

/** The procurement document a session's rubric comes from, by method (磋商文件 / 招标文件). */
export const DOCUMENT_LABEL: Record<'competitive_consultation' | 'public_tender', Text> = {
  competitive_consultation: { zh: '磋商文件', en: 'consultation document' },
  public_tender: { zh: '招标文件', en: 'tender document' },
};

export const RANK_KEY_LABEL: Record<string, Text> = {
  final_score_desc: { zh: '最终得分高者优先', en: 'higher final score first' },
  evaluated_price_asc: { zh: '评审价低者优先', en: 'lower evaluated price first' },
  final_quote_asc: { zh: '最后报价低者优先', en: 'lower final quote first' },
  technical_score_desc: { zh: '技术得分高者优先', en: 'higher technical score first' },
  panel_vote: { zh: '评审小组表决（少数服从多数）', en: 'panel vote (majority)' },
};

export const SUPPLIER_STATUS_LABEL: Record<'active' | 'invalid' | 'withdrawn', Text> = {
  active: { zh: '参加评审', en: 'In the evaluation' },
  invalid: { zh: '响应无效', en: 'Response invalid' },
  withdrawn: { zh: '退出', en: 'Withdrew' },
};

/** Why a supplier left the evaluation (server/suppliers/status.ts `ground`). */
export const GROUND_LABEL: Record<string, Text> = {
  review_failed: { zh: '资格或符合性审查未通过', en: 'Failed the qualification or compliance review' },
  over_budget: { zh: '报价超过预算金额或最高限价', en: 'Quote above the budget or maximum price' },
  correction_refused: { zh: '不确认修正后的报价', en: 'Did not confirm the corrected quote' },
  abnormal_low: { zh: '不能证明报价合理性', en: 'Could not prove its price reasonable' },
  change_refused: { zh: '不同意采购需求的实质性变动', en: 'Refused the change to the requirements' },
  change_not_confirmed: { zh: '未确认采购需求的实质性变动', en: 'Did not confirm the change to the requirements' },
  not_signed_in: { zh: '未按时签到', en: 'Did not sign in on time' },
  withdrawn: { zh: '主动退出', en: 'Withdrew' },
  no_final_quote: { zh: '未提交最后报价', en: 'No final quote' },
  late_quote: { zh: '逾期提交最后报价', en: 'Final quote late' },
};

export const SITTING_STATUS_LABEL: Record<'running' | 'paused' | 'ended', Text> = {
  running: { zh: '进行中', en: 'In session' },
  paused: { zh: '暂停', en: 'Paused' },
  ended: { zh: '已结束', en: 'Ended' },
};

export const FLAG_SEVERITY_LABEL: Record<'block' | 'review' | 'info', Text> = {
  block: { zh: '阻断', en: 'Blocking' },
  review: { zh: '复核', en: 'Review' },
  info: { zh: '提示', en: 'Information' },
};

/** The anomaly rules (docs/anomaly.md), named by what they check. */
export const FLAG_RULE_LABEL: Record<'R0' | 'R1' | 'R2' | 'R3' | 'R4' | 'R5' | 'R6' | 'R7' | 'R8' | 'TOTAL30', Text> = {
  R0: { zh: '分项评分超出评分标准范围', en: 'Score outside the criteria' },
  R1: { zh: '分值汇总计算错误', en: 'Total miscalculated' },
  R2: { zh: '客观评审因素评分不一致', en: 'Objective factor scored differently' },
  R3: { zh: '单项评分疑似畸高畸低', en: 'Item score possibly abnormal' },
  R4: { zh: '主观分合计疑似畸高畸低', en: 'Subjective subtotal possibly abnormal' },
  R5: { zh: '评分倾向性', en: 'Tendency or favouritism' },
  R6: { zh: '整体偏宽或偏严', en: 'General leniency or severity' },
  R7: { zh: '评分区分度与一致性', en: 'Discrimination and agreement' },
  R8: { zh: '异常低价', en: 'Abnormally low price' },
  TOTAL30: { zh: '总分偏离平均值 30% 以上', en: 'Total 30% from the mean' },
};

export const PRESET_LABEL: Record<keyof typeof PRESETS, Text> = Object.fromEntries(
  Object.entries(PRESETS).map(([k, v]) => [k, { zh: v.zh, en: v.en }]),
) as Record<keyof typeof PRESETS, Text>;

/** A code from one of the tables, or a neutral word when the code is unknown: never the code itself. */
export function labelOf(table: Record<string, Text>, code: string | null | undefined, fallback: Text = { zh: '—', en: '—' }): Text {
  return (code && table[code]) || fallback;
}
