import type { Principal, SessionState } from '../session/types';
import { scoredLeaves, findFactor } from '../../shared/domain/rubric/index';
import { D } from '../../shared/rules/decimal';
import { isPanel } from '../../shared/protocol/roles';
import { activeMembers } from '../participants/state';
import { activeSuppliers, supplierIds } from '../suppliers/status';
import { roomEvaluation } from './evaluation-file';
import { flagMessages, roomFlags, reviewPending, type RoomFlag } from './flags';
import { rubricVotes, sameSet, tieSet, tiePending } from './ranking-vote';
import { allSubmitted, isSubmitted, progress, scoringOf, supplierRevealed, type Entry } from './state';
import { labelIn } from '../../shared/labels/people';
import { readingSubKeys, subKeys, untracked, whileUnchanged } from '../realtime/state-keys';
import { settledView } from '../realtime/view-diff';
import type { Bilingual } from '../session/types';
import { extend } from '../../shared/extend';

// What each viewer may see of the scoring (docs/rules.md §1.8; docs/anomaly.md "Blind first round"):
// - a member: its own entries always; another member's values for a supplier only once EVERY active
//   member has submitted that supplier, and then anonymous (sorted values, no names);
// - the moderator and the observer: submitted counts only until everyone has submitted everything;
// - the wall: the results, and only once the moderator has released them;
// - a supplier: nothing at all.

const supplierLabel = (s: SessionState, id: string) => s.people[id]?.org ?? s.people[id]?.name ?? id;
const memberLabel = (s: SessionState, id: string | null) => (id && s.people[id] ? labelIn(s.people, s.order, id).zh : null);

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
    recheckFocus: ev.pricePending ? extend(out.recheckFocus, { lowestQuote: null, lowestEvaluatedPrice: null }) : out.recheckFocus,
    members: withMembers ? activeMembers(s).map((m) => ({ id: m.id, label: memberLabel(s, m.id) })) : [],
  };
}

/** A room flag with its message as the flagged member reads it (`message`) and as everyone else does
 *  (`othersMessage`): flags.ts flagMessages. */
type SharedFlag = RoomFlag & { othersMessage: Bilingual };
function sharedFlag(s: SessionState, f: RoomFlag): SharedFlag {
  const m = flagMessages(s, f);
  return extend(f, { message: m.own, othersMessage: m.others });
}

/** A flag as the room shows it to everyone but the flagged member: built once per event (flagViews). */
function flagBase(s: SessionState, f: SharedFlag) {
  const leaf = f.factor ? findFactor(s.rubric, f.factor) : undefined;
  return {
    key: f.key,
    rule: f.rule,
    severity: f.severity,
    high: f.high,
    member: f.member,
    memberLabel: memberLabel(s, f.member),
    mine: false,
    supplier: f.supplier,
    supplierLabel: f.supplier ? supplierLabel(s, f.supplier) : null,
    factor: f.factor,
    factorName: leaf ? { zh: leaf.name_zh, en: leaf.name_en ?? leaf.name_zh } : null,
    factorMax: leaf ? String(leaf.max_points) : null,
    message: f.othersMessage,
    // x and the others' values (sorted, anonymous) for the dot plot (docs/anomaly.md; docs/views.md).
    inputs: f.inputs,
    whatIf: f.whatIf,
    blocking: f.blocking,
    needsResponse: f.needsResponse,
    mayKeep: f.mayKeep,
    needsDetermination: f.needsDetermination,
    response: f.response,
    votes: f.votes.length,
    myVote: null as string | null,
    determination: f.determination ? { result: f.determination.result, rule: f.determination.rule, seq: f.determination.seq, votes: f.determination.votes.map((v) => ({ member: memberLabel(s, v.memberId), verdict: v.verdict, reason: v.reason })) } : null,
    awaitingCorrection: f.awaitingCorrection,
    disposed: f.disposed,
  };
}

/** The flags' views, once per event (issue 15: not per viewer). */
const flagViews = (t: SessionState) => whileUnchanged(t, 'scoring.flagViews', (s) => shared(s).flags.map((f) => flagBase(s, f)));

/** The flags one viewer sees: the shared views, with its own `mine` / `myVote` where they differ. */
function flagsFor(s: SessionState, viewer: Principal) {
  const all = shared(s).flags;
  const views = flagViews(s);
  // The console and the observer are no member: no flag is theirs, they vote on none (and their
  // section stays their role's, not reading who they are).
  if (!isPanel(viewer.role)) return views;
  const panel = true;
  const me = viewer.personId;
  const out: ReturnType<typeof flagBase>[] = [];
  for (let i = 0; i < all.length; i++) {
    const f = all[i];
    // Another member's info flag is its own business (docs/anomaly.md "Three severities").
    if (panel && f.severity === 'info' && f.member !== null && f.member !== me) continue;
    const mine = f.member === me;
    const myVote = f.votes.find((v) => v.memberId === me)?.verdict ?? null;
    // The flagged member reads its own flag's message in the second person (flags.ts flagMessages).
    out.push(mine ? extend(views[i], { mine, myVote, message: f.message }) : myVote !== null ? extend(views[i], { myVote }) : views[i]);
  }
  return out;
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
    // The console and the observer do not vote (and their section stays their role's).
    myVote: isPanel(viewer.role) ? (votes[viewer.personId] ?? null) : null,
    decided: r.decided,
  };
}

/** What every scoring viewer of the panel and the console shares: computed once per event (issue 15),
 *  not per viewer; only the flags' `mine`/`myVote` and the tie's `myVote` are per viewer. */
function shared(t: SessionState) {
  return whileUnchanged(t, 'scoring.common', (s) => {
    const done = allSubmitted(s);
    const sc = scoringOf(s);
    return {
      done,
      flags: done ? roomFlags(s).map((f) => sharedFlag(s, f)) : [],
      progress: progress(s).map((p) => extend(p, { label: supplierLabel(s, p.supplierId) })),
      pending: done ? (reviewPending(s) ?? tiePending(s)) : null,
      results: done ? resultsRows(s, true) : null,
      changes: sc.changes.map((c) => extend(c, { memberLabel: memberLabel(s, c.memberId), supplierLabel: supplierLabel(s, c.supplierId) })),
      revisions: done
        ? sc.revisions.map((r) => {
            // By the names people use (issue 17): the supplier's name and the factor's, not their ids.
            const leaf = findFactor(s.rubric, r.factorId);
            return extend(r, { memberLabel: memberLabel(s, r.memberId), supplierLabel: supplierLabel(s, r.supplierId), factorName: leaf ? { zh: leaf.name_zh, en: leaf.name_en ?? leaf.name_zh } : null });
          })
        : [],
      exportable: done && !roomEvaluation(s).pricePending && !!roomEvaluation(s).detail,
    };
  });
}

/** What the console and every member alike see of the scoring (the panel's progress, results …): once
 *  per event, so that every panel role's section is one object, encoded once. */
function panelCommon(t: SessionState) {
  return whileUnchanged(t, 'scoring.panelCommon', panelCommonOf);
}

function panelCommonOf(s: SessionState) {
  const sh = shared(s);
  const sc = scoringOf(s);
  return {
    stage: s.stage,
    allSubmitted: sh.done,
    progress: sh.progress,
    pending: sh.pending,
    results: sh.results,
    released: sc.released,
    locked: sc.locked,
    changes: sh.changes,
    revisions: sh.revisions,
    exportable: sh.exportable,
  };
}

function common(s: SessionState, viewer: Principal) {
  const sh = shared(s);
  return extend(panelCommon(s), { flags: flagsFor(s, viewer), tie: sh.done ? tieView(s, viewer) : null });
}

/** For each revealed supplier and scored factor, every active member's value with its member, in
 *  ascending order: sorted once, and again only when a revealed value or who is revealed changed (the
 *  scoring slice read through its catch-all sub-key: a draft or an unrevealing submission leaves it);
 *  each member's `others` is this list without its own. */
function revealedValues(t: SessionState) {
  return whileUnchanged(t, 'scoring.revealed', (s) => readingSubKeys('scoring', [], () => revealedValuesOf(s)));
}

function revealedValuesOf(s: SessionState) {
  const sc = scoringOf(s);
  const members = activeMembers(s).map((m) => m.id);
  const leaves = scoredLeaves(s.rubric);
  const out = new Map<string, Map<string, { member: string; points: string }[]>>();
  for (const sid of supplierIds(s)) {
    if (!supplierRevealed(s, sid)) continue;
    const byLeaf = new Map<string, { member: string; points: string }[]>();
    for (const leaf of leaves) {
      const list: { member: string; points: string; d: InstanceType<typeof D> }[] = [];
      for (const m of members) {
        const points = sc.entries[m]?.[sid]?.[leaf.id]?.points;
        if (typeof points === 'string') list.push({ member: m, points, d: new D(points) });
      }
      list.sort((a, b) => a.d.comparedTo(b.d));
      byLeaf.set(leaf.id, list.map(({ member, points }) => ({ member, points })));
    }
    out.set(sid, byLeaf);
  }
  return out;
}

type Sheet = { entries: Record<string, Entry>; submittedAt: number | null };
/** Each member's sheet per supplier and its view of the others' revealed values, as last built: the
 *  same (settled) object while what it shows is the same, so that a change of one sheet is diffed as
 *  that sheet, not as the member's whole scoring (server/realtime/view-diff.ts settledView; issue 15). */
const built = new WeakMap<SessionState, Map<string, { sheet: Sheet; src: Record<string, Entry> | undefined; n: number; at: number | null; refs: Entry[] } | { others: Record<string, string[]>; of: unknown }>>();

function sheetOf(memo: Map<string, any>, me: string, sid: string, src: Record<string, Entry> | undefined, at: number | null): Sheet {
  const k = `m\u0001${me}\u0001${sid}`;
  const hit = memo.get(k);
  // An entry is replaced, never changed in place (reducers.ts): the same entry objects, the same sheet.
  if (hit && hit.src === src && hit.at === at) {
    let same = true;
    let n = 0;
    for (const f in src) if (src[f] !== hit.refs[n++]) same = false;
    if (same && n === hit.n) return hit.sheet;
  }
  const refs: Entry[] = [];
  for (const f in src) refs.push(src[f]);
  const sheet = settledView({ entries: src ? settledView({ ...src }) : settledView({}), submittedAt: at });
  memo.set(k, { sheet, src, n: refs.length, at, refs });
  return sheet;
}

function othersOf(memo: Map<string, any>, me: string, sid: string, revealed: Map<string, { member: string; points: string }[]>): Record<string, string[]> {
  const k = `o\u0001${me}\u0001${sid}`;
  const hit = memo.get(k);
  if (hit && hit.of === revealed) return hit.others;
  // Revealed: everyone else's values, anonymous and sorted (no member id reaches the tablet).
  const others: Record<string, string[]> = {};
  for (const leaf of revealed.keys()) {
    const list = revealed.get(leaf)!;
    const values: string[] = [];
    for (const x of list) if (x.member !== me) values.push(x.points);
    others[leaf] = values;
  }
  memo.set(k, { others: settledView(others), of: revealed });
  return others;
}

function memberView(s: SessionState, viewer: Principal) {
  const sc = scoringOf(s);
  const me = viewer.personId;
  const raw = untracked(s);
  let memo = built.get(raw);
  if (!memo) built.set(raw, (memo = new Map()));
  const mine: Record<string, Sheet> = {};
  const others: Record<string, Record<string, string[]>> = {};
  // The revealed suppliers are exactly those revealedValues holds (computed once per reveal, not asked
  // of every active member again for each supplier in every member's view: issue 15).
  const rv = revealedValues(s);
  for (const sid of supplierIds(s)) {
    mine[sid] = sheetOf(memo, me, sid, sc.entries[me]?.[sid], sc.submitted[me]?.[sid]?.at ?? null);
    const revealed = rv.get(sid);
    if (revealed) others[sid] = othersOf(memo, me, sid, revealed);
  }
  const suppliers = activeSuppliers(s).map((sid) => ({ id: sid, label: supplierLabel(s, sid), submitted: isSubmitted(s, me, sid), revealed: rv.has(sid) }));
  // Only the member's own part: the panel's common part travels once to the whole panel (scoringView),
  // and the client shows the two as one `scoring` (shared/protocol/view-sync.ts mergeSection).
  return { flags: flagsFor(s, viewer), tie: shared(s).done ? tieView(s, viewer) : null, suppliers, mine, others };
}

/** The rubric's scored factors (about 50 KB of JSON with the seed rubric): one list while the rubric is
 *  the same, encoded once, not with every rebuild of a scoring view (issue 15). */
const scoringFactors = (t: SessionState) => whileUnchanged(t, 'scoring.factors', (s) => scoredLeaves(s.rubric));

const inScoring = (s: SessionState) => ['scoring', 'recheck', 'signing', 'archived'].includes(s.stage);

/** The scoring every viewer of a role sees alike (the rubric's factors; the panel's common part; the
 *  console's, observer's and wall's whole section). A member's own part is scoringOwnView's. */
export function scoringView(s: SessionState, viewer: Principal): Record<string, unknown> {
  if (!s.rubric) return {};
  const member = isPanel(viewer.role);
  if (!inScoring(s)) return member ? {} : { scoring: null };
  switch (viewer.role) {
    case 'expert':
    case 'purchaser_rep':
      return { scoring: panelCommon(s), scoringFactors: scoringFactors(s) };
    case 'moderator':
    case 'observer':
      return { scoring: common(s, viewer), scoringFactors: scoringFactors(s) };
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

/** A member's own scoring: its entries, the others' revealed values, its flags and tie vote (issue 15:
 *  apart from the panel's part, so that a submission changes one member's own part and the panel's
 *  progress once, not every member's whole section). */
export function scoringOwnView(s: SessionState, viewer: Principal): Record<string, unknown> {
  if (!s.rubric || !isPanel(viewer.role)) return {};
  if (!inScoring(s)) return { scoring: null };
  return { scoring: readingSubKeys('scoring', [OWN + viewer.personId], memberView.bind(null, s, viewer)) };
}

// A member's own part reads the scoring slice through sub-keys (server/realtime/state-keys.ts, issue 15):
// a draft or a submission that reveals no supplier changes the scoring member's own part only, so the
// other members' own parts are neither rebuilt nor diffed. Anything else (a submission completing a
// supplier's reveal, once everything is submitted: flags, ties, revisions) changes every member's.
const OWN = 'scoring/own:';
const EVERY_OWN = 'scoring/own:*';
subKeys('scoring', EVERY_OWN, (s, e) => {
  const p = e.payload as { memberId?: unknown; supplierId?: unknown } | null;
  if ((e.type === 'score:saved' || e.type === 'score:submitted') && typeof p?.memberId === 'string' && typeof p.supplierId === 'string' && !supplierRevealed(s, p.supplierId))
    return [OWN + p.memberId];
  return [EVERY_OWN];
}, (s, e) => {
  // A draft (score:saved) is the member's private working state until submitted (docs/anomaly.md "Blind
  // first round"): no view but the member's own shows it, so the panel's, the console's and the stage's
  // readers of the scoring keep their views (a draft is only accepted on a sheet not yet submitted).
  const p = e.payload as { memberId?: unknown; supplierId?: unknown } | null;
  return e.type === 'score:saved' && typeof p?.memberId === 'string' && typeof p.supplierId === 'string' && !isSubmitted(s, p.memberId, p.supplierId);
});
