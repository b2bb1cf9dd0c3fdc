import { isPanel } from '../../shared/protocol/roles';
import type { Principal, SessionState } from '../session/types';
import { consultationOrder } from './order';
import { currentSitting, roundsOf, upcoming, type Sitting } from './state';
import { extend } from '../../shared/extend';

// Who sees what of the rounds (docs/rules.md §1.8): the wall shows only the supplier in session and the
// queue (docs/rules.md §2.7 Derived); the panel also sees its documents and each member its own notes; a
// supplier learns only whether it is in session, its timer, and its own place in the queue: no name,
// id or state of any other supplier ever reaches it.

const label = (s: SessionState, id: string): string => s.people[id]?.org ?? s.people[id]?.name ?? id;

const clock = (x: Sitting) => ({
  round: x.round,
  status: x.status,
  seconds: x.seconds,
  startedAt: x.startedAt,
  endsAt: x.endsAt,
  remainingMs: x.remainingMs,
  // Recorded overtime (round:expired): when the time ran out, null while within it.
  overtimeSince: x.expired && x.expired.endsAt === x.endsAt ? x.expired.at : null,
  expiredAt: x.expired?.at ?? null,
});

export function roundsView(s: SessionState, viewer: Principal): Record<string, unknown> {
  const r = roundsOf(s);
  const cur = currentSitting(s);
  const next = upcoming(s);
  const live = s.stage === 'consultation';

  if (viewer.role === 'supplier') {
    if (!live) return { rounds: null };
    const me = viewer.personId;
    const place = next.ids.indexOf(me);
    const mine = cur?.supplierId === me ? cur : null;
    return {
      rounds: {
        inSession: !!mine,
        clock: mine ? clock(mine) : null,
        // Its own place only (1 = next), never how many others wait or who they are.
        round: next.round,
        place: place >= 0 && !mine ? place + 1 : null,
        sittings: r.sittings.filter((x) => x.supplierId === me).length,
      },
    };
  }

  if (viewer.role === 'screen') {
    if (!live) return { rounds: null };
    // The wall names the supplier in session only and counts the others (issue 12, docs/projector.md):
    // no other supplier's name or place is on it while one sits in the room.
    return {
      rounds: {
        current: cur ? extend(clock(cur), { label: label(s, cur.supplierId) }) : null,
        queue: { round: next.round, waiting: next.ids.filter((id) => id !== cur?.supplierId).length },
      },
    };
  }

  // Moderator, observer and panel.
  const out: Record<string, unknown> = {
    live,
    current: cur ? extend(clock(cur), { supplierId: cur.supplierId, label: label(s, cur.supplierId), extensions: cur.extensions }) : null,
    queue: { round: next.round, suppliers: next.ids.map((id) => ({ id, label: label(s, id) })) },
    order: consultationOrder(s).map((id) => ({ id, label: label(s, id) })),
    history: r.sittings.map((x) => extend(clock(x), { supplierId: x.supplierId, label: label(s, x.supplierId), extensions: x.extensions, endedAt: x.endedAt })),
    documents: r.documents,
  };
  // Each member's notes reach that member alone (not the observer, not the moderator, not the others).
  if (isPanel(viewer.role)) out.notes = r.notes[viewer.personId] ?? {};
  return { rounds: out };
}
