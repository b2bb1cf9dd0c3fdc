import type { Bilingual, SessionState } from '../session/types';
import { standing, supplierIds } from '../suppliers/status';
import { applyDeductions, type DeductionCitations } from '../../shared/rules/deductions';
import { cite } from '../../shared/domain/rubric/citations';
import { priceScores, priceScoreExplanation } from '../../shared/rules/price-score';
import { dec, type Dec } from '../../shared/rules/decimal';
import { formatYuan, formatYuanExact } from '../../shared/rules/money/amount';
import { bindingQuote, quoteLabel, quotesOf, supplierLabel } from './state';
import { notAcceptedNotes } from '../review/policy';

// The reveal (报价揭示) after the window closes: per supplier, quote → correction → deduction →
// evaluated price → price score, each step in plain Chinese with the engine's own explanation texts
// (docs/views.md "Quote window"; docs/rules.md §2.12-2.17). No member's scores are involved.

export interface RevealRow {
  supplierId: string;
  label: string;
  status: 'active' | 'invalid' | 'withdrawn';
  ground: string | null;
  reason: Bilingual | null;
  quote: { amount: string; amountInWords: string; wordsDiffer: boolean; receipt: string } | null;
  correction: { steps: Bilingual[]; corrected: string; inWords: string; response: string | null } | null;
  /** `lines`: every policy, applied or not, then the formula; `applied`: only the deductions taken
   *  (for the wall, which has room for little). */
  deduction: { lines: Bilingual[]; applied: Bilingual[]; formula: Bilingual; evaluatedPrice: string; notAccepted: Bilingual[] } | null;
  priceScore: { score: string; explanation: Bilingual } | null;
  abnormalLow: { triggers: string[]; decision: 'pending' | 'accepted' | 'invalid' } | null;
}

export interface Reveal {
  label: Bilingual;
  rows: RevealRow[];
  /** True once every correction is answered and every abnormal-low review decided: the price
   *  scores are final. */
  final: boolean;
  basePrice: string | null;
}

/** The clauses of the session's own procurement document that set each deduction (issue 13 item 2);
 *  a policy the document gives no clause for is cited by its national rule. */
export function citationsFor(s: SessionState): DeductionCitations {
  const out: DeductionCitations = {};
  const keys = { small_micro: 'smallMicro', prison: 'prison', disabled_welfare: 'disabledWelfare', consortium_or_subcontract: 'consortiumOrSubcontract', domestic_product: 'domesticProduct' } as const;
  for (const [policy, key] of Object.entries(keys)) if (s.rubric.citations?.clauses?.[key]) out[policy as keyof typeof keys] = cite(s.rubric, key, s.project.method);
  return out;
}

/** The evaluated price of every supplier whose quote binds and who is still responsive. */
type Evaluated = { id: string; quote: Dec; evaluated: Dec; lines: Bilingual[]; applied: Bilingual[]; refused: Bilingual[] };

export function evaluatedPrices(s: SessionState): Evaluated[] {
  const q = quotesOf(s);
  const cites = citationsFor(s);
  const out: Evaluated[] = [];
  for (const id of supplierIds(s)) {
    const quote = bindingQuote(q.results[id]);
    if (!quote || standing(s, id).status !== 'active') continue;
    const d = applyDeductions(quote, q.submissions[id].sealed.policy, s.rubric.rules.deductions, s.settings, cites);
    // A status the response claimed but the panel did not accept (issue 14) is said first, with the
    // panel's reasons: it is why the deduction the supplier may expect is not there.
    const refused = notAcceptedNotes(s, id);
    out.push({ id, quote, evaluated: d.evaluatedPrice, lines: [...refused, ...d.explanation], applied: d.steps.map((x) => x.explanation), refused });
  }
  return out;
}

export function isFinal(s: SessionState): boolean {
  const q = quotesOf(s);
  return q.closedAt !== null && q.pricesSettledAt !== null && Object.values(q.reviews).every((r) => r.decision !== null);
}

export function reveal(s: SessionState): Reveal {
  const q = quotesOf(s);
  const label = quoteLabel(s);
  const final = isFinal(s);
  const evaluated = evaluatedPrices(s);
  const byId = new Map(evaluated.map((e) => [e.id, e]));
  let base: Dec | null = null;
  let scores: Record<string, Dec> = {};
  const weight = dec(s.rubric.rules.price.weight);
  const places = s.rubric.rules.rounding.places;
  if (final && evaluated.length > 0) {
    // The base is the lowest evaluated price among the responsive suppliers (docs/rules.md §2.17).
    const ps = priceScores(evaluated.map((e) => ({ id: e.id, price: e.evaluated })), weight, places);
    base = ps.base;
    scores = ps.scores;
  }
  const rows: RevealRow[] = [];
  // The suppliers still in the evaluation when the window closed; those out before took no part.
  for (const id of q.eligible) {
    const sub = q.submissions[id];
    const res = q.results[id];
    const st = standing(s, id);
    const e = byId.get(id);
    const review = q.reviews[id];
    rows.push({
      supplierId: id,
      label: supplierLabel(s, id),
      status: st.status,
      ground: st.ground,
      reason: st.status === 'active' ? null : st.reason,
      // In a tender the price read is the 开标一览表's total (docs/tender.md "Bid prices"), not the bid's body.
      quote: res && sub ? { amount: formatYuanExact(dec(sub.sealed.sheet.summaryTotal ?? sub.sealed.sheet.amount)), amountInWords: sub.sealed.sheet.amountInWords ?? '', wordsDiffer: sub.wordsDiffer, receipt: sub.receipt } : null,
      correction: res
        ? {
            steps: res.correction.steps.length
              ? res.correction.steps.map((x) => x.detail)
              : [{ zh: `${label.zh}前后一致，无需算术修正。`, en: `The ${label.en.toLowerCase()} is consistent; no arithmetic correction.` }],
            corrected: formatYuanExact(dec(res.correction.corrected)),
            inWords: res.correction.inWords,
            response: res.response,
          }
        : null,
      deduction: e ? { lines: e.lines, applied: e.applied, formula: e.lines[e.lines.length - 1], evaluatedPrice: formatYuan(e.evaluated), notAccepted: e.refused } : null,
      priceScore: e && scores[id] && base ? { score: scores[id].toFixed(places), explanation: priceScoreExplanation(base, e.evaluated, weight, scores[id], places) } : null,
      abnormalLow: review
        ? { triggers: review.hits.map((h) => h.trigger), decision: review.decision ? review.decision.outcome : 'pending' }
        : null,
    });
  }
  return { label, rows, final, basePrice: base ? formatYuan(base) : null };
}

