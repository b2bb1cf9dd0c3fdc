import { z } from 'zod';
import type { Role } from './roles';
import { command, id, name, text } from './schema-helpers';

// Commands of the signin concern (签到, docs/rules.md §2.2): suppliers sign in from their laptops, and the
// order they arrive in is the consultation order (000 §19.1 L287); members sign in, declare any
// conflict of interest per supplier (回避, 003 §17.3 L496) and acknowledge the review discipline.
// Supplier withdrawal (退出, 003 Ch3 §2.9 L647) lives here too: it is the supplier's own act on its laptop.

/**
 * The review discipline every member acknowledges at sign-in, written from the seeds: 000 §21.1 L485
 * (nothing about the review reaches suppliers or outsiders until the award), 000 §21.2 L488 (suppliers'
 * attempts to influence the panel), 003 §18.1 L504 (the panel performs its duties independently),
 * 003 §17.3 L496 (recusal), 004 §5.1.2(2)-(3) L1073-1075 (personal responsibility; no disclosure).
 * `version` changes whenever the text does, so the record says which text a member acknowledged.
 */
export const DISCIPLINE = {
  version: 'd1',
  zh: [
    '一、评审小组依法独立履行职责，客观、公正地进行评审，遵守职业道德，对所提出的评审意见承担个人责任。',
    '二、自递交首次响应文件至授予合同止，凡属于审查、澄清、核查和比较响应文件的有关资料，以及成交候选人的推荐情况和与评审有关的其他情况，均不得向供应商或其他无关人员透露。',
    '三、与供应商存在利害关系的，应当主动申请回避；不得私下接触供应商，不得收受供应商的财物或者其他好处。',
    '四、供应商试图影响采购单位和评审小组的任何活动，应当如实报告。',
  ],
  en: [
    '1. The panel performs its duties independently and by law, evaluates objectively and impartially, observes professional ethics and bears personal responsibility for the opinions it gives.',
    '2. From the submission of the first responses until the contract is awarded, nothing about the review, clarification, verification or comparison of responses, the recommendation of candidates or anything else about the evaluation may be disclosed to suppliers or unrelated persons.',
    '3. A member with an interest in a supplier must ask to recuse; members must not meet suppliers privately or accept anything of value from them.',
    '4. Any attempt by a supplier to influence the purchaser or the panel must be reported truthfully.',
  ],
} as const;

export const signinCommands = {
  /** Supplier: sign in on arrival: the representative's name and that it holds the authorisation (003 L103). */
  'signin:supplier': command({ representative: name, authorised: z.literal(true) }),
  /** Moderator: close the suppliers' sign-in; absent suppliers are recorded as not having signed in. */
  'signin:close': command({}),
  /** Moderator: change the consultation order, with the reason recorded (docs/rules.md §2.7 ⚠, §2.2 Derived). */
  'signin:reorder': command({ order: z.array(id).min(1).max(60), reason: text(500).trim().min(2) }),
  /** Member: sign in, declare for every supplier whether it must recuse, and acknowledge the discipline. */
  'signin:member': command({
    recusals: z.array(z.strictObject({ supplierId: id, recuse: z.boolean() })).max(60),
    recusalNote: text(500).optional(),
    acknowledged: z.literal(true),
    disciplineVersion: z.string().max(10),
  }),
  /** Moderator: replace a member (after a recusal, or for another recorded reason) with a new person. */
  'signin:replace': command({
    memberId: id,
    name,
    role: z.enum(['expert', 'purchaser_rep']).optional(),
    org: text(200).optional(),
    reason: text(500).trim().min(2).optional(),
  }),
  /** Supplier: withdraw from the consultation before the final quote (003 Ch3 §2.9 L647). */
  'supplier:withdraw': command({ reason: text(1000).trim().min(2) }),
};

export const signinRoles: Record<keyof typeof signinCommands, readonly Role[]> = {
  'signin:supplier': ['supplier'],
  'signin:close': ['moderator'],
  'signin:reorder': ['moderator'],
  'signin:member': ['expert', 'purchaser_rep'],
  'signin:replace': ['moderator'],
  'supplier:withdraw': ['supplier'],
};
