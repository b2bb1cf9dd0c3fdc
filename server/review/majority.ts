import type { SessionState } from '../session/types';
import { activeMembers } from '../participants/state';
import { latestForItem } from '../clarify/state';
import { checklistOf, reviewOf, type Phase } from './state';

// The result of one checklist item for one supplier: the majority of the sitting members' votes
// ("少数服从多数", 000 说明6 L462; 004 §5.2.5(2) L1249). A clarifiable item that was sent as a
// clarification waits for the answer; no answer in time fails it (003 Ch3 §2.5.2 L637).
export type ItemResult = 'pass' | 'fail' | 'pending' | 'tied' | 'clarifying';

export interface ItemTally {
  pass: number;
  fail: number;
  members: number;
  /** Every sitting member has voted. */
  complete: boolean;
  result: ItemResult;
  /** Set when the result does not come from the votes (the clarification lapsed). */
  forced: { zh: string; en: string } | null;
}

export function tally(s: SessionState, phase: Phase, supplierId: string, itemId: string): ItemTally {
  const members = activeMembers(s);
  const votes = reviewOf(s).votes[phase][supplierId]?.[itemId] ?? {};
  let pass = 0;
  let fail = 0;
  for (const m of members) {
    const v = votes[m.id];
    if (!v) continue;
    if (v.pass) pass++;
    else fail++;
  }
  const n = members.length;
  const complete = pass + fail === n;
  const c = latestForItem(s, supplierId, phase, itemId);
  if (c?.status === 'lapsed')
    return { pass, fail, members: n, complete, result: 'fail', forced: { zh: '未在规定时间内作出澄清', en: 'no clarification within the deadline' } };
  if (c && (c.status === 'draft' || c.status === 'sent')) return { pass, fail, members: n, complete, result: 'clarifying', forced: null };
  let result: ItemResult = 'pending';
  if (pass * 2 > n) result = 'pass';
  else if (fail * 2 > n) result = 'fail';
  else if (complete) result = 'tied';
  return { pass, fail, members: n, complete, result, forced: null };
}

/** Why a supplier's review cannot be concluded yet, or null. */
export function concludeBlocker(s: SessionState, phase: Phase, supplierId: string): { zh: string; en: string } | null {
  const items = checklistOf(s, phase);
  const open: string[] = [];
  const clarifying: string[] = [];
  const tied: string[] = [];
  for (const it of items) {
    const t = tally(s, phase, supplierId, it.id);
    if (t.forced) continue;
    if (t.result === 'clarifying') clarifying.push(it.id);
    else if (!t.complete) open.push(it.id);
    else if (t.result === 'tied') tied.push(it.id);
  }
  if (clarifying.length) return { zh: `以下审查项的澄清尚未完成：${clarifying.join('、')}`, en: `clarifications still open on: ${clarifying.join(', ')}` };
  if (open.length) return { zh: `尚有 ${open.length} 项未由全体成员表决：${open.join('、')}`, en: `${open.length} item(s) not yet voted by every member: ${open.join(', ')}` };
  if (tied.length) return { zh: `以下审查项表决票数相同，须重新表决：${tied.join('、')}`, en: `tied vote on: ${tied.join(', ')}; vote again` };
  return null;
}
