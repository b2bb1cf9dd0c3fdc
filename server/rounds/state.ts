import type { SessionState } from '../session/types';
import { consultationOrder } from './order';
import { eventOf } from '../session/events';

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
  /** When the time ran out (the timed `round:expired`, issue 14): overtime from then on, until the
   *  moderator extends or ends the sitting. The `endsAt` that expired, so that an extension re-arms. */
  expired?: { endsAt: number; at: number } | null;
  // The minutes (磋商记录, issue 13 item 3): see minutes.ts.
  /** 1-based number of the sitting in the session (the report's 「第 n 次磋商」). */
  n: number;
  /** Panel members present when the sitting began (active and signed in). */
  present: string[];
  /** The supplier's representative as signed in. */
  representative: string | null;
  minutes: { text: string; by: string; at: number } | null;
  documents: SittingDocument[];
  /** personId → signature of the minutes (the supplier's representative, the panel members). */
  signatures: Record<string, { name: string; path: string; at: number; seq: number }>;
}

export interface SittingDocument {
  sha256: string;
  name: string;
  mime: string;
  size: number;
  /** Who uploaded it: the moderator (console) or the supplier (laptop). */
  by: string;
  at: number;
  seq: number;
}

export interface RoundsSlice {
  sittings: Sitting[];
  /** supplierId → file names the moderator attached (the documents the panel consults). */
  documents: Record<string, { fileName: string; at: number }[]>;
  /** memberId → supplierId → the member's private notes (only that member receives them). */
  notes: Record<string, Record<string, { text: string; at: number }>>;
  /** memberId → characters of notes that member has added to the log in all (every save counts). */
  noteChars?: Record<string, number>;
  /** sha256 → the bytes of a document exchanged in a sitting (base64), for the panel and the archive. */
  files: Record<string, { name: string; mime: string; size: number; data: string }>;
}

/**
 * How much note text one member may add to the log in one session (issue 12, item 8): every save
 * writes the whole note again, so this is the sum over saves. A member who saves 40 notes of 5,000
 * characters 25 times each stays at 5,000,000; a flood of 2,000 saves of 20 KB does not.
 */
export const NOTE_BUDGET_CHARS = 5_000_000;

export const roundsOf = (s: SessionState): RoundsSlice => s.rounds as RoundsSlice;

/** Sitting number n (1-based), or null. */
export const sittingAt = (s: SessionState, n: number): Sitting | null => roundsOf(s).sittings[n - 1] ?? null;

/** The archive's name of a sitting document (archive.ts writes it, verify-archive.ts checks it). */
export const sittingFileName = (n: number, d: { sha256: string; mime: string }): string =>
  `sittings/sitting-${n}-${d.sha256.slice(0, 16)}.${d.mime === 'application/pdf' ? 'pdf' : d.mime === 'image/png' ? 'png' : 'jpg'}`;

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

/** The sittings' minutes and documents (minutes.ts), read back by the archive's verifier. */
export type MinutesEvents = {
  'round:minutes_saved': { sitting: number; text: string };
  'round:document_uploaded': { sitting: number; name: string; mime: string; size: number; sha256: string; data: string };
  'round:minutes_signed': { sitting: number; personId: string; name: string; path: string };
};
export const minutesEvent = eventOf<MinutesEvents>();
