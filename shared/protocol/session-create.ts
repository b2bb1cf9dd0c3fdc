import { z } from 'zod';
import { line, money, name, text } from './schema-helpers';

// POST /api/sessions: everything a session needs to exist. The rubric is a shipped template's name
// or a rubric object in the ../shared/rubrics schema (validated by shared/domain/rubric/validate).
const checklistItem = z.strictObject({
  id: z.string().min(1).max(20),
  text_zh: line(300, 1),
  detail_zh: text(2000).optional(),
  clarificationAllowed: z.boolean(),
});

const person = z.strictObject({ name, org: line(200).optional(), contact: line(200).optional() });

export const sessionCreateSchema = z.strictObject({
  project: z
    .strictObject({
      name: line(300).optional(),
      projectNumber: line(100).optional(),
      purchaser: line(200).optional(),
      agency: line(200).optional(),
      method: z.enum(['competitive_consultation', 'public_tender']).optional(),
      budget: money.nullable().optional(),
      maxPrice: money.nullable().optional(),
      scheduledAt: line(40).optional(),
      announcementMedia: line(200).optional(),
      openingPlace: line(200).optional(),
    })
    .optional(),
  rubric: z.union([z.string().max(40), z.record(z.string(), z.unknown())]),
  settings: z
    .strictObject({
      reservedForSme: z.boolean().optional(),
      consortiumOrSubcontractingAllowed: z.boolean().optional(),
      goods: z.boolean().optional(),
      governmentServices: z.boolean().optional(),
      researchOrTechTransfer: z.boolean().optional(),
      exceptions: z.array(z.enum(['research_or_tech_transfer_two_final_quotes', 'government_services_two_suppliers', 'supervisor_approval', 'two_bids_switch_to_negotiation'])).max(4).optional(),
      anomalyPreset: z.enum(['standard', 'strict', 'lenient', 'total30']).optional(),
    })
    .optional(),
  members: z
    .array(person.extend({ role: z.enum(['expert', 'purchaser_rep']), leader: z.boolean().optional() }))
    .max(21),
  suppliers: z.array(person).max(60),
  moderator: person,
  observers: z.array(person).max(10).optional(),
  /** Review checklists; seed 003's tables when omitted (shared/domain/checklists). */
  checklists: z
    .strictObject({
      qualification: z.array(checklistItem).max(60),
      compliance: z.array(checklistItem).max(60),
      final: z.array(checklistItem).max(60),
    })
    .optional(),
  /** The requirements document the panel may change in consultation (技术、服务要求 and 合同草案条款,
   *  003 Ch3 §2.2 L627), as the agency's text; a short pointer to the procurement document when omitted. */
  requirements: text(100_000).optional(),
  /** Open for sign-in at once (default), or stay in set-up. */
  openForSignin: z.boolean().optional(),
}).superRefine((v, ctx) => {
  // A draft (openForSignin:false) may start empty and gain its people in set-up (issue 4); a session
  // opened at once needs its panel and suppliers now.
  if (v.openForSignin === false) return;
  for (const k of ['members', 'suppliers'] as const)
    if (v[k].length < 1) ctx.addIssue({ code: 'too_small', origin: 'array', minimum: 1, inclusive: true, path: [k], message: `${k} needs at least one entry` });
});

export type SessionCreateInput = z.infer<typeof sessionCreateSchema>;
