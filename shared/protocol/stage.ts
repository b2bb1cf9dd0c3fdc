import { z } from 'zod';
import { command, text } from './schema-helpers';

// Stages of a session, in order (docs/rules.md §2; docs/views.md stage rail).
export const STAGES = [
  'setup',
  'signin',
  'opening',
  'review',
  'consultation',
  'final_review',
  'final_quote',
  'scoring',
  'recheck',
  'signing',
  'archived',
] as const;
export type Stage = (typeof STAGES)[number] | 'terminated';

export const STAGE_LABEL: Record<Stage, { zh: string; en: string }> = {
  setup: { zh: '准备', en: 'Set-up' },
  signin: { zh: '签到', en: 'Sign-in' },
  opening: { zh: '开启', en: 'Opening' },
  review: { zh: '资格与符合性审查', en: 'Qualification and compliance review' },
  consultation: { zh: '磋商', en: 'Consultation' },
  final_review: { zh: '终审', en: 'Final review' },
  final_quote: { zh: '最后报价', en: 'Final quotes' },
  scoring: { zh: '评分', en: 'Scoring' },
  recheck: { zh: '复核', en: 'Re-check' },
  signing: { zh: '报告签署', en: 'Report signing' },
  archived: { zh: '归档', en: 'Archived' },
  terminated: { zh: '终止', en: 'Terminated' },
};

export const stageCommands = {
  /** Moderator: move to the next stage; refused with the reason while a guard holds (docs/views.md). */
  'stage:advance': command({ to: z.string().max(30) }),
  /** Moderator: terminate (终止) or fail the tender (废标), with the ground and a reason (docs/rules.md §2.24). */
  'session:terminate': command({
    ground: z.enum(['fewer_than_minimum', 'situation_changed', 'illegal_act', 'all_over_budget', 'task_cancelled', 'document_defective', 'other']),
    reason: text(2000, 2),
  }),
};
