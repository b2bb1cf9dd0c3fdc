import { STAGES, type SessionState, type Stage } from '../session/types';
import { eventOf, type Cmd } from '../session/events';
import { extend } from '../../shared/extend';

/** The stage's events (server/session/events.ts), written by stage/concern.ts, read back by the report. */
export type StageEvents = {
  'stage:changed': { from: Stage; to: Stage };
  'session:terminated': Cmd<'session:terminate'> & { from: Stage };
};
export const stageEvent = eventOf<StageEvents>();

// The order of stages (docs/rules.md §2). Consultation (磋商) and its final quote exist only in
// 竞争性磋商 (docs/rules.md §2, "Stages 2.7-2.11 exist only in consultation"); a tender goes from the
// review to the bid prices read at the opening, entered in the quote stage, then to scoring. The
// final review (终审) exists where the document has one (seed 000 §19.3): a non-empty checklist.
export function nextStage(s: SessionState): Stage | null {
  const consultation = s.project.method === 'competitive_consultation';
  switch (s.stage) {
    case 'setup':
      return 'signin';
    case 'signin':
      return 'opening';
    case 'opening':
      return 'review';
    case 'review':
      return consultation ? 'consultation' : 'final_quote';
    case 'consultation':
      return s.checklists.final.length > 0 ? 'final_review' : 'final_quote';
    case 'final_review':
      return 'final_quote';
    case 'final_quote':
      return 'scoring';
    case 'scoring':
      return 'recheck';
    case 'recheck':
      return 'signing';
    case 'signing':
      return 'archived';
    default:
      return null;
  }
}

/** This session's stages in order, as nextStage walks them: no 磋商 in a tender, no 终审 without a final
 *  checklist (the stage rail). Reads only the method and the final checklist (the view memo tracks reads). */
export function stagesOf(s: SessionState): Stage[] {
  const consultation = s.project.method === 'competitive_consultation';
  const finalReview = consultation && s.checklists.final.length > 0;
  return STAGES.filter((st) => (st === 'consultation' ? consultation : st === 'final_review' ? finalReview : true));
}

/** Stages at or after `stage` in this session's order (for "is it too late to …" checks). */
export function stageIndex(s: SessionState, stage: Stage): number {
  const order: Stage[] = [];
  const probe = extend(s, { stage: 'setup' as Stage }) as SessionState;
  let cur: Stage | null = 'setup';
  while (cur) {
    order.push(cur);
    probe.stage = cur;
    cur = nextStage(probe);
  }
  return order.indexOf(stage);
}

export const isAtOrAfter = (s: SessionState, stage: Stage): boolean => {
  if (s.stage === 'terminated') return true;
  const a = stageIndex(s, s.stage);
  const b = stageIndex(s, stage);
  return a >= 0 && b >= 0 && a >= b;
};
