import { CHECKLIST_LABEL } from '../../shared/domain/checklists';
import { isPanel } from '../../shared/protocol/roles';
import { DomainError, type Bilingual, type Concern, type Principal, type SessionState } from '../session/types';
import { activeMembers } from '../participants/state';
import { activeSuppliers, minimumStatus, standing, supplierEvent } from '../suppliers/status';
import { signedInOrder } from '../signin/order';
import { signinOf } from '../signin/state';
import { conflict, invalid, notFound, requireStage } from '../signin/refuse';
import { latestForItem } from '../clarify/state';
import { concludeBlocker, tally } from './majority';
import { checklistOf, emptyReview, isPhase, reviewOf, type BelowMinimumDecision, type Conclusion, type Phase, voteOf } from './state';
import { labelIn } from '../../shared/labels/people';
import { eventOf, typedReducers } from '../session/events';

/** This concern's events (server/session/events.ts): what its handlers write, its reducers fold. */
type ReviewEvents = {
  'review:voted': { phase: Phase; supplierId: string; itemId: string; memberId: string; pass: boolean; reason: string; at: number };
  'review:concluded': Conclusion & { phase: Phase; supplierId: string };
  'review:continued_below_minimum': BelowMinimumDecision;
};
const ev = eventOf<ReviewEvents>();
import { whileUnchanged } from '../realtime/state-keys';
import { extend } from '../../shared/extend';

// Qualification and compliance review (资格审查、符合性审查, docs/rules.md §2.4-2.5) and the final review
// (终审, 000 §19.3 L295-296): per supplier and item each member votes pass or fail with a reason; the
// majority decides; a failed supplier is invalid and is told why (003 Ch3 §1.1 L578). After every
// elimination the minimum count is checked (docs/rules.md §2.24 Derived).

const PHASES: Phase[] = ['review', 'final_review'];
const WHAT: Record<Phase, Bilingual> = { review: { zh: '资格与符合性审查', en: 'qualification and compliance review' }, final_review: { zh: '终审', en: 'final review' } };

const supplierLabel = (s: SessionState, id: string) => s.people[id]?.org ?? s.people[id]?.name ?? id;

/** Suppliers that still have to be concluded in this phase. */
export function unconcluded(s: SessionState, phase: Phase): string[] {
  const done = reviewOf(s).concluded[phase];
  return activeSuppliers(s).filter((id) => !done[id]);
}

/** The decision to continue below the minimum that covers the current count, if one was recorded. */
function continuing(s: SessionState, phase: Phase) {
  const count = activeSuppliers(s).length;
  return reviewOf(s).belowMinimum.find((d) => d.phase === phase && d.count === count) ?? null;
}

function leaveGuard(phase: Phase) {
  return (s: SessionState): Bilingual | null => {
    const left = unconcluded(s, phase);
    if (left.length)
      return { zh: `还有 ${left.length} 家供应商的${WHAT[phase].zh}尚未完成`, en: `${left.length} supplier(s) still to be concluded in the ${WHAT[phase].en}` };
    const m = minimumStatus(s, 'afterReview');
    if (!m.ok && !continuing(s, phase))
      return { zh: `${m.reason!.zh}：请按例外情形继续（说明理由）或终止采购`, en: `${m.reason!.en}: continue under an exception (with a justification) or terminate` };
    return null;
  };
}

function phaseNow(s: SessionState): Phase {
  if (isPhase(s.stage)) return s.stage;
  return Object.keys(reviewOf(s).concluded.final_review).length > 0 ? 'final_review' : 'review';
}

/** Who may vote on a supplier now, and in which phase: a sitting, signed-in member on an active, unconcluded supplier. */
function votable(state: SessionState, actor: Principal, supplierId: string): Phase {
  requireStage(state, PHASES, { zh: '进行审查表决', en: 'vote on a review item' });
  const phase = state.stage as Phase;
  const me = state.people[actor.personId];
  if (!me.active) throw conflict({ zh: '您已被更换，不再参加评审', en: 'you have been replaced and no longer sit on the panel' });
  if (!signinOf(state).members[actor.personId]) throw conflict({ zh: '请先签到并确认评审纪律', en: 'sign in and acknowledge the discipline first' });
  if (!state.people[supplierId] || state.people[supplierId].role !== 'supplier') throw notFound({ zh: `没有编号为 ${supplierId} 的供应商`, en: `no supplier ${supplierId}` }, 'supplierId');
  if (standing(state, supplierId).status !== 'active') throw conflict({ zh: `${supplierLabel(state, supplierId)} 已不在评审中`, en: `${supplierId} is no longer in the evaluation` }, 'supplierId');
  if (reviewOf(state).concluded[phase][supplierId]) throw conflict({ zh: `${supplierLabel(state, supplierId)} 的${WHAT[phase].zh}已结束，不能再表决`, en: `the ${WHAT[phase].en} of ${supplierId} is concluded` });
  return phase;
}

export const reviewConcern: Concern = {
  name: 'review',
  init: (s) => {
    s.review = emptyReview();
  },
  leave: { review: leaveGuard('review'), final_review: leaveGuard('final_review') },
  handlers: {
    'review:vote': ({ state, actor, now }, p: { supplierId: string; itemId: string; pass: boolean; reason: string }) => {
      const phase = votable(state, actor, p.supplierId);
      const item = checklistOf(state, phase).find((i) => i.id === p.itemId);
      if (!item) throw notFound({ zh: `${WHAT[phase].zh}中没有审查项 ${p.itemId}`, en: `no item ${p.itemId} in the ${WHAT[phase].en}` }, 'itemId');
      const reason = p.reason.trim();
      // A failure must say why: it is what the supplier is told (003 Ch3 §1.1 L578).
      if (!p.pass && reason.length < 2) throw invalid({ zh: '判定不通过时须填写理由', en: 'a fail vote needs a reason' }, 'reason');
      const prev = reviewOf(state).votes[phase][p.supplierId]?.[p.itemId]?.[actor.personId];
      if (prev && prev.pass === p.pass && prev.reason === reason) return { events: [], data: { unchanged: true } };
      return { events: [ev('review:voted', { phase, supplierId: p.supplierId, itemId: p.itemId, memberId: actor.personId, pass: p.pass, reason, at: now })] };
    },
    // 「本家全部符合」(issue 17): one tap passes every item of this supplier the member has not voted on
    // yet. It is a batch of ordinary votes: one `review:voted` per item in the log, each still changeable
    // with `review:vote` until the supplier is concluded. Items already voted keep the member's vote (a
    // fail stays a fail), and items under clarification are left for the answer (docs/consultation.md).
    'review:pass_all': ({ state, actor, now }, p: { supplierId: string }) => {
      const phase = votable(state, actor, p.supplierId);
      const mine = reviewOf(state).votes[phase][p.supplierId] ?? {};
      const passed: string[] = [];
      const kept: string[] = [];
      const clarifying: string[] = [];
      for (const it of checklistOf(state, phase)) {
        if (mine[it.id]?.[actor.personId]) kept.push(it.id);
        else if (tally(state, phase, p.supplierId, it.id).result === 'clarifying') clarifying.push(it.id);
        else passed.push(it.id);
      }
      if (!passed.length)
        throw conflict({ zh: `${supplierLabel(state, p.supplierId)} 的审查项您均已表决或正在澄清，无可批量判定的项目`, en: `you have voted on (or are clarifying) every item of ${p.supplierId}; nothing left to pass` });
      return {
        events: passed.map((itemId) => ev('review:voted', { phase, supplierId: p.supplierId, itemId, memberId: actor.personId, pass: true, reason: '', at: now })),
        data: { passed, kept, clarifying },
      };
    },
    'review:conclude': ({ state, actor, now }, p: { supplierId: string }) => {
      requireStage(state, PHASES, { zh: '结束对供应商的审查', en: "conclude a supplier's review" });
      const phase = state.stage as Phase;
      if (actor.role !== 'moderator') {
        const me = state.people[actor.personId];
        if (!me.leader || !me.active) throw new DomainError('forbidden', { zh: '只有主持人或评审小组组长可以结束审查', en: 'only the moderator or the panel leader may conclude a review' });
      }
      if (!state.people[p.supplierId] || state.people[p.supplierId].role !== 'supplier') throw notFound({ zh: `没有编号为 ${p.supplierId} 的供应商`, en: `no supplier ${p.supplierId}` }, 'supplierId');
      if (standing(state, p.supplierId).status !== 'active') throw conflict({ zh: `${supplierLabel(state, p.supplierId)} 已不在评审中`, en: `${p.supplierId} is no longer in the evaluation` }, 'supplierId');
      if (reviewOf(state).concluded[phase][p.supplierId]) throw conflict({ zh: '该供应商的审查已经结束', en: 'this review is already concluded' });
      const why = concludeBlocker(state, phase, p.supplierId);
      if (why) throw conflict(why);
      const failed: Conclusion['failed'] = [];
      for (const it of checklistOf(state, phase)) {
        const t = tally(state, phase, p.supplierId, it.id);
        if (t.result !== 'fail') continue;
        const votes = reviewOf(state).votes[phase][p.supplierId]?.[it.id] ?? {};
        const reasons = t.forced ? [t.forced.zh] : [...new Set(Object.values(votes).filter((v) => !v.pass).map((v) => v.reason))];
        failed.push({ itemId: it.id, kind: it.kind, text: it.text_zh, reasons });
      }
      const result = failed.length ? 'fail' : 'pass';
      const events: { type: string; payload: unknown }[] = [ev('review:concluded', { phase, supplierId: p.supplierId, result, failed, at: now, by: actor.personId })];
      if (failed.length) {
        const zh = failed.map((f) => `${CHECKLIST_LABEL[f.kind].zh}「${f.text}」未通过：${f.reasons.join('；')}`).join('；');
        const en = failed.map((f) => `${CHECKLIST_LABEL[f.kind].en} item ${f.itemId} (${f.text}) failed: ${f.reasons.join('; ')}`).join('; ');
        events.push(supplierEvent('supplier:invalidated', { supplierId: p.supplierId, ground: 'review_failed', reason: { zh, en } }));
      }
      return { events, data: { result, failed } };
    },
    'review:continue_below_minimum': ({ state, actor, now }, p: { exception: string; justification: string }) => {
      requireStage(state, PHASES, { zh: '按例外情形继续', en: 'continue under an exception' });
      const phase = state.stage as Phase;
      const m = minimumStatus(state, 'afterReview');
      if (m.ok) throw conflict({ zh: '有效供应商数量满足要求，无须按例外情形继续', en: 'the minimum is met; no exception is needed' });
      const opt = m.options.find((o) => o.action === 'continue_under_exception' && o.exception === p.exception);
      if (!opt) throw invalid({ zh: '本项目在当前情形下不适用该例外', en: 'this exception does not apply here' }, 'exception');
      return {
        events: [
          ev('review:continued_below_minimum', { phase, count: activeSuppliers(state).length, exception: p.exception, justification: p.justification.trim(), declared: opt.declared, at: now, by: actor.personId }),
        ],
      };
    },
  },
  reducers: typedReducers<ReviewEvents>({
    'review:voted': (s, e) => {
      const p = e.payload;
      const bySupplier = (reviewOf(s).votes[p.phase][p.supplierId] ??= {});
      const byItem = (bySupplier[p.itemId] ??= {});
      byItem[p.memberId] = voteOf(p.pass, p.reason);
    },
    'review:concluded': (s, e) => {
      const p = e.payload;
      reviewOf(s).concluded[p.phase][p.supplierId] = { result: p.result, failed: p.failed, at: p.at, by: p.by };
    },
    'review:continued_below_minimum': (s, e) => {
      reviewOf(s).belowMinimum.push(e.payload);
    },
  }),
  view: (s, viewer) => {
    if (!s.rubric) return {};
    if (viewer.role === 'screen') return {};
    if (viewer.role === 'supplier') return { review: supplierView(s, viewer) };
    // The panel, the console and the observer see the very same `review` (one object, one JSON string
    // and one digest for the four audiences: issue 15, memory per room); what only the staff see of it
    // is the small `reviewStaff` beside it, decided here.
    const review = whileUnchanged(s, 'review.panel', panelShared);
    if (viewer.role === 'moderator' || viewer.role === 'observer') return { review, reviewStaff: staffView(s, viewer, review.phase) };
    return { review };
  },
  // The one thing of the review a member sees that another member does not: whether it may conclude
  // (the panel leader, docs/rules.md §2.4). Apart from `review`, so a vote sends every member the
  // panel's change once, not a personal copy of the whole section (issue 15).
  ownView: (s, viewer) => {
    if (!s.rubric || !isPanel(viewer.role)) return {};
    const me = s.people[viewer.personId];
    return { reviewSeat: { canConclude: !!me?.leader && !!me?.active } };
  },
};

/** A supplier learns only its own conclusions, never a vote (docs/rules.md §2.25; 000 §21.1 L485). */
function supplierView(s: SessionState, viewer: Principal) {
  const out: Record<string, 'pass' | 'fail' | null> = {};
  for (const ph of PHASES) out[ph] = reviewOf(s).concluded[ph][viewer.personId]?.result ?? null;
  return { underReview: isPhase(s.stage), result: out };
}

/** What of the review only the staff see (the console and the observer): the minimum count after every
 *  elimination (docs/rules.md §2.24), the decisions to continue below it, how many suppliers are left;
 *  the moderator may always conclude (a member's own right is its `reviewSeat`). Kept apart from the
 *  panel's `review` so that the staff's audiences share the panel's section instead of a copy of it
 *  with these few fields added (issue 15). */
function staffView(s: SessionState, viewer: Principal, phase: Phase) {
  return extend(viewer.role === 'moderator' ? { canConclude: true } : {}, {
    minimum: minimumStatus(s, 'afterReview'),
    belowMinimum: reviewOf(s).belowMinimum,
    remaining: unconcluded(s, phase).length,
  });
}

/** The panel's review, the same for every viewer of the panel, the console and the observer: computed
 *  once per event (issue 15), whoever asks first. */
function panelShared(s: SessionState) {
  const phase = phaseNow(s);
  const items = checklistOf(s, phase);
  const members = activeMembers(s).map((m) => m.id);
  // Each member's label once, shared by its every vote (issue 15: memory per room; a room's review
  // holds some 180 votes per member, and a label made per vote was a string each).
  const labels = new Map(members.map((m) => [m, labelIn(s.people, s.order, m)]));
  const sl = reviewOf(s);
  const suppliers = signedInOrder(s).map((id) => {
    const votes = sl.votes[phase][id] ?? {};
    const perItem: Record<string, unknown> = {};
    for (const it of items) {
      const t = tally(s, phase, id, it.id);
      const c = latestForItem(s, id, phase, it.id);
      perItem[it.id] = extend(t, {
        votes: Object.entries(votes[it.id] ?? {})
          .filter(([m]) => members.includes(m))
          .map(([m, v]) => ({ memberId: m, label: labels.get(m)!.zh, labelEn: labels.get(m)!.en, pass: v.pass, reason: v.reason })),
        clarification: c ? { id: c.id, status: c.status } : null,
      });
    }
    return {
      id,
      label: supplierLabel(s, id),
      status: standing(s, id).status,
      concluded: sl.concluded[phase][id] ?? null,
      items: perItem,
      blocker: !sl.concluded[phase][id] && standing(s, id).status === 'active' ? concludeBlocker(s, phase, id) : null,
    };
  });
  return {
    phase,
    active: isPhase(s.stage),
    items: items.map((i) => ({ id: i.id, kind: i.kind, text: i.text_zh, detail: i.detail_zh ?? null, clarificationAllowed: i.clarificationAllowed })),
    suppliers,
    members: members.length,
  };
}
