import { eventOf } from '../session/events';
import type { SessionState } from '../session/types';
import type { ScoreValue, ChangeGround } from '../../shared/protocol/scoring';
import { activeMembers } from '../participants/state';
import { activeSuppliers } from '../suppliers/status';

// The scoring slice: every member's entries (drafts until submitted), the anomaly review's records,
// the ranking vote, the release and the lock. Everything here is the fold of scoring events.

export interface Entry {
  value: ScoreValue;
  /** Points as validated (decimal string). */
  points: string;
  /** Evidence for objective factors (pages, the count…), as the member typed it. */
  evidence: string | null;
}

export interface Response {
  flagKey: string;
  memberId: string;
  kind: 'keep' | 'revise';
  reason: string;
  category: string | null;
  /** The member's value when responding (keep) or old → new (revise). */
  old: string | null;
  new: string | null;
  at: number;
  seq: number;
}

export interface Vote {
  memberId: string;
  verdict: 'abnormal' | 'not_abnormal';
  reason: string;
  at: number;
  seq: number;
}

export interface Determination {
  flagKey: string;
  result: 'abnormal' | 'not_abnormal';
  rule: 'unanimous';
  votes: Vote[];
  at: number;
  seq: number;
}

export interface Revision {
  memberId: string;
  supplierId: string;
  factorId: string;
  old: Entry;
  new: Entry;
  reason: string;
  flagKey: string | null;
  ground: ChangeGround | null;
  at: number;
  seq: number;
}

export interface ChangeProposal {
  id: string;
  memberId: string;
  supplierId: string;
  factorId: string;
  value: ScoreValue;
  points: string;
  ground: ChangeGround;
  reason: string;
  votes: { memberId: string; approve: boolean; reason: string; seq: number }[];
  status: 'open' | 'applied' | 'rejected';
  at: number;
  seq: number;
}

export interface ScoringSlice {
  /** member → supplier → factor → entry (drafts and submitted). */
  entries: Record<string, Record<string, Record<string, Entry>>>;
  /** member → supplier → when submitted. */
  submitted: Record<string, Record<string, { at: number; seq: number }>>;
  /** Current responses per flag key (a revision of the item supersedes them). */
  responses: Record<string, Response>;
  /** Current determination votes per flag key. */
  votes: Record<string, Vote[]>;
  determinations: Record<string, Determination>;
  /** Everything, in order, for the report's appendix 评分复核记录 (docs/anomaly.md "Report content"). */
  record: { type: string; seq: number; at: number; payload: unknown }[];
  revisions: Revision[];
  /** Ranking vote: the tie set voted on, each member's order, and the decided order. */
  ranking: { tieSet: string[]; votes: Record<string, string[]>; decided: string[] | null; seq: number | null };
  released: { at: number; seq: number } | null;
  locked: { at: number; seq: number } | null;
  changes: ChangeProposal[];
}

export const scoringOf = (s: SessionState): ScoringSlice => s.scoring as ScoringSlice;

export function emptySlice(): ScoringSlice {
  return {
    entries: {},
    submitted: {},
    responses: {},
    votes: {},
    determinations: {},
    record: [],
    revisions: [],
    ranking: { tieSet: [], votes: {}, decided: null, seq: null },
    released: null,
    locked: null,
    changes: [],
  };
}

export const isSubmitted = (s: SessionState, m: string, sid: string): boolean => !!scoringOf(s).submitted[m]?.[sid];

/** Every active member has submitted this supplier: only then may anyone see its values (docs/anomaly.md
 *  "Blind first round"; 87号令 art. 55). */
export function supplierRevealed(s: SessionState, sid: string): boolean {
  const ms = activeMembers(s);
  return ms.length > 0 && ms.every((m) => isSubmitted(s, m.id, sid));
}

/** Every active member has submitted every active supplier. */
export function allSubmitted(s: SessionState): boolean {
  const sups = activeSuppliers(s);
  return sups.length > 0 && sups.every((sid) => supplierRevealed(s, sid));
}

/** Submitted counts per supplier (what the moderator and the observer see before the reveal). */
export function progress(s: SessionState): { supplierId: string; submitted: number; of: number }[] {
  const ms = activeMembers(s);
  return activeSuppliers(s).map((sid) => ({ supplierId: sid, submitted: ms.filter((m) => isSubmitted(s, m.id, sid)).length, of: ms.length }));
}

/** The scoring concern's events (server/session/events.ts): written by handlers.ts (and the lock on
 *  entering 报告签署), folded by reducers.ts. */
export type ScoringEvents = {
  'score:saved': { memberId: string; supplierId: string; factorId: string; entry: Entry };
  'score:submitted': { memberId: string; supplierId: string; entries: Record<string, Entry> };
  'score:revised': Pick<Revision, 'memberId' | 'supplierId' | 'factorId' | 'old' | 'new' | 'reason' | 'flagKey' | 'ground'>;
  'anomaly:kept': { flagKey: string; memberId: string; reason: string; category: string | null; value: string | null };
  'anomaly:voted': Pick<Vote, 'memberId' | 'verdict' | 'reason'> & { flagKey: string };
  'anomaly:determined': Pick<Determination, 'flagKey' | 'result' | 'rule'> & { votes: Pick<Vote, 'memberId' | 'verdict' | 'reason'>[] };
  'ranking:voted': { memberId: string; order: string[]; tieSet: string[] };
  'ranking:decided': { order: string[]; tieSet: string[]; votes: Record<string, string[]> };
  'results:released': Record<string, never>;
  'scoring:locked': Record<string, never>;
  'scoring:change_proposed': Omit<ChangeProposal, 'votes' | 'status' | 'at' | 'seq'>;
  'scoring:change_voted': { changeId: string; memberId: string; approve: boolean; reason: string };
  'scoring:change_applied': { changeId: string };
  'scoring:change_rejected': { changeId: string };
};
export const scoringEvent = eventOf<ScoringEvents>();
