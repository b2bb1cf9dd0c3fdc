import { z } from 'zod';
import type { Role } from './roles';
import { command, id, line, text } from './schema-helpers';

// Commands of the policy-status concern (政策身份, docs/rules.md §2.5 and §2.13): in the compliance review the
// panel records each policy status a supplier's response claims, with the document that proves it
// (中小企业声明函, the prison administration's certificate, 残疾人福利性单位声明函, the consortium
// agreement or subcontract, 本国产品声明函), and determines it by the review's voting rule. The price
// deductions use only the determined statuses (003 Ch3 §3.3.5 L683: no declaration, no deduction).

export const POLICY_KINDS = ['small_micro', 'prison', 'disabled_welfare', 'consortium_share', 'domestic_share'] as const;
export type PolicyKind = (typeof POLICY_KINDS)[number];

/** A share in 0..1 as a decimal string ("0.35"). */
const share = z.string().regex(/^(0(\.\d{1,6})?|1(\.0{1,6})?)$/, '应为 0 到 1 之间的小数 / a decimal between 0 and 1');

export const policyCommands = {
  /** Member or moderator: record a status the response claims and the document that proves it. */
  'policy:claim': command({
    supplierId: id,
    kind: z.enum(POLICY_KINDS),
    /** small_micro: the size the declaration states. */
    enterprise: z.enum(['small', 'micro']).nullable().default(null),
    /** consortium_share / domestic_share: the share the document states. */
    share: share.nullable().default(null),
    /** The proving document, as named in the response (e.g. 「中小企业声明函（响应文件第 35 页）」). */
    document: line(300, 2),
  }),
  /** Member: accept or not accept one claimed status; not accepting needs a reason. */
  'policy:vote': command({ supplierId: id, kind: z.enum(POLICY_KINDS), accept: z.boolean(), reason: text(1000) }),
};

export const policyRoles: Record<keyof typeof policyCommands, readonly Role[]> = {
  'policy:claim': ['moderator', 'expert', 'purchaser_rep'],
  'policy:vote': ['expert', 'purchaser_rep'],
};
