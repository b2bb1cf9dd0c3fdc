import type { SessionState } from '../session/types';
import { consultationOrder } from './order';

// The fold of the one-on-one rounds (磋商, docs/rules.md §2.7): one sitting per supplier per round, timed
// by the server (`endsAt`, server ms; docs/architecture.md "Timers travel as endsAt").

export interface Extension {
  seconds: number;
  reason: string;
  at: number;
}

export interface Sitting {
  /** Round k: the k-th pass through the consultation order (003 资料表10.2 L184: several rounds). */
  round: number;
  supplierId: string;
  seconds: number;
  startedAt: number;
  status: 'running' | 'paused' | 'ended';
  /** While running: when the time is up, server ms. */
  endsAt: number | null;
  /** While paused: the time left, ms. */
  remainingMs: number | null;
  extensions: Extension[];
  endedAt: number | null;
}

export interface RoundsSlice {
  sittings: Sitting[];
  /** supplierId → file names the moderator attached (the documents the panel consults). */
  documents: Record<string, { fileName: string; at: number }[]>;
  /** memberId → supplierId → the member's private notes (only that member receives them). */
  notes: Record<string, Record<string, { text: string; at: number }>>;
}

export const roundsOf = (s: SessionState): RoundsSlice => s.rounds as RoundsSlice;

/** The sitting under way (running or paused), if any. */
export function currentSitting(s: SessionState): Sitting | null {
  const l = roundsOf(s).sittings;
  const last = l[l.length - 1];
  return last && last.status !== 'ended' ? last : null;
}

/** The round now (or last) under way; 1 before any sitting. */
export const currentRound = (s: SessionState): number => roundsOf(s).sittings.at(-1)?.round ?? 1;

const doneIn = (s: SessionState, round: number): Set<string> =>
  new Set(roundsOf(s).sittings.filter((x) => x.round === round).map((x) => x.supplierId));

/**
 * Who is waiting, in order: the active suppliers not yet consulted in the current round; once every
 * one of them has had its sitting, the whole order again for the next round.
 */
export function upcoming(s: SessionState): { round: number; ids: string[] } {
  const order = consultationOrder(s);
  const k = currentRound(s);
  const done = doneIn(s, k);
  const cur = currentSitting(s);
  const waiting = order.filter((id) => !done.has(id));
  if (waiting.length > 0 || cur) return { round: k, ids: waiting };
  return { round: roundsOf(s).sittings.length === 0 ? 1 : k + 1, ids: order };
}
