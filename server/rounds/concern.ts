import { DomainError, type Concern, type SessionState } from '../session/types';
import { standing } from '../suppliers/status';
import { currentSitting, roundsOf, upcoming, type RoundsSlice, type Sitting } from './state';
import { roundsView } from './view';

// One-on-one rounds (磋商, docs/rules.md §2.7): all panel members together consult one supplier at a time,
// giving every supplier an equal opportunity (003 Ch3 §2.1 L625; 000 §19.1 L287), in the sign-in
// order (000 §19.1), possibly over several rounds (003 资料表10.2 L184: the final quote follows the
// last round). Every sitting is timed and minuted (docs/rules.md §2.7 Derived): each start, pause, resume,
// extension (with its reason) and end is an event. The clock is the server's `endsAt`; reaching it is
// shown as overtime on every screen and the moderator ends the sitting (no automatic event).

const label = (s: SessionState, id: string): string => s.people[id]?.org ?? s.people[id]?.name ?? id;

function inConsultation(s: SessionState, what: { zh: string; en: string }): void {
  if (s.stage !== 'consultation')
    throw new DomainError('wrong_stage', { zh: `只能在磋商阶段${what.zh}`, en: `${what.en} only during the consultation stage` });
}

function running(s: SessionState): Sitting {
  const cur = currentSitting(s);
  if (!cur) throw new DomainError('conflict', { zh: '当前没有进行中的磋商', en: 'no sitting is under way' });
  return cur;
}

export const roundsConcern: Concern = {
  name: 'rounds',
  init: (s) => {
    s.rounds = { sittings: [], documents: {}, notes: {} } satisfies RoundsSlice;
  },
  leave: {
    // The consultation ends only between sittings: a supplier still in session has not had its full time.
    consultation: (s) => {
      const cur = currentSitting(s);
      return cur
        ? { zh: `第 ${cur.round} 轮与${label(s, cur.supplierId)}的磋商尚未结束`, en: `round ${cur.round} with ${label(s, cur.supplierId)} has not ended` }
        : null;
    },
  },
  handlers: {
    'round:start': ({ state: s, now }, p: { supplierId?: string; seconds: number }) => {
      inConsultation(s, { zh: '开始磋商', en: 'rounds can be started' });
      const cur = currentSitting(s);
      if (cur)
        throw new DomainError('conflict', {
          zh: `与${label(s, cur.supplierId)}的磋商尚未结束，请先结束`,
          en: `the sitting with ${label(s, cur.supplierId)} has not ended; end it first`,
        });
      const next = upcoming(s);
      if (next.ids.length === 0) throw new DomainError('conflict', { zh: '没有可以磋商的供应商', en: 'no supplier is left to consult' });
      const supplierId = p.supplierId ?? next.ids[0];
      if (!next.ids.includes(supplierId)) {
        const known = s.people[supplierId]?.role === 'supplier';
        throw new DomainError(
          known ? 'conflict' : 'not_found',
          known && standing(s, supplierId).status !== 'active'
            ? { zh: `${label(s, supplierId)}已不在评审中`, en: `${label(s, supplierId)} is no longer in the evaluation` }
            : known
              ? { zh: `${label(s, supplierId)}在第 ${next.round} 轮已磋商过`, en: `${label(s, supplierId)} has already had its sitting in round ${next.round}` }
              : { zh: `没有编号为 ${supplierId} 的供应商`, en: `no supplier ${supplierId}` },
          'supplierId',
        );
      }
      const payload = { round: next.round, supplierId, seconds: p.seconds, endsAt: now + p.seconds * 1000 };
      return { events: [{ type: 'round:started', payload }], data: payload };
    },
    'round:pause': ({ state: s, now }) => {
      inConsultation(s, { zh: '暂停计时', en: 'the clock can be paused' });
      const cur = running(s);
      if (cur.status !== 'running') throw new DomainError('conflict', { zh: '计时已暂停', en: 'the clock is already paused' });
      return { events: [{ type: 'round:paused', payload: { remainingMs: Math.max(0, cur.endsAt! - now) } }] };
    },
    'round:resume': ({ state: s, now }) => {
      inConsultation(s, { zh: '继续计时', en: 'the clock can be resumed' });
      const cur = running(s);
      if (cur.status !== 'paused') throw new DomainError('conflict', { zh: '计时没有暂停', en: 'the clock is not paused' });
      return { events: [{ type: 'round:resumed', payload: { endsAt: now + cur.remainingMs! } }] };
    },
    'round:extend': ({ state: s, now }, p: { seconds: number; reason: string }) => {
      inConsultation(s, { zh: '延长时间', en: 'time can be extended' });
      const cur = running(s);
      const add = p.seconds * 1000;
      // Time runs on from the later of the old end and now: extending an overrun sitting gives the full extra time.
      const payload =
        cur.status === 'running'
          ? { seconds: p.seconds, reason: p.reason, endsAt: Math.max(cur.endsAt!, now) + add, remainingMs: null }
          : { seconds: p.seconds, reason: p.reason, endsAt: null, remainingMs: cur.remainingMs! + add };
      return { events: [{ type: 'round:extended', payload }], data: payload };
    },
    'round:end': ({ state: s, now }) => {
      inConsultation(s, { zh: '结束磋商', en: 'a sitting can be ended' });
      const cur = running(s);
      const overtimeMs = cur.status === 'running' ? Math.max(0, now - cur.endsAt!) : 0;
      return { events: [{ type: 'round:ended', payload: { round: cur.round, supplierId: cur.supplierId, overtimeMs } }] };
    },
    'round:attach': ({ state: s }, p: { supplierId: string; fileName: string }) => {
      inConsultation(s, { zh: '添加磋商资料', en: 'documents can be attached' });
      if (s.people[p.supplierId]?.role !== 'supplier')
        throw new DomainError('not_found', { zh: `没有编号为 ${p.supplierId} 的供应商`, en: `no supplier ${p.supplierId}` }, 'supplierId');
      if ((roundsOf(s).documents[p.supplierId] ?? []).some((d) => d.fileName === p.fileName))
        throw new DomainError('conflict', { zh: `已有同名文件「${p.fileName}」`, en: `"${p.fileName}" is already attached` }, 'fileName');
      return { events: [{ type: 'round:document_attached', payload: p }] };
    },
    'round:note': ({ state: s, actor }, p: { supplierId: string; text: string }) => {
      inConsultation(s, { zh: '记录磋商笔记', en: 'notes can be kept' });
      if (!s.people[actor.personId].active) throw new DomainError('forbidden', { zh: '您已不在评审小组中', en: 'you are no longer on the panel' });
      if (s.people[p.supplierId]?.role !== 'supplier')
        throw new DomainError('not_found', { zh: `没有编号为 ${p.supplierId} 的供应商`, en: `no supplier ${p.supplierId}` }, 'supplierId');
      if ((roundsOf(s).notes[actor.personId]?.[p.supplierId]?.text ?? '') === p.text) return { events: [], data: { saved: true } };
      // The member speaks for itself: the note is filed under the authenticated person, never a payload id.
      return { events: [{ type: 'round:note_saved', payload: { memberId: actor.personId, supplierId: p.supplierId, text: p.text } }], data: { saved: true } };
    },
  },
  reducers: {
    'round:started': (s, e) => {
      const p = e.payload as { round: number; supplierId: string; seconds: number; endsAt: number };
      roundsOf(s).sittings.push({ ...p, startedAt: e.ts, status: 'running', remainingMs: null, extensions: [], endedAt: null });
    },
    'round:paused': (s, e) => {
      const cur = currentSitting(s)!;
      cur.status = 'paused';
      cur.remainingMs = (e.payload as { remainingMs: number }).remainingMs;
      cur.endsAt = null;
    },
    'round:resumed': (s, e) => {
      const cur = currentSitting(s)!;
      cur.status = 'running';
      cur.endsAt = (e.payload as { endsAt: number }).endsAt;
      cur.remainingMs = null;
    },
    'round:extended': (s, e) => {
      const p = e.payload as { seconds: number; reason: string; endsAt: number | null; remainingMs: number | null };
      const cur = currentSitting(s)!;
      cur.extensions.push({ seconds: p.seconds, reason: p.reason, at: e.ts });
      if (cur.status === 'running') cur.endsAt = p.endsAt;
      else cur.remainingMs = p.remainingMs;
    },
    'round:ended': (s, e) => {
      const cur = currentSitting(s)!;
      cur.status = 'ended';
      cur.endedAt = e.ts;
    },
    'round:document_attached': (s, e) => {
      const p = e.payload as { supplierId: string; fileName: string };
      const docs = roundsOf(s).documents;
      (docs[p.supplierId] ??= []).push({ fileName: p.fileName, at: e.ts });
    },
    'round:note_saved': (s, e) => {
      const p = e.payload as { memberId: string; supplierId: string; text: string };
      const notes = roundsOf(s).notes;
      (notes[p.memberId] ??= {})[p.supplierId] = { text: p.text, at: e.ts };
    },
  },
  view: roundsView,
};
