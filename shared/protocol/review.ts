import { z } from 'zod';
import type { Role } from './roles';
import { command, id, text } from './schema-helpers';

// Commands of the review concern: qualification and compliance review (资格审查、符合性审查, docs/rules.md
// §2.4-2.5) and, where the document has one, the final review (终审, 000 §19.3 L295). Each member votes
// per supplier and item; the item's result is the majority (000 说明6 L462; 004 §5.2.5(2) L1249).

export const reviewCommands = {
  /** Member: pass or fail one checklist item for one supplier; a failure needs a reason. */
  'review:vote': command({ supplierId: id, itemId: z.string().min(1).max(20), pass: z.boolean(), reason: text(1000) }),
  /**
   * Member: 「本家全部符合」: pass every item of one supplier the member has not voted on yet, as one
   * ordinary vote per item (each still changeable with review:vote until the supplier is concluded).
   */
  'review:pass_all': command({ supplierId: id }),
  /** Moderator or panel leader: close one supplier's review; a failed item invalidates it (003 Ch3 §1.1 L578). */
  'review:conclude': command({ supplierId: id }),
  /**
   * Moderator: after an elimination leaves fewer suppliers than the minimum, continue under an exception
   * the rubric allows, with the justification recorded (docs/rules.md §2.24 Derived). Terminating is `session:terminate`.
   */
  'review:continue_below_minimum': command({
    exception: z.enum(['research_or_tech_transfer_two_final_quotes', 'government_services_two_suppliers', 'supervisor_approval']),
    justification: text(1000, 2),
  }),
};

export const reviewRoles: Record<keyof typeof reviewCommands, readonly Role[]> = {
  'review:vote': ['expert', 'purchaser_rep'],
  'review:pass_all': ['expert', 'purchaser_rep'],
  'review:conclude': ['moderator', 'expert', 'purchaser_rep'],
  'review:continue_below_minimum': ['moderator'],
};
