import { DomainError, type HandlerContext, type HandlerResult, type SessionState } from '../session/types';
import { isPanel } from '../../shared/protocol/roles';
import { activeMembers } from '../participants/state';
import { standing, supplierEvent } from '../suppliers/status';
import { beijing } from './time';
import type { NewEvent } from '../store/types';
import { bindingQuote, explanationMinimum, quotesOf, supplierLabel, type Review, quotesEvent } from './state';
import { per } from '../../shared/domain/rubric/citations';
import { extend } from '../../shared/extend';

// The abnormal-low-price review (异常低价审查): 003 Ch3 §4 L705-725; docs/rules.md §2.14; docs/anomaly.md R8.
// The triggers open it at settlement (settle.ts); the panel may open it for any supplier on its
// professional judgement (4.1.4 L717). The supplier explains in writing within the time (4.2 L719,
// "一般不少于30分钟": shortening needs a recorded reason, docs/rules.md §5 decision 3); each member votes
// accept or invalid with a reason; the majority decides (4.3 L721).

const ms = (minutes: number) => minutes * 60_000;

function reviewOf(s: SessionState, supplierId: string): Review {
  const r = quotesOf(s).reviews[supplierId];
  if (!r) throw new DomainError('not_found', { zh: `供应商 ${supplierLabel(s, supplierId)} 没有异常低价审查`, en: `no abnormal-low review for supplier ${supplierId}` }, 'supplierId');
  return r;
}

function undecided(r: Review): void {
  if (r.decision) throw new DomainError('conflict', { zh: '该异常低价审查已作出结论', en: 'this review has already been decided' });
}

function shortening(s: SessionState, minutes: number, reason: string | undefined, field: string): string | null {
  const min = explanationMinimum(s);
  const why = reason?.trim() ?? '';
  if (minutes < min && why.length < 2)
    throw new DomainError(
      'validation',
      { zh: `说明时间少于 ${min} 分钟，须记录缩短的理由`, en: `an explanation time under ${min} minutes needs a recorded reason` },
      field,
    );
  return why || null;
}

export function openReview(
  { state, actor, now }: HandlerContext,
  p: { supplierId: string; reason: string; minutes?: number; shortenReason?: string },
): HandlerResult {
  const q = quotesOf(state);
  if (state.stage !== 'final_quote' || q.pricesSettledAt === null)
    throw new DomainError('wrong_stage', { zh: '全部报价修正确认完成后才能启动异常低价审查', en: 'the review can be opened once every corrected quote has been answered' });
  if (state.people[p.supplierId]?.role !== 'supplier') throw new DomainError('not_found', { zh: '没有该供应商', en: 'no such supplier' }, 'supplierId');
  if (standing(state, p.supplierId).status !== 'active' || bindingQuote(q.results[p.supplierId]) === null)
    throw new DomainError('conflict', { zh: '该供应商已不在评审中或没有有效报价', en: 'this supplier is no longer in the evaluation or has no binding quote' }, 'supplierId');
  if (q.reviews[p.supplierId]) throw new DomainError('conflict', { zh: '该供应商的异常低价审查已经启动', en: 'a review of this supplier is already open' }, 'supplierId');
  if (isPanel(actor.role) && !state.people[actor.personId].active) throw new DomainError('forbidden');
  const minimum = explanationMinimum(state);
  const minutes = p.minutes ?? minimum;
  const shortenReason = shortening(state, minutes, p.shortenReason, 'shortenReason');
  const label = supplierLabel(state, p.supplierId);
  return {
    events: [
      quotesEvent('quotes:review_opened', {
        supplierId: p.supplierId,
        openedBy: actor.personId,
        reason: {
          zh: `评审小组基于专业判断，认为供应商${label}的最后报价可能过低${per(state.rubric, 'abnormalLowJudgement', state.project.method).zh}：${p.reason.trim()}`,
          en: `On its professional judgement the panel considers supplier ${label}'s final quote may be too low${per(state.rubric, 'abnormalLowJudgement', state.project.method).en}: ${p.reason.trim()}`,
        },
        hits: [],
        minimumMinutes: minimum,
        minutes,
        endsAt: now + ms(minutes),
        shortenReason,
      }),
    ],
  };
}

export function setReviewTimer({ state, actor }: HandlerContext, p: { supplierId: string; minutes: number; reason?: string }): HandlerResult {
  const r = reviewOf(state, p.supplierId);
  undecided(r);
  if (r.explanation) throw new DomainError('conflict', { zh: '供应商已提交说明，不能再调整时间', en: 'the supplier has already explained; the time can no longer change' });
  const reason = shortening(state, p.minutes, p.reason, 'reason');
  return {
    events: [quotesEvent('quotes:review_timer_set', { supplierId: p.supplierId, minutes: p.minutes, endsAt: r.openedAt + ms(p.minutes), reason, by: actor.personId })],
  };
}

/**
 * 003 Ch3 §4.2 L719 (docs/rules.md §2.14): for trigger 4.1.3 alone, a supplier that already submitted the
 * explanation with its response need not resubmit it on site. The panel records that, with a reason,
 * and votes on the explanation in the response instead of waiting for the time. With any other trigger
 * too (docs/rules.md §5 decision 3) the on-site explanation is required.
 */
export function exemptReview({ state, actor }: HandlerContext, p: { supplierId: string; reason: string }): HandlerResult {
  const r = reviewOf(state, p.supplierId);
  undecided(r);
  if (r.explanation) throw new DomainError('conflict', { zh: '供应商已当场提交说明', en: 'the supplier has already explained on site' });
  if (r.exemption) throw new DomainError('conflict', { zh: '已记录免于当场说明', en: 'the exemption is already recorded' });
  if (r.hits.length === 0 || r.hits.some((h) => h.trigger !== '4.1.3'))
    throw new DomainError(
      'conflict',
      { zh: `只有仅触发 4.1.3（低于最高限价 45%）的审查，才可免于当场重新提交说明${per(state.rubric, 'abnormalLowExplain', state.project.method).zh}`, en: `only a review triggered by 4.1.3 alone (under 45% of the maximum price) may skip the on-site explanation${per(state.rubric, 'abnormalLowExplain', state.project.method).en}` },
      'supplierId',
    );
  if (isPanel(actor.role) && !state.people[actor.personId].active) throw new DomainError('forbidden');
  return { events: [quotesEvent('quotes:review_exempted', { supplierId: p.supplierId, reason: p.reason.trim(), by: actor.personId })] };
}

export function explain({ state, actor, now }: HandlerContext, p: { text: string }): HandlerResult {
  const r = quotesOf(state).reviews[actor.personId];
  if (!r) throw new DomainError('conflict', { zh: '没有要求贵单位作出说明', en: 'no explanation has been requested from you' });
  undecided(r);
  if (r.exemption) throw new DomainError('conflict', { zh: '评审小组已记录以响应文件中的说明为准，无需当场提交', en: 'the panel recorded that the explanation in your response stands; none is needed on site' });
  if (r.explanation) throw new DomainError('conflict', { zh: '说明已经提交', en: 'the explanation has already been submitted' });
  if (now >= r.endsAt)
    throw new DomainError('conflict', { zh: `说明时间已于 ${beijing(r.endsAt)} 截止`, en: `the time for the explanation ended at ${beijing(r.endsAt)}` });
  return { events: [quotesEvent('quotes:explanation_submitted', { supplierId: actor.personId, text: p.text.trim() })] };
}

export function vote(
  { state, actor, now }: HandlerContext,
  p: { supplierId: string; verdict: 'accept' | 'invalid'; reason: string },
): HandlerResult {
  const r = reviewOf(state, p.supplierId);
  undecided(r);
  const members = activeMembers(state).map((m) => m.id);
  if (!members.includes(actor.personId)) throw new DomainError('forbidden', { zh: '您不是本评审小组的在任成员', en: 'you are not a sitting member of the panel' });
  // The panel reads the answer first; with no answer by the end of the time, it decides without one.
  if (!r.explanation && !r.exemption && now < r.endsAt)
    throw new DomainError('conflict', { zh: `供应商尚未提交说明（时限至 ${beijing(r.endsAt)}）`, en: `the supplier has not explained yet (time ends ${beijing(r.endsAt)})` });
  const votes = extend(r.votes, { [actor.personId]: { verdict: p.verdict, reason: p.reason.trim(), at: now } });
  const events: NewEvent[] = [quotesEvent('quotes:review_voted', { supplierId: p.supplierId, verdict: p.verdict, reason: p.reason.trim() })];
  if (members.every((m) => votes[m])) {
    const accept = members.filter((m) => votes[m].verdict === 'accept').length;
    const invalid = members.length - accept;
    // Majority decides (003 Ch3 §4.3 L721). A tie is not a majority convinced that the price is
    // reasonable, and the burden of proof is the supplier's ("不能证明其报价合理性的…无效"): invalid.
    const outcome = accept > invalid ? 'accepted' : 'invalid';
    events.push(quotesEvent('quotes:review_decided', { supplierId: p.supplierId, outcome, accept, invalid }));
    if (outcome === 'invalid')
      events.push(supplierEvent('supplier:invalidated', {
        supplierId: p.supplierId,
        ground: 'abnormal_low',
        reason: {
          zh: `评审小组经异常低价审查（赞成接受 ${accept} 票、认定无效 ${invalid} 票），认为其书面说明不能证明报价合理性，响应无效${per(state.rubric, 'abnormalLowInvalid', state.project.method).zh}。`,
          en: `After the abnormal-low review (accept ${accept}, invalid ${invalid}) the panel found the explanation does not prove the price reasonable; the response is invalid${per(state.rubric, 'abnormalLowInvalid', state.project.method).en}.`,
        },
      }));
  }
  return { events };
}
