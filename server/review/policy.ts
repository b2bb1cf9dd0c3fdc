import { isPanel } from '../../shared/protocol/roles';
import { labelIn } from '../../shared/labels/people';
import type { PolicyKind } from '../../shared/protocol/policy';
import type { PolicyDeclaration } from '../../shared/rules/types';
import type { Bilingual, Concern, Principal, SessionState } from '../session/types';
import { activeMembers } from '../participants/state';
import { standing } from '../suppliers/status';
import { signinOf } from '../signin/state';
import { conflict, invalid, notFound, requireStage } from '../signin/refuse';
import { eventOf, typedReducers } from '../session/events';
import { extend } from '../../shared/extend';

/** This concern's events (server/session/events.ts): what its handlers write, its reducers fold. */
type PolicyEvents = {
  'policy:claimed': { supplierId: string; kind: PolicyKind; enterprise: 'small' | 'micro' | null; share: string | null; document: string; by: string; at: number };
  'policy:voted': { supplierId: string; kind: PolicyKind; memberId: string; accept: boolean; reason: string; at: number };
  'policy:determined': { supplierId: string; kind: PolicyKind; outcome: 'accepted' | 'not_accepted'; accept: number; reject: number; reasons: string[]; at: number };
};
const ev = eventOf<PolicyEvents>();

// Policy status (政策身份) in the compliance review (issue 14; docs/rules.md §2.5, §2.13): the statuses a
// supplier's response claims are recorded with the document that proves them, and each is determined
// by the panel, every sitting member voting accept or not accept (not accepting with a reason), the
// majority deciding as in the review (000 说明6 L462; 004 §5.2.5(2) L1249); a tie is voted again.
// The price deductions use only what was determined (003 Ch3 §3.3.5 L683 "未提供…声明函的，不予价格
// 扣除"); the supplier's final-quote form shows the determination and cannot change it.

export interface PolicyVote {
  accept: boolean;
  reason: string;
  at: number;
}

export interface PolicyClaim {
  kind: PolicyKind;
  enterprise: 'small' | 'micro' | null;
  share: string | null;
  document: string;
  recordedBy: string;
  at: number;
  votes: Record<string, PolicyVote>;
  determination: { outcome: 'accepted' | 'not_accepted'; accept: number; reject: number; reasons: string[]; at: number } | null;
}

export interface PolicySlice {
  /** supplierId → kind → the claim. */
  claims: Record<string, Partial<Record<PolicyKind, PolicyClaim>>>;
}

export const policyOf = (s: SessionState): PolicySlice => s.policy as PolicySlice;

export const POLICY_LABEL: Record<PolicyKind, Bilingual> = {
  small_micro: { zh: '小微企业', en: 'small or micro enterprise' },
  prison: { zh: '监狱企业', en: 'prison enterprise' },
  disabled_welfare: { zh: '残疾人福利性单位', en: 'disabled-welfare unit' },
  consortium_share: { zh: '联合体/分包小微企业份额', en: 'small/micro share in a consortium or subcontract' },
  domestic_share: { zh: '本国产品', en: 'domestic products' },
};

/** The statuses this project's rubric gives a deduction for (the others cannot be claimed here). */
export function claimableKinds(s: SessionState): PolicyKind[] {
  const d = s.rubric?.rules.deductions;
  if (!d) return [];
  const out: PolicyKind[] = [];
  if (d.smallMicro !== null) {
    out.push('small_micro');
    if (d.prisonAsSmallMicro) out.push('prison');
    if (d.disabledWelfareAsSmallMicro) out.push('disabled_welfare');
  }
  const cs = d.consortiumOrSubcontract;
  if (cs && (cs.requires === null || (s.settings as Record<string, unknown>)[cs.requires] === true)) out.push('consortium_share');
  if (d.domesticProduct && (!d.domesticProduct.goodsOnly || s.settings.goods === true)) out.push('domestic_share');
  return out;
}

const label = (s: SessionState, id: string) => s.people[id]?.org ?? s.people[id]?.name ?? id;

/** The tally of one claim among the sitting members. */
export function policyTally(s: SessionState, c: PolicyClaim) {
  const members = activeMembers(s);
  let accept = 0;
  let reject = 0;
  for (const m of members) {
    const v = c.votes[m.id];
    if (!v) continue;
    if (v.accept) accept++;
    else reject++;
  }
  const n = members.length;
  const complete = accept + reject === n;
  const result: 'accepted' | 'not_accepted' | 'tied' | 'pending' = !complete ? 'pending' : accept * 2 > n ? 'accepted' : reject * 2 > n ? 'not_accepted' : 'tied';
  return { accept, reject, members: n, complete, result };
}

/** The policy declaration the quote is evaluated with: only the accepted statuses. */
export function determinedPolicy(s: SessionState, supplierId: string): Required<PolicyDeclaration> {
  const out: Required<PolicyDeclaration> = { enterprise: null, smeDeclaration: false, prisonEnterprise: false, disabledWelfareUnit: false, smallMicroShare: null, domesticShare: null };
  for (const c of Object.values(policyOf(s).claims[supplierId] ?? {})) {
    if (c?.determination?.outcome !== 'accepted') continue;
    if (c.kind === 'small_micro') {
      out.enterprise = c.enterprise;
      out.smeDeclaration = true;
    } else if (c.kind === 'prison') out.prisonEnterprise = true;
    else if (c.kind === 'disabled_welfare') out.disabledWelfareUnit = true;
    else if (c.kind === 'consortium_share') out.smallMicroShare = c.share;
    else if (c.kind === 'domestic_share') out.domesticShare = c.share;
  }
  return out;
}

/** Why a claimed status gives no deduction (not accepted, with the panel's reasons), for the reveal. */
export function notAcceptedNotes(s: SessionState, supplierId: string): Bilingual[] {
  return Object.values(policyOf(s).claims[supplierId] ?? {})
    .filter((c): c is PolicyClaim => c?.determination?.outcome === 'not_accepted')
    .map((c) => ({
      zh: `声明的${POLICY_LABEL[c.kind].zh}身份（${c.document}）未经评审小组认定（认定 ${c.determination!.accept} 票、不予认定 ${c.determination!.reject} 票）：${c.determination!.reasons.join('；')}，不予价格扣除`,
      en: `The claimed status of ${POLICY_LABEL[c.kind].en} (${c.document}) was not accepted by the panel (accept ${c.determination!.accept}, not accept ${c.determination!.reject}): ${c.determination!.reasons.join('; ')}; no deduction`,
    }));
}

function undetermined(s: SessionState): string[] {
  const out: string[] = [];
  for (const [sid, byKind] of Object.entries(policyOf(s).claims)) {
    if (standing(s, sid).status !== 'active') continue;
    for (const c of Object.values(byKind)) if (c && !c.determination) out.push(`${label(s, sid)}（${POLICY_LABEL[c.kind].zh}）`);
  }
  return out;
}

function supplierOf(s: SessionState, supplierId: string): void {
  if (s.people[supplierId]?.role !== 'supplier') throw notFound({ zh: `没有编号为 ${supplierId} 的供应商`, en: `no supplier ${supplierId}` }, 'supplierId');
  if (standing(s, supplierId).status !== 'active') throw conflict({ zh: `${label(s, supplierId)} 已不在评审中`, en: `${supplierId} is no longer in the evaluation` }, 'supplierId');
}

export const policyConcern: Concern = {
  name: 'policy',
  init: (s) => {
    s.policy = { claims: {} } satisfies PolicySlice;
  },
  leave: {
    review: (s) => {
      const open = undetermined(s);
      return open.length ? { zh: `政策身份尚未认定：${open.join('、')}`, en: `policy status not yet determined: ${open.length}` } : null;
    },
  },
  handlers: {
    'policy:claim': ({ state: s, actor, now }, p: { supplierId: string; kind: PolicyKind; enterprise: 'small' | 'micro' | null; share: string | null; document: string }) => {
      requireStage(s, ['review'], { zh: '记录政策身份', en: 'record a policy status' });
      if (isPanel(actor.role) && !s.people[actor.personId].active) throw conflict({ zh: '您已被更换，不再参加评审', en: 'you have been replaced and no longer sit on the panel' });
      supplierOf(s, p.supplierId);
      if (!claimableKinds(s).includes(p.kind))
        throw invalid({ zh: `本项目不对「${POLICY_LABEL[p.kind].zh}」给予价格扣除`, en: `this project gives no deduction for ${POLICY_LABEL[p.kind].en}` }, 'kind');
      if (p.kind === 'small_micro' && !p.enterprise) throw invalid({ zh: '请填写声明函所载的企业规模（小型或微型）', en: 'give the size the declaration states (small or micro)' }, 'enterprise');
      if ((p.kind === 'consortium_share' || p.kind === 'domestic_share') && !p.share)
        throw invalid({ zh: '请填写文件所载的份额（0 到 1 之间的小数）', en: 'give the share the document states (a decimal between 0 and 1)' }, 'share');
      const prev = policyOf(s).claims[p.supplierId]?.[p.kind];
      if (prev && (prev.determination || Object.keys(prev.votes).length > 0))
        throw conflict({ zh: '该政策身份已有表决，不能再修改', en: 'this status already has votes and can no longer be changed' }, 'kind');
      return {
        events: [
          ev('policy:claimed', {
            supplierId: p.supplierId,
            kind: p.kind,
            enterprise: p.kind === 'small_micro' ? p.enterprise : null,
            share: p.kind === 'consortium_share' || p.kind === 'domestic_share' ? p.share : null,
            document: p.document.trim(),
            by: actor.personId,
            at: now,
          }),
        ],
      };
    },
    'policy:vote': ({ state: s, actor, now }, p: { supplierId: string; kind: PolicyKind; accept: boolean; reason: string }) => {
      requireStage(s, ['review'], { zh: '认定政策身份', en: 'determine a policy status' });
      const me = s.people[actor.personId];
      if (!me.active) throw conflict({ zh: '您已被更换，不再参加评审', en: 'you have been replaced and no longer sit on the panel' });
      if (!signinOf(s).members[actor.personId]) throw conflict({ zh: '请先签到并确认评审纪律', en: 'sign in and acknowledge the discipline first' });
      supplierOf(s, p.supplierId);
      const c = policyOf(s).claims[p.supplierId]?.[p.kind];
      if (!c) throw notFound({ zh: `${label(s, p.supplierId)} 没有声明「${POLICY_LABEL[p.kind].zh}」`, en: `${p.supplierId} claims no ${POLICY_LABEL[p.kind].en}` }, 'kind');
      if (c.determination) throw conflict({ zh: '该政策身份已经认定', en: 'this status has already been determined' }, 'kind');
      const reason = p.reason.trim();
      if (!p.accept && reason.length < 2) throw invalid({ zh: '不予认定时须填写理由', en: 'not accepting needs a reason' }, 'reason');
      const prev = c.votes[actor.personId];
      if (prev && prev.accept === p.accept && prev.reason === reason) return { events: [], data: { unchanged: true } };
      const events: { type: string; payload: unknown }[] = [ev('policy:voted', { supplierId: p.supplierId, kind: p.kind, memberId: actor.personId, accept: p.accept, reason, at: now })];
      const votes = extend(c.votes, { [actor.personId]: { accept: p.accept, reason, at: now } });
      const t = policyTally(s, extend(c, { votes }));
      if (t.result === 'accepted' || t.result === 'not_accepted') {
        const members = new Set(activeMembers(s).map((m) => m.id));
        const reasons = [...new Set(Object.entries(votes).filter(([m, v]) => members.has(m) && v.accept === (t.result === 'accepted') && v.reason).map(([, v]) => v.reason))];
        events.push(ev('policy:determined', { supplierId: p.supplierId, kind: p.kind, outcome: t.result, accept: t.accept, reject: t.reject, reasons, at: now }));
      }
      return { events, data: { result: t.result } };
    },
  },
  reducers: typedReducers<PolicyEvents>({
    'policy:claimed': (s, e) => {
      const p = e.payload;
      (policyOf(s).claims[p.supplierId] ??= {})[p.kind] = { kind: p.kind, enterprise: p.enterprise, share: p.share, document: p.document, recordedBy: p.by, at: p.at, votes: {}, determination: null };
    },
    'policy:voted': (s, e) => {
      const p = e.payload;
      policyOf(s).claims[p.supplierId]![p.kind]!.votes[p.memberId] = { accept: p.accept, reason: p.reason, at: p.at };
    },
    'policy:determined': (s, e) => {
      const p = e.payload;
      policyOf(s).claims[p.supplierId]![p.kind]!.determination = { outcome: p.outcome, accept: p.accept, reject: p.reject, reasons: p.reasons, at: p.at };
    },
  }),
  view: policyView,
};

/** A supplier sees its own claims and their determination (never a vote); the panel, the moderator and
 *  the observer see every claim with the votes; the wall sees nothing of it. */
export function policyView(s: SessionState, viewer: Principal): Record<string, unknown> {
  if (!s.rubric || viewer.role === 'screen') return {};
  const sl = policyOf(s);
  const claimOut = (c: PolicyClaim) => ({
    kind: c.kind,
    label: POLICY_LABEL[c.kind],
    enterprise: c.enterprise,
    share: c.share,
    document: c.document,
    determination: c.determination ? { outcome: c.determination.outcome, reasons: c.determination.reasons } : null,
  });
  if (viewer.role === 'supplier') {
    const mine = Object.values(sl.claims[viewer.personId] ?? {}).filter((c): c is PolicyClaim => !!c);
    return { policy: { claims: mine.map(claimOut) } };
  }
  const members = new Set(activeMembers(s).map((m) => m.id));
  return {
    policy: {
      kinds: claimableKinds(s).map((k) => ({ kind: k, label: POLICY_LABEL[k] })),
      open: s.stage === 'review',
      suppliers: Object.fromEntries(
        Object.entries(sl.claims).map(([sid, byKind]) => [
          sid,
          Object.values(byKind)
            .filter((c): c is PolicyClaim => !!c)
            .map((c) =>
              extend(claimOut(c), {
                tally: policyTally(s, c),
                votes: Object.entries(c.votes)
                  .filter(([m]) => members.has(m))
                  // 专家 n or 采购人代表 (issue 13 item 7), as everywhere else.
                  .map(([m, v]) => ({ memberId: m, label: labelIn(s.people, s.order, m).zh, labelEn: labelIn(s.people, s.order, m).en, accept: v.accept, reason: v.reason })),
              }),
            ),
        ]),
      ),
    },
  };
}
