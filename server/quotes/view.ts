import type { Bilingual, Principal, SessionState } from '../session/types';
import { isPanel } from '../../shared/protocol/roles';
import { activeMembers } from '../participants/state';
import { standing, supplierIds } from '../suppliers/status';
import { dec } from '../../shared/rules/decimal';
import { formatYuan, formatYuanExact, pct } from '../../shared/rules/money/amount';
import { isFinal, reveal } from './reveal';
import { limits, quoteLabel, quotesOf, supplierLabel, type Review } from './state';
import { signatureRequired, submitBlocker } from './window';
import { isTender } from './opening';
import { wallMayName } from '../projector/in-room';
import { labelIn } from '../../shared/labels/people';
import { per } from '../../shared/domain/rubric/citations';
import { whileUnchanged } from '../realtime/state-keys';
import { extend } from '../../shared/extend';

// What each person receives of the quotes (docs/rules.md §1.8; docs/architecture.md "sealed final
// quotes reach nobody before the window closes"). Before closing, nobody but the submitting supplier
// receives anything of a quote: the others learn only who has submitted and when. After closing the
// panel, the moderator, the observer and the wall receive the reveal; a supplier only ever its own.

export function quotesView(s: SessionState, viewer: Principal): Record<string, unknown> {
  const q = quotesOf(s);
  if (!s.rubric) return {};
  const base = {
    label: quoteLabel(s),
    window: q.window
      ? { openedAt: q.window.openedAt, deadline: q.window.deadline, note: q.window.note, extensions: q.window.extensions, closedAt: q.closedAt }
      : null,
    explanationMinimum: s.rubric.rules.abnormalLow.explanationMinutes ?? 30,
    /** The quote is submitted only with the authorised representative's signature (issue 13 item 4). */
    signatureRequired: signatureRequired(s),
    // A tender's price is the opening record the agency enters (server/quotes/opening.ts), never a window.
    mode: isTender(s) ? 'opening' : 'window',
    closedAt: q.closedAt,
  };
  if (viewer.role === 'supplier')
    return { quotes: extend(base, { mine: extend(mine(s, viewer.personId), (isTender(s) ? { opening: openingEntry(s, viewer.personId) } : {})) }) };

  const active = new Set(supplierIds(s).filter((id) => standing(s, id).status === 'active'));
  const all = q.closedAt === null ? supplierIds(s).filter((id) => active.has(id) || q.submissions[id]) : q.eligible;
  // While a supplier sits in the room, the wall receives no other supplier's name or state, even in a
  // section it does not show then (issue 12 item 4, docs/projector.md; server/projector/in-room.ts).
  const roster = viewer.role === 'screen' ? all.filter((id) => wallMayName(s, id)) : all;
  // Who has submitted: names and times only, never an amount nor (before closing) a receipt.
  const submitted = roster.map((id) => ({
    supplierId: id,
    label: supplierLabel(s, id),
    submitted: !!q.submissions[id],
    at: q.submissions[id]?.at ?? null,
    version: q.submissions[id]?.version ?? 0,
    receipt: q.closedAt !== null ? q.submissions[id]?.receipt ?? null : null,
  }));
  const out: Record<string, unknown> = extend(base, { submitted });
  // The opening record was read in public: the room sees every bidder's figures and answers.
  if (isTender(s)) out.opening = roster.map((id) => ({ supplierId: id, label: supplierLabel(s, id), ...openingEntry(s, id) }));
  if (viewer.role !== 'screen') out.late = q.late.map((l) => ({ supplierId: l.supplierId, label: supplierLabel(s, l.supplierId), at: l.at }));
  if (q.closedAt !== null) {
    // Once for every viewer (issue 15: the section is a member's own, for its vote, but this part is not).
    out.reveal = whileUnchanged(s, 'quotes.reveal', reveal);
    out.pending = Object.entries(q.results)
      .filter(([id, r]) => r.response === null && standing(s, id).status === 'active')
      // A tender's bidder marked absent at the opening confirms in writing; the agency records it (correction.ts).
      .map(([id]) => ({ supplierId: id, label: supplierLabel(s, id), absent: isTender(s) && q.opening[id]?.answer === 'absent' }));
    out.pricesSettled = q.pricesSettledAt !== null;
    out.final = isFinal(s);
    if (viewer.role !== 'screen') out.reviews = Object.values(q.reviews).map((r) => reviewView(s, r, viewer));
    if (viewer.role !== 'screen') out.candidates = q.pricesSettledAt !== null ? reviewable(s) : [];
  }
  return { quotes: out };
}

/** A bidder's 开标一览表 as entered, and its answer (the supplier's own, or the room's list). */
function openingEntry(s: SessionState, id: string) {
  const q = quotesOf(s);
  const r = q.opening[id];
  const sub = q.submissions[id];
  if (!r || !sub) return { entered: false as const };
  const sh = sub.sealed.sheet;
  const summary = dec(sh.summaryTotal ?? sh.amount);
  return {
    entered: true as const,
    version: r.version,
    enteredAt: r.enteredAt,
    amount: sh.summaryTotal ?? sh.amount,
    amountText: formatYuanExact(summary),
    amountInWords: sh.amountInWords,
    bodyAmountText: sh.summaryTotal && sh.summaryTotal !== sh.amount ? formatYuanExact(dec(sh.amount)) : null,
    lines: sh.lines.map((l) => ({ item: l.item, unitPrice: l.unitPrice, quantity: l.quantity, total: l.total })),
    answer: r.answer,
    answeredAt: r.answeredAt,
    reason: r.reason,
  };
}

/** Suppliers the panel may still open a review for (4.1.4: any supplier, on its judgement). */
function reviewable(s: SessionState): { supplierId: string; label: string }[] {
  const q = quotesOf(s);
  return q.eligible
    .filter((id) => standing(s, id).status === 'active' && !q.reviews[id] && q.results[id])
    .map((id) => ({ supplierId: id, label: supplierLabel(s, id) }));
}

function reviewView(s: SessionState, r: Review, viewer: Principal) {
  const members = activeMembers(s);
  // Each member votes on its own reading: the others' votes show once the panel has decided.
  const open = r.decision === null;
  const votes = members.map((m) => {
    const v = r.votes[m.id];
    const visible = !open || m.id === viewer.personId;
    return { memberId: m.id, label: labelIn(s.people, s.order, m.id).zh, voted: !!v, verdict: visible && v ? v.verdict : null, reason: visible && v ? v.reason : null };
  });
  return {
    supplierId: r.supplierId,
    label: supplierLabel(s, r.supplierId),
    openedAt: r.openedAt,
    openedBy: r.openedBy,
    byTriggers: r.openedBy === null,
    reason: r.reason,
    hits: r.hits.map((h) => extend(h, { referenceText: formatYuan(dec(h.reference)), thresholdText: formatYuan(dec(h.threshold)) })),
    minimumMinutes: r.minimumMinutes,
    minutes: r.minutes,
    endsAt: r.endsAt,
    timerChanges: r.timerChanges,
    explanation: r.explanation,
    exemption: r.exemption ?? null,
    // 003 Ch3 §4.2 L719: only a review triggered by 4.1.3 alone, still undecided and not yet explained
    // on site, may rely on the explanation in the response (the same conditions exemptReview checks).
    exemptable: r.decision === null && !r.explanation && !r.exemption && r.hits.length > 0 && r.hits.every((h) => h.trigger === '4.1.3'),
    votes,
    myVote: isPanel(viewer.role) ? r.votes[viewer.personId] ?? null : null,
    decision: r.decision,
  };
}

/** The supplier's own: its sheet, receipt, correction and review. Never another supplier's figure:
 *  the review's reasons name only the condition (a mean or a second-lowest quote would disclose the
 *  others' prices, 003 §17.5 L500); the maximum price is public (003 L37). */
function mine(s: SessionState, id: string) {
  const q = quotesOf(s);
  const sub = q.submissions[id];
  const res = q.results[id];
  const review = q.reviews[id];
  const { maxPrice } = limits(s);
  return {
    blockedBy: submitBlocker(s, id),
    submission: sub
      ? { version: sub.version, at: sub.at, receipt: sub.receipt, sheet: sub.sealed.sheet, policy: sub.sealed.policy, wordsDiffer: sub.wordsDiffer, acknowledgedMismatch: sub.acknowledgedMismatch, missingItemsIncluded: sub.missingItemsIncluded === true }
      : null,
    late: q.late.filter((l) => l.supplierId === id).map((l) => ({ at: l.at })),
    closed: q.closedAt !== null,
    correction: res
      ? {
          original: formatYuanExact(dec(sub.sealed.sheet.amount)),
          originalWords: sub.sealed.sheet.amountInWords,
          corrected: formatYuanExact(dec(res.correction.corrected)),
          inWords: res.correction.inWords,
          steps: res.correction.steps.map((x) => x.detail),
          needsConfirmation: res.correction.needsConfirmation,
          response: res.response,
        }
      : null,
    review: review
      ? {
          openedAt: review.openedAt,
          minutes: review.minutes,
          endsAt: review.endsAt,
          reasons: review.hits.length ? review.hits.map((h) => supplierSafeHit(h.trigger, h.of, h.ratio, maxPrice)) : [{ zh: `评审小组基于专业判断，认为贵单位的报价可能过低${per(s.rubric, 'abnormalLowJudgement', s.project.method).zh}`, en: `On its professional judgement the panel considers your price may be too low${per(s.rubric, 'abnormalLowJudgement', s.project.method).en}` }],
          explanation: review.explanation,
          exemption: review.exemption ? { reason: review.exemption.reason, at: review.exemption.at } : null,
          decision: review.decision ? review.decision.outcome : null,
        }
      : null,
  };
}

const OF: Record<string, Bilingual> = {
  mean: { zh: '全部通过符合性审查供应商最后报价平均值', en: 'the mean final quote of the compliant suppliers' },
  second_lowest: { zh: '次低供应商最后报价', en: 'the second-lowest final quote' },
  max_price: { zh: '最高限价', en: 'the maximum price' },
};

function supplierSafeHit(trigger: string, of: string, ratio: string, maxPrice: ReturnType<typeof limits>['maxPrice']): Bilingual {
  const r = pct(dec(ratio));
  const public_ = of === 'max_price' && maxPrice ? `（${formatYuan(maxPrice)} 元 × ${r} = ${formatYuan(maxPrice.times(dec(ratio)))} 元）` : '';
  return {
    zh: `最后报价低于${OF[of].zh}的 ${r}${public_}（触发条件 ${trigger}）`,
    en: `The final quote is below ${r} of ${OF[of].en}${public_ ? ` (${formatYuan(maxPrice!)} × ${r} = ${formatYuan(maxPrice!.times(dec(ratio)))})` : ''} (trigger ${trigger})`,
  };
}
