import { isPanel } from '../../shared/protocol/roles';
import type { Principal, SessionState } from '../session/types';
import { standing } from '../suppliers/status';
import { changedLines } from './line-diff';
import { latestVersion, reqOf } from './state';
import { unconfirmedSuppliers, unconfirmedVersion } from './status';
import { labelIn } from '../../shared/labels/people';
import { extend } from '../../shared/extend';

// Who sees what of the changes (docs/rules.md §1.8): the panel, the moderator and the observer see the log
// and every supplier's receipt; the wall sees the latest published diff and a tick per supplier; a
// supplier sees only the versions sent to it and its own receipts, never the live document, a
// pending proposal or another supplier's answer.

const supplierLabel = (s: SessionState, id: string): string => s.people[id]?.org ?? s.people[id]?.name ?? id;
/** The panel, the console and the observer know the members' names (only the wall and suppliers do not). */
const memberLabel = (s: SessionState, id: string): string => {
  const p = s.people[id];
  if (!p) return id;
  return isPanel(p.role) ? `${p.name}（${labelIn(s.people, s.order, id).zh}）` : p.name;
};

/** A supplier's answer as one word, for the ticks on the wall and the console. */
function answer(r: { deliveredAt: number | null; signedAt: number | null; refusedAt: number | null; lapsedAt?: number | null }): 'signed' | 'refused' | 'lapsed' | 'delivered' | 'pending' {
  return r.signedAt ? 'signed' : r.refusedAt ? 'refused' : r.lapsedAt ? 'lapsed' : r.deliveredAt ? 'delivered' : 'pending';
}

/** Shown on the wall at most: the projector never scrolls. */
const WALL_LINES = 12;

export function requirementsView(s: SessionState, viewer: Principal): Record<string, unknown> {
  const r = reqOf(s);
  if (viewer.role === 'supplier') {
    const me = viewer.personId;
    const versions = r.versions
      .filter((v) => v.recipients.includes(me))
      .map((v) => {
        const rc = r.receipts[v.version][me];
        return { version: v.version, content: v.content, diff: v.diff, sha256: v.sha256, publishedAt: v.publishedAt, ...rc };
      });
    return { requirements: { versions, unconfirmed: unconfirmedVersion(s, me), active: standing(s, me).status === 'active' } };
  }
  if (viewer.role === 'screen') {
    const v = latestVersion(s);
    if (!v) return { requirements: { latest: null } };
    const changed = changedLines(v.diff);
    return {
      requirements: {
        latest: {
          version: v.version,
          publishedAt: v.publishedAt,
          sha256: v.sha256.slice(0, 12),
          lines: changed.slice(0, WALL_LINES),
          more: Math.max(0, changed.length - WALL_LINES),
          // How many have confirmed, not who (issue 12, docs/projector.md).
          answers: countAnswers(v.recipients.map((id) => answer(r.receipts[v.version][id]))),
        },
      },
    };
  }
  // Moderator, observer and panel: the whole change log.
  const last = latestVersion(s);
  return {
    requirements: {
      editable: s.stage === 'consultation',
      baseline: r.baseline ? { sha256: r.baseline.sha256 } : null,
      proposal: r.proposal
        ? extend(r.proposal, { proposedByLabel: s.people[r.proposal.proposedBy]?.name ?? r.proposal.proposedBy, base: last?.version ?? 0 })
        : null,
      versions: r.versions.map((v) => ({
        version: v.version,
        content: v.content,
        sha256: v.sha256,
        diff: v.diff,
        proposedAt: v.proposedAt,
        publishedAt: v.publishedAt,
        confirmedBy: memberLabel(s, v.confirmedBy),
        receipts: v.recipients.map((id) => ({ supplierId: id, label: supplierLabel(s, id), answer: answer(r.receipts[v.version][id]), ...r.receipts[v.version][id] })),
      })),
      cancelled: r.cancelled,
      // Who still blocks the final quote (docs/rules.md §2.8 Derived), with the console's lapse action.
      unconfirmed: unconfirmedSuppliers(s),
      lapsable: ['consultation', 'final_review', 'final_quote'].includes(s.stage),
    },
  };
}

/** The wall's change notice counts the suppliers' answers; it names none. */
function countAnswers(answers: string[]): { total: number; signed: number; refused: number; waiting: number } {
  const signed = answers.filter((a) => a === 'signed').length;
  const refused = answers.filter((a) => a === 'refused').length;
  return { total: answers.length, signed, refused, waiting: answers.length - signed - refused };
}
