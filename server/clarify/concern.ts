import { isPanel } from '../../shared/protocol/roles';
import type { Concern, Principal, SessionState, Stage } from '../session/types';
import { standing } from '../suppliers/status';
import { conflict, invalid, notFound, requireStage } from '../signin/refuse';
import { reviewOf, checklistOf, isPhase } from '../review/state';
import { checkAttachment } from './attachment';
import { clarifyOf, emptyClarify, openForItem, type AttachmentMeta, type Clarification } from './state';
import { labelIn } from '../../shared/labels/people';
import { eventOf, typedReducers } from '../session/events';
import { extend } from '../../shared/extend';

/** This concern's events (server/session/events.ts): what its handlers write, its reducers fold. */
type ClarifyEvents = {
  'clarify:drafted': Pick<Clarification, 'supplierId' | 'phase' | 'itemId' | 'question' | 'minutes' | 'author'> & { clarificationId: string; at: number };
  'clarify:discarded': { clarificationId: string; at: number; by: string };
  'clarify:sent': { clarificationId: string; supplierId: string; at: number; deadline: number; by: string };
  'clarify:answered': { clarificationId: string; supplierId: string; text: string; signer: string; statement: true; at: number; attachment: (AttachmentMeta & { data: string }) | null };
  'clarify:lapsed': { clarificationId: string; supplierId: string; at: number };
};
const ev = eventOf<ClarifyEvents>();

// Clarifications (澄清, docs/rules.md §2.6): written questions to one supplier about ambiguous content,
// inconsistent statements or obvious errors (000 §18.2 L271; 003 Ch3 §2.5.1 L635). A member drafts,
// the panel sees the draft, the moderator sends; only the addressed supplier ever receives it
// (000 §21.1 L485). The answer is written, signed by the representative (000 §18.3 L273; 003 Ch3
// §2.5.3 L639) and must arrive before the deadline the panel set (003 Ch3 §2.5.2 L637).

/** Clarifications happen while the panel reviews or consults; 004 §3.6.2 L781 also while it scores. */
const STAGES: Stage[] = ['review', 'consultation', 'final_review', 'scoring'];

const supplierLabel = (s: SessionState, id: string) => s.people[id]?.org ?? s.people[id]?.name ?? id;

function get(s: SessionState, id: string): Clarification {
  const c = clarifyOf(s).items[id];
  if (!c) throw notFound({ zh: `没有编号为 ${id} 的澄清`, en: `no clarification ${id}` }, 'clarificationId');
  return c;
}

export const attachmentPath = (sessionId: string, sha: string) => `/api/sessions/${sessionId}/attachments/${sha}`;

/** Whether a viewer may download an attachment: the panel, the moderator, the observer, or the supplier that sent it. */
export function mayReadAttachment(s: SessionState, viewer: Principal, sha: string): boolean {
  if (!clarifyOf(s).files[sha]) return false;
  if (viewer.role === 'supplier')
    return Object.values(clarifyOf(s).items).some((c) => c.supplierId === viewer.personId && c.answer?.attachment?.sha256 === sha);
  if (isPanel(viewer.role)) return s.people[viewer.personId]?.active === true;
  return viewer.role === 'moderator' || viewer.role === 'observer';
}

export const clarifyConcern: Concern = {
  name: 'clarify',
  init: (s) => {
    s.clarify = emptyClarify();
  },
  handlers: {
    'clarify:draft': ({ state, actor, now }, p: { supplierId: string; question: string; minutes: number; itemId?: string }) => {
      requireStage(state, STAGES, { zh: '起草澄清', en: 'draft a clarification' });
      if (!state.people[actor.personId].active) throw conflict({ zh: '您已被更换，不再参加评审', en: 'you have been replaced' });
      const sp = state.people[p.supplierId];
      if (!sp || sp.role !== 'supplier') throw notFound({ zh: `没有编号为 ${p.supplierId} 的供应商`, en: `no supplier ${p.supplierId}` }, 'supplierId');
      if (standing(state, p.supplierId).status !== 'active') throw conflict({ zh: `${supplierLabel(state, p.supplierId)} 已不在评审中`, en: `${p.supplierId} is no longer in the evaluation` }, 'supplierId');
      let itemId: string | null = null;
      if (p.itemId) {
        // Only an item the document marks "允许澄清" may be clarified instead of failing (003 Ch3 §2.5.2 L637).
        if (!isPhase(state.stage)) throw conflict({ zh: '只有在审查阶段才能就审查项发出澄清', en: 'a review item can be clarified only during a review' }, 'itemId');
        const item = checklistOf(state, state.stage).find((i) => i.id === p.itemId);
        if (!item) throw notFound({ zh: `没有审查项 ${p.itemId}`, en: `no review item ${p.itemId}` }, 'itemId');
        if (!item.clarificationAllowed) throw conflict({ zh: `审查项「${item.text_zh}」不允许澄清`, en: `item ${item.id} may not be clarified` }, 'itemId');
        if (reviewOf(state).concluded[state.stage][p.supplierId]) throw conflict({ zh: '该供应商的审查已经结束', en: "this supplier's review is concluded" }, 'itemId');
        if (openForItem(state, p.supplierId, state.stage, item.id).length) throw conflict({ zh: '该审查项已有未完成的澄清', en: 'a clarification on this item is already open' }, 'itemId');
        itemId = item.id;
      }
      const id = `Q${clarifyOf(state).order.length + 1}`;
      return {
        events: [
          ev('clarify:drafted', { clarificationId: id, supplierId: p.supplierId, phase: state.stage, itemId, question: p.question.trim(), minutes: p.minutes, author: actor.personId, at: now }),
        ],
        data: { clarificationId: id },
      };
    },
    'clarify:discard': ({ state, actor, now }, p: { clarificationId: string }) => {
      const c = get(state, p.clarificationId);
      if (c.status !== 'draft') throw conflict({ zh: '只能撤回尚未发出的澄清草稿', en: 'only an unsent draft can be discarded' });
      if (actor.role !== 'moderator' && c.author !== actor.personId) throw conflict({ zh: '只能撤回本人起草的澄清', en: 'you can discard only your own draft' });
      return { events: [ev('clarify:discarded', { clarificationId: c.id, at: now, by: actor.personId })] };
    },
    'clarify:send': ({ state, actor, now }, p: { clarificationId: string }) => {
      requireStage(state, STAGES, { zh: '发出澄清', en: 'send a clarification' });
      const c = get(state, p.clarificationId);
      if (c.status !== 'draft') throw conflict({ zh: '该澄清已经发出或已撤回', en: 'this clarification was already sent or discarded' });
      if (standing(state, c.supplierId).status !== 'active') throw conflict({ zh: `${supplierLabel(state, c.supplierId)} 已不在评审中`, en: `${c.supplierId} is no longer in the evaluation` });
      const deadline = now + c.minutes * 60_000;
      return { events: [ev('clarify:sent', { clarificationId: c.id, supplierId: c.supplierId, at: now, deadline, by: actor.personId })], data: { deadline } };
    },
    'clarify:answer': (
      { state, actor, now },
      p: { clarificationId: string; text: string; signer: string; attachment?: { name: string; mime: string; dataBase64: string } },
    ) => {
      const c = clarifyOf(state).items[p.clarificationId];
      // Another supplier's question id gets the same answer as an unknown one: nothing leaks.
      if (!c || c.supplierId !== actor.personId || c.status === 'draft' || c.status === 'discarded')
        throw notFound({ zh: `没有编号为 ${p.clarificationId} 的澄清`, en: `no clarification ${p.clarificationId}` }, 'clarificationId');
      if (c.status === 'answered') throw conflict({ zh: '该澄清已经答复，不能重复答复', en: 'this clarification was already answered' });
      if (c.status === 'lapsed' || now > (c.deadline ?? 0))
        throw conflict({ zh: '已超过澄清截止时间，答复不予接收', en: 'the deadline has passed; the answer is not accepted' });
      requireStage(state, STAGES, { zh: '答复澄清', en: 'answer a clarification' });
      if (standing(state, actor.personId).status !== 'active') throw conflict({ zh: '贵单位已不在评审中', en: 'your company is no longer in the evaluation' });
      const attachment = p.attachment ? checkAttachment(p.attachment) : null;
      return {
        events: [
          ev('clarify:answered', { clarificationId: c.id, supplierId: actor.personId, text: p.text.trim(), signer: p.signer, statement: true, at: now, attachment }),
        ],
        data: { at: now, sha256: attachment?.sha256 ?? null },
      };
    },
    'clarify:lapse': ({ state, now }, p: { clarificationId: string }) => {
      const c = get(state, p.clarificationId);
      if (c.status !== 'sent') throw conflict({ zh: '只有已发出且未答复的澄清才能记为逾期未答复', en: 'only a sent, unanswered clarification can lapse' });
      if (now <= (c.deadline ?? 0)) throw conflict({ zh: '澄清截止时间未到', en: 'the deadline has not passed yet' });
      return { events: [ev('clarify:lapsed', { clarificationId: c.id, supplierId: c.supplierId, at: now })] };
    },
  },
  reducers: typedReducers<ClarifyEvents>({
    'clarify:drafted': (s, e) => {
      const p = e.payload;
      const sl = clarifyOf(s);
      sl.items[p.clarificationId] = {
        id: p.clarificationId,
        supplierId: p.supplierId,
        phase: p.phase,
        itemId: p.itemId,
        question: p.question,
        minutes: p.minutes,
        author: p.author,
        draftedAt: p.at,
        status: 'draft',
        sentAt: null,
        sentBy: null,
        deadline: null,
        answer: null,
        lapsedAt: null,
        discardedAt: null,
      };
      sl.order.push(p.clarificationId);
    },
    'clarify:discarded': (s, e) => {
      const p = e.payload;
      Object.assign(clarifyOf(s).items[p.clarificationId], { status: 'discarded', discardedAt: p.at });
    },
    'clarify:sent': (s, e) => {
      const p = e.payload;
      Object.assign(clarifyOf(s).items[p.clarificationId], { status: 'sent', sentAt: p.at, sentBy: p.by, deadline: p.deadline });
    },
    'clarify:answered': (s, e) => {
      const p = e.payload;
      const sl = clarifyOf(s);
      let meta: AttachmentMeta | null = null;
      if (p.attachment) {
        const { data, ...m } = p.attachment;
        meta = m;
        sl.files[m.sha256] = extend(m, { data });
      }
      Object.assign(sl.items[p.clarificationId], { status: 'answered', answer: { text: p.text, signer: p.signer, at: p.at, attachment: meta } });
    },
    'clarify:lapsed': (s, e) => {
      const p = e.payload;
      Object.assign(clarifyOf(s).items[p.clarificationId], { status: 'lapsed', lapsedAt: p.at });
    },
  }),
  view: (s, viewer) => {
    if (viewer.role === 'screen') return {};
    const sl = clarifyOf(s);
    const all = sl.order.map((id) => sl.items[id]);
    const withUrl = (a: AttachmentMeta | null) => (a ? extend(a, { url: attachmentPath(s.id, a.sha256) }) : null);
    if (viewer.role === 'supplier') {
      // Only the questions sent to this supplier, never a draft, never who wrote it (000 §21.1 L485).
      return {
        clarify: {
          items: all
            .filter((c) => c.supplierId === viewer.personId && c.status !== 'draft' && c.status !== 'discarded')
            .map((c) => ({
              id: c.id,
              question: c.question,
              sentAt: c.sentAt,
              deadline: c.deadline,
              status: c.status,
              answer: c.answer ? extend(c.answer, { attachment: withUrl(c.answer.attachment) }) : null,
            })),
        },
      };
    }
    const memberLabel = (id: string) => (s.people[id] && isPanel(s.people[id].role) ? labelIn(s.people, s.order, id).zh : id);
    return {
      clarify: {
        stageAllows: STAGES.includes(s.stage),
        items: all
          .filter((c) => c.status !== 'discarded')
          .map((c) =>
            extend(c, {
              supplierLabel: supplierLabel(s, c.supplierId),
              authorLabel: memberLabel(c.author),
              answer: c.answer ? extend(c.answer, { attachment: withUrl(c.answer.attachment) }) : null,
            }),
          ),
      },
    };
  },
};
