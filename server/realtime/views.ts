import { VIEW_PARTS } from '../session/fold';
import type { Principal, SessionState } from '../session/types';
import { mergeSection } from '../../shared/protocol/view-sync';

import type { LogSection, Presence, PresenceEntry } from '../../shared/protocol/views';
export type { Presence, PresenceEntry };

/** Everything this viewer may see, section by section (docs/rules.md §1.8). */
export function buildView(s: SessionState, viewer: Principal, presence: Presence): Record<string, unknown> {
  const view: Record<string, unknown> = {};
  // A section both a concern's view and its ownView return is one object, the own part's keys last
  // (as the client merges its two channels: shared/protocol/view-sync.ts mergeSection).
  for (const part of VIEW_PARTS) {
    const r = part.view(s, viewer);
    for (const k in r) view[k] = k in view ? mergeSection(view[k], r[k]) : r[k];
  }
  view.presence = presenceView(s, viewer, presence);
  if (viewer.role === 'moderator' || viewer.role === 'observer') {
    view.log = { head: s.head, seq: s.seq, tail: s.tail } satisfies LogSection;
  }
  return view;
}

export function presenceView(s: SessionState, viewer: Principal, presence: Presence): Record<string, PresenceEntry> {
  const out: Record<string, PresenceEntry> = {};
  for (const id of s.order) {
    const p = s.people[id];
    // A supplier learns nothing about other suppliers, not even whether they are here.
    if (viewer.role === 'supplier' && p.role === 'supplier' && id !== viewer.personId) continue;
    out[id] = presence[id] ?? { connected: false, lastSeen: null };
  }
  return out;
}
