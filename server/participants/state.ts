import { isPanel } from '../../shared/protocol/roles';
import type { Person, SessionState } from '../session/types';
import { eventOf, type Cmd } from '../session/events';

// The participants' state, read by other concerns (docs/architecture.md: "read another concern's state
// module, never its handlers"). The people live in `s.people` / `s.order`, folded by concern.ts.

/** Panel members who currently sit on the panel (replaced members excluded), in order. */
export function activeMembers(s: SessionState): Person[] {
  return s.order.map((id) => s.people[id]).filter((p) => isPanel(p.role) && p.active);
}

/** The people's events (server/session/events.ts). `person:added` and `person:deactivated` are also
 *  written by session creation, set-up and member replacement (create.ts, setup/people.ts,
 *  signin/concern.ts), which make them with `personEvent`. */
export type ParticipantEvents = {
  'person:added': Omit<Person, 'ordinal' | 'active' | 'replaces'> & { replaces?: string | null };
  'person:deactivated': { personId: string; reason?: string };
  'participant:reissued': Cmd<'participant:reissue'> & { tokenHash: string };
};
export const personEvent = eventOf<ParticipantEvents>();

/** One device per seat (devices.ts): claims, requests and the moderator's answers. */
export type DeviceEvents = {
  'device:claimed': { personId: string; device: string };
  'device:requested': { personId: string; device: string; requestId: string };
  'device:admitted': { personId: string; requestId: string };
  'device:refused': { personId: string; requestId: string };
};
export const deviceEvent = eventOf<DeviceEvents>();
