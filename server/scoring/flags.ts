import type { Bilingual, SessionState } from '../session/types';
import type { Flag } from '../../shared/rules/types';
import { findFactor } from '../../shared/domain/rubric/index';
import { activeMembers } from '../participants/state';
import { labelledFlagMessages, roomEvaluation } from './evaluation-file';
import { allSubmitted, scoringOf, type Determination, type Response, type Vote } from './state';
import { labelIn } from '../../shared/labels/people';
import { inThirdPerson, settledMessage } from '../../shared/rules/anomaly/messages';
import { FLAG_RULE_LABEL } from '../../shared/labels/codes';

// A flag named by what it checks (「单项评分疑似畸高畸低」), never by its rule's code (issue 13).
const ruleName = (rule: string) => FLAG_RULE_LABEL[rule as keyof typeof FLAG_RULE_LABEL] ?? { zh: '评分异常', en: 'scoring' };

// The anomaly review in the room (docs/anomaly.md): the engine's flags (R0–R8, TOTAL30) keyed so that the
// member's response and the panel's determination can be attached to them, and what is still missing
// before the results may be released. The room flags and records; it never changes a score by itself.

export interface RoomFlag {
  key: string;
  rule: Flag['rule'];
  severity: Flag['severity'];
  high: boolean;
  member: string | null;
  supplier: string | null;
  factor: string | null;
  message: Bilingual;
  inputs: Flag['inputs'];
  threshold: string | null;
  whatIf: Flag['whatIf'] | null;
  /** R0/R1/strict R2: results blocked while the flag exists (resolved = the values now agree). */
  blocking: boolean;
  /** The member concerned must revise or keep with a reason. */
  needsResponse: boolean;
  /** Keeping is allowed (not for blocking flags: an objective count must agree, docs/anomaly.md R2). */
  mayKeep: boolean;
  /** The panel must determine 认定 / 不认定 (畸高畸低) by vote. */
  needsDetermination: boolean;
  response: Response | null;
  votes: Vote[];
  determination: Determination | null;
  /** A determination of 认定 needs the member's corrected score afterwards (000 说明7: 当场修改). */
  awaitingCorrection: boolean;
  disposed: boolean;
}

export const flagKey = (f: { rule: string; member: string | null; supplier: string | null; factor: string | null }): string =>
  `${f.rule}|${f.member ?? ''}|${f.supplier ?? ''}|${f.factor ?? ''}`;

/** Rules the panel determines as 畸高畸低 candidates, and the advisory R2 / TOTAL30 that also need a
 *  disposition (docs/anomaly.md "Three severities": REVIEW = member response + panel disposition). R8 is
 *  the quotes concern's abnormal-low review (docs/rules.md §2.14) and is only shown here. */
const PRICE_RULES = new Set(['R8']);

export function roomFlags(s: SessionState): RoomFlag[] {
  if (!allSubmitted(s)) return [];
  const ev = roomEvaluation(s);
  if (!ev.detail) return [];
  const sc = scoringOf(s);
  const seen = new Set<string>();
  const out: RoomFlag[] = [];
  const messages = labelledFlagMessages(s);
  for (const f of ev.detail.flags) {
    if (ev.pricePending && PRICE_RULES.has(f.rule)) continue;
    const key = flagKey(f);
    if (seen.has(key)) continue;
    seen.add(key);
    const leaf = f.factor ? findFactor(s.rubric, f.factor) : undefined;
    const blocking = f.severity === 'block';
    const review = f.severity === 'review' && !PRICE_RULES.has(f.rule);
    const needsResponse = (blocking || review) && f.member !== null;
    const mayKeep = review;
    const needsDetermination = review;
    const response = sc.responses[key] ?? null;
    const votes = sc.votes[key] ?? [];
    const determination = sc.determinations[key] ?? null;
    const corrected =
      determination !== null &&
      sc.revisions.some((r) => r.memberId === f.member && r.supplierId === f.supplier && (f.factor === null || r.factorId === f.factor) && r.seq > determination.seq);
    const awaitingCorrection = determination?.result === 'abnormal' && !corrected;
    out.push({
      key,
      rule: f.rule,
      severity: f.severity,
      high: !!f.high,
      member: f.member,
      supplier: f.supplier,
      factor: f.factor,
      message: messages.get(key) ?? f.message,
      inputs: f.inputs,
      threshold: f.threshold,
      whatIf: f.whatIf ?? null,
      blocking,
      needsResponse,
      mayKeep: mayKeep && (leaf ? leaf.consistency_check !== 'strict' : true),
      needsDetermination,
      response,
      votes,
      determination,
      awaitingCorrection,
      disposed: !blocking && (!needsResponse || response !== null) && (!needsDetermination || determination !== null) && !awaitingCorrection,
    });
  }
  return out;
}

const label = (s: SessionState, id: string | null): string => (id ? (s.people[id]?.org ?? s.people[id]?.name ?? id) : '');
const memberLabel = (s: SessionState, id: string | null): string => (id && s.people[id] ? labelIn(s.people, s.order, id).zh : '');

/** What still stands between the anomaly review and the results, first reason first (or null). */
export function reviewPending(s: SessionState): Bilingual | null {
  if (!allSubmitted(s)) return { zh: '尚有专家未提交全部供应商的评分', en: 'not every member has submitted every supplier' };
  const ev = roomEvaluation(s);
  if (!ev.detail) return { zh: `评审结果无法计算：${ev.error ?? ''}`, en: `the results cannot be computed: ${ev.error ?? ''}` };
  const flags = roomFlags(s);
  const block = flags.find((f) => f.blocking);
  if (block)
    return {
      zh: `「${ruleName(block.rule).zh}」须先解决：${memberLabel(s, block.member)} 对「${label(s, block.supplier)}」的评分与其他专家不一致，须核对后修改`,
      en: `${ruleName(block.rule).en} must be resolved first: ${memberLabel(s, block.member)}'s score for ${label(s, block.supplier)} disagrees; check and revise`,
    };
  const unanswered = flags.find((f) => f.needsResponse && !f.response);
  if (unanswered)
    return {
      zh: `${memberLabel(s, unanswered.member)} 尚未回应「${ruleName(unanswered.rule).zh}」提示（供应商「${label(s, unanswered.supplier)}」）`,
      en: `${memberLabel(s, unanswered.member)} has not answered the flag “${ruleName(unanswered.rule).en}” (supplier ${label(s, unanswered.supplier)})`,
    };
  const undecided = flags.find((f) => f.needsDetermination && !f.determination);
  if (undecided) {
    const n = activeMembers(s).length;
    return {
      zh: `评审小组尚未对「${ruleName(undecided.rule).zh}」提示作出认定（已投票 ${undecided.votes.length}/${n}）`,
      en: `the panel has not yet determined the flag “${ruleName(undecided.rule).en}” (${undecided.votes.length}/${n} voted)`,
    };
  }
  const correction = flags.find((f) => f.awaitingCorrection);
  if (correction)
    return {
      zh: `经认定评分畸高畸低：${memberLabel(s, correction.member)} 须修改对「${label(s, correction.supplier)}」的评分`,
      en: `determined abnormal: ${memberLabel(s, correction.member)} must correct the score for ${label(s, correction.supplier)}`,
    };
  return null;
}

/** A flag's message in its two readings (issue 17; docs/views.md "Words on the console and every
 *  screen"): `own` as the flagged member reads it on its tablet (「您对供应商…」), `others` as everyone
 *  else, the report included, reads it (「专家 2 对供应商…」); neither says 「待复核」 once the panel has
 *  dealt with the flag. */
export function flagMessages(s: SessionState, f: RoomFlag): { own: Bilingual; others: Bilingual } {
  const own = f.disposed || f.determination !== null ? settledMessage(f.message) : f.message;
  const who = f.member && s.people[f.member] ? labelIn(s.people, s.order, f.member) : null;
  return { own, others: who ? inThirdPerson(own, who) : own };
}
