import type { SigninSeatSection } from '../../shared/protocol/views';
import type { CommandResult } from '../../shared/protocol/events';
import { wallMayName } from '../projector/in-room';
import { DISCIPLINE } from '../../shared/protocol/signin';
import { isPanel } from '../../shared/protocol/roles';
import { checkPanel, citedPanelCheck } from '../../shared/rules/panel';
import { per } from '../../shared/domain/rubric/citations';
import { newPersonToken } from '../session/create';
import { DomainError, type Bilingual, type Concern, type Person, type Principal, type SessionState, type Stage } from '../session/types';
import { activeMembers, personEvent } from '../participants/state';
import { activeSuppliers, minimumStatus, standing, supplierIds, supplierEvent } from '../suppliers/status';
import { signedInOrder, consultationOrder } from './order';
import { conflict, invalid, notFound, requireStage } from './refuse';
import { emptySignin, signinOf, type MemberSignin, type Replacement, type Reorder } from './state';

/** The sign-in's events (server/session/events.ts): what the handlers write, the reducers fold. */
type SigninEvents = {
  'signin:supplier_signed': { supplierId: string; representative: string; authorised: true; at: number };
  'signin:closed': { arrival: string[]; absent: string[]; at: number };
  'signin:reordered': Reorder & { previous: string[] };
  'signin:member_signed': { memberId: string } & MemberSignin;
  'signin:member_replaced': Replacement;
};
const ev = eventOf<SigninEvents>();
import { labelIn } from '../../shared/labels/people';
import { eventOf, typedReducers } from '../session/events';
import { extend } from '../../shared/extend';

// Sign-in (签到, docs/rules.md §2.2), the opening's minimum check (docs/rules.md §2.3, §2.24), member recusal and
// replacement (003 §17.3 L496; 004 §5.2.5(1)⑥ L1247), and the supplier's withdrawal (003 Ch3 §2.9 L647).

const label = (s: SessionState, id: string): string => {
  const p = s.people[id];
  if (!p) return id;
  return isPanel(p.role) ? labelIn(s.people, s.order, id).zh : (p.org ?? p.name);
};
const labelEn = (s: SessionState, id: string): string => {
  const p = s.people[id];
  if (!p) return id;
  return isPanel(p.role) ? labelIn(s.people, s.order, id).en : (p.org ?? p.name);
};

/** Stages in which a member may still sign in (a replacement arrives after the opening too). */
const MEMBER_SIGNIN_STAGES: Stage[] = ['signin', 'opening', 'review'];
/** 003 Ch3 §2.9 L647: "在提交最后报价之前" a supplier may withdraw; the final-quote stage is the cut-off. */
const WITHDRAW_STAGES: Stage[] = ['signin', 'opening', 'review', 'consultation', 'final_review'];

function requireActiveSupplier(s: SessionState, id: string): void {
  const st = standing(s, id);
  if (st.status !== 'active')
    throw conflict({
      zh: st.status === 'withdrawn' ? '贵单位已退出本次磋商' : `贵单位的响应已被认定无效：${st.reason?.zh ?? ''}`,
      en: st.status === 'withdrawn' ? 'your company has withdrawn' : `your response has been found invalid: ${st.reason?.en ?? ''}`,
    });
}

function requireActiveMember(s: SessionState, id: string): Person {
  const p = s.people[id];
  if (!p || !isPanel(p.role)) throw notFound({ zh: `没有编号为 ${id} 的评审小组成员`, en: `no panel member ${id}` }, 'memberId');
  if (!p.active) throw conflict({ zh: `${label(s, id)} 已被更换，不再参加评审`, en: `${labelEn(s, id)} has been replaced` });
  return p;
}

/** Every reason the panel and the suppliers' sign-in are not ready yet (the quorum board shows them all). */
export function signinBlockers(s: SessionState): Bilingual[] {
  const sl = signinOf(s);
  const out: Bilingual[] = [];
  const members = activeMembers(s);
  const missing = members.filter((m) => !sl.members[m.id]);
  if (missing.length)
    out.push({
      zh: `${missing.length} 名专家尚未签到（${missing.map((m) => label(s, m.id)).join('、')}）`,
      en: `${missing.length} member(s) have not signed in (${missing.map((m) => labelEn(s, m.id)).join(', ')})`,
    });
  for (const m of members) {
    const r = sl.members[m.id];
    if (r && r.recuseFrom.length)
      out.push({
        zh: `${label(s, m.id)} 声明须回避（${r.recuseFrom.map((x) => label(s, x)).join('、')}），须更换后方可开始`,
        en: `${labelEn(s, m.id)} must recuse (${r.recuseFrom.map((x) => labelEn(s, x)).join(', ')}) and be replaced first`,
      });
  }
  const panel = citedPanelCheck(checkPanel(members.map((m) => ({ id: m.id, role: m.role as 'expert' | 'purchaser_rep' })), s.rubric?.rules.panel ?? null), s.rubric?.rules.panel ? per(s.rubric, 'panel', s.project.method) : null);
  out.push(...panel.reasons);
  if (!sl.closed) out.push({ zh: '供应商签到尚未截止', en: "the suppliers' sign-in has not been closed" });
  return out;
}

export const signinConcern: Concern = {
  name: 'signin',
  init: (s) => {
    s.signin = emptySignin();
  },
  leave: {
    signin: (s) => signinBlockers(s)[0] ?? null,
    // 003 §17.4 L498 and 004 §3.4.16(1) L729: with fewer than the minimum nothing is opened; the
    // console then offers termination (session:terminate) with a reason.
    opening: (s) => {
      const m = minimumStatus(s, 'open');
      return m.ok ? null : { zh: `${m.reason!.zh}，不能开启；请终止采购并说明理由`, en: `${m.reason!.en}: cannot open; terminate with a reason` };
    },
  },
  handlers: {
    'signin:supplier': ({ state, actor, now }, p: { representative: string }) => {
      requireStage(state, ['signin'], { zh: '签到', en: 'sign in' });
      const sl = signinOf(state);
      if (sl.closed) throw conflict({ zh: '签到已截止', en: 'sign-in has closed' });
      requireActiveSupplier(state, actor.personId);
      if (sl.suppliers[actor.personId]) throw conflict({ zh: '贵单位已签到，无须重复签到', en: 'your company has already signed in' });
      return {
        events: [ev('signin:supplier_signed', { supplierId: actor.personId, representative: p.representative, authorised: true, at: now })],
        data: { at: now },
      };
    },
    'signin:close': ({ state, now }) => {
      requireStage(state, ['signin'], { zh: '截止供应商签到', en: "close the suppliers' sign-in" });
      const sl = signinOf(state);
      if (sl.closed) throw conflict({ zh: '供应商签到已经截止', en: 'sign-in is already closed' });
      const absent = activeSuppliers(state).filter((id) => !sl.suppliers[id]);
      // A supplier not here by the deadline is not opened (000 §14.3 L246; 003 L103: representatives
      // attend with the laptop that decrypts the response); it is recorded, not silently dropped.
      const events = [
        ev('signin:closed', { arrival: [...sl.arrival], absent, at: now }),
        ...absent.map((id) => (supplierEvent('supplier:invalidated', {
          supplierId: id,
          ground: 'not_signed_in',
          reason: { zh: '未在签到截止前签到，响应文件不予开启', en: 'did not sign in before sign-in closed; the response is not opened' },
        }))),
      ];
      return { events, data: { order: sl.arrival, absent } };
    },
    'signin:reorder': ({ state, actor, now }, p: { order: string[]; reason: string }) => {
      requireStage(state, ['signin', 'opening', 'review', 'consultation'], { zh: '调整磋商顺序', en: 'change the consultation order' });
      const current = consultationOrder(state);
      const want = new Set(current);
      if (p.order.length !== want.size || new Set(p.order).size !== p.order.length || p.order.some((id) => !want.has(id)))
        throw invalid(
          { zh: `新顺序须恰好包含已签到的有效供应商各一次（${current.map((x) => label(state, x)).join('、')}）`, en: `the new order must list each signed-in active supplier exactly once (${current.join(', ')})` },
          'order',
        );
      if (p.order.every((id, i) => id === current[i])) throw conflict({ zh: '新顺序与现有顺序相同', en: 'the order is unchanged' }, 'order');
      return { events: [ev('signin:reordered', { order: p.order, previous: current, reason: p.reason, at: now, by: actor.personId })] };
    },
    'signin:member': ({ state, actor, now }, p: { recusals: { supplierId: string; recuse: boolean }[]; recusalNote?: string; disciplineVersion: string }) => {
      requireStage(state, MEMBER_SIGNIN_STAGES, { zh: '评审专家签到', en: 'sign in as a member' });
      requireActiveMember(state, actor.personId);
      if (signinOf(state).members[actor.personId]) throw conflict({ zh: '您已签到', en: 'you have already signed in' });
      if (p.disciplineVersion !== DISCIPLINE.version)
        throw invalid({ zh: '评审纪律文本已更新，请刷新页面后重新阅读并确认', en: 'the discipline text has changed; reload, read and acknowledge it again' }, 'disciplineVersion');
      const all = supplierIds(state);
      const declared = new Map(p.recusals.map((r) => [r.supplierId, r.recuse]));
      const unknown = p.recusals.find((r) => !all.includes(r.supplierId));
      if (unknown) throw invalid({ zh: `没有编号为 ${unknown.supplierId} 的供应商`, en: `no supplier ${unknown.supplierId}` }, 'recusals');
      // 003 §17.3 L496: the declaration covers every supplier of the session, one by one.
      const undeclared = all.filter((id) => !declared.has(id));
      if (undeclared.length)
        throw invalid(
          { zh: `请逐一声明是否须回避：尚未声明 ${undeclared.map((x) => label(state, x)).join('、')}`, en: `declare for every supplier whether you must recuse; missing: ${undeclared.join(', ')}` },
          'recusals',
        );
      const recuseFrom = all.filter((id) => declared.get(id));
      return {
        events: [
          ev('signin:member_signed', { memberId: actor.personId, at: now, acknowledged: true, disciplineVersion: p.disciplineVersion, recuseFrom, recusalNote: p.recusalNote?.trim() || null }),
        ],
        data: { at: now, recuseFrom },
      };
    },
    'signin:replace': ({ state, actor, now }, p: { memberId: string; name: string; role?: 'expert' | 'purchaser_rep'; org?: string; reason?: string }) => {
      requireStage(state, MEMBER_SIGNIN_STAGES, { zh: '更换评审小组成员', en: 'replace a panel member' });
      const old = requireActiveMember(state, p.memberId);
      const r = signinOf(state).members[old.id];
      const recused = r?.recuseFrom.length ? r.recuseFrom : null;
      const reason = p.reason?.trim() || (recused ? `声明回避（${recused.map((x) => label(state, x)).join('、')}）` : null);
      if (!reason) throw invalid({ zh: '该成员未声明回避，更换须说明理由', en: 'this member has not recused: give the reason for replacing them' }, 'reason');
      let n = state.order.filter((id) => isPanel(state.people[id].role)).length + 1;
      while (state.people[`M${n}`]) n++;
      const newId = `M${n}`;
      const t = newPersonToken(state.id, newId);
      return {
        events: [
          personEvent('person:added', { id: newId, name: p.name, role: p.role ?? old.role, leader: old.leader, org: p.org ?? null, contact: null, tokenHash: t.tokenHash, replaces: old.id }),
          personEvent('person:deactivated', { personId: old.id, reason }),
          ev('signin:member_replaced', { memberId: old.id, replacementId: newId, reason, at: now, by: actor.personId }),
        ],
        tokens: [t],
        // The replaced member's card stops working at once: it must not follow a review it recused from.
        revokeTokens: [old.tokenHash],
        data: { personId: newId, role: p.role ?? old.role, token: t.token, path: `/tablet#${t.token}` } satisfies CommandResult<'signin:replace'>,
      };
    },
    'supplier:withdraw': ({ state, actor, now }, p: { reason: string }) => {
      requireStage(state, WITHDRAW_STAGES, { zh: '退出磋商（须在提交最后报价之前）', en: 'withdraw (only before the final quote)' });
      requireActiveSupplier(state, actor.personId);
      const text = p.reason.trim();
      return {
        events: [
          supplierEvent('supplier:withdrew', { supplierId: actor.personId, reason: { zh: `供应商自行退出：${text}`, en: `withdrew: ${text}` }, statement: text, at: now }),
        ],
      };
    },
  },
  reducers: typedReducers<SigninEvents>({
    'signin:supplier_signed': (s, e) => {
      const p = e.payload;
      const sl = signinOf(s);
      sl.suppliers[p.supplierId] = { representative: p.representative, authorised: true, at: p.at, seq: e.seq };
      sl.arrival.push(p.supplierId);
    },
    'signin:closed': (s, e) => {
      const p = e.payload;
      signinOf(s).closed = { at: p.at, absent: p.absent };
    },
    'signin:reordered': (s, e) => {
      const p = e.payload;
      const sl = signinOf(s);
      sl.override = p.order;
      sl.reorders.push({ order: p.order, reason: p.reason, at: p.at, by: p.by });
    },
    'signin:member_signed': (s, e) => {
      const p = e.payload;
      signinOf(s).members[p.memberId] = { at: p.at, acknowledged: true, disciplineVersion: p.disciplineVersion, recuseFrom: p.recuseFrom, recusalNote: p.recusalNote };
    },
    'signin:member_replaced': (s, e) => {
      const p = e.payload;
      signinOf(s).replacements.push({ ...p });
      // The store revoked the card (revokeTokens); the live index and open sockets follow the person's hash.
      s.people[p.memberId].tokenHash = `revoked:${e.seq}`;
    },
  }),
  view: (s, viewer) => ({ signin: signinView(s, viewer) }),
  // A member's own sign-in, apart from the panel's `signin` (issue 15: memory per room): the panel's
  // section is then one for the whole panel, not a personal copy (the discipline's text, every
  // member and supplier) per member that differs only in `me`.
  ownView: (s, viewer) => (isPanel(viewer.role) ? { signinSeat: { me: signinOf(s).members[viewer.personId] ?? null } satisfies SigninSeatSection } : {}),
};

function signinView(s: SessionState, viewer: Principal): Record<string, unknown> {
  const sl = signinOf(s);
  const open = s.stage === 'signin' && !sl.closed;
  if (viewer.role === 'supplier') {
    // Only its own sign-in: never another supplier's arrival, representative or place (docs/rules.md §1.8).
    const mine = sl.suppliers[viewer.personId] ?? null;
    return {
      open,
      me: mine ? { representative: mine.representative, at: mine.at } : null,
      canWithdraw: WITHDRAW_STAGES.includes(s.stage) && standing(s, viewer.personId).status === 'active',
    };
  }
  const members = s.order
    .map((id) => s.people[id])
    .filter((p) => isPanel(p.role))
    .map((p) => {
      const r = sl.members[p.id];
      const rep = sl.replacements.find((x) => x.memberId === p.id);
      return {
        id: p.id,
        label: labelIn(s.people, s.order, p.id).zh,
        labelEn: labelIn(s.people, s.order, p.id).en,
        active: p.active,
        signedIn: !!r,
        at: r?.at ?? null,
        acknowledged: !!r?.acknowledged,
        recuseFrom: r?.recuseFrom ?? [],
        replacedBy: rep?.replacementId ?? null,
        replaces: p.replaces,
        ...(viewer.role === 'screen' ? {} : { name: p.name, role: p.role, recusalNote: r?.recusalNote ?? null }),
      };
    });
  if (viewer.role === 'screen') {
    // The wall: suppliers in arrival (consultation) order, members only as "专家 n" (docs/rules.md §1.3 Derived).
    return {
      suppliers: signedInOrder(s)
        .filter((id) => wallMayName(s, id))
        .map((id) => ({ id, label: label(s, id), at: sl.suppliers[id].at })),
      members: members.filter((m) => m.active).map((m) => ({ id: m.id, label: m.label, present: m.signedIn })),
      closed: !!sl.closed,
    };
  }
  const suppliers = signedInOrder(s)
    .concat(supplierIds(s).filter((id) => !sl.suppliers[id]))
    .map((id) => ({
      id,
      label: label(s, id),
      signedIn: !!sl.suppliers[id],
      representative: sl.suppliers[id]?.representative ?? null,
      at: sl.suppliers[id]?.at ?? null,
      status: standing(s, id).status,
    }));
  const base = {
    open,
    closed: sl.closed,
    suppliers,
    order: consultationOrder(s),
    members,
    discipline: DISCIPLINE,
  };
  // A member's own sign-in is its `signinSeat` (ownView).
  if (isPanel(viewer.role)) return base;
  const panel = citedPanelCheck(checkPanel(activeMembers(s).map((m) => ({ id: m.id, role: m.role as 'expert' | 'purchaser_rep' })), s.rubric?.rules.panel ?? null), s.rubric?.rules.panel ? per(s.rubric, 'panel', s.project.method) : null);
  return extend(base, {
    reorders: sl.reorders,
    replacements: sl.replacements,
    panel,
    blockers: signinBlockers(s),
    openingCheck: s.rubric ? minimumStatus(s, 'open') : null,
  });
}
