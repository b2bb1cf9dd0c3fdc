import { DomainError, type Bilingual, type HandlerContext, type HandlerResult, type SessionState } from '../session/types';
import { eventOf, typedReducers, type Cmd, type EventWith } from '../session/events';
import { standing, supplierIds } from '../suppliers/status';
import { determinedPolicy } from '../review/policy';
import { dryRun, readSheet, seal } from './sheet';
import { closingEvents, consequences } from './settle';
import { quotesOf, recordSubmission, supplierLabel, type OpeningRecord, type SealedQuote, type Submission } from './state';
import { per } from '../../shared/domain/rubric/citations';
import { extend } from '../../shared/extend';

// The opening record of a public tender (开标一览表; docs/tender.md "Bid prices"). A tender's price is
// the one sealed in the bid and read aloud at the opening (docs/rules.md §2.11 "A tender has no final
// quote"): nobody submits or replaces a price afterwards. The agency enters each bidder's 开标一览表 as it
// was read; the bidder's representative confirms it on its laptop, or, absent, is deemed to accept it
// (未到场视为认可). Closing the record then runs the document's corrections (开标一览表 over the bid's
// body, 大写 over 小写, unit price vs total; docs/rules.md §2.12), which the bidder confirms as in any
// correction (server/quotes/correction.ts).

type OpeningEvents = {
  'quotes:opening_recorded': Omit<Submission, 'version' | 'at' | 'seq' | 'missingItemsIncluded' | 'signature' | 'acknowledgedMismatch'> & {
    supplierId: string;
    enteredBy: string;
  };
  'quotes:opening_confirmed': { supplierId: string; version: number };
  'quotes:opening_disputed': { supplierId: string; version: number; reason: string };
  'quotes:opening_absent': { supplierId: string; version: number };
};
const ev = eventOf<OpeningEvents>();

export const isTender = (s: SessionState): boolean => s.project.method === 'public_tender';

export const openingOf = (s: SessionState): Record<string, OpeningRecord> => quotesOf(s).opening;

/** Why a consultation's quote window is refused in a tender: the price was read at the opening. */
export function noWindowInTender(s: SessionState): DomainError {
  const c = per(s.rubric, 'finalQuote', s.project.method);
  return new DomainError('conflict', {
    zh: `公开招标的投标报价以开标时唱标的开标一览表为准，由代理机构录入、投标人确认；开标后投标人不能提交或更换报价${c.zh}`,
    en: `In a public tender the bid price is the one read from the opening record at the opening, entered by the agency and confirmed by the bidder; a bidder cannot submit or replace a price after the opening${c.en}`,
  });
}

function inTenderPriceStage(s: SessionState): void {
  if (!isTender(s))
    throw new DomainError('conflict', { zh: '开标一览表只在公开招标中录入', en: 'an opening record exists only in a public tender' });
  if (s.stage !== 'final_quote')
    throw new DomainError('wrong_stage', { zh: '当前不是投标报价阶段', en: 'this is not the bid-price stage' });
  if (quotesOf(s).closedAt !== null)
    throw new DomainError('conflict', { zh: '开标一览表已经确认完毕，不能再更改', en: 'the opening record is closed and can no longer change' });
}

function activeBidder(s: SessionState, supplierId: string): void {
  const p = s.people[supplierId];
  if (!p || p.role !== 'supplier') throw new DomainError('not_found', { zh: '没有这家投标人', en: 'no such bidder' }, 'supplierId');
  if (standing(s, supplierId).status !== 'active')
    throw new DomainError('conflict', { zh: `${supplierLabel(s, supplierId)}已不在本次评标中`, en: `${supplierLabel(s, supplierId)} is no longer in the evaluation` }, 'supplierId');
}

/** The moderator enters (or, before the bidder's answer, corrects) a bidder's 开标一览表. */
export function recordOpening({ state, actor, now }: HandlerContext, p: Cmd<'quotes:opening_record'>): HandlerResult {
  inTenderPriceStage(state);
  activeBidder(state, p.supplierId);
  const prev = openingOf(state)[p.supplierId];
  if (prev && (prev.answer === 'confirmed' || prev.answer === 'absent'))
    throw new DomainError('conflict', {
      zh: `${supplierLabel(state, p.supplierId)}的开标一览表已${prev.answer === 'confirmed' ? '经投标人确认' : '按未到场视为认可'}，不能再更改`,
      en: `${supplierLabel(state, p.supplierId)}'s opening record is already ${prev.answer === 'confirmed' ? 'confirmed by the bidder' : 'deemed accepted (absent)'} and cannot change`,
    });
  const { sheet } = readSheet({ amount: p.amount, amountInWords: p.amountInWords, lines: p.lines });
  // The bid document's own total, where it differs from the 开标一览表: the correction step
  // 'summary_sheet_over_body' makes the 开标一览表 govern (docs/rules.md §2.12).
  const body = p.bodyAmount ? readSheet({ amount: p.bodyAmount, amountInWords: p.amountInWords, lines: [] }).sheet.amount : null;
  const sealedSheet: SealedQuote['sheet'] = extend(sheet, { amount: body ?? sheet.amount, summaryTotal: sheet.amount });
  const policy = determinedPolicy(state, p.supplierId);
  dryRun(state, sealedSheet, policy);
  const version = (prev?.version ?? 0) + 1;
  const { sealed, receipt } = seal(state, p.supplierId, version, now, sealedSheet, policy);
  return {
    events: [ev('quotes:opening_recorded', { supplierId: p.supplierId, enteredBy: actor.personId, sealed, receipt, wordsDiffer: false })],
    data: { version, receipt },
  };
}

/** The bidder's representative confirms its record, or says what differs from what was read. */
export function confirmOpening({ state, actor }: HandlerContext, p: Cmd<'quotes:opening_confirm'>): HandlerResult {
  if (!isTender(state)) throw new DomainError('conflict', { zh: '开标一览表只在公开招标中确认', en: 'an opening record exists only in a public tender' });
  if (state.stage !== 'final_quote') throw new DomainError('wrong_stage', { zh: '当前不是投标报价阶段', en: 'this is not the bid-price stage' });
  const r = openingOf(state)[actor.personId];
  if (!r) throw new DomainError('conflict', { zh: '代理机构尚未录入贵单位的开标一览表', en: 'the agency has not entered your opening record yet' });
  if (r.answer === 'confirmed' || r.answer === 'absent')
    throw new DomainError('conflict', { zh: '贵单位的开标一览表已确认', en: 'your opening record is already confirmed' });
  if (r.answer === 'disputed')
    throw new DomainError('conflict', { zh: '已提出异议，请等待代理机构核对后重新录入', en: 'you raised a difference; wait for the agency to check and enter it again' });
  if (p.accept) return { events: [ev('quotes:opening_confirmed', { supplierId: actor.personId, version: r.version })], data: { answer: 'confirmed' } };
  const reason = p.reason?.trim();
  if (!reason)
    throw new DomainError('validation', { zh: '请写明与唱标内容不一致之处', en: 'say what differs from what was read at the opening' }, 'reason');
  return { events: [ev('quotes:opening_disputed', { supplierId: actor.personId, version: r.version, reason })], data: { answer: 'disputed' } };
}

/** The moderator records that the bidder's representative is absent: deemed to accept (未到场视为认可). */
export function markAbsent({ state }: HandlerContext, p: Cmd<'quotes:opening_absent'>): HandlerResult {
  inTenderPriceStage(state);
  activeBidder(state, p.supplierId);
  const r = openingOf(state)[p.supplierId];
  if (!r) throw new DomainError('conflict', { zh: '请先录入该投标人的开标一览表', en: 'enter this bidder’s opening record first' }, 'supplierId');
  if (r.answer === 'confirmed' || r.answer === 'absent')
    throw new DomainError('conflict', { zh: '该投标人的开标一览表已确认', en: 'this bidder’s opening record is already confirmed' }, 'supplierId');
  return { events: [ev('quotes:opening_absent', { supplierId: p.supplierId, version: r.version })] };
}

/** Why the opening record cannot be closed yet: a bidder without a record, or not yet confirmed. */
export function openingBlocker(s: SessionState): Bilingual | null {
  const rec = openingOf(s);
  const active = supplierIds(s).filter((id) => standing(s, id).status === 'active');
  const missing = active.filter((id) => !rec[id]);
  if (missing.length)
    return { zh: `尚未录入开标一览表：${missing.map((id) => supplierLabel(s, id)).join('、')}`, en: `opening record not entered yet: ${missing.map((id) => supplierLabel(s, id)).join(', ')}` };
  const open = active.filter((id) => rec[id].answer !== 'confirmed' && rec[id].answer !== 'absent');
  if (open.length)
    return {
      zh: `开标一览表尚待投标人确认：${open.map((id) => supplierLabel(s, id)).join('、')}`,
      en: `opening record awaiting the bidder's confirmation: ${open.map((id) => supplierLabel(s, id)).join(', ')}`,
    };
  return null;
}

/** Closing the opening record: every bidder's confirmed, then the corrections (settle.ts). */
export function closeOpening(s: SessionState, now: number): HandlerResult {
  if (s.stage !== 'final_quote') throw new DomainError('wrong_stage', { zh: '当前不是投标报价阶段', en: 'this is not the bid-price stage' });
  const q = quotesOf(s);
  if (q.closedAt !== null) {
    // As closeWindow: closing again settles the prices if the last unanswered correction belonged to a
    // bidder another concern then removed.
    const closed = { closedAt: q.closedAt, alreadyClosed: true };
    if (q.pricesSettledAt !== null) return { events: [], data: closed };
    const events = consequences(s, q.results, [], new Set(), now);
    return { events: events.some((e) => e.type === 'quotes:prices_settled') ? events : [], data: closed };
  }
  const why = openingBlocker(s);
  if (why) throw new DomainError('conflict', why);
  return { events: closingEvents(s, now) };
}

export const openingReducers = typedReducers<OpeningEvents>({
  'quotes:opening_recorded': (s, e: EventWith<OpeningEvents['quotes:opening_recorded']>) => {
    const p = e.payload;
    // The record stands in for the sealed bid price: what closing corrects and the evaluation file
    // carries (server/quotes/inputs.ts), so a tender and a consultation share everything after it.
    recordSubmission(s, e, p, { acknowledgedMismatch: false, missingItemsIncluded: false, signature: null });
    openingOf(s)[p.supplierId] = { version: p.sealed.version, enteredAt: e.ts, enteredBy: p.enteredBy, answer: null, answeredAt: null, reason: null };
  },
  'quotes:opening_confirmed': (s, e) => {
    Object.assign(openingOf(s)[e.payload.supplierId], { answer: 'confirmed', answeredAt: e.ts, reason: null });
  },
  'quotes:opening_disputed': (s, e) => {
    Object.assign(openingOf(s)[e.payload.supplierId], { answer: 'disputed', answeredAt: e.ts, reason: e.payload.reason });
  },
  'quotes:opening_absent': (s, e) => {
    Object.assign(openingOf(s)[e.payload.supplierId], { answer: 'absent', answeredAt: e.ts, reason: null });
  },
});
