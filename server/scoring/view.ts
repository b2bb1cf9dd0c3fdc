import type { Principal, SessionState } from '../session/types';
import { scoredLeaves, findFactor } from '../../shared/domain/rubric/index';
import { D } from '../../shared/rules/decimal';
import { isPanel } from '../../shared/protocol/roles';
import { activeMembers } from '../participants/concern';
import { activeSuppliers, supplierIds } from '../suppliers/status';
import { roomEvaluation } from './evaluation-file';
import { roomFlags, reviewPending, type RoomFlag } from './flags';
import { rubricVotes, sameSet, tieSet, tiePending } from './ranking-vote';
import { allSubmitted, isSubmitted, progress, scoringOf, supplierRevealed } from './state';

// What each viewer may see of the scoring (docs/rules.md §1.8; docs/anomaly.md "Blind first round"):
// - a member: its own entries always; another member's values for a supplier only once EVERY active
//   member has submitted that supplier, and then anonymous (sorted values, no names);
// - the moderator and the observer: submitted counts only until everyone has submitted everything;
// - the wall: the results, and only once the moderator has released them;
// - a supplier: nothing at all.

const supplierLabel = (s: SessionState, id: string) => s.people[id]?.org ?? s.people[id]?.name ?? id;
const memberLabel = (s: SessionState, id: string | null) => (id && s.people[id] ? `专家 ${s.people[id].ordinal}` : null);

/** The results rows, every number from evaluateDetailed (evaluation-file.ts). While the price part is
 *  absent, price fields are null and scores are shown without the (nominal) price part. */
function resultsRows(s: SessionState, withMembers: boolean) {
  const ev = roomEvaluation(s);
  if (!ev.detail) return null;
  const out = ev.detail.output;
  const places = s.rubric.rules.rounding.places;
  const w = new D(s.rubric.rules.price.weight);
  const noPrice = (x: string | null) => (x === null ? null : ev.pricePending ? new D(x).minus(w).toFixed(places) : x);
  const tieBreaks = ev.detail.ranking?.tieBreaks ?? [];
  return {
    pricePending: ev.pricePending,
    rows: out.suppliers.map((r) => ({
      id: r.id,
      label: supplierLabel(s, r.id),
      status: r.status,
      invalidReason: r.invalidReason,
      rank: r.rank,
      candidate: r.candidate,
      tieUnresolved: r.tieUnresolved,
      finalQuote: ev.pricePending ? null : r.finalQuote,
      evaluatedPrice: ev.pricePending ? null : r.evaluatedPrice,
      priceScore: ev.pricePending ? null : r.priceScore,
      groupScores: r.groupScores ? Object.fromEntries(Object.entries(r.groupScores).filter(([g]) => !(ev.pricePending && g === 'price'))) : null,
      finalScore: noPrice(r.finalScore),
      memberTotals: withMembers && r.memberTotals ? Object.fromEntries(Object.entries(r.memberTotals).map(([m, v]) => [m, noPrice(v)])) : null,
    })),
    tieBreaks: tieBreaks.map((t) => ({ above: t.above, below: t.below, key: t.key })),
    outcome: out.outcome,
    recheckFocus: ev.pricePending ? { ...out.recheckFocus, lowestQuote: null, lowestEvaluatedPrice: null } : out.recheckFocus,
    members: withMembers ? activeMembers(s).map((m) => ({ id: m.id, label: memberLabel(s, m.id) })) : [],
  };
}

function flagView(s: SessionState, f: RoomFlag, viewer: Principal) {
  const leaf = f.factor ? findFactor(s.rubric, f.factor) : undefined;
  const mine = f.member === viewer.personId;
  return {
    key: f.key,
    rule: f.rule,
    severity: f.severity,
    high: f.high,
    member: f.member,
    memberLabel: memberLabel(s, f.member),
    mine,
    supplier: f.supplier,
    supplierLabel: f.supplier ? supplierLabel(s, f.supplier) : null,
    factor: f.factor,
    factorName: leaf ? { zh: leaf.name_zh, en: leaf.name_en ?? leaf.name_zh } : null,
    factorMax: leaf ? String(leaf.max_points) : null,
    message: f.message,
    // x and the others' values (sorted, anonymous) for the dot plot (docs/anomaly.md; docs/views.md).
    inputs: f.inputs,
    whatIf: f.whatIf,
    blocking: f.blocking,
    needsResponse: f.needsResponse,
    mayKeep: f.mayKeep,
    needsDetermination: f.needsDetermination,
    response: f.response,
    votes: f.votes.length,
    myVote: f.votes.find((v) => v.memberId === viewer.personId)?.verdict ?? null,
    determination: f.determination ? { result: f.determination.result, rule: f.determination.rule, seq: f.determination.seq, votes: f.determination.votes.map((v) => ({ member: memberLabel(s, v.memberId), verdict: v.verdict, reason: v.reason })) } : null,
    awaitingCorrection: f.awaitingCorrection,
    disposed: f.disposed,
  };
}

function tieView(s: SessionState, viewer: Principal) {
  const set = tieSet(s);
  const r = scoringOf(s).ranking;
  const votes = sameSet(r.tieSet, set) ? r.votes : {};
  return {
    needed: set.length > 0 && rubricVotes(s),
    set: set.map((id) => ({ id, label: supplierLabel(s, id) })),
    voted: Object.keys(votes).length,
    of: activeMembers(s).length,
    myVote: votes[viewer.personId] ?? null,
    decided: r.decided,
  };
}

function common(s: SessionState, viewer: Principal) {
  const done = allSubmitted(s);
  const sc = scoringOf(s);
  const flags = done ? roomFlags(s) : [];
  return {
    stage: s.stage,
    allSubmitted: done,
    progress: progress(s).map((p) => ({ ...p, label: supplierLabel(s, p.supplierId) })),
    flags: flags.filter((f) => f.severity !== 'info' || f.member === null || f.member === viewer.personId || !isPanel(viewer.role)).map((f) => flagView(s, f, viewer)),
    pending: done ? (reviewPending(s) ?? tiePending(s)) : null,
    tie: done ? tieView(s, viewer) : null,
    results: done ? resultsRows(s, true) : null,
    released: sc.released,
    locked: sc.locked,
    changes: sc.changes.map((c) => ({ ...c, memberLabel: memberLabel(s, c.memberId), supplierLabel: supplierLabel(s, c.supplierId) })),
    revisions: done ? sc.revisions.map((r) => ({ ...r, memberLabel: memberLabel(s, r.memberId) })) : [],
    exportable: done && !roomEvaluation(s).pricePending && !!roomEvaluation(s).detail,
  };
}

function memberView(s: SessionState, viewer: Principal) {
  const sc = scoringOf(s);
  const me = viewer.personId;
  const mine: Record<string, { entries: Record<string, unknown>; submittedAt: number | null }> = {};
  const others: Record<string, Record<string, string[]>> = {};
  for (const sid of supplierIds(s)) {
    mine[sid] = { entries: sc.entries[me]?.[sid] ?? {}, submittedAt: sc.submitted[me]?.[sid]?.at ?? null };
    if (supplierRevealed(s, sid)) {
      // Revealed: everyone's values, anonymous and sorted (no member id reaches the tablet).
      others[sid] = {};
      for (const leaf of scoredLeaves(s.rubric)) {
        others[sid][leaf.id] = activeMembers(s)
          .filter((m) => m.id !== me)
          .map((m) => sc.entries[m.id]?.[sid]?.[leaf.id]?.points)
          .filter((x): x is string => typeof x === 'string')
          .sort((a, b) => new D(a).comparedTo(new D(b)));
      }
    }
  }
  const suppliers = activeSuppliers(s).map((sid) => ({ id: sid, label: supplierLabel(s, sid), submitted: isSubmitted(s, me, sid), revealed: supplierRevealed(s, sid) }));
  return { ...common(s, viewer), suppliers, mine, others };
}

export function scoringView(s: SessionState, viewer: Principal): Record<string, unknown> {
  if (!s.rubric) return {};
  const inScoring = ['scoring', 'recheck', 'signing', 'archived'].includes(s.stage);
  if (!inScoring) return { scoring: null };
  switch (viewer.role) {
    case 'expert':
    case 'purchaser_rep':
      return { scoring: memberView(s, viewer), scoringFactors: scoredLeaves(s.rubric) };
    case 'moderator':
    case 'observer':
      return { scoring: common(s, viewer), scoringFactors: scoredLeaves(s.rubric) };
    case 'screen': {
      const sc = scoringOf(s);
      const r = sc.released ? resultsRows(s, false) : null;
      return { scoring: { released: !!sc.released, results: r } };
    }
    default:
      // Suppliers never see a score (docs/rules.md §1.8: own score only after the award, outside the room).
      return {};
  }
}
