import type { SessionState, Stage } from '../session/types';

// The clarification slice (澄清, docs/rules.md §2.6 Derived: request → reply → panel decision).
export type ClarificationStatus = 'draft' | 'sent' | 'answered' | 'lapsed' | 'discarded';

export interface AttachmentMeta {
  name: string;
  mime: string;
  size: number;
  sha256: string;
}

export interface Clarification {
  id: string;
  supplierId: string;
  /** The stage it was drafted in, and the review item it is about, if any. */
  phase: Stage;
  itemId: string | null;
  question: string;
  /** The answer window; the deadline runs from the moment it is sent (003 Ch3 §2.5.2 L637: the panel sets it). */
  minutes: number;
  author: string;
  draftedAt: number;
  status: ClarificationStatus;
  sentAt: number | null;
  sentBy: string | null;
  deadline: number | null;
  answer: { text: string; signer: string; at: number; attachment: AttachmentMeta | null } | null;
  lapsedAt: number | null;
  discardedAt: number | null;
}

export interface ClarifySlice {
  items: Record<string, Clarification>;
  order: string[];
  /** Attachments by sha256 (content-addressed; the bytes live in the answering event's payload). */
  files: Record<string, AttachmentMeta & { data: string }>;
}

export const clarifyOf = (s: SessionState): ClarifySlice => s.clarify as ClarifySlice;

export const emptyClarify = (): ClarifySlice => ({ items: {}, order: [], files: {} });

/** Clarifications about one review item that are still open (drafted, or sent and not answered). */
export function openForItem(s: SessionState, supplierId: string, phase: Stage, itemId: string): Clarification[] {
  const sl = clarifyOf(s);
  return sl.order
    .map((id) => sl.items[id])
    .filter((c) => c.supplierId === supplierId && c.phase === phase && c.itemId === itemId && (c.status === 'draft' || c.status === 'sent'));
}

/** The latest clarification about one review item, whatever its status (discarded ones excluded). */
export function latestForItem(s: SessionState, supplierId: string, phase: Stage, itemId: string): Clarification | null {
  const sl = clarifyOf(s);
  for (let i = sl.order.length - 1; i >= 0; i--) {
    const c = sl.items[sl.order[i]];
    if (c.supplierId === supplierId && c.phase === phase && c.itemId === itemId && c.status !== 'discarded') return c;
  }
  return null;
}
