import { z } from 'zod';
import { command, text } from './schema-helpers';

export const stageCommands = {
  /** Moderator: move to the next stage; refused with the reason while a guard holds (docs/views.md). */
  'stage:advance': command({ to: z.string().max(30) }),
  /** Moderator: terminate (终止) or fail the tender (废标), with the ground and a reason (docs/rules.md §2.24). */
  'session:terminate': command({
    ground: z.enum(['fewer_than_minimum', 'situation_changed', 'illegal_act', 'all_over_budget', 'task_cancelled', 'document_defective', 'other']),
    reason: text(2000).min(2),
  }),
};
