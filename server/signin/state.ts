import type { SessionState } from '../session/types';

// The sign-in slice: who arrived when, who declared what, and the order of consultation.
export interface SupplierSignin {
  representative: string;
  authorised: true;
  /** Server time of the sign-in (docs/rules.md §2.2 Derived: "record each sign-in with a timestamp"). */
  at: number;
  seq: number;
}

export interface MemberSignin {
  at: number;
  acknowledged: true;
  disciplineVersion: string;
  /** Supplier ids the member must recuse from (回避, 003 §17.3 L496); empty when none. */
  recuseFrom: string[];
  recusalNote: string | null;
}

export interface Replacement {
  memberId: string;
  replacementId: string;
  reason: string;
  at: number;
  by: string;
}

export interface Reorder {
  order: string[];
  reason: string;
  at: number;
  by: string;
}

export interface SigninSlice {
  suppliers: Record<string, SupplierSignin>;
  /** Supplier ids in the order they signed in. */
  arrival: string[];
  /** The moderator's order, when it changed the arrival order (with the reasons in `reorders`). */
  override: string[] | null;
  reorders: Reorder[];
  /** When the suppliers' sign-in was closed, and who had not signed in by then. */
  closed: { at: number; absent: string[] } | null;
  members: Record<string, MemberSignin>;
  /** Recorded for the report: 004 §5.2.5(1)⑥ L1247 "评标委员会成员的更换". */
  replacements: Replacement[];
}

export const signinOf = (s: SessionState): SigninSlice => s.signin as SigninSlice;

export function emptySignin(): SigninSlice {
  return { suppliers: {}, arrival: [], override: null, reorders: [], closed: null, members: {}, replacements: [] };
}
