import type { NewEvent } from '../store/types';
import type { SessionState } from '../session/types';
import { standing, supplierEvent } from '../suppliers/status';
import { correctQuote } from '../../shared/rules/quote-correction';
import { overBudget } from '../../shared/rules/budget';
import { abnormalLowTriggers, abnormalLowMessage } from '../../shared/rules/abnormal-low';
import { exactString } from '../../shared/rules/money/amount';
import { bindingQuote, explanationMinimum, limits, quotesOf, supplierLabel, type ClosingResult, type CorrectionRecord, type HitRecord, quotesEvent } from './state';
import { per } from '../../shared/domain/rubric/citations';

// What follows from closing the window and from each supplier's answer to its correction, in the
// order of the pipeline (docs/rules.md §2.12-2.14; docs/rubrics.md "The scoring pipeline"):
// correction → confirmation (003 Ch3 §3.2.6 L667) → over budget (003 Ch3 §5.4 L735) → once every
// quote binds, the abnormal-low triggers on the corrected quotes of the responsive suppliers
// (003 Ch3 §4.1 L707-715; docs/rules.md §5 decision 3), which open the reviews.

const ms = (minutes: number) => minutes * 60_000;

export function correctionRecord(s: SessionState, supplierId: string): CorrectionRecord {
  const sub = quotesOf(s).submissions[supplierId];
  const c = correctQuote(sub.sealed.sheet, s.rubric.rules.quoteCorrection);
  return {
    corrected: exactString(c.corrected),
    inWords: c.inWords,
    steps: c.steps.map((x) => ({ rule: x.rule, line: x.line ?? null, field: x.field, before: x.before, after: x.after, detail: x.detail })),
    needsConfirmation: c.needsConfirmation,
    sheet: c.sheet,
  };
}

/** The events closing appends: the corrections, the suppliers left without a valid quote, and
 *  whatever already follows for quotes that need no confirmation. */
export function closingEvents(s: SessionState, now: number): NewEvent[] {
  const q = quotesOf(s);
  const events: NewEvent[] = [];
  const results: Record<string, ClosingResult> = {};
  const gone = new Set<string>();
  const active = s.order.filter((id) => s.people[id].role === 'supplier' && standing(s, id).status === 'active');
  for (const id of active) {
    const sub = q.submissions[id];
    if (!sub) {
      // 003 Ch3 §5.3 L733: no final quote within the panel's time, the response is invalid.
      const late = q.late.some((l) => l.supplierId === id);
      events.push(supplierEvent('supplier:invalidated', {
        supplierId: id,
        ground: late ? 'late_quote' : 'no_final_quote',
        reason: late
          ? { zh: `未在规定时间内提交最后报价（逾期提交被拒收），响应无效${per(s.rubric, 'lateQuote', s.project.method).zh}。`, en: `No final quote within the set time (a late one was refused); the response is invalid${per(s.rubric, 'lateQuote', s.project.method).en}.` }
          : { zh: `未在规定时间内提交最后报价，响应无效${per(s.rubric, 'lateQuote', s.project.method).zh}。`, en: `No final quote within the set time; the response is invalid${per(s.rubric, 'lateQuote', s.project.method).en}.` },
      }));
      gone.add(id);
      continue;
    }
    const correction = correctionRecord(s, id);
    results[id] = { receipt: sub.receipt, correction, response: correction.needsConfirmation ? null : 'not_needed', respondedAt: null, refusalReason: null };
  }
  events.unshift(quotesEvent('quotes:window_closed', { eligible: active, results }));
  const binding = Object.keys(results).filter((id) => results[id].response === 'not_needed');
  events.push(...consequences(s, results, binding, gone, now));
  return events;
}

/**
 * After the answers in `results` (the state's, overlaid with this command's): the over-budget check
 * for the quotes that have just become binding, then, when no answer is outstanding, the
 * abnormal-low triggers and the reviews they open.
 */
export function consequences(
  s: SessionState,
  results: Record<string, ClosingResult>,
  newlyBinding: string[],
  gone: Set<string>,
  now: number,
): NewEvent[] {
  const events: NewEvent[] = [];
  const { budget, maxPrice } = limits(s);
  const isActive = (id: string) => !gone.has(id) && standing(s, id).status === 'active';
  for (const id of newlyBinding) {
    const quote = bindingQuote(results[id]);
    if (!quote || !isActive(id)) continue;
    const ob = overBudget(quote, budget, maxPrice);
    if (ob) {
      events.push(supplierEvent('supplier:invalidated', { supplierId: id, ground: 'over_budget', reason: ob.message }));
      gone.add(id);
    }
  }
  if (quotesOf(s).pricesSettledAt !== null) return events;
  const outstanding = Object.keys(results).some((id) => isActive(id) && results[id].response === null);
  if (outstanding) return events;

  const population = Object.keys(results)
    .filter(isActive)
    .map((id) => ({ id, quote: bindingQuote(results[id]) }))
    .filter((p): p is { id: string; quote: NonNullable<ReturnType<typeof bindingQuote>> } => p.quote !== null);
  const hits = abnormalLowTriggers(population, s.rubric.rules.abnormalLow, maxPrice);
  const hitRecords: Record<string, HitRecord[]> = {};
  for (const p of population) {
    hitRecords[p.id] = hits[p.id].map((h) => ({
      trigger: h.trigger.id,
      of: h.trigger.of,
      ratio: h.trigger.ratio,
      // Exact, unrounded: the comparison was exact and the report shows the same numbers.
      reference: h.reference.toFixed(),
      threshold: h.threshold.toFixed(),
      quote: exactString(h.quote),
    }));
  }
  events.push(quotesEvent('quotes:prices_settled', { population: population.map((p) => ({ supplierId: p.id, quote: exactString(p.quote) })), hits: hitRecords }));
  const minutes = explanationMinimum(s);
  for (const p of population) {
    if (hits[p.id].length === 0) continue;
    // 003 Ch3 §4.1 L707 "应当启动": a trigger opens the review; no one has to ask for it.
    events.push(quotesEvent('quotes:review_opened', {
      supplierId: p.id,
      openedBy: null,
      reason: abnormalLowMessage(supplierLabel(s, p.id), hits[p.id], minutes),
      hits: hitRecords[p.id],
      minimumMinutes: minutes,
      minutes,
      endsAt: now + ms(minutes),
    }));
  }
  return events;
}
