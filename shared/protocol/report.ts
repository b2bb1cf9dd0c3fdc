import { z } from 'zod';
import type { Role } from './roles';
import { command, id, line, text } from './schema-helpers';
import { CHANGE_GROUNDS } from './scoring';

// Commands of the report concern (评审报告, docs/rules.md §2.22): signing on the tablets, with dissent
// (000 说明6 L462; 004 §5.2.5(2) L1249), the panel's majority decision on a disputed joint
// determination, and the reopening after signing (000 说明7 L477) that needs both the moderator and
// the panel leader and one of the four legal grounds (docs/rules.md §2.21).

/** A signature drawn on the tablet, as an SVG path in a fixed view box (small, crisp in the PDF).
 *  Only M/L commands with integer coordinates: nothing a browser could execute. */
export const SIGNATURE_VIEWBOX = { width: 600, height: 200 } as const;
export const signaturePath = z
  .string()
  .max(40_000, '签名过长，请清除后重签 / the signature is too long; clear it and sign again')
  .regex(/^(?:[ML]\d{1,3} \d{1,3} ?)+$/, '签名格式不正确 / malformed signature')
  .refine((p) => (p.match(/L/g) ?? []).length >= 3, '请在签名区内书写签名 / draw your signature in the box');

const required = (max: number, zh: string, en: string) => text(max, 2, `${zh} / ${en}`);

/** The dissent a member signs (持不同意见): the item, the member's position and the reasons are all required. */
export const dissentSchema = z.strictObject({
  item: required(300, '请填写异议事项', 'the item is required'),
  position: required(2000, '请填写您的意见', 'your position is required'),
  reasons: required(4000, '请填写理由', 'the reasons are required'),
});
export type Dissent = z.infer<typeof dissentSchema>;

export const REOPEN_GROUNDS = CHANGE_GROUNDS;
export type ReopenGround = (typeof REOPEN_GROUNDS)[number];

export const reportCommands = {
  /** Member: sign the current revision (the signature and the name), optionally with a dissent. */
  'report:sign': command({
    revision: z.number().int().min(1).max(1000),
    name: line(50, 1, '请填写姓名 / your name is required'),
    signature: signaturePath,
    dissent: dissentSchema.nullable().optional(),
  }),
  /** Moderator: record that a sitting member neither signed nor stated reasons of dissent, and is
   *  therefore deemed to agree (视为同意, the document's report clause; docs/rules.md §2.22). */
  'report:deem_agreed': command({
    revision: z.number().int().min(1).max(1000),
    memberId: id,
    note: required(1000, '请记录经过（如：经主持人提请，该成员未签字亦未说明理由）', 'record what happened'),
  }),
  /** Member: put a disputed joint determination to the panel's vote (少数服从多数). */
  'report:dispute': command({ subject: required(300, '请填写争议事项', 'the subject is required'), proposal: required(2000, '请填写拟表决的意见', 'the proposal is required') }),
  /** Member: vote on an open dispute. */
  'report:dispute_vote': command({ disputeId: id, agree: z.boolean(), reason: text(1000).optional() }),
  /** Moderator or panel leader: ask to reopen a final report on a legal ground; the other confirms. */
  'report:reopen': command({ ground: z.enum(REOPEN_GROUNDS), reason: required(2000, '请填写重新评审的理由', 'the reason is required') }),
};

const PANEL: readonly Role[] = ['expert', 'purchaser_rep'];
export const reportRoles: Record<keyof typeof reportCommands, readonly Role[]> = {
  'report:sign': PANEL,
  'report:deem_agreed': ['moderator'],
  'report:dispute': PANEL,
  'report:dispute_vote': PANEL,
  'report:reopen': ['moderator', 'expert', 'purchaser_rep'],
};

export const REOPEN_GROUND_LABEL: Record<ReopenGround, { zh: string; en: string }> = {
  summing_error: { zh: '分值汇总计算错误', en: 'Summing error' },
  out_of_range: { zh: '分项评分超出评分标准范围', en: 'Item score outside the scoring standard' },
  objective_inconsistent: { zh: '评审小组成员对客观评审因素评分不一致', en: 'Objective factor scored inconsistently' },
  abnormal_score: { zh: '经评审小组认定评分畸高、畸低', en: 'Score determined abnormally high or low' },
};
