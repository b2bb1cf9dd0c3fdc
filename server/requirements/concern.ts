import { DomainError, type Concern, type HandlerContext, type SessionState, type Stage } from '../session/types';
import { activeSuppliers, standing, supplierEvent } from '../suppliers/status';
import { contentHash, initialText, MAX_DOCUMENT_CHARS } from './document';
import { lineDiff } from './line-diff';
import { liveText } from './live-text';
import { emptyReceipt, latestFor, latestVersion, receiptOf, reqOf, type Proposal, type PublishedVersion, type RequirementsSlice } from './state';
import { requirementsView } from './view';
import { unconfirmedSuppliers } from './status';
import { eventOf, typedReducers } from '../session/events';
import { extend } from '../../shared/extend';

/** This concern's events (server/session/events.ts): what its handlers write, its reducers fold. */
type RequirementsEvents = {
  'requirements:baseline': NonNullable<RequirementsSlice['baseline']>;
  'requirements:proposed': Proposal;
  'requirements:cancelled': { version: number; reason: string; by: string };
  'requirements:published': PublishedVersion;
  'requirements:delivered': { supplierId: string; version: number };
  'requirements:signed': { supplierId: string; version: number; signer: string };
  'requirements:lapsed': { supplierId: string; version: number; reason: string };
  'requirements:refused': { supplierId: string; version: number; reason: string };
};
const ev = eventOf<RequirementsEvents>();

// Substantive changes (实质性变动, docs/rules.md §2.8): the panel edits the technical and service requirements
// and the draft contract terms (the rest of the document is locked: 000 §19.2 L289; 003 Ch3 §2.2 L627);
// the purchaser representative must confirm before anything is published (same citations); publishing
// notifies all participating suppliers in writing at the same time (003 Ch3 §2.3 L629; 000 §19.2.1 L291):
// here one `requirements:published` event, so one broadcast; each supplier signs (003 Ch3 §2.4 L631)
// or refuses, which makes its response invalid (003 Ch3 §5.1 L729).

const wrongStage = (what: { zh: string; en: string }) =>
  new DomainError('wrong_stage', { zh: `只能在磋商阶段${what.zh}`, en: `${what.en} only during the consultation stage` });

function requireConsultation(s: SessionState, what: { zh: string; en: string }): void {
  if (s.stage !== 'consultation') throw wrongStage(what);
}

/** Suppliers sign or refuse a published change until their final quote (docs/rules.md §2.8 Derived). */
const SUPPLIER_STAGES: Stage[] = ['consultation', 'final_review', 'final_quote'];

/** The text of version n − 1 (version 0 is the baseline). */
export function previousText(s: SessionState): string {
  return latestVersion(s)?.content ?? reqOf(s).baseline?.content ?? initialText(s);
}

function supplierVersion(ctx: HandlerContext, version: number): PublishedVersion {
  const { state: s, actor } = ctx;
  if (!SUPPLIER_STAGES.includes(s.stage))
    throw new DomainError('wrong_stage', { zh: '最后报价截止后不能再确认或拒绝变动', en: 'changes can no longer be confirmed or refused after the final quotes' });
  const v = reqOf(s).versions.find((x) => x.version === version && x.recipients.includes(actor.personId));
  if (!v) throw new DomainError('not_found', { zh: `没有发给贵单位的第 ${version} 版变动`, en: `no version ${version} was sent to you` }, 'version');
  return v;
}

function requireLatestOpen(ctx: HandlerContext, v: PublishedVersion): void {
  const { state: s, actor } = ctx;
  if (standing(s, actor.personId).status !== 'active')
    throw new DomainError('conflict', { zh: '贵单位已不在评审中，无需再确认', en: 'your company is no longer in the evaluation' });
  const latest = latestFor(s, actor.personId)!;
  if (latest.version !== v.version)
    throw new DomainError('conflict', { zh: `已有更新的第 ${latest.version} 版，请阅读并确认最新版本`, en: `version ${latest.version} is newer; read and confirm the latest version` }, 'version');
  const r = receiptOf(s, v.version, actor.personId);
  if (r?.signedAt) throw new DomainError('conflict', { zh: `第 ${v.version} 版已签字确认`, en: `version ${v.version} is already confirmed` });
  if (r?.refusedAt) throw new DomainError('conflict', { zh: `第 ${v.version} 版已表示不同意`, en: `version ${v.version} was already refused` });
}

export const requirementsConcern: Concern = {
  name: 'requirements',
  init: (s) => {
    s.requirements = { baseline: null, proposal: null, versions: [], receipts: {}, cancelled: [] } satisfies RequirementsSlice;
  },
  // Version 0 is frozen into the log when consultation starts, so the first diff has an audited base.
  onEnter: {
    consultation: (s) => {
      if (reqOf(s).baseline) return [];
      const content = initialText(s);
      return [ev('requirements:baseline', { content, sha256: contentHash(content) })];
    },
  },
  leave: {
    consultation: (s) => {
      const p = reqOf(s).proposal;
      return p
        ? { zh: `第 ${p.version} 版变动尚待采购人代表确认或撤回`, en: `version ${p.version} of the changes awaits the purchaser representative's confirmation or withdrawal` }
        : null;
    },
  },
  // docs/rules.md §2.8 Derived: the final quote waits until every active supplier has confirmed the latest
  // version or been marked invalid (a supplier that did not confirm in time: `requirements:lapse`).
  enter: {
    final_quote: (s) => {
      const waiting = unconfirmedSuppliers(s);
      if (waiting.length === 0) return null;
      return {
        zh: `以下供应商尚未确认最新的实质性变动：${waiting.map((w) => `${w.label}（第 ${w.version} 版）`).join('、')}。请等待其签字确认，或记录其未在规定时间内确认（响应无效）`,
        en: `these suppliers have not confirmed the latest substantive change: ${waiting.map((w) => `${w.label} (version ${w.version})`).join(', ')}. Wait for their signed confirmation, or record that they did not confirm in time (response invalid)`,
      };
    },
  },
  handlers: {
    // 003 Ch3 §5.1 L729: a supplier that does not confirm a substantive change has an invalid response.
    // The moderator records that the supplier did not confirm in time (a refusal by silence), with a reason.
    'requirements:lapse': ({ state: s }, p: { supplierId: string; reason: string }) => {
      if (!SUPPLIER_STAGES.includes(s.stage))
        throw new DomainError('wrong_stage', { zh: '只能在磋商至最后报价阶段记录未确认变动', en: 'an unconfirmed change can be recorded only from the consultation to the final quote' });
      const sup = s.people[p.supplierId];
      if (!sup || sup.role !== 'supplier') throw new DomainError('not_found', { zh: '没有这家供应商', en: 'no such supplier' }, 'supplierId');
      if (standing(s, p.supplierId).status !== 'active')
        throw new DomainError('conflict', { zh: '该供应商已不在评审中', en: 'this supplier is no longer in the evaluation' }, 'supplierId');
      const v = latestFor(s, p.supplierId);
      if (!v || receiptOf(s, v.version, p.supplierId)?.signedAt)
        throw new DomainError('conflict', { zh: '该供应商已确认最新版本，无需记录', en: 'this supplier has confirmed the latest version' }, 'supplierId');
      return {
        events: [
          ev('requirements:lapsed', { supplierId: p.supplierId, version: v.version, reason: p.reason }),
          supplierEvent('supplier:invalidated', {
            supplierId: p.supplierId,
            ground: 'change_not_confirmed',
            reason: {
              zh: `未在规定时间内确认第 ${v.version} 版实质性变动（${p.reason}），响应文件无效（磋商文件第三章 5.1）`,
              en: `did not confirm version ${v.version} of the substantive changes in time (${p.reason}); the response is invalid (Ch. 3 §5.1)`,
            },
          }),
        ],
        data: { version: v.version },
      };
    },
    'requirements:propose': ({ state: s, actor, now }) => {
      requireConsultation(s, { zh: '提出实质性变动', en: 'changes can be proposed' });
      const r = reqOf(s);
      if (r.proposal)
        throw new DomainError('conflict', { zh: `第 ${r.proposal.version} 版尚待采购人代表确认，请先确认或撤回`, en: `version ${r.proposal.version} still awaits confirmation; confirm or withdraw it first` });
      const content = liveText(s.id) ?? previousText(s);
      if (content.length > MAX_DOCUMENT_CHARS)
        throw new DomainError('too_large', { zh: `文档超过 ${MAX_DOCUMENT_CHARS} 字，无法发布`, en: `the document exceeds ${MAX_DOCUMENT_CHARS} characters` });
      if (content === previousText(s))
        throw new DomainError('conflict', { zh: '文档与上一版相比没有任何变动', en: 'the document has not changed since the last version' });
      const version = r.versions.length + 1;
      const proposal: Proposal = { version, content, sha256: contentHash(content), diff: lineDiff(previousText(s), content), proposedAt: now, proposedBy: actor.personId };
      return { events: [ev('requirements:proposed', proposal)], data: { version, sha256: proposal.sha256 } };
    },
    'requirements:cancel': ({ state: s, actor }, p: { version: number; reason: string }) => {
      requireConsultation(s, { zh: '撤回变动', en: 'changes can be withdrawn' });
      const pr = reqOf(s).proposal;
      if (!pr || pr.version !== p.version) throw new DomainError('not_found', { zh: `没有待确认的第 ${p.version} 版`, en: `no pending version ${p.version}` }, 'version');
      if (actor.role === 'purchaser_rep' && !s.people[actor.personId].active)
        throw new DomainError('forbidden', { zh: '您已不在评审小组中', en: 'you are no longer on the panel' });
      return { events: [ev('requirements:cancelled', { version: p.version, reason: p.reason, by: actor.personId })] };
    },
    'requirements:confirm': ({ state: s, actor, now }, p: { version: number }) => {
      requireConsultation(s, { zh: '确认变动', en: 'changes can be confirmed' });
      // The table admits only purchaser_rep; a replaced representative no longer speaks for the purchaser.
      const me = s.people[actor.personId];
      if (me.role !== 'purchaser_rep' || !me.active)
        throw new DomainError('forbidden', { zh: '实质性变动须由采购人代表本人确认', en: 'only the purchaser representative may confirm a change' });
      const pr = reqOf(s).proposal;
      if (!pr || pr.version !== p.version) throw new DomainError('not_found', { zh: `没有待确认的第 ${p.version} 版`, en: `no pending version ${p.version}` }, 'version');
      const recipients = activeSuppliers(s);
      if (recipients.length === 0) throw new DomainError('conflict', { zh: '已没有参加磋商的供应商，无需发布', en: 'no supplier is left to notify' });
      const published: PublishedVersion = {
        version: pr.version,
        content: pr.content,
        sha256: pr.sha256,
        diff: pr.diff,
        proposedAt: pr.proposedAt,
        proposedBy: pr.proposedBy,
        confirmedBy: actor.personId,
        publishedAt: now,
        recipients,
      };
      return { events: [ev('requirements:published', published)], data: { version: pr.version, recipients: recipients.length } };
    },
    'requirements:received': (ctx, p: { version: number }) => {
      const v = supplierVersion(ctx, p.version);
      if (receiptOf(ctx.state, v.version, ctx.actor.personId)?.deliveredAt) return { events: [], data: { version: v.version } };
      return { events: [ev('requirements:delivered', { supplierId: ctx.actor.personId, version: v.version })], data: { version: v.version } };
    },
    'requirements:sign': (ctx, p: { version: number; signer: string }) => {
      const v = supplierVersion(ctx, p.version);
      requireLatestOpen(ctx, v);
      const id = ctx.actor.personId;
      const events = [];
      if (!receiptOf(ctx.state, v.version, id)?.deliveredAt) events.push(ev('requirements:delivered', { supplierId: id, version: v.version }));
      events.push(ev('requirements:signed', { supplierId: id, version: v.version, signer: p.signer }));
      return { events, data: { version: v.version } };
    },
    'requirements:refuse': (ctx, p: { version: number; reason: string }) => {
      const v = supplierVersion(ctx, p.version);
      requireLatestOpen(ctx, v);
      const id = ctx.actor.personId;
      const events = [];
      if (!receiptOf(ctx.state, v.version, id)?.deliveredAt) events.push(ev('requirements:delivered', { supplierId: id, version: v.version }));
      events.push(ev('requirements:refused', { supplierId: id, version: v.version, reason: p.reason }));
      events.push(supplierEvent('supplier:invalidated', {
        supplierId: id,
        ground: 'change_refused',
        reason: {
          zh: `对第 ${v.version} 版实质性变动不予确认，响应文件无效（磋商文件第三章 5.1）`,
          en: `did not confirm version ${v.version} of the substantive changes; the response is invalid (Ch. 3 §5.1)`,
        },
      }));
      return { events, data: { version: v.version } };
    },
  },
  reducers: typedReducers<RequirementsEvents>({
    'requirements:baseline': (s, e) => {
      reqOf(s).baseline = e.payload;
    },
    'requirements:proposed': (s, e) => {
      reqOf(s).proposal = e.payload;
    },
    'requirements:cancelled': (s, e) => {
      const p = e.payload;
      const r = reqOf(s);
      r.proposal = null;
      r.cancelled.push(extend(p, { at: e.ts }));
    },
    'requirements:published': (s, e) => {
      const v = e.payload;
      const r = reqOf(s);
      r.proposal = null;
      r.versions.push(v);
      r.receipts[v.version] = Object.fromEntries(v.recipients.map((id) => [id, emptyReceipt()]));
    },
    'requirements:delivered': (s, e) => {
      const p = e.payload;
      reqOf(s).receipts[p.version][p.supplierId].deliveredAt = e.ts;
    },
    'requirements:signed': (s, e) => {
      const p = e.payload;
      const r = reqOf(s).receipts[p.version][p.supplierId];
      r.signedAt = e.ts;
      r.signer = p.signer;
    },
    'requirements:lapsed': (s, e) => {
      const p = e.payload;
      const r = reqOf(s).receipts[p.version][p.supplierId];
      r.lapsedAt = e.ts;
      r.lapse = p.reason;
    },
    'requirements:refused': (s, e) => {
      const p = e.payload;
      const r = reqOf(s).receipts[p.version][p.supplierId];
      r.refusedAt = e.ts;
      r.refusal = p.reason;
    },
  }),
  view: requirementsView,
};
