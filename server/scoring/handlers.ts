import type { CommandResult } from '../../shared/protocol/events';
import { cite } from '../../shared/domain/rubric/citations';
import { DomainError, type Handler, type HandlerContext, type SessionState } from '../session/types';
import type { Factor } from '../../shared/domain/rubric/types';
import { scoredLeaves } from '../../shared/domain/rubric/index';
import { scoreValidator, type ScoreInput, type ScoreResult } from '../../shared/rules/score-entry';
import { plainString } from '../../shared/rules/money/amount';
import { isPanel } from '../../shared/protocol/roles';
import { CHANGE_GROUND_LABEL, type ScoreValue } from '../../shared/protocol/scoring';
import { activeMembers } from '../participants/state';
import { activeSuppliers } from '../suppliers/status';
import { roomEvaluation } from './evaluation-file';
import { reportFinal } from '../report/state';
import { roomFlags, reviewPending, type RoomFlag } from './flags';
import { majorityOrder, rubricVotes, sameSet, tieSet, tiePending } from './ranking-vote';
import { allSubmitted, isSubmitted, scoringOf, type Entry, scoringEvent } from './state';

// Command handlers of the scoring concern. Pure: they read ctx.state and return events.

const err = (code: 'validation' | 'forbidden' | 'not_found' | 'wrong_stage' | 'conflict', zh: string, en: string, field?: string) =>
  new DomainError(code, { zh, en }, field);

/** The actor must be a panel member still sitting on the panel (a replaced member no longer scores). */
function member(ctx: HandlerContext): string {
  const p = ctx.state.people[ctx.actor.personId];
  if (!p || !isPanel(p.role) || !p.active) throw err('forbidden', '只有在任的评审小组成员可以评分', 'only a sitting panel member may score');
  return p.id;
}

function supplier(s: SessionState, id: string): void {
  if (!s.people[id] || s.people[id].role !== 'supplier') throw err('not_found', `没有编号为 ${id} 的供应商`, `no supplier ${id}`, 'supplierId');
  // Only responses that passed the review are scored (000 §20.1 L313-314; 004 §5.2.2 L1169-1171).
  if (!activeSuppliers(s).includes(id))
    throw err('conflict', '该供应商已无效或已退出，不再评分', 'this supplier is invalid or has withdrawn and is not scored', 'supplierId');
}

/** A rubric's scored leaves, by id too, and one validator of entries (shared/rules/score-entry.ts
 *  scoreValidator, keeping each factor's allowed values but no results: what members type is
 *  unbounded), made once per rubric object: a rubric is replaced, never changed in place
 *  (session/core.ts, setup/concern.ts). A submission's 13 entries no longer walk the rubric and build
 *  each factor's allowed values again, every one (issue 15: CPU per command). */
const RUBRICS = new WeakMap<object, { leaves: Factor[]; byId: Map<string, Factor>; validate: (f: Factor, v: ScoreInput) => ScoreResult }>();
function rubricOf(s: SessionState) {
  let r = RUBRICS.get(s.rubric);
  if (!r) {
    const leaves = scoredLeaves(s.rubric);
    RUBRICS.set(s.rubric, (r = { leaves, byId: new Map(leaves.map((f) => [f.id, f])), validate: scoreValidator({ remember: false }) }));
  }
  return r;
}

function leaf(s: SessionState, fid: string, field = 'factorId'): Factor {
  const f = rubricOf(s).byId.get(fid);
  if (!f) throw err('validation', `「${fid}」不是需要评分的评审因素`, `"${fid}" is not a factor members score`, field);
  return f;
}

/** validateScore is the one judge of an entry (R0: 分项评分超出评分标准范围); its message lists the
 *  allowed values, and nothing is appended when it refuses. */
function entry(s: SessionState, f: Factor, value: ScoreValue, evidence: string | undefined, field: string): Entry {
  const r = rubricOf(s).validate(f, value as ScoreInput);
  if (!r.ok) throw new DomainError('validation', r.error, field);
  return { value, points: plainString(r.points), evidence: evidence?.trim() ? evidence.trim() : null };
}

function stage(s: SessionState, allowed: string[], what: { zh: string; en: string }): void {
  if (!allowed.includes(s.stage)) throw err('wrong_stage', `当前阶段不能${what.zh}`, `${what.en} is not possible at this stage`);
}

function flagFor(s: SessionState, key: string): RoomFlag {
  const f = roomFlags(s).find((x) => x.key === key);
  if (!f) throw err('not_found', '该提示已不存在（评分可能已修改）', 'this flag no longer exists (the scores may have changed)', 'flagKey');
  return f;
}

const chars = (x: string) => [...x.trim()].length;

export const handlers: Record<string, Handler> = {
  'score:save': (ctx, p: { supplierId: string; factorId: string; value: ScoreValue; evidence?: string }) => {
    const s = ctx.state;
    stage(s, ['scoring'], { zh: '录入评分', en: 'entering scores' });
    const m = member(ctx);
    supplier(s, p.supplierId);
    if (isSubmitted(s, m, p.supplierId))
      throw err('conflict', '您已提交对该供应商的评分，评分已锁定', 'you have submitted this supplier; your scores are locked', 'supplierId');
    const e = entry(s, leaf(s, p.factorId), p.value, p.evidence, 'value');
    return { events: [scoringEvent('score:saved', { memberId: m, supplierId: p.supplierId, factorId: p.factorId, entry: e })], data: { points: e.points } };
  },

  'score:submit': (ctx, p: { supplierId: string; entries?: Record<string, { value: ScoreValue; evidence?: string }> }) => {
    const s = ctx.state;
    stage(s, ['scoring'], { zh: '提交评分', en: 'submitting scores' });
    const m = member(ctx);
    supplier(s, p.supplierId);
    if (isSubmitted(s, m, p.supplierId)) throw err('conflict', '您已提交对该供应商的评分', 'you have already submitted this supplier', 'supplierId');
    const merged: Record<string, Entry> = { ...(scoringOf(s).entries[m]?.[p.supplierId] ?? {}) };
    for (const [fid, x] of Object.entries(p.entries ?? {})) merged[fid] = entry(s, leaf(s, fid, `entries.${fid}`), x.value, x.evidence, `entries.${fid}`);
    const missing = rubricOf(s).leaves.filter((f) => !merged[f.id]);
    if (missing.length)
      throw err(
        'validation',
        `尚有 ${missing.length} 项未评分：${missing.map((f) => `${f.id}「${f.name_zh}」`).join('、')}`,
        `${missing.length} factor(s) not scored yet: ${missing.map((f) => f.name_en ?? f.id).join(', ')}`,
        `entries.${missing[0].id}`,
      );
    const entries = Object.fromEntries(rubricOf(s).leaves.map((f) => [f.id, merged[f.id]]));
    return { events: [scoringEvent('score:submitted', { memberId: m, supplierId: p.supplierId, entries })] };
  },

  'score:revise': (ctx, p: { supplierId: string; factorId: string; value: ScoreValue; evidence?: string; reason: string; flagKey?: string }) => {
    const s = ctx.state;
    // After the summary nobody changes a result except on the four legal grounds, decided by the panel
    // and recorded in the report (docs/rules.md §2.21): a plain revision is refused, citing the clause.
    if (scoringOf(s).locked) {
      const c = cite(s.rubric, 'resultChange', s.project.method);
      throw err(
        'wrong_stage',
        `评审结果已汇总，除分值汇总计算错误、分项评分超出评分标准范围、客观评审因素评分不一致、经认定评分畸高畸低四种情形外，任何人不得修改评审结果（依据${c.zh}）；如属上述情形，请提出结果变更，由评审小组表决并记入评审报告`,
        `The results are summarised: nobody may change them except on the four legal grounds (summing error, out-of-range item, inconsistent objective factor, abnormal score; per ${c.en}); on such a ground propose a change for the panel to decide, recorded in the report`,
      );
    }
    stage(s, ['scoring', 'recheck'], { zh: '修改评分', en: 'revising a score' });
    const m = member(ctx);
    supplier(s, p.supplierId);
    if (!allSubmitted(s))
      throw err('conflict', '评分已提交并锁定；待全部专家提交后方可在异常复核中修改', 'submitted scores stay locked until every member has submitted (anomaly review)');
    const f = leaf(s, p.factorId);
    // A revision answers a flag on this member's own item (docs/anomaly.md: 修改 = new value + reason).
    const flags = roomFlags(s).filter(
      (x) => x.member === m && x.supplier === p.supplierId && (x.factor === null || x.factor === p.factorId) && x.needsResponse && (!p.flagKey || x.key === p.flagKey),
    );
    if (flags.length === 0)
      throw err('conflict', '该项评分没有待处理的复核提示，不能修改', 'there is no flag on this item to answer; it cannot be changed', 'factorId');
    const old = scoringOf(s).entries[m][p.supplierId][p.factorId];
    const e = entry(s, f, p.value, p.evidence ?? old.evidence ?? undefined, 'value');
    if (e.points === old.points && JSON.stringify(e.value) === JSON.stringify(old.value))
      throw err('validation', '新分值与原分值相同；如维持原分，请选择「维持」并说明理由', 'the new value equals the old one; to keep it, choose "keep" with a reason', 'value');
    return {
      events: [
        scoringEvent('score:revised', { memberId: m, supplierId: p.supplierId, factorId: p.factorId, old, new: e, reason: p.reason.trim(), flagKey: p.flagKey ?? flags[0].key, ground: null }),
      ],
      data: { points: e.points },
    };
  },

  'anomaly:keep': (ctx, p: { flagKey: string; reason: string; category?: string }) => {
    const s = ctx.state;
    stage(s, ['scoring', 'recheck'], { zh: '回应复核提示', en: 'answering a flag' });
    const m = member(ctx);
    const f = flagFor(s, p.flagKey);
    if (f.member !== m) throw err('forbidden', '只有被提示的专家本人可以回应该提示', 'only the member concerned may answer this flag', 'flagKey');
    if (!f.mayKeep)
      throw err('conflict', '客观评审因素评分须一致，不能维持，请核对证明材料后修改', 'an objective factor must agree: it cannot be kept; check the evidence and revise', 'flagKey');
    if (f.votes.length > 0 || f.determination) throw err('conflict', '评审小组已开始认定，不能再更改回应', 'the panel has started deciding; the answer can no longer change', 'flagKey');
    // 维持: reason ≥ 15 characters + category for R3 (docs/anomaly.md R3).
    if (f.rule === 'R3' && chars(p.reason) < 15)
      throw err('validation', `维持评分须说明理由，不少于 15 个字（当前 ${chars(p.reason)} 个字）`, `keeping the score needs a reason of at least 15 characters (now ${chars(p.reason)})`, 'reason');
    const x = f.factor ? (scoringOf(s).entries[m]?.[f.supplier as string]?.[f.factor]?.points ?? null) : ((f.inputs.x as string) ?? null);
    return { events: [scoringEvent('anomaly:kept', { flagKey: f.key, memberId: m, reason: p.reason.trim(), category: p.category ?? null, value: x })] };
  },

  'anomaly:vote': (ctx, p: { flagKey: string; verdict: 'abnormal' | 'not_abnormal'; reason: string }) => {
    const s = ctx.state;
    stage(s, ['scoring', 'recheck'], { zh: '认定畸高畸低', en: 'determining abnormal scores' });
    const m = member(ctx);
    const f = flagFor(s, p.flagKey);
    if (!f.needsDetermination) throw err('conflict', '该提示无须评审小组认定', 'this flag needs no panel determination', 'flagKey');
    if (f.needsResponse && !f.response) throw err('conflict', '请等待被提示的专家先作出回应', 'wait for the member concerned to answer first', 'flagKey');
    if (f.determination) throw err('conflict', '评审小组已作出认定', 'the panel has already decided', 'flagKey');
    if (f.votes.some((v) => v.memberId === m)) throw err('conflict', '您已对该提示投票', 'you have already voted on this flag', 'flagKey');
    const vote = { memberId: m, verdict: p.verdict, reason: p.reason.trim() };
    const events: { type: string; payload: unknown }[] = [scoringEvent('anomaly:voted', { flagKey: f.key, ...vote })];
    const members = activeMembers(s).map((x) => x.id);
    const all = [...f.votes.map((v) => ({ memberId: v.memberId, verdict: v.verdict, reason: v.reason })), vote];
    if (members.every((id) => all.some((v) => v.memberId === id))) {
      // 一致认定 by default (docs/anomaly.md R3, 财库〔2012〕69号 official reading): 认定 only when all agree.
      const result = all.every((v) => v.verdict === 'abnormal') ? 'abnormal' : 'not_abnormal';
      events.push(scoringEvent('anomaly:determined', { flagKey: f.key, result, rule: 'unanimous', votes: all }));
    }
    return { events };
  },

  'ranking:vote': (ctx, p: { order: string[] }) => {
    const s = ctx.state;
    stage(s, ['scoring', 'recheck'], { zh: '投票排序', en: 'voting an order' });
    const m = member(ctx);
    const ties = tieSet(s);
    if (ties.length === 0 || !rubricVotes(s)) throw err('conflict', '当前没有须由评审小组投票决定的并列', 'there is no tie for the panel to decide', 'order');
    if (!sameSet(p.order, ties) || new Set(p.order).size !== p.order.length)
      throw err('validation', `请对并列的全部供应商排序：${ties.join('、')}`, `order every tied supplier: ${ties.join(', ')}`, 'order');
    const r = scoringOf(s).ranking;
    const votes = sameSet(r.tieSet, ties) ? { ...r.votes } : {};
    if (votes[m]) throw err('conflict', '您已投票', 'you have already voted', 'order');
    votes[m] = p.order;
    const events: { type: string; payload: unknown }[] = [scoringEvent('ranking:voted', { memberId: m, order: p.order, tieSet: ties })];
    const decided = majorityOrder(votes, activeMembers(s).length);
    if (decided) events.push(scoringEvent('ranking:decided', { order: decided, tieSet: ties, votes }));
    return { events };
  },

  'results:release': (ctx) => {
    const s = ctx.state;
    stage(s, ['recheck'], { zh: '公布评审结果', en: 'releasing the results' });
    if (scoringOf(s).released) return { events: [] };
    const why = reviewPending(s) ?? tiePending(s);
    if (why) throw new DomainError('conflict', why);
    if (roomEvaluation(s).pricePending) throw err('conflict', '最后报价尚未确认，价格分无法计算', 'the final quotes are not confirmed; price scores cannot be computed');
    return { events: [scoringEvent('results:released', {})] };
  },

  'scoring:change_propose': (ctx, p: { supplierId: string; factorId: string; value: ScoreValue; ground: keyof typeof CHANGE_GROUND_LABEL; reason: string }) => {
    const s = ctx.state;
    stage(s, ['signing'], { zh: '提出结果变更', en: 'proposing a change' });
    // Once every member has signed and the final PDF is recorded, the report is closed: a change
    // would contradict the signed record, so it has to go through `report:reopen` (moderator and
    // leader, with a legal ground) first (000 说明7; 003 §2.7).
    if (reportFinal(s))
      throw err(
        'wrong_stage',
        `评审报告已签署定稿；发现法定情形的，须由代理机构与评审小组组长依法组织重新评审后方可变更评审结果（依据${cite(s.rubric, 'resultChange', s.project.method).zh}）`,
        `The report is signed and final: a change needs the agency and the panel leader to reopen it for re-evaluation first (per ${cite(s.rubric, 'resultChange', s.project.method).en})`,
      );
    const m = member(ctx);
    supplier(s, p.supplierId);
    const old = scoringOf(s).entries[m]?.[p.supplierId]?.[p.factorId];
    if (!old) throw err('not_found', '没有该项评分', 'no such score', 'factorId');
    const e = entry(s, leaf(s, p.factorId), p.value, undefined, 'value');
    if (e.points === old.points) throw err('validation', '新分值与原分值相同', 'the new value equals the old one', 'value');
    if (scoringOf(s).changes.some((c) => c.status === 'open')) throw err('conflict', '尚有待表决的变更', 'another change is still being decided');
    const id = `C${scoringOf(s).changes.length + 1}`;
    return { events: [scoringEvent('scoring:change_proposed', { id, memberId: m, supplierId: p.supplierId, factorId: p.factorId, value: e.value, points: e.points, ground: p.ground, reason: p.reason.trim() })], data: { changeId: id } satisfies CommandResult<'scoring:change_propose'> };
  },

  'scoring:change_vote': (ctx, p: { changeId: string; approve: boolean; reason: string }) => {
    const s = ctx.state;
    stage(s, ['signing'], { zh: '表决结果变更', en: 'deciding a change' });
    const m = member(ctx);
    const c = scoringOf(s).changes.find((x) => x.id === p.changeId);
    if (!c || c.status !== 'open') throw err('not_found', '没有待表决的该项变更', 'no open change with this id', 'changeId');
    if (c.votes.some((v) => v.memberId === m)) throw err('conflict', '您已表决', 'you have already voted', 'changeId');
    const n = activeMembers(s).length;
    const votes = [...c.votes, { memberId: m, approve: p.approve }];
    const yes = votes.filter((v) => v.approve).length;
    const no = votes.length - yes;
    const events: { type: string; payload: unknown }[] = [scoringEvent('scoring:change_voted', { changeId: c.id, memberId: m, approve: p.approve, reason: p.reason.trim() })];
    // The panel decides by majority (少数服从多数, 003 §2.7; 000 说明7 当场修改并记录).
    if (yes * 2 > n) events.push(scoringEvent('scoring:change_applied', { changeId: c.id }));
    else if (no * 2 >= n) events.push(scoringEvent('scoring:change_rejected', { changeId: c.id }));
    return { events };
  },
};
