import { DomainError, type HandlerContext, type HandlerResult, type SessionState } from '../session/types';
import { standing } from '../suppliers/status';
import { unconfirmedVersion } from '../requirements/status';
import { beijing } from './time';
import { dryRun, readSheet, seal, type SheetInput } from './sheet';
import { closingEvents, consequences } from './settle';
import { quoteLabel, quotesOf } from './state';
import type { PolicyDeclaration } from '../../shared/rules/types';
import { MISSING_ITEMS_STATEMENT } from '../../shared/protocol/quotes';
import { determinedPolicy } from '../review/policy';
import { resubmissionPending } from '../requirements/resubmission';
import { NO_CHANGE_STATEMENT } from '../../shared/protocol/resubmission';
import { canonicalJson } from '../store/canonical';

// The window of the final quote (最后报价): opened by the moderator with the deadline the panel set
// (003 Ch3 §2.6 L641), quotes accepted until the deadline by the server's clock, a late one refused
// and recorded (003 Ch3 §5.3 L733), closed at the deadline by the server itself (a timed event,
// quotes/concern.ts `due`); the moderator's 「关闭」 after the deadline does the same if it comes first.

const MAX_WINDOW_MS = 24 * 3600_000;

function inStage(s: SessionState): void {
  if (s.stage !== 'final_quote') {
    const l = quoteLabel(s);
    throw new DomainError('wrong_stage', { zh: `当前不是${l.zh}阶段`, en: `this is not the ${l.en.toLowerCase()} stage` });
  }
}

function futureDeadline(now: number, deadline: number): void {
  if (deadline <= now)
    throw new DomainError('validation', { zh: `截止时间 ${beijing(deadline)} 已过，请选择将来的时间`, en: `the deadline ${beijing(deadline)} has passed; choose a later time` }, 'deadline');
  if (deadline - now > MAX_WINDOW_MS)
    throw new DomainError('validation', { zh: '截止时间不能晚于 24 小时之后', en: 'the deadline cannot be more than 24 hours away' }, 'deadline');
}

export function openWindow({ state, actor, now }: HandlerContext, p: { deadline: number; note?: string }): HandlerResult {
  inStage(state);
  if (quotesOf(state).window) throw new DomainError('conflict', { zh: '报价窗口已经开启过', en: 'the quote window has already been opened' });
  futureDeadline(now, p.deadline);
  return {
    events: [{ type: 'quotes:window_opened', payload: { deadline: p.deadline, note: p.note?.trim() || null, openedBy: actor.personId } }],
    data: { deadline: p.deadline },
  };
}

export function extendWindow({ state, now }: HandlerContext, p: { deadline: number; reason: string }): HandlerResult {
  inStage(state);
  const w = quotesOf(state).window;
  if (!w) throw new DomainError('conflict', { zh: '报价窗口尚未开启', en: 'the quote window is not open' });
  // Moving the deadline after it has passed would reopen the window to those who saw it close.
  if (quotesOf(state).closedAt !== null || now >= w.deadline)
    throw new DomainError('conflict', { zh: '截止时间已过，不能再延长', en: 'the deadline has passed; it can no longer be extended' });
  if (p.deadline <= w.deadline)
    throw new DomainError('validation', { zh: '新的截止时间必须晚于原截止时间', en: 'the new deadline must be later than the current one' }, 'deadline');
  futureDeadline(now, p.deadline);
  return { events: [{ type: 'quotes:deadline_extended', payload: { from: w.deadline, to: p.deadline, reason: p.reason.trim() } }], data: { deadline: p.deadline } };
}

/** Whether the quote must carry the authorised representative's signature: the consultation's final
 *  quote (最后报价). A public tender's bid prices come from the opening record, not from this command. */
export function signatureRequired(s: SessionState): boolean {
  return s.project.method !== 'public_tender';
}

/** Why this supplier cannot submit now (other than lateness), or null. */
export function submitBlocker(s: SessionState, supplierId: string): { zh: string; en: string } | null {
  const l = quoteLabel(s);
  if (s.stage !== 'final_quote' || !quotesOf(s).window) return { zh: `${l.zh}尚未开始`, en: `the ${l.en.toLowerCase()} window is not open` };
  const st = standing(s, supplierId);
  if (st.status !== 'active') return { zh: '贵单位已不在本次评审中，不能提交报价', en: 'your company is no longer in the evaluation and cannot submit' };
  const v = unconfirmedVersion(s, supplierId);
  // 003 Ch3 §5.1 L729: a supplier that has not confirmed a substantive change cannot go on to quote.
  if (v !== null)
    return { zh: `请先确认第 ${v} 版实质性变动，再提交${l.zh}`, en: `confirm version ${v} of the requirement changes before submitting your ${l.en.toLowerCase()}` };
  // 003 Ch3 §2.4 L631: after a change the supplier resubmits its response (or signs that nothing in it
  // changes) before its final quote counts (issue 14).
  const r = resubmissionPending(s, supplierId);
  if (r !== null)
    return {
      zh: `请先按第 ${r} 版实质性变动上传修改后的响应文件，或签署「${NO_CHANGE_STATEMENT.zh}」，再提交${l.zh}`,
      en: `upload the revised parts of your response for version ${r} of the changes, or sign "${NO_CHANGE_STATEMENT.en}", before submitting your ${l.en.toLowerCase()}`,
    };
  return null;
}

export function submitQuote(
  { state, actor, now }: HandlerContext,
  p: { sheet: SheetInput; policy?: Required<PolicyDeclaration>; acknowledgedMismatch: boolean; missingItemsIncluded?: boolean; signature?: { name: string; path: string } },
): HandlerResult {
  const q = quotesOf(state);
  const blocked = submitBlocker(state, actor.personId);
  if (blocked) throw new DomainError(q.window ? 'conflict' : 'wrong_stage', blocked);
  const w = q.window!;
  if (q.closedAt !== null || now >= w.deadline) {
    // Refused AND recorded (003 Ch3 §5.3 L733): the record holds who and when, never the amount.
    const l = quoteLabel(state);
    return {
      events: [{ type: 'quotes:late_refused', payload: { supplierId: actor.personId, deadline: w.deadline } }],
      refuse: new DomainError('conflict', {
        zh: `${l.zh}截止时间 ${beijing(w.deadline)} 已过，本次提交被拒收（已记录）`,
        en: `the deadline ${beijing(w.deadline)} has passed; this submission is refused (and recorded)`,
      }),
    };
  }
  // 003 Ch3 §3.1 L651: items missing from the itemised sheet are deemed included in the others and the
  // quote is not adjusted; a supplier itemising its quote states so explicitly, recorded with the quote.
  if ((p.sheet.lines?.length ?? 0) > 0 && p.missingItemsIncluded !== true)
    throw new DomainError(
      'validation',
      { zh: `请勾选声明：${MISSING_ITEMS_STATEMENT.zh}`, en: `tick the statement: ${MISSING_ITEMS_STATEMENT.en}` },
      'missingItemsIncluded',
    );
  // Issue 13 item 4 (docs/report.md, final quotes): the consultation's final quote is signed by the
  // supplier's authorised representative (授权代表签字); the report prints the signature beside it.
  if (signatureRequired(state) && !p.signature)
    throw new DomainError(
      'validation',
      { zh: `${quoteLabel(state).zh}须由授权代表签字：请在签名区签名并填写签字人姓名`, en: `the ${quoteLabel(state).en.toLowerCase()} must be signed by the authorised representative: sign in the box and give the signer's name` },
      'signature',
    );
  // The policy statuses are the panel's determination in the compliance review (issue 14; docs/rules.md
  // §2.13 "evidence is mandatory"), not the supplier's to tick: a different declaration is refused.
  const policy = determinedPolicy(state, actor.personId);
  if (p.policy && canonicalJson(p.policy) !== canonicalJson(policy))
    throw new DomainError(
      'validation',
      { zh: '政策身份以评审小组在符合性审查中的认定为准，报价时不能更改', en: 'policy status is as the panel determined it in the compliance review; it cannot be changed with the quote' },
      'policy',
    );
  const { sheet, wordsDiffer } = readSheet(p.sheet);
  dryRun(state, sheet, policy);
  const version = (q.submissions[actor.personId]?.version ?? 0) + 1;
  const { sealed, receipt } = seal(state, actor.personId, version, now, sheet, policy);
  return {
    events: [{ type: 'quotes:submitted', payload: { supplierId: actor.personId, sealed, receipt, wordsDiffer, acknowledgedMismatch: p.acknowledgedMismatch, missingItemsIncluded: p.missingItemsIncluded === true, signature: p.signature ?? null } }],
    // Only the submitting supplier receives this ack: its own quote back with the receipt.
    data: { receipt, version, submittedAt: now, sheet, wordsDiffer },
  };
}

export function closeWindow({ state, now }: HandlerContext): HandlerResult {
  inStage(state);
  const q = quotesOf(state);
  if (!q.window) throw new DomainError('conflict', { zh: '报价窗口尚未开启', en: 'the quote window is not open' });
  if (q.closedAt !== null) {
    // Closed already (at the deadline by the server, or by an earlier press): nothing to do, unless
    // the triggers were never computed (the last unanswered correction belonged to a supplier another
    // concern then removed), in which case closing again settles the prices.
    const closed = { closedAt: q.closedAt, alreadyClosed: true };
    if (q.pricesSettledAt !== null) return { events: [], data: closed };
    const events = consequences(state, q.results, [], new Set(), now);
    if (!events.some((e) => e.type === 'quotes:prices_settled')) return { events: [], data: closed };
    return { events, data: closed };
  }
  if (now < q.window.deadline)
    throw new DomainError('conflict', {
      zh: `截止时间 ${beijing(q.window.deadline)} 未到，供应商仍可提交或修改报价`,
      en: `the deadline ${beijing(q.window.deadline)} has not passed; suppliers may still submit or replace their quotes`,
    });
  return { events: closingEvents(state, now) };
}
