import type { SessionState } from '../session/types';
import type { Dissent, ReopenGround } from '../../shared/protocol/report';
import type { Dispute, ReopenRequest, ReportFinal, ReportReopen } from '../../shared/protocol/views';
import { activeMembers } from '../participants/state';

// The report slice: the revisions of the report (评审报告), each with its signatures and, once every
// sitting member has signed, the sha256 of its final PDF as recorded in the log; the panel's disputes
// decided by majority; a pending request to reopen. Everything here is the fold of `report:*` events.

export interface Signature {
  memberId: string;
  /** The name the member wrote beside the signature. */
  name: string;
  /** SVG path in SIGNATURE_VIEWBOX (shared/protocol/report.ts). */
  path: string;
  /** null: the member agrees (一人未签署不同意见的，视为同意, 000 说明6 L462). */
  dissent: Dissent | null;
  at: number;
  seq: number;
}

/** A sitting member who neither signed nor stated reasons of dissent, recorded by the moderator: deemed
 *  to agree with the report (持不同意见的成员应当签署不同意见及理由，否则视为同意, docs/rules.md §2.22). */
export interface DeemedAgreement {
  memberId: string;
  /** What happened, as the moderator recorded it. */
  note: string;
  by: string;
  at: number;
  seq: number;
}

/** The final PDF's record (the view's `ReportFinal`, shared/protocol/views.ts). */
export type FinalRecord = ReportFinal;

export interface Revision {
  n: number;
  openedAt: number;
  openedSeq: number;
  /** Why this revision exists (revision 1: null). */
  reopen: ReportReopen | null;
  signatures: Record<string, Signature>;
  /** Members recorded as deemed to agree (they count as having signed off this revision). */
  deemed: Record<string, DeemedAgreement>;
  /** Signatures given before the content changed (a result change or a decided dispute), kept for the record. */
  voided: (Signature & { voidedAt: number; voidedSeq: number; why: string; deemed?: boolean })[];
  final: FinalRecord | null;
}

export type { Dispute };

export type { ReopenRequest };

export interface ReportSlice {
  revisions: Revision[];
  disputes: Dispute[];
  reopenRequest: ReopenRequest | null;
}

export const reportOf = (s: SessionState): ReportSlice => s.report as ReportSlice;

export const emptyReport = (): ReportSlice => ({ revisions: [], disputes: [], reopenRequest: null });

/** The revision being signed or last finalised; null before the signing stage. */
export const currentRevision = (s: SessionState): Revision | null => reportOf(s).revisions.at(-1) ?? null;

export const openDispute = (s: SessionState): Dispute | null => reportOf(s).disputes.find((d) => d.result === null) ?? null;

/** Sitting members who have neither signed the current revision nor been recorded as deemed to agree. */
export function unsigned(s: SessionState): string[] {
  const r = currentRevision(s);
  return activeMembers(s)
    .map((m) => m.id)
    .filter((id) => !r?.signatures[id] && !r?.deemed?.[id]);
}

/** Every sitting member has signed the current revision and nothing is being voted: render the final PDF. */
export function readyToFinalize(s: SessionState): boolean {
  const r = currentRevision(s);
  return !!r && !r.final && activeMembers(s).length > 0 && unsigned(s).length === 0 && !openDispute(s);
}

/** The current revision's final PDF is recorded in the log. */
export const reportFinal = (s: SessionState): boolean => !!currentRevision(s)?.final;
