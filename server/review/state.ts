import type { ChecklistItem, ChecklistKind } from '../../shared/domain/checklists';
import type { SessionState, Stage } from '../session/types';
import { extend } from '../../shared/extend';

// The review slice: votes per phase, supplier, item and member; each supplier's conclusion.
export type Phase = 'review' | 'final_review';

export interface Vote {
  pass: boolean;
  reason: string;
  at: number;
}

export interface Conclusion {
  result: 'pass' | 'fail';
  failed: { itemId: string; kind: ChecklistKind; text: string; reasons: string[] }[];
  at: number;
  by: string;
}

export interface BelowMinimumDecision {
  phase: Phase;
  count: number;
  exception: string;
  justification: string;
  declared: boolean;
  at: number;
  by: string;
}

export interface ReviewSlice {
  votes: Record<Phase, Record<string, Record<string, Record<string, Vote>>>>;
  concluded: Record<Phase, Record<string, Conclusion>>;
  belowMinimum: BelowMinimumDecision[];
}

export const reviewOf = (s: SessionState): ReviewSlice => s.review as ReviewSlice;
export const emptyReview = (): ReviewSlice => ({ votes: { review: {}, final_review: {} }, concluded: { review: {}, final_review: {} }, belowMinimum: [] });

export const isPhase = (st: Stage): st is Phase => st === 'review' || st === 'final_review';

/** The checklist of a phase: qualification then compliance at the review (003 Ch3 §1.3-1.4), the final list at 终审. */
export function checklistOf(s: SessionState, phase: Phase): (ChecklistItem & { kind: ChecklistKind })[] {
  if (phase === 'final_review') return s.checklists.final.map((i) => extend(i, { kind: 'final' as const }));
  return [...s.checklists.qualification.map((i) => extend(i, { kind: 'qualification' as const })), ...s.checklists.compliance.map((i) => extend(i, { kind: 'compliance' as const }))];
}
