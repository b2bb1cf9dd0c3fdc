import { z } from 'zod';
import type { Role } from './roles';
import { command, id, text } from './schema-helpers';

// Commands of the scoring concern (event name → payload schema) and who may send them.
// Independent scoring (docs/rules.md §2.16; 000 §20.3 L328), the anomaly review (docs/anomaly.md), the ranking
// vote (docs/rules.md §2.18, 003 资料表20.1 L192 "技术指标优劣") and the results (docs/rules.md §2.20–2.21).

/** One leaf factor's entry, in the shapes shared/rules/score-entry.ts `validateScore` takes. The
 *  schema only bounds the shape; whether the value is allowed (R0) is the validator's decision, so
 *  that the refusal names the factor and lists its allowed values. */
export const scoreValue = z.union([
  z.string().min(1).max(24),
  z.strictObject({ count: z.number().int().min(0).max(1_000_000), gate: z.boolean().optional() }),
  z.strictObject({ yes: z.boolean() }),
  z.strictObject({ unmet: z.number().int().min(0).max(1000) }),
  z.strictObject({ items: z.array(z.boolean()).max(60) }),
]);
export type ScoreValue = z.infer<typeof scoreValue>;

const factorId = z.string().min(1).max(40);
const evidence = text(300).optional();
const reason = z.string().trim().min(2, '请填写理由 / a reason is required').max(1000);
/** The four legal grounds for changing summarised results (000 说明7 L464-474; 004 §5.2.5(2) L1249-1257). */
export const CHANGE_GROUNDS = ['summing_error', 'out_of_range', 'objective_inconsistent', 'abnormal_score'] as const;
export type ChangeGround = (typeof CHANGE_GROUNDS)[number];

export const scoringCommands = {
  /** Member: save a draft entry for one leaf factor of one supplier (validated; private to the member). */
  'score:save': command({ supplierId: id, factorId, value: scoreValue, evidence }),
  /** Member: submit its scores for one supplier (optionally with the entries); they lock. */
  'score:submit': command({
    supplierId: id,
    entries: z.record(factorId, z.strictObject({ value: scoreValue, evidence })).optional(),
  }),
  /** Member: change a submitted score during the anomaly review, with a reason (修改评分). */
  'score:revise': command({ supplierId: id, factorId, value: scoreValue, evidence, reason, flagKey: text(200).optional() }),
  /** Member: keep a flagged score, with a reason (维持). */
  'anomaly:keep': command({ flagKey: text(200), reason, category: text(40).optional() }),
  /** Member: the panel's determination of 畸高畸低 for a REVIEW flag (认定 / 不认定), with a reason. */
  'anomaly:vote': command({ flagKey: text(200), verdict: z.enum(['abnormal', 'not_abnormal']), reason }),
  /** Member: its order for suppliers still tied when the rubric says `panel_vote`. */
  'ranking:vote': command({ order: z.array(id).min(2).max(60) }),
  /** Moderator: show the results (wall included). */
  'results:release': command({}),
  /** Member: propose a change after the summary is locked, on one of the four legal grounds. */
  'scoring:change_propose': command({ supplierId: id, factorId, value: scoreValue, ground: z.enum(CHANGE_GROUNDS), reason }),
  /** Member: the panel's decision on a proposed change (majority). */
  'scoring:change_vote': command({ changeId: id, approve: z.boolean(), reason }),
};

const PANEL: readonly Role[] = ['expert', 'purchaser_rep'];
export const scoringRoles: Record<keyof typeof scoringCommands, readonly Role[]> = {
  'score:save': PANEL,
  'score:submit': PANEL,
  'score:revise': PANEL,
  'anomaly:keep': PANEL,
  'anomaly:vote': PANEL,
  'ranking:vote': PANEL,
  'results:release': ['moderator'],
  'scoring:change_propose': PANEL,
  'scoring:change_vote': PANEL,
};

export const CHANGE_GROUND_LABEL: Record<ChangeGround, { zh: string; en: string }> = {
  summing_error: { zh: '分值汇总计算错误', en: 'Summing error' },
  out_of_range: { zh: '分项评分超出评分标准范围', en: 'Item score outside the scoring standard' },
  objective_inconsistent: { zh: '客观评审因素评分不一致', en: 'Objective factor scored inconsistently' },
  abnormal_score: { zh: '经评审委员会认定评分畸高畸低', en: 'Score determined abnormally high or low by the panel' },
};
