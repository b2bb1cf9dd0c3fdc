import type { Bilingual, Concern, SessionState } from '../session/types';
import { minimumStatus, standing } from '../suppliers/status';
import { closeWindow, extendWindow, openWindow, submitQuote } from './window';
import { confirmInWriting, respondToCorrection } from './correction';
import { exemptReview, explain, openReview, setReviewTimer, vote } from './review';
import { emptyQuotes, quoteLabel, quotesOf, recordSubmission, supplierLabel, type ClosingResult, type Review, type Submission, quotesEvent, type QuotesEvents } from './state';
import { quotesView } from './view';
import { closingEvents } from './settle';
import type { Due } from '../session/scheduler';
import { typedReducers } from '../session/events';
import { closeOpening, confirmOpening, isTender, markAbsent, noWindowInTender, openingBlocker, openingReducers, recordOpening } from './opening';
import type { Handler } from '../session/types';
import { extend } from '../../shared/extend';

/** A consultation's window commands are refused in a tender: its price was read at the opening. */
const consultationOnly = (h: Handler): Handler => (ctx, p) => {
  if (isTender(ctx.state)) throw noWindowInTender(ctx.state);
  return h(ctx, p);
};

// The deadlines of this concern are timed events (server/session/scheduler.ts, issue 14): the final-
// quote window closes itself at its deadline (003 Ch3 §2.6 L641, "by the server's clock"), and the
// end of an abnormal-low explanation time without an explanation is recorded (003 Ch3 §4.2 L719).
function due(s: SessionState): Due[] {
  const q = quotesOf(s);
  const out: Due[] = [];
  const w = q.window;
  if (s.stage === 'final_quote' && w && q.closedAt === null) {
    const deadline = w.deadline;
    out.push({
      kind: 'quote-deadline',
      key: String(deadline),
      at: deadline,
      events: (st, now) => {
        const q2 = quotesOf(st);
        return st.stage === 'final_quote' && q2.window?.deadline === deadline && q2.closedAt === null ? closingEvents(st, now) : [];
      },
    });
  }
  for (const r of Object.values(q.reviews)) {
    if (r.decision || r.explanation || r.exemption || r.lapsed?.endsAt === r.endsAt) continue;
    const { supplierId, endsAt } = r;
    out.push({
      kind: 'explanation-time',
      key: `${supplierId}-${endsAt}`,
      at: endsAt,
      events: (st) => {
        const r2 = quotesOf(st).reviews[supplierId];
        return r2 && !r2.decision && !r2.explanation && !r2.exemption && r2.endsAt === endsAt
          ? [quotesEvent('quotes:explanation_time_ended', { supplierId, endsAt })]
          : [];
      },
    });
  }
  return out;
}

// The quotes concern: the final-quote window (最后报价 / 投标报价), correction and confirmation, the
// abnormal-low review, and the reveal. Its stage is `final_quote`; it may be left once the window is
// closed, every correction answered, every review decided and enough suppliers remain.

function leaveFinalQuote(s: SessionState): Bilingual | null {
  const q = quotesOf(s);
  const l = quoteLabel(s);
  if (isTender(s)) {
    const why = q.closedAt === null ? openingBlocker(s) ?? { zh: '开标一览表尚未确认完毕，请点击“确认开标一览表”', en: 'the opening record is not closed yet; press "close the opening record"' } : null;
    if (why) return why;
  } else if (!q.window) return { zh: `${l.zh}窗口尚未开启`, en: `the ${l.en.toLowerCase()} window has not been opened` };
  else if (q.closedAt === null) return { zh: `${l.zh}窗口尚未关闭`, en: `the ${l.en.toLowerCase()} window is not closed yet` };
  const pending = Object.entries(q.results).filter(([id, r]) => r.response === null && standing(s, id).status === 'active');
  if (pending.length)
    return {
      zh: `${pending.map(([id]) => supplierLabel(s, id)).join('、')}尚未确认修正后的报价`,
      en: `${pending.map(([id]) => supplierLabel(s, id)).join(', ')} ha${pending.length > 1 ? 've' : 's'} not answered the corrected quote`,
    };
  if (q.pricesSettledAt === null)
    return { zh: '异常低价条件尚未计算，请再次点击“关闭报价窗口”', en: 'the abnormal-low triggers are not computed yet; press "close the window" again' };
  const open = Object.values(q.reviews).filter((r) => r.decision === null);
  if (open.length)
    return {
      zh: `异常低价审查尚未作出结论：${open.map((r) => supplierLabel(s, r.supplierId)).join('、')}`,
      en: `abnormal-low review not decided yet: ${open.map((r) => supplierLabel(s, r.supplierId)).join(', ')}`,
    };
  const m = minimumStatus(s, 'finalQuote');
  if (!m.ok) return m.reason ?? { zh: '有效供应商不足', en: 'too few responsive suppliers' };
  return null;
}

export const quotesConcern: Concern = {
  name: 'quotes',
  init: (s) => {
    s.quotes = emptyQuotes();
  },
  leave: { final_quote: leaveFinalQuote },
  due,
  handlers: {
    'quotes:open': consultationOnly(openWindow),
    'quotes:extend': consultationOnly(extendWindow),
    'quotes:submit': consultationOnly(submitQuote),
    // In a tender 「关闭」 closes the opening record once every bidder's is confirmed (opening.ts).
    'quotes:close': (ctx, p) => (isTender(ctx.state) ? closeOpening(ctx.state, ctx.now) : closeWindow(ctx)),
    'quotes:opening_record': recordOpening,
    'quotes:opening_confirm': confirmOpening,
    'quotes:opening_absent': markAbsent,
    'quotes:correction_respond': respondToCorrection,
    'quotes:correction_written': confirmInWriting,
    'quotes:review_open': openReview,
    'quotes:review_timer': setReviewTimer,
    'quotes:explain': explain,
    'quotes:review_vote': vote,
    'quotes:review_exempt': exemptReview,
  },
  reducers: {
    ...openingReducers,
    ...typedReducers<QuotesEvents>({
    'quotes:window_opened': (s, e) => {
      const p = e.payload;
      quotesOf(s).window = { openedAt: e.ts, openedBy: p.openedBy, deadline: p.deadline, note: p.note, extensions: [] };
    },
    'quotes:deadline_extended': (s, e) => {
      const p = e.payload;
      const w = quotesOf(s).window!;
      w.extensions.push({ at: e.ts, from: p.from, to: p.to, reason: p.reason });
      w.deadline = p.to;
    },
    'quotes:submitted': (s, e) => {
      const p = e.payload;
      // The last accepted quote counts (docs/rules.md §2.11): it replaces the earlier one.
      recordSubmission(s, e, p, { acknowledgedMismatch: p.acknowledgedMismatch, missingItemsIncluded: p.missingItemsIncluded === true, signature: p.signature ?? null });
    },
    'quotes:late_refused': (s, e) => {
      const p = e.payload;
      quotesOf(s).late.push({ supplierId: p.supplierId, at: e.ts, seq: e.seq });
    },
    'quotes:window_closed': (s, e) => {
      const p = e.payload;
      const q = quotesOf(s);
      q.closedAt = e.ts;
      q.eligible = p.eligible;
      q.results = p.results;
    },
    'quotes:correction_confirmed': (s, e) => {
      const p = e.payload;
      const r = quotesOf(s).results[p.supplierId];
      r.response = 'confirmed';
      r.respondedAt = e.ts;
    },
    'quotes:correction_confirmed_in_writing': (s, e) => {
      const { supplierId, corrected: _c, ...written } = e.payload;
      const r = quotesOf(s).results[supplierId];
      r.response = 'confirmed';
      r.respondedAt = e.ts;
      r.written = extend(written, { at: e.ts });
    },
    'quotes:correction_refused': (s, e) => {
      const p = e.payload;
      const r = quotesOf(s).results[p.supplierId];
      r.response = 'refused';
      r.respondedAt = e.ts;
      r.refusalReason = p.reason;
    },
    'quotes:prices_settled': (s, e) => {
      quotesOf(s).pricesSettledAt = e.ts;
    },
    'quotes:review_opened': (s, e) => {
      const p = e.payload;
      quotesOf(s).reviews[p.supplierId] = {
        supplierId: p.supplierId,
        openedAt: e.ts,
        openedBy: p.openedBy,
        reason: p.reason,
        hits: p.hits,
        minimumMinutes: p.minimumMinutes,
        minutes: p.minutes,
        endsAt: p.endsAt,
        timerChanges: p.minutes !== p.minimumMinutes ? [{ at: e.ts, by: p.openedBy ?? '', minutes: p.minutes, reason: p.shortenReason ?? null }] : [],
        explanation: null,
        votes: {},
        decision: null,
      };
    },
    'quotes:review_timer_set': (s, e) => {
      const p = e.payload;
      const r = quotesOf(s).reviews[p.supplierId];
      r.minutes = p.minutes;
      r.endsAt = p.endsAt;
      r.timerChanges.push({ at: e.ts, by: p.by, minutes: p.minutes, reason: p.reason });
    },
    'quotes:review_exempted': (s, e) => {
      const p = e.payload;
      quotesOf(s).reviews[p.supplierId].exemption = { reason: p.reason, by: p.by, at: e.ts };
    },
    'quotes:explanation_submitted': (s, e) => {
      const p = e.payload;
      quotesOf(s).reviews[p.supplierId].explanation = { text: p.text, at: e.ts };
    },
    'quotes:explanation_time_ended': (s, e) => {
      const p = e.payload;
      quotesOf(s).reviews[p.supplierId].lapsed = { endsAt: p.endsAt, at: e.ts };
    },
    'quotes:review_voted': (s, e) => {
      const p = e.payload;
      quotesOf(s).reviews[p.supplierId].votes[e.actor!.personId] = { verdict: p.verdict, reason: p.reason, at: e.ts };
    },
    'quotes:review_decided': (s, e) => {
      const p = e.payload;
      quotesOf(s).reviews[p.supplierId].decision = { outcome: p.outcome, accept: p.accept, invalid: p.invalid, at: e.ts };
    },
    }),
  },
  view: quotesView,
};
