import { DomainError, type HandlerContext, type HandlerResult, type SessionState } from '../session/types';
import { isPanel } from '../../shared/protocol/roles';
import { checkAttachment } from '../clarify/attachment';
import { signinOf } from '../signin/state';
import { roundsOf, sittingAt, type Sitting, minutesEvent, type MinutesEvents } from './state';
import { typedReducers } from '../session/events';

const ev = minutesEvent;

// The consultation minutes (磋商记录, issue 13 item 3; docs/rules.md §2.7 Derived "every sitting is timed
// and minuted"). For each sitting: who was present (recorded when it starts), start and end by the
// server clock, what was discussed (typed live by the moderator or the panel leader), the documents
// exchanged (uploaded from the laptop or the console, kept with their sha256, shown to the panel, in
// the archive), and the signatures of the supplier's representative and of the panel members. Once
// anyone has signed, the text and the documents are closed: a signature is for what was read.

const label = (s: SessionState, id: string): string => s.people[id]?.org ?? s.people[id]?.name ?? id;

function sitting(s: SessionState, n: number): Sitting {
  const x = sittingAt(s, n);
  if (!x) throw new DomainError('not_found', { zh: `没有第 ${n} 次磋商`, en: `there is no sitting ${n}` }, 'sitting');
  return x;
}

function open(x: Sitting): void {
  if (Object.keys(x.signatures).length > 0)
    throw new DomainError('conflict', { zh: '磋商记录已有签字，不能再修改', en: 'the minutes have been signed and can no longer change' }, 'sitting');
}

/** Who was present when a sitting began: the active panel members who have signed in. */
export function presentMembers(s: SessionState): string[] {
  const si = signinOf(s);
  return s.order.filter((id) => isPanel(s.people[id].role) && s.people[id].active && si.members[id]);
}

export function saveMinutes({ state: s, actor }: HandlerContext, p: { sitting: number; text: string }): HandlerResult {
  if (s.stage !== 'consultation') throw new DomainError('wrong_stage', { zh: '只能在磋商阶段记录磋商内容', en: 'minutes are kept during the consultation stage' });
  const me = s.people[actor.personId];
  if (me.role !== 'moderator' && !(isPanel(me.role) && me.leader && me.active))
    throw new DomainError('forbidden', { zh: '磋商记录由代理机构或评审小组组长填写', en: 'the minutes are kept by the agency or the panel leader' });
  const x = sitting(s, p.sitting);
  open(x);
  if ((x.minutes?.text ?? '') === p.text) return { events: [], data: { saved: true } };
  return { events: [ev('round:minutes_saved', { sitting: p.sitting, text: p.text })], data: { saved: true } };
}

export function upload({ state: s, actor }: HandlerContext, p: { sitting: number; name: string; mime: string; dataBase64: string }): HandlerResult {
  if (s.stage !== 'consultation') throw new DomainError('wrong_stage', { zh: '只能在磋商阶段提交磋商文件', en: 'documents are exchanged during the consultation stage' });
  const x = sitting(s, p.sitting);
  if (actor.role === 'supplier' && (x.supplierId !== actor.personId || x.status === 'ended'))
    throw new DomainError('forbidden', { zh: '只能在本单位的磋商进行中提交文件', en: 'you can hand in documents only during your own sitting' }, 'sitting');
  open(x);
  const f = checkAttachment(p);
  if (x.documents.some((d) => d.sha256 === f.sha256))
    throw new DomainError('conflict', { zh: `同一文件已提交（${x.documents.find((d) => d.sha256 === f.sha256)!.name}）`, en: 'the same file was already handed in' }, 'attachment');
  const payload = { sitting: p.sitting, name: f.name, mime: f.mime, size: f.size, sha256: f.sha256, data: f.data };
  return { events: [ev('round:document_uploaded', payload)], data: { sha256: f.sha256, size: f.size } };
}

export function signMinutes({ state: s, actor }: HandlerContext, p: { sitting: number; name: string; signature: string }): HandlerResult {
  if (s.stage === 'archived') throw new DomainError('wrong_stage', { zh: '评审已归档', en: 'the session is archived' });
  const x = sitting(s, p.sitting);
  if (actor.role === 'supplier') {
    if (x.supplierId !== actor.personId) throw new DomainError('forbidden', { zh: '只能签署本单位的磋商记录', en: 'you can sign only your own minutes' }, 'sitting');
    if (s.stage !== 'consultation') throw new DomainError('wrong_stage', { zh: '磋商阶段已结束', en: 'the consultation stage has ended' });
  } else if (!s.people[actor.personId].active || !x.present.includes(actor.personId))
    throw new DomainError('forbidden', { zh: '只有在场的评审小组成员签署该次磋商记录', en: 'only the members present sign these minutes' }, 'sitting');
  if (x.signatures[actor.personId]) throw new DomainError('conflict', { zh: '您已签署该次磋商记录', en: 'you have already signed these minutes' }, 'sitting');
  if (!x.minutes?.text.trim()) throw new DomainError('conflict', { zh: `第 ${x.n} 次磋商（${label(s, x.supplierId)}）尚无记录内容`, en: `sitting ${x.n} has no minutes yet` }, 'sitting');
  return { events: [ev('round:minutes_signed', { sitting: p.sitting, personId: actor.personId, name: p.name, path: p.signature })] };
}

export const minutesReducers = typedReducers<MinutesEvents>({
  'round:minutes_saved': (s, e) => {
    const p = e.payload;
    sittingAt(s, p.sitting)!.minutes = { text: p.text, by: e.actor?.personId ?? '', at: e.ts };
  },
  'round:document_uploaded': (s, e) => {
    const p = e.payload;
    sittingAt(s, p.sitting)!.documents.push({ sha256: p.sha256, name: p.name, mime: p.mime, size: p.size, by: e.actor?.personId ?? '', at: e.ts, seq: e.seq });
    roundsOf(s).files[p.sha256] = { name: p.name, mime: p.mime, size: p.size, data: p.data };
  },
  'round:minutes_signed': (s, e) => {
    const p = e.payload;
    sittingAt(s, p.sitting)!.signatures[p.personId] = { name: p.name, path: p.path, at: e.ts, seq: e.seq };
  },
});

/** Whether `viewer` may download a sitting document: the panel, the moderator, the observer, or the
 *  supplier of that sitting. */
export function mayReadSittingDocument(s: SessionState, viewer: { role: string; personId: string }, sha: string): boolean {
  if (!roundsOf(s).files[sha]) return false;
  if (viewer.role === 'supplier') return roundsOf(s).sittings.some((x) => x.supplierId === viewer.personId && x.documents.some((d) => d.sha256 === sha));
  if (isPanel(viewer.role as any)) return s.people[viewer.personId]?.active === true;
  return viewer.role === 'moderator' || viewer.role === 'observer';
}
