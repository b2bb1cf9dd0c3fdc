import type { ReportSection, ReportSignature, WallReportSection } from '../../shared/protocol/views';
import { DomainError, type Concern, type HandlerContext, type SessionState, type Principal } from '../session/types';
import type { Dissent, ReopenGround } from '../../shared/protocol/report';
import { REOPEN_GROUND_LABEL } from '../../shared/protocol/report';
import { activeMembers } from '../participants/state';
import { currentRevision, emptyReport, openDispute, readyToFinalize, reportOf, unsigned, type Signature, reportEvent, type ReportEvents } from './state';
import { labelIn } from '../../shared/labels/people';
import { typedReducers } from '../session/events';
import { type ScoringEvents } from '../scoring/state';
import { cite } from '../../shared/domain/rubric/citations';
import { extend } from '../../shared/extend';

// The report concern (评审报告, docs/rules.md §2.22): the panel signs the report generated from the log on
// the tablets, with or without dissent; disputes over joint determinations are decided by majority;
// once everyone has signed, the final PDF is rendered outside the request path (server/report/service.ts)
// and its sha256 recorded (`report:finalized`); reopening needs the moderator AND the panel leader and
// one of the four legal grounds (000 说明7 L464-477), and opens a new revision that keeps the old one.

const err = (code: 'validation' | 'conflict' | 'not_found' | 'forbidden' | 'wrong_stage', zh: string, en: string, field?: string) => new DomainError(code, { zh, en }, field);

function inSigning(s: SessionState): void {
  if (s.stage !== 'signing') throw err('wrong_stage', '仅在报告签署阶段可以进行此操作', 'only possible while the report is being signed');
}

/** The actor, who must sit on the panel now (a replaced member no longer signs). */
function sittingMember(ctx: HandlerContext): string {
  const m = ctx.actor.personId;
  if (!activeMembers(ctx.state).some((p) => p.id === m)) throw err('forbidden', '您不是本评审小组的在任成员', 'you do not sit on this panel');
  return m;
}

const memberLabel = (s: SessionState, id: string) => labelIn(s.people, s.order, id).zh;

export const reportConcern: Concern = {
  name: 'report',
  init: (s) => {
    s.report = emptyReport();
  },
  handlers: {
    'report:sign': (ctx, p: { revision: number; name: string; signature: string; dissent?: Dissent | null }) => {
      const s = ctx.state;
      inSigning(s);
      const m = sittingMember(ctx);
      const r = currentRevision(s)!;
      if (p.revision !== r.n)
        throw err('conflict', `报告已更新为第 ${r.n} 版，请阅读后再签署`, `the report is now revision ${r.n}; read it before signing`, 'revision');
      if (r.final) throw err('conflict', '本版报告已定稿', 'this revision is already final', 'revision');
      if (r.signatures[m]) throw err('conflict', '您已签署本版报告', 'you have already signed this revision');
      if (r.deemed[m]) {
        const c = cite(s.rubric, 'report', s.project.method);
        throw err('conflict', `主持人已记录您未签字且未说明理由，依据${c.zh}视为同意评审报告`, `the moderator has recorded that you neither signed nor gave reasons: per ${c.en} you are deemed to agree`);
      }
      const d = openDispute(s);
      if (d) throw err('conflict', `争议事项「${d.subject}」正在表决，表决后再签署`, `the dispute "${d.subject}" is being voted on; sign after the vote`);
      const dissent = p.dissent ? { item: p.dissent.item.trim(), position: p.dissent.position.trim(), reasons: p.dissent.reasons.trim() } : null;
      return {
        events: [reportEvent('report:signed', { revision: r.n, memberId: m, name: p.name.trim(), signature: p.signature, dissent })],
        data: { revision: r.n, remaining: unsigned(s).length - 1 },
      };
    },

    // A member who neither signs nor states reasons of dissent is deemed to agree (持不同意见的成员应当
    // 签署不同意见及理由，否则视为同意; docs/rules.md §2.22). The moderator records it, with what happened,
    // once at least one other member has signed: the report stays the signed record of the panel.
    'report:deem_agreed': (ctx, p: { revision: number; memberId: string; note: string }) => {
      const s = ctx.state;
      inSigning(s);
      const r = currentRevision(s)!;
      if (p.revision !== r.n) throw err('conflict', `报告已更新为第 ${r.n} 版`, `the report is now revision ${r.n}`, 'revision');
      if (r.final) throw err('conflict', '本版报告已定稿', 'this revision is already final', 'revision');
      if (!activeMembers(s).some((m) => m.id === p.memberId)) throw err('not_found', '该人员不是本评审小组的在任成员', 'this person does not sit on the panel', 'memberId');
      const who = memberLabel(s, p.memberId);
      if (r.signatures[p.memberId]) throw err('conflict', `${who}已签署本版报告`, `${who} has already signed this revision`, 'memberId');
      if (r.deemed[p.memberId]) throw err('conflict', `已记录${who}视为同意`, `${who} is already recorded as deemed to agree`, 'memberId');
      const d = openDispute(s);
      if (d) throw err('conflict', `争议事项「${d.subject}」正在表决，表决后再记录`, `the dispute "${d.subject}" is being voted on; record it after the vote`);
      if (Object.keys(r.signatures).length === 0)
        throw err('conflict', '尚无成员签署本版报告，不能记录视为同意', 'no member has signed this revision yet; nobody can be deemed to agree', 'memberId');
      return {
        events: [reportEvent('report:deemed_agreed', { revision: r.n, memberId: p.memberId, note: p.note.trim(), by: ctx.actor.personId })],
        data: { revision: r.n, remaining: unsigned(s).length - 1 },
      };
    },

    'report:dispute': (ctx, p: { subject: string; proposal: string }) => {
      const s = ctx.state;
      inSigning(s);
      const m = sittingMember(ctx);
      const r = currentRevision(s)!;
      if (r.final) throw err('conflict', '本版报告已定稿，须依法重新评审后方可提出', 'this revision is final; it must be reopened first');
      if (openDispute(s)) throw err('conflict', '已有争议事项正在表决', 'another dispute is being voted on');
      const id = `D${reportOf(s).disputes.length + 1}`;
      return { events: [reportEvent('report:dispute_opened', { id, revision: r.n, memberId: m, subject: p.subject.trim(), proposal: p.proposal.trim() })], data: { disputeId: id } };
    },

    'report:dispute_vote': (ctx, p: { disputeId: string; agree: boolean; reason?: string }) => {
      const s = ctx.state;
      inSigning(s);
      const m = sittingMember(ctx);
      const d = reportOf(s).disputes.find((x) => x.id === p.disputeId);
      if (!d || d.result) throw err('not_found', '没有正在表决的该争议事项', 'no open dispute with this id', 'disputeId');
      if (d.votes.some((v) => v.memberId === m)) throw err('conflict', '您已表决', 'you have already voted', 'disputeId');
      const n = activeMembers(s).length;
      const agree = d.votes.filter((v) => v.agree).length + (p.agree ? 1 : 0);
      const disagree = d.votes.length + 1 - agree;
      const events: { type: string; payload: unknown }[] = [reportEvent('report:dispute_voted', { disputeId: d.id, memberId: m, agree: p.agree, reason: (p.reason ?? '').trim() })];
      // 少数服从多数 (docs/rules.md §2.22; 004 §5.2.5(2) L1249): a majority of the sitting panel decides; a
      // proposal that can no longer reach a majority is rejected.
      if (agree * 2 > n) events.push(reportEvent('report:dispute_decided', { disputeId: d.id, outcome: 'adopted', agree, disagree, of: n }));
      else if (disagree * 2 >= n) events.push(reportEvent('report:dispute_decided', { disputeId: d.id, outcome: 'rejected', agree, disagree, of: n }));
      return { events };
    },

    'report:reopen': (ctx, p: { ground: ReopenGround; reason: string }) => {
      const s = ctx.state;
      inSigning(s);
      const person = s.people[ctx.actor.personId];
      const side: 'moderator' | 'leader' | null = person.role === 'moderator' ? 'moderator' : person.leader && person.active ? 'leader' : null;
      // 000 说明7 L477: the agency (moderator) and the panel (its leader) act together.
      if (!side) throw err('forbidden', '重新评审须由代理机构与评审小组组长共同提出', 'reopening needs the moderator and the panel leader');
      const r = currentRevision(s)!;
      if (!r.final) throw err('conflict', '报告尚未定稿，可直接在签署前修改', 'the report is not final yet; correct it before signing');
      const req = reportOf(s).reopenRequest;
      if (!req) {
        return {
          events: [reportEvent('report:reopen_requested', { ground: p.ground, reason: p.reason.trim(), by: person.id, role: side })],
          data: { waitingFor: side === 'moderator' ? 'leader' : 'moderator' },
        };
      }
      if (req.role === side) throw err('conflict', side === 'moderator' ? '已提出，等待评审小组组长确认' : '已提出，等待代理机构确认', `already requested; waiting for the ${side === 'moderator' ? 'panel leader' : 'moderator'}`);
      if (req.ground !== p.ground)
        throw err('conflict', `法定情形与对方提出的「${REOPEN_GROUND_LABEL[req.ground].zh}」不一致`, `the ground differs from the one requested ("${REOPEN_GROUND_LABEL[req.ground].en}")`, 'ground');
      return {
        events: [reportEvent('report:reopened', { revision: r.n + 1, ground: req.ground, reason: req.reason, confirmReason: p.reason.trim(), requestedBy: req.by, confirmedBy: person.id })],
        data: { revision: r.n + 1 },
      };
    },
  },
  reducers: typedReducers<ReportEvents & Pick<ScoringEvents, 'scoring:change_applied'>>({
    'report:opened': (s, e) => {
      reportOf(s).revisions.push({ n: e.payload.revision, openedAt: e.ts, openedSeq: e.seq, reopen: null, signatures: {}, deemed: {}, voided: [], final: null });
    },
    'report:signed': (s, e) => {
      const p = e.payload;
      const r = reportOf(s).revisions.find((x) => x.n === p.revision)!;
      r.signatures[p.memberId] = { memberId: p.memberId, name: p.name, path: p.signature, dissent: p.dissent, at: e.ts, seq: e.seq };
    },
    'report:deemed_agreed': (s, e) => {
      const p = e.payload;
      const r = reportOf(s).revisions.find((x) => x.n === p.revision)!;
      r.deemed[p.memberId] = { memberId: p.memberId, note: p.note, by: p.by, at: e.ts, seq: e.seq };
    },
    'report:dispute_opened': (s, e) => {
      const p = e.payload;
      reportOf(s).disputes.push({ id: p.id, revision: p.revision, subject: p.subject, proposal: p.proposal, by: p.memberId, at: e.ts, seq: e.seq, votes: [], result: null });
    },
    'report:dispute_voted': (s, e) => {
      const p = e.payload;
      reportOf(s).disputes.find((d) => d.id === p.disputeId)?.votes.push({ memberId: p.memberId, agree: p.agree, reason: p.reason, seq: e.seq });
    },
    'report:dispute_decided': (s, e) => {
      const p = e.payload;
      const d = reportOf(s).disputes.find((x) => x.id === p.disputeId)!;
      d.result = { outcome: p.outcome, agree: p.agree, disagree: p.disagree, of: p.of, at: e.ts, seq: e.seq };
      // The decision is part of the report: what was signed before it is no longer what is signed.
      voidSignatures(s, e.ts, e.seq, `争议事项 ${d.id} 已表决`);
    },
    // A result change on a legal ground during signing (scoring concern) changes the report's content.
    'scoring:change_applied': (s, e) => {
      if (s.stage === 'signing') voidSignatures(s, e.ts, e.seq, '评审结果依法变更');
    },
    'report:reopen_requested': (s, e) => {
      const p = e.payload;
      reportOf(s).reopenRequest = extend(p, { at: e.ts, seq: e.seq });
    },
    'report:reopened': (s, e) => {
      const p = e.payload;
      reportOf(s).reopenRequest = null;
      reportOf(s).revisions.push({
        n: p.revision,
        openedAt: e.ts,
        openedSeq: e.seq,
        reopen: { ground: p.ground, reason: p.reason, requestedBy: p.requestedBy, confirmedBy: p.confirmedBy },
        signatures: {},
        deemed: {},
        voided: [],
        final: null,
      });
    },
    'report:finalized': (s, e) => {
      const p = e.payload;
      const r = reportOf(s).revisions.find((x) => x.n === p.revision);
      // A second render of the same revision (two processes racing) changes nothing: the first counts.
      if (r && !r.final) r.final = { sha256: p.sha256, size: p.size, head: p.head, headSeq: p.headSeq, at: e.ts, seq: e.seq };
    },
  }),
  onEnter: {
    signing: () => [reportEvent('report:opened', { revision: 1 })],
  },
  leave: {
    // The report is final: every sitting member signed and the final PDF's sha256 is in the log
    // (docs/rules.md §2.22 "all members sign").
    signing: (s) => {
      const r = currentRevision(s);
      if (!r) return { zh: '评审报告尚未生成', en: 'the report does not exist yet' };
      if (reportOf(s).reopenRequest) return { zh: '重新评审的申请尚待确认', en: 'a request to reopen awaits confirmation' };
      const missing = unsigned(s).length;
      if (missing > 0) return { zh: `尚有 ${missing} 名评审小组成员未签署报告`, en: `${missing} member(s) have not signed the report` };
      if (!r.final) return { zh: '最终报告 PDF 正在生成，尚未记录', en: 'the final PDF is being rendered and is not recorded yet' };
      return null;
    },
  },
  view: reportView,
};

function voidSignatures(s: SessionState, at: number, seq: number, why: string): void {
  const r = currentRevision(s);
  if (!r || r.final) return;
  for (const sig of Object.values(r.signatures)) r.voided.push(extend(sig, { voidedAt: at, voidedSeq: seq, why }));
  // A deemed agreement was to the content as it was: it lapses with the signatures.
  for (const d of Object.values(r.deemed)) r.voided.push({ memberId: d.memberId, name: '', path: '', dissent: null, at: d.at, seq: d.seq, voidedAt: at, voidedSeq: seq, why, deemed: true });
  r.signatures = {};
  r.deemed = {};
}

function reportView(s: SessionState, viewer: Principal): Record<string, unknown> {
  if (viewer.role === 'supplier') return {}; // suppliers never receive the report nor who signed it
  const revs = reportOf(s).revisions;
  const r = currentRevision(s);
  if (!r) return { report: null };
  const members = activeMembers(s);
  if (viewer.role === 'screen') {
    // The wall: who has signed, as 专家 n; never a name, never a dissent (not even that one exists).
    return {
      report: {
        revision: r.n,
        final: !!r.final,
        signed: members.filter((m) => r.signatures[m.id]).length,
        of: members.length,
        deemed: members.filter((m) => r.deemed[m.id]).length,
        members: members.map((m) => ({ label: memberLabel(s, m.id), signed: !!r.signatures[m.id], deemed: !!r.deemed[m.id] })),
        cite: cite(s.rubric, 'report', s.project.method),
      } satisfies WallReportSection,
    };
  }
  const sig = (x: Signature): ReportSignature => ({ memberId: x.memberId, label: memberLabel(s, x.memberId), name: x.name, at: x.at, seq: x.seq, dissent: x.dissent });
  const me = s.people[viewer.personId];
  return {
    report: {
      revision: r.n,
      final: r.final,
      rendering: readyToFinalize(s),
      revisions: revs.map((x) => ({ n: x.n, openedAt: x.openedAt, reopen: x.reopen, final: x.final, signed: Object.keys(x.signatures).length })),
      members: members.map((m) => ({ id: m.id, label: memberLabel(s, m.id), name: m.name, leader: m.leader, signed: !!r.signatures[m.id], dissent: !!r.signatures[m.id]?.dissent, deemed: !!r.deemed[m.id] })),
      deemed: Object.values(r.deemed).map((d) => ({ memberId: d.memberId, label: memberLabel(s, d.memberId), note: d.note, at: d.at, seq: d.seq })),
      /** The clause a member who neither signs nor gives reasons is deemed to agree under. */
      deemedCite: cite(s.rubric, 'report', s.project.method),
      signatures: Object.values(r.signatures).map(sig),
      voided: r.voided.map((v) => extend(sig(v), { why: v.why, deemed: !!v.deemed })),
      disputes: reportOf(s).disputes.map((d) =>
        extend(d, {
          byLabel: memberLabel(s, d.by),
          votes: d.votes.map((v) => extend(v, { label: memberLabel(s, v.memberId) })),
          myVote: d.votes.find((v) => v.memberId === viewer.personId)?.agree ?? null,
        }),
      ),
      reopenRequest: reportOf(s).reopenRequest,
      mine: r.signatures[viewer.personId] ? sig(r.signatures[viewer.personId]) : null,
      myDeemed: r.deemed[viewer.personId] ? { note: r.deemed[viewer.personId].note, at: r.deemed[viewer.personId].at } : null,
      canReopen: me?.role === 'moderator' || (!!me?.leader && me.active),
    } satisfies ReportSection,
  };
}
