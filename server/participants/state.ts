import { isPanel } from '../../shared/protocol/roles';
import type { Person, SessionState } from '../session/types';

// The participants' state, read by other concerns (docs/architecture.md: "read another concern's state
// module, never its handlers"). The people live in `s.people` / `s.order`, folded by concern.ts.

/** Panel members who currently sit on the panel (replaced members excluded), in order. */
export function activeMembers(s: SessionState): Person[] {
  return s.order.map((id) => s.people[id]).filter((p) => isPanel(p.role) && p.active);
}
