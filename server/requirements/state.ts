import type { SessionState } from '../session/types';
import type { DiffLine } from './line-diff';

// The fold of the requirement changes (实质性变动, docs/rules.md §2.8): a versioned change log with who
// proposed each version, the purchaser representative's confirmation, the text, the diff against the
// previous version and, per supplier, delivery, signature or refusal (docs/rules.md §2.8 Derived).

export interface Proposal {
  version: number;
  content: string;
  sha256: string;
  /** Against version n − 1; no other version can be published while a proposal waits. */
  diff: DiffLine[];
  proposedAt: number;
  proposedBy: string;
}

export interface PublishedVersion {
  version: number;
  content: string;
  sha256: string;
  diff: DiffLine[];
  proposedAt: number;
  proposedBy: string;
  /** The purchaser representative who confirmed it (须经采购人代表确认). */
  confirmedBy: string;
  publishedAt: number;
  /** The suppliers still in the evaluation when it was published: all of them got it at once. */
  recipients: string[];
}

export interface Receipt {
  deliveredAt: number | null;
  signedAt: number | null;
  signer: string | null;
  refusedAt: number | null;
  refusal: string | null;
  /** Recorded by the moderator: the supplier did not confirm in time (003 Ch3 §5.1 L729). */
  lapsedAt?: number | null;
  lapse?: string | null;
}

export interface RequirementsSlice {
  /** Version 0: the text the panel started from. */
  baseline: { content: string; sha256: string } | null;
  proposal: Proposal | null;
  versions: PublishedVersion[];
  /** version → supplierId → receipt. */
  receipts: Record<number, Record<string, Receipt>>;
  cancelled: { version: number; reason: string; by: string; at: number }[];
}

export const reqOf = (s: SessionState): RequirementsSlice => s.requirements as RequirementsSlice;

export const latestVersion = (s: SessionState): PublishedVersion | null => {
  const v = reqOf(s).versions;
  return v.length ? v[v.length - 1] : null;
};

export const receiptOf = (s: SessionState, version: number, supplierId: string): Receipt | null => reqOf(s).receipts[version]?.[supplierId] ?? null;

/** The latest version published to this supplier, if any. */
export function latestFor(s: SessionState, supplierId: string): PublishedVersion | null {
  const vs = reqOf(s).versions;
  for (let i = vs.length - 1; i >= 0; i--) if (vs[i].recipients.includes(supplierId)) return vs[i];
  return null;
}

export const emptyReceipt = (): Receipt => ({ deliveredAt: null, signedAt: null, signer: null, refusedAt: null, refusal: null, lapsedAt: null, lapse: null });
