import type { ChecklistItem, ChecklistKind } from '../../shared/domain/checklists';
import type { SessionState, Stage } from '../session/types';
import { extend } from '../../shared/extend';

// The review slice: votes per phase, supplier, item and member; each supplier's conclusion.
export type Phase = 'review' | 'final_review';

/** A member's vote on one item for one supplier, as the room holds it. When it was cast is in its
 *  `review:voted` event in the log; no view and no part of the report shows it. */
export interface Vote {
  readonly pass: boolean;
  readonly reason: string;
}

// Memory per room (issue 15; docs/architecture.md "One vote object per answer"): a room's review holds
// a vote per member, supplier and item (the demo's 9 members, 10 suppliers and 16 items: 1,440), nearly
// all of them a pass with no reason. Each had been an object of its own with the time as a boxed number,
// about 64 bytes: about 95 KB a room. A vote is never changed in place (a new vote replaces it),
// so every pass and every fail without a reason is one shared, frozen object.
const PASS: Vote = Object.freeze({ pass: true, reason: '' });
const FAIL: Vote = Object.freeze({ pass: false, reason: '' });

/** The vote for `pass` with `reason`: a shared one when there is no reason. */
export const voteOf = (pass: boolean, reason: string): Vote => (reason === '' ? (pass ? PASS : FAIL) : { pass, reason });

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
