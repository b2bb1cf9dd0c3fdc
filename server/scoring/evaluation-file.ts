import type { SessionState } from '../session/types';
import type { Rubric } from '../../shared/domain/rubric/types';
import type { QuoteSheet, PolicyDeclaration, ProjectSettings } from '../../shared/rules/types';
import { scoredLeaves } from '../../shared/domain/rubric/index';
import { evaluateDetailed, type EvaluationDetail, type EvaluationInput } from '../../shared/rules/evaluate';
import { D } from '../../shared/rules/decimal';
import { activeMembers } from '../participants/state';
import { standing, supplierIds } from '../suppliers/status';
import { quoteInputs } from '../quotes/inputs';
import { allSubmitted, scoringOf } from './state';
import { labelIn } from '../../shared/labels/people';
import { extend } from '../../shared/extend';

// The session as an evaluation file (docs/evaluate.md), built in ONE place so that
// the room's numbers and `npm run evaluate` on the export can never disagree: every number the room
// shows comes from `evaluateDetailed` run on exactly this object.

export interface EvaluationFile {
  rubric: Rubric;
  settings: ProjectSettings;
  members: { id: string; role: 'expert' | 'purchaser_rep' }[];
  suppliers: {
    id: string;
    name: string | null;
    status: 'responsive' | 'invalid' | 'withdrawn';
    invalidReason: string | null;
    finalQuote: string | null;
    quoteSheet: QuoteSheet | null;
    policy: PolicyDeclaration;
  }[];
  /** member → supplier → leaf factor → points (decimal string) or {count, gate}; null until every
   *  active member has submitted every active supplier (the engine needs every value). */
  scores: Record<string, Record<string, Record<string, string | { count: number; gate?: boolean }>>> | null;
  /** The panel's recorded order for the `panel_vote` ranking key (evaluate.ts extension), or null. */
  panelVoteOrder: string[] | null;
}

function fileSettings(s: SessionState): ProjectSettings {
  // Only the evaluation file's switches: the session's other settings (governmentServices…) are
  // already folded into `exceptions` at creation (server/session/create.ts).
  const st = s.settings as ProjectSettings;
  const out: ProjectSettings = {};
  if (st.maxPrice !== undefined && st.maxPrice !== null) out.maxPrice = st.maxPrice;
  if (st.budget !== undefined && st.budget !== null) out.budget = st.budget;
  out.reservedForSme = st.reservedForSme ?? false;
  out.consortiumOrSubcontractingAllowed = st.consortiumOrSubcontractingAllowed ?? false;
  out.goods = st.goods ?? false;
  out.exceptions = st.exceptions ?? [];
  out.anomalyPreset = st.anomalyPreset ?? 'standard';
  return out;
}

/** The evaluation file of the session, now. */
export function evaluationFile(s: SessionState): EvaluationFile {
  const quotes = new Map(quoteInputs(s).map((q) => [q.supplierId, q]));
  const members = activeMembers(s).map((m) => ({ id: m.id, role: m.role as 'expert' | 'purchaser_rep' }));
  const suppliers = supplierIds(s).map((id) => {
    const st = standing(s, id);
    const q = quotes.get(id);
    const p = s.people[id];
    return {
      id,
      name: p.org ?? p.name,
      status: st.status === 'active' ? ('responsive' as const) : st.status,
      invalidReason: st.status === 'invalid' ? st.ground : null,
      finalQuote: q?.quoteSheet ? null : (q?.finalQuote ?? null),
      quoteSheet: q?.quoteSheet ?? null,
      policy: q?.policy ?? {},
    };
  });
  let scores: EvaluationFile['scores'] = null;
  if (allSubmitted(s)) {
    const sc = scoringOf(s);
    const leaves = scoredLeaves(s.rubric);
    scores = {};
    for (const m of members) {
      scores[m.id] = {};
      for (const sup of suppliers) {
        if (sup.status !== 'responsive') continue;
        const row: Record<string, string | { count: number; gate?: boolean }> = {};
        for (const leaf of leaves) {
          const e = sc.entries[m.id]?.[sup.id]?.[leaf.id];
          if (!e) continue;
          // A count for per_unit/tiers stays a count (docs/evaluate.md "scores"); every other entry
          // is written as the points it validated to.
          row[leaf.id] = typeof e.value === 'object' && 'count' in e.value ? { ...e.value } : e.points;
        }
        scores[m.id][sup.id] = row;
      }
    }
  }
  const vote = scoringOf(s).ranking.decided;
  return { rubric: s.rubric, settings: fileSettings(s), members, suppliers, scores, panelVoteOrder: vote ? [...vote] : null };
}

export interface RoomEvaluation {
  file: EvaluationFile;
  /** The engine's result, or null when it cannot run (quotes missing for some suppliers only). */
  detail: EvaluationDetail | null;
  /** True when no supplier has a final quote yet: the price part is absent and every price field is
   *  hidden (see pricePendingDetail). The export is refused then. */
  pricePending: boolean;
  error: string | null;
}

const cache = new WeakMap<SessionState, { seq: number; key: string; rubric: Rubric; value: RoomEvaluation }>();

/** The inputs of an evaluation besides the rubric, as one string: two states with the same evaluation
 *  file give the same results, so votes, reasons and presence (which do not change the file) do not
 *  re-run the engine. The rubric (the biggest part, replaced whole by setup:rubric_replaced, never
 *  changed in place) is compared by identity instead of being stringified on every event (issue 15). */
const fileKey = (f: EvaluationFile): string => JSON.stringify(extend(f, { rubric: null }));

/** evaluateDetailed on evaluationFile(s), memoised per session state: recomputed only when the
 *  evaluation file itself changed (views are built per viewer after every event). */
export function roomEvaluation(s: SessionState): RoomEvaluation {
  const hit = cache.get(s);
  if (hit && hit.seq === s.seq) return hit.value;
  const file = evaluationFile(s);
  const key = fileKey(file);
  if (hit && hit.key === key && hit.rubric === s.rubric) {
    hit.seq = s.seq;
    return hit.value;
  }
  const value = computeRoomEvaluation(s, file);
  cache.set(s, { seq: s.seq, key, rubric: s.rubric, value });
  return value;
}

function computeRoomEvaluation(s: SessionState, file: EvaluationFile): RoomEvaluation {
  const responsive = file.suppliers.filter((x) => x.status === 'responsive');
  const priced = responsive.filter((x) => x.finalQuote !== null || x.quoteSheet !== null);
  const input = (f: EvaluationFile): EvaluationInput => ({
    settings: f.settings,
    members: f.members,
    suppliers: f.suppliers,
    scores: f.scores,
    panelVoteOrder: f.panelVoteOrder,
  });
  if (responsive.length > 0 && priced.length === 0) {
    // No final quote exists yet (the quote stage has not produced any): the score side is still
    // evaluated, with the same nominal quote for every supplier. The same price score for all shifts
    // every total by the same amount, so ranks, ties and the anomaly rules (R1–R7) are unchanged;
    // every price field is hidden and the final score is shown without the price part.
    const nominal: EvaluationFile = extend(file, { suppliers: file.suppliers.map((x) => (x.status === 'responsive' ? extend(x, { finalQuote: '1.00', quoteSheet: null, policy: {} }) : x)) });
    try {
      return { file, detail: evaluateDetailed(input(nominal), s.rubric), pricePending: true, error: null };
    } catch (e) {
      return { file, detail: null, pricePending: true, error: e instanceof Error ? e.message : String(e) };
    }
  }
  try {
    return { file, detail: evaluateDetailed(input(file), s.rubric), pricePending: false, error: null };
  } catch (e) {
    return { file, detail: null, pricePending: false, error: e instanceof Error ? e.message : String(e) };
  }
}

/** The price weight, for showing a price-pending score without its (nominal) price part. */
export const priceWeight = (s: SessionState) => new D(s.rubric.rules.price.weight);

/**
 * The flags' messages as people read them in the room: members named "专家 n" (their ordinal), never by
 * name or id (docs/rules.md §1.8: members are anonymous to each other and to the wall). The anomaly
 * rules run once more on the room evaluation's own inputs with the members' labels (issue 15: not the
 * whole engine a second time), and their messages are matched back by rule, member, supplier, factor.
 * Only the messages are taken from this run: every number stays the one from roomEvaluation.
 */
const labelCache = new WeakMap<SessionState, { value: Map<string, { zh: string; en: string }>; of: RoomEvaluation }>();
export function labelledFlagMessages(s: SessionState): Map<string, { zh: string; en: string }> {
  const hit = labelCache.get(s);
  // Recomputed only when the room's evaluation was (same file → same flags → same messages).
  if (hit && hit.of === roomEvaluation(s)) return hit.value;
  const value = new Map<string, { zh: string; en: string }>();
  const ev = roomEvaluation(s);
  if (ev.detail) {
    const labels = Object.fromEntries(ev.file.members.map((m) => [m.id, labelIn(s.people, s.order, m.id, { zh: '?', en: '?' }).zh]));
    for (const f of ev.detail.labelledFlags(labels)) value.set(`${f.rule}|${f.member ?? ''}|${f.supplier ?? ''}|${f.factor ?? ''}`, f.message);
  }
  labelCache.set(s, { value, of: ev });
  return value;
}
