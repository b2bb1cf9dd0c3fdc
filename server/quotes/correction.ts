import { DomainError, type HandlerContext, type HandlerResult } from '../session/types';
import { standing, supplierEvent } from '../suppliers/status';
import { consequences } from './settle';
import { quotesOf, supplierLabel, type ClosingResult, quotesEvent } from './state';
import { isTender, openingOf } from './opening';
import { per } from '../../shared/domain/rubric/citations';
import { extend } from '../../shared/extend';

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
  const answered: ClosingResult = extend(r, { response: p.accept ? 'confirmed' : 'refused', respondedAt: now });
  const results = extend(q.results, { [actor.personId]: answered });
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

/**
 * The agency records the written confirmation (书面确认) of a corrected price by a tender's bidder whose
 * representative was marked absent at the opening (未到场) and so cannot confirm on its laptop: the
 * corrected price binds once the bidder confirms it in writing (004 §5.2.1(2) L1121; docs/tender.md
 * "Bid prices" 3). Only for such a bidder, only while its correction awaits an answer.
 */
export function confirmInWriting(
  { state, actor, now }: HandlerContext,
  p: { supplierId: string; signer: string; signedAt: string; note?: string },
): HandlerResult {
  const who = state.people[p.supplierId];
  if (!who || who.role !== 'supplier') throw new DomainError('not_found', { zh: '没有这家投标人', en: 'no such bidder' }, 'supplierId');
  const label = supplierLabel(state, p.supplierId);
  if (!isTender(state) || openingOf(state)[p.supplierId]?.answer !== 'absent')
    throw new DomainError(
      'conflict',
      {
        zh: `只有开标时标记为未到场的投标人，才由代理机构录入其书面确认；${label}请在本单位的设备上确认修正后的报价`,
        en: `Only a bidder marked absent at the opening has its written confirmation recorded by the agency; ${label} confirms the corrected price on its own device`,
      },
      'supplierId',
    );
  const q = quotesOf(state);
  const r = q.results[p.supplierId];
  if (q.closedAt === null || !r || r.response !== null)
    throw new DomainError(
      'conflict',
      r?.response === 'not_needed'
        ? { zh: `${label}的报价无需修正`, en: `${label}'s price needed no correction` }
        : r?.response
          ? { zh: `${label}已答复过修正结果`, en: `${label} has already answered the correction` }
          : { zh: `${label}没有待确认的报价修正`, en: `${label} has no correction awaiting confirmation` },
      'supplierId',
    );
  if (standing(state, p.supplierId).status !== 'active')
    throw new DomainError('conflict', { zh: `${label}已不在本次评标中`, en: `${label} is no longer in the evaluation` }, 'supplierId');
  const written = { signer: p.signer.trim(), signedAt: p.signedAt.trim(), note: p.note?.trim() || null, recordedBy: actor.personId };
  const results = extend(q.results, { [p.supplierId]: extend(r, { response: 'confirmed' as const, respondedAt: now }) });
  return {
    events: [
      quotesEvent('quotes:correction_confirmed_in_writing', { supplierId: p.supplierId, corrected: r.correction.corrected, ...written }),
      ...consequences(state, results, [p.supplierId], new Set(), now),
    ],
    data: { response: 'confirmed', corrected: r.correction.corrected },
  };
}
