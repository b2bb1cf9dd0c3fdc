import { DomainError, type HandlerContext, type HandlerResult } from '../session/types';
import { standing, supplierEvent } from '../suppliers/status';
import { consequences } from './settle';
import { quotesOf, type ClosingResult, quotesEvent } from './state';
import { per } from '../../shared/domain/rubric/citations';

// The supplier's written confirmation of its corrected quote: "修正后的报价经供应商书面确认后产生约束力，
// 供应商不确认的，其响应无效" (003 Ch3 §3.2.6 L667; §5.6 L739; 004 §5.2.1(2) L1121).
export function respondToCorrection(
  { state, actor, now }: HandlerContext,
  p: { accept: boolean; reason?: string },
): HandlerResult {
  const q = quotesOf(state);
  const r = q.results[actor.personId];
  if (q.closedAt === null || !r)
    throw new DomainError('conflict', { zh: '没有需要您确认的报价修正', en: 'there is no correction for you to confirm' });
  if (standing(state, actor.personId).status !== 'active')
    throw new DomainError('conflict', { zh: '贵单位已不在本次评审中', en: 'your company is no longer in the evaluation' });
  if (r.response !== null)
    throw new DomainError('conflict', {
      zh: r.response === 'not_needed' ? '您的报价无需修正' : '您已答复过修正结果',
      en: r.response === 'not_needed' ? 'your quote needed no correction' : 'you have already answered the correction',
    });
  const answered: ClosingResult = { ...r, response: p.accept ? 'confirmed' : 'refused', respondedAt: now };
  const results = { ...q.results, [actor.personId]: answered };
  if (p.accept) {
    return {
      events: [
        quotesEvent('quotes:correction_confirmed', { supplierId: actor.personId, corrected: r.correction.corrected }),
        ...consequences(state, results, [actor.personId], new Set(), now),
      ],
      data: { response: 'confirmed', corrected: r.correction.corrected },
    };
  }
  const reason = p.reason?.trim() || null;
  return {
    events: [
      quotesEvent('quotes:correction_refused', { supplierId: actor.personId, reason }),
      supplierEvent('supplier:invalidated', {
        supplierId: actor.personId,
        ground: 'correction_refused',
        reason: { zh: `供应商不确认修正后的报价，响应无效${per(state.rubric, 'correctionConfirm', state.project.method).zh}。`, en: `The supplier did not confirm its corrected quote; the response is invalid${per(state.rubric, 'correctionConfirm', state.project.method).en}.` },
      }),
      ...consequences(state, results, [], new Set([actor.personId]), now),
    ],
    data: { response: 'refused' },
  };
}
