import type { SessionState } from '../session/types';
import { activeSuppliers } from '../suppliers/status';
import { latestFor, receiptOf } from './state';

// What other concerns may ask of the requirement changes (实质性变动, docs/rules.md §2.8).

/**
 * The latest published version this supplier has not yet confirmed, or null when it is up to date.
 * A supplier cannot submit a final quote until it has confirmed the latest version (issue 5; docs/rules.md
 * §2.8 Derived). Each version is the whole document, so signing version n accepts every earlier one.
 */
export function unconfirmedVersion(s: SessionState, supplierId: string): number | null {
  const v = latestFor(s, supplierId);
  if (!v) return null;
  return receiptOf(s, v.version, supplierId)?.signedAt ? null : v.version;
}

/** The active suppliers that have not confirmed the latest version sent to them (docs/rules.md §2.8 Derived). */
export function unconfirmedSuppliers(s: SessionState): { supplierId: string; label: string; version: number }[] {
  const out: { supplierId: string; label: string; version: number }[] = [];
  for (const id of activeSuppliers(s)) {
    const v = unconfirmedVersion(s, id);
    if (v !== null) out.push({ supplierId: id, label: s.people[id]?.org ?? s.people[id]?.name ?? id, version: v });
  }
  return out;
}
