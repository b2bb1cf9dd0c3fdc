import { z } from 'zod';
import type { Role } from './roles';
import { command, id, line, text } from './schema-helpers';
import { signaturePath } from './report';

// Commands of the quotes concern: the final-quote window (最后报价; in a public tender the bid price,
// 投标报价), arithmetic correction and the supplier's confirmation, and the abnormal-low-price review
// (异常低价). docs/rules.md §2.11-2.15; 003 Ch3 §2.6-§5 L641-741.

/** Money and quantities arrive as the person typed them (a string); the server reads them with the
 *  rules engine (parseAmount / parseDecimal) so that a bad figure gets the engine's own message. */
const figure = z.string().trim().min(1).max(40);

export const quoteLineSchema = z.strictObject({
  item: line(200, 1),
  unitPrice: figure,
  quantity: figure,
  total: figure,
});

export const quoteSheetSchema = z.strictObject({
  /** The total in figures (小写). */
  amount: figure,
  /** The total in words (大写). */
  amountInWords: line(100, 1),
  lines: z.array(quoteLineSchema).max(200).default([]),
});

/** A share in 0..1 as a decimal string ("0.35"), or null. */
const share = z.string().regex(/^(0(\.\d{1,6})?|1(\.0{1,6})?)$/, '应为 0 到 1 之间的小数 / a decimal between 0 and 1').nullable();

export const policySchema = z.strictObject({
  enterprise: z.enum(['micro', 'small', 'medium', 'large']).nullable(),
  smeDeclaration: z.boolean(),
  prisonEnterprise: z.boolean(),
  disabledWelfareUnit: z.boolean(),
  /** Small/micro share of the contract in a consortium agreement or subcontract (联合体/分包). */
  smallMicroShare: share,
  /** Domestic share of product cost (goods; 本国产品). */
  domesticShare: share,
});

/** Server time, UTC milliseconds. */
const serverTime = z.number().int().min(0).max(8.64e15);
const minutes = z.number().int().min(1).max(600);
const reason = text(2000, 2);

/** 003 Ch3 §3.1 L651: the statement a supplier ticks with an itemised final quote. */
export const MISSING_ITEMS_STATEMENT = {
  zh: '分项报价表中未列明的项目，视为已包含在其他项目中，最后报价不作调整',
  en: 'Items not listed in the itemised quote are deemed included in the other items; the final quote will not be adjusted',
} as const;

export const quotesCommands = {
  /** Moderator, on the panel's decision (003 Ch3 §2.6 L641): open the window with its deadline. */
  'quotes:open': command({ deadline: serverTime, note: text(500).optional() }),
  /** Moderator, on the panel's decision: move the deadline later, before it has passed, with a reason. */
  'quotes:extend': command({ deadline: serverTime, reason }),
  /** Supplier: submit (or replace) its own sealed quote. */
  'quotes:submit': command({
    sheet: quoteSheetSchema,
    /** No longer the supplier's to set (issue 14): the statuses the panel determined in the compliance
     *  review are sealed with the quote. A client may send them back; any difference is refused. */
    policy: policySchema.optional(),
    /** The supplier saw that its words and figures differ and submits anyway (the words will govern). */
    acknowledgedMismatch: z.boolean().default(false),
    /** The supplier's statement, required when the sheet has lines: 分项报价表中未列明的项目，视为已包含在
     *  其他项目中，最后报价不作调整 (003 Ch3 §3.1 L651). The handler refuses a sheet with lines without it. */
    missingItemsIncluded: z.boolean().default(false),
    /** The authorised representative's signature of the quote, drawn on the laptop (issue 13 item 4);
     *  required for the consultation's final quote (server/quotes/window.ts refuses a quote without it,
     *  with its own bilingual message), printed beside the quote in the report. */
    signature: z.strictObject({ name: z.string().trim().min(1, '请填写签字人姓名 / the signer’s name is required').max(50), path: signaturePath }).optional(),
  }),
  /** Moderator: close the window once the deadline has passed (server clock): corrections follow. */
  'quotes:close': command({}),
  /** Supplier: confirm or refuse its corrected quote (003 Ch3 §3.2.6 L667). */
  'quotes:correction_respond': command({ accept: z.boolean(), reason: text(2000).optional() }),
  /** Panel member or moderator (on the panel's decision): open the abnormal-low review for a supplier
   *  (003 Ch3 §4.1.4 L717). `minutes` below the rubric's minimum needs `shortenReason`. */
  'quotes:review_open': command({ supplierId: id, reason, minutes: minutes.optional(), shortenReason: text(2000).optional() }),
  /** Moderator: set the explanation time (from the review's opening); shortening needs a reason. */
  'quotes:review_timer': command({ supplierId: id, minutes, reason: text(2000).optional() }),
  /** Supplier: its written explanation of the price (cost calculation, evidence; 003 Ch3 §4.2 L719). */
  'quotes:explain': command({ text: text(20_000, 10) }),
  /** Panel member: its vote on the explanation, with its reason (003 Ch3 §4.3 L721). */
  'quotes:review_vote': command({ supplierId: id, verdict: z.enum(['accept', 'invalid']), reason }),
  /** Moderator or panel member: trigger 4.1.3 alone, the explanation submitted with the response stands
   *  (003 Ch3 §4.2 L719): the panel votes without waiting for an on-site explanation. */
  'quotes:review_exempt': command({ supplierId: id, reason }),
  /** Moderator, in a public tender: enter a bidder's 开标一览表 as it was read at the opening (total in
   *  小写 and 大写, its lines) and, where the bid document states another total, that figure
   *  (docs/tender.md "Bid prices"). Entered again while the bidder has not confirmed it. */
  'quotes:opening_record': command({
    supplierId: id,
    amount: figure,
    amountInWords: line(100, 1),
    lines: z.array(quoteLineSchema).max(200).default([]),
    bodyAmount: figure.optional(),
  }),
  /** Bidder, in a public tender: confirm the opening record entered for it, or say what differs. */
  'quotes:opening_confirm': command({ accept: z.boolean(), reason: text(2000).optional() }),
  /** Moderator, in a public tender: the bidder's representative is absent; it is deemed to accept the
   *  opening record (未到场视为认可). */
  'quotes:opening_absent': command({ supplierId: id }),
  /** Moderator, in a public tender: the written confirmation (书面确认) of its corrected price by a
   *  bidder marked absent at the opening, who cannot confirm on a laptop: who signed it, when (as
   *  written on it) and a note (docs/tender.md "Bid prices" 3). */
  'quotes:correction_written': command({ supplierId: id, signer: line(50, 1), signedAt: line(40, 1), note: text(2000).optional() }),
};

export const quotesRoles: Record<keyof typeof quotesCommands, readonly Role[]> = {
  'quotes:open': ['moderator'],
  'quotes:extend': ['moderator'],
  'quotes:submit': ['supplier'],
  'quotes:close': ['moderator'],
  'quotes:correction_respond': ['supplier'],
  'quotes:review_open': ['moderator', 'expert', 'purchaser_rep'],
  'quotes:review_timer': ['moderator'],
  'quotes:explain': ['supplier'],
  'quotes:review_vote': ['expert', 'purchaser_rep'],
  'quotes:review_exempt': ['moderator', 'expert', 'purchaser_rep'],
  'quotes:opening_record': ['moderator'],
  'quotes:opening_confirm': ['supplier'],
  'quotes:opening_absent': ['moderator'],
  'quotes:correction_written': ['moderator'],
};
