import { isPanel } from '../../shared/protocol/roles';
import { labelIn } from '../../shared/labels/people';
import type { Principal, SessionState } from '../session/types';
import { roundsOf, type Sitting } from './state';

// Who sees what of the minutes (磋商记录, issue 13 item 3): the panel, the moderator and the observer
// every sitting's record (the documents by name and sha256; the bytes are downloaded with the join
// token, server/http/attachments.ts); a supplier only its own sittings, and of the panel nothing but
// how many have signed (members' identities stay confidential, docs/rules.md §1.3); the wall nothing.

const docs = (x: Sitting) => x.documents.map((d) => ({ sha256: d.sha256, name: d.name, mime: d.mime, size: d.size, at: d.at, fromSupplier: d.by === x.supplierId }));

export function minutesView(s: SessionState, viewer: Principal): Record<string, unknown> {
  const all = roundsOf(s).sittings;
  if (viewer.role === 'screen') return { minutes: null };
  if (viewer.role === 'supplier') {
    return {
      minutes: all
        .filter((x) => x.supplierId === viewer.personId)
        .map((x) => ({ n: x.n, round: x.round, status: x.status, text: x.minutes?.text ?? '', documents: docs(x), signed: !!x.signatures[viewer.personId], signatures: Object.keys(x.signatures).length })),
    };
  }
  return {
    minutes: all.map((x) => ({
      n: x.n,
      round: x.round,
      supplierId: x.supplierId,
      label: s.people[x.supplierId]?.org ?? s.people[x.supplierId]?.name ?? '',
      status: x.status,
      startedAt: x.startedAt,
      endedAt: x.endedAt,
      present: x.present.map((id) => ({ id, label: labelIn(s.people, s.order, id).zh })),
      representative: x.representative,
      text: x.minutes?.text ?? '',
      documents: docs(x),
      signatures: Object.entries(x.signatures).map(([id, g]) => ({ personId: id, label: labelIn(s.people, s.order, id).zh, at: g.at })),
      supplierSigned: !!x.signatures[x.supplierId],
      mayEdit: Object.keys(x.signatures).length === 0 && s.stage === 'consultation' && (viewer.role === 'moderator' || (isPanel(viewer.role) && !!s.people[viewer.personId]?.leader)),
    })),
  };
}
