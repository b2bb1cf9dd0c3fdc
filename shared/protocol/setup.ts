import { z } from 'zod';
import type { Role } from './roles';
import { command, id, line, money, name, text } from './schema-helpers';

// Commands of the setup concern (event name → payload schema) and who may send them. The agency's
// moderator edits a draft session (stage `setup`) from the console; every edit is one validated
// command and one event in the log, and all of them are refused once the session is opened.

const checklistItem = z.strictObject({
  id: z.string().trim().min(1).max(20),
  text_zh: line(300, 1),
  detail_zh: text(2000).optional(),
  clarificationAllowed: z.boolean(),
});

export const checklistsSchema = z.strictObject({
  qualification: z.array(checklistItem).max(60),
  compliance: z.array(checklistItem).max(60),
  final: z.array(checklistItem).max(60),
});

const optionalText = (max: number) => line(max).nullable().optional();

export const projectPatch = z.strictObject({
  name: line(300, 1).optional(),
  projectNumber: optionalText(100),
  purchaser: optionalText(200),
  agency: optionalText(200),
  method: z.enum(['competitive_consultation', 'public_tender']).optional(),
  budget: money.nullable().optional(),
  maxPrice: money.nullable().optional(),
  /** Scheduled opening, as the agency writes it (e.g. "2025-06-12 09:30"). */
  scheduledAt: optionalText(40),
  /** A tender only (docs/tender.md "Report" ①): the media the 招标公告 was published in, the place of the opening. */
  announcementMedia: optionalText(200),
  openingPlace: optionalText(200),
});

export const settingsPatch = z.strictObject({
  reservedForSme: z.boolean().optional(),
  consortiumOrSubcontractingAllowed: z.boolean().optional(),
  goods: z.boolean().optional(),
  governmentServices: z.boolean().optional(),
  researchOrTechTransfer: z.boolean().optional(),
  exceptions: z
    .array(z.enum(['research_or_tech_transfer_two_final_quotes', 'government_services_two_suppliers', 'supervisor_approval', 'two_bids_switch_to_negotiation']))
    .max(4)
    .optional(),
  anomalyPreset: z.enum(['standard', 'strict', 'lenient', 'total30']).optional(),
});

export const SETUP_PERSON_ROLES = ['expert', 'purchaser_rep', 'supplier', 'observer'] as const;

export const setupCommands = {
  /** Project data: name and numbers, purchaser, agency, method, budget, maximum price, schedule. */
  'setup:project': command({ project: projectPatch }),
  /** The per-project switches the documents leave open (docs/rubrics.md "Project settings"). */
  'setup:settings': command({ settings: settingsPatch }),
  /** The whole rubric, replaced after shared/domain/rubric/validate accepts it (≤ 1 MB socket cap). */
  'setup:rubric': command({ rubric: z.record(z.string(), z.unknown()) }),
  /** The review checklists (资格审查, 符合性审查, 终审). */
  'setup:checklists': command({ checklists: checklistsSchema }),
  /** A member, supplier or observer; a join token is issued with it. */
  'setup:person_add': command({
    role: z.enum(SETUP_PERSON_ROLES),
    name,
    org: optionalText(200),
    contact: optionalText(200),
    leader: z.boolean().optional(),
  }),
  'setup:person_update': command({
    personId: id,
    name: name.optional(),
    org: optionalText(200),
    contact: optionalText(200),
    /** Members only: expert ↔ purchaser representative. */
    role: z.enum(['expert', 'purchaser_rep']).optional(),
    leader: z.boolean().optional(),
  }),
  /** Removes a person still in set-up; their token stops working at once. */
  'setup:person_remove': command({ personId: id }),
};

export const setupRoles: Record<keyof typeof setupCommands, readonly Role[]> = {
  'setup:project': ['moderator'],
  'setup:settings': ['moderator'],
  'setup:rubric': ['moderator'],
  'setup:checklists': ['moderator'],
  'setup:person_add': ['moderator'],
  'setup:person_update': ['moderator'],
  'setup:person_remove': ['moderator'],
};
