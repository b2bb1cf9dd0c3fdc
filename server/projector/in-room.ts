import type { SessionState } from '../session/types';
import { currentSitting } from '../rounds/state';

// Who sits in the room now (issue 12 item 4, docs/projector.md): while one supplier is consulted in
// person, no other supplier's name or state may be on the wall, so the wall's views name only this
// one and count the others ("其余 N 家等候").
//
// A sitting of the consultation (003 Ch3 §2.1: the panel consults each supplier separately) is the
// one sitting the room records; the final review and a clarification in person are not recorded as
// sittings, so their scenes (review, clarify) send the wall nothing about suppliers at all.
export function supplierInRoom(s: SessionState): string | null {
  if (s.stage !== 'consultation') return null;
  return currentSitting(s)?.supplierId ?? null;
}

/** Whether the wall may name this supplier now: anyone while nobody sits, else only the one in the room. */
export const wallMayName = (s: SessionState, supplierId: string): boolean => {
  const here = supplierInRoom(s);
  return here === null || here === supplierId;
};
