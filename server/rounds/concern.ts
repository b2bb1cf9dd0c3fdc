import { DomainError, type Concern, type SessionState } from '../session/types';
import { standing } from '../suppliers/status';
import { currentSitting, NOTE_BUDGET_CHARS, roundsOf, upcoming, type RoundsSlice, type Sitting } from './state';
import { roundsView } from './view';
import { eventOf, typedReducers, type Cmd } from '../session/events';

/** The rounds concern's events (server/session/events.ts): what the handlers write, the reducers fold. */
type RoundEvents = {
  'round:started': Required<Pick<Cmd<'round:start'>, 'supplierId' | 'seconds'>> & { round: number; endsAt: number; present?: string[]; representative?: string | null };
  'round:paused': { remainingMs: number };
  'round:resumed': { endsAt: number };
  'round:extended': Cmd<'round:extend'> & ({ endsAt: number; remainingMs: null } | { endsAt: null; remainingMs: number });
  'round:expired': { round: number; supplierId: string; endsAt: number };
  'round:ended': { round: number; supplierId: string; overtimeMs: number };
  'round:document_attached': Cmd<'round:attach'>;
  'round:note_saved': Pick<Cmd<'round:note'>, 'supplierId' | 'text'> & { memberId: string };
};
const ev = eventOf<RoundEvents>();
import { minutesView } from './minutes-view';
import { minutesReducers, presentMembers, saveMinutes, signMinutes, upload } from './minutes';
import { signinOf } from '../signin/state';
import { extend } from '../../shared/extend';

// One-on-one rounds (磋商, docs/rules.md §2.7): all panel members together consult one supplier at a time,
// giving every supplier an equal opportunity (003 Ch3 §2.1 L625; 000 §19.1 L287), in the sign-in
// order (000 §19.1), possibly over several rounds (003 资料表10.2 L184: the final quote follows the
// last round). Every sitting is timed and minuted (docs/rules.md §2.7 Derived): each start, pause, resume,
// extension (with its reason) and end is an event. The clock is the server's `endsAt`; reaching it
// appends `round:expired` (a timed event, server/session/scheduler.ts): the sitting is recorded as
// overtime and shown so on every screen; what follows (extend or end) is still the moderator's choice.

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
    s.rounds = { sittings: [], documents: {}, notes: {}, files: {} } satisfies RoundsSlice;
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
  due: (s) => {
    const cur = currentSitting(s);
    if (!cur || cur.status !== 'running' || cur.endsAt === null || cur.expired?.endsAt === cur.endsAt) return [];
    const endsAt = cur.endsAt;
    return [
      {
        kind: 'round-expired',
        key: `${cur.round}-${cur.supplierId}-${endsAt}`,
        at: endsAt,
        events: (st) => {
          const c = currentSitting(st);
          return c && c.status === 'running' && c.endsAt === endsAt
            ? [ev('round:expired', { round: c.round, supplierId: c.supplierId, endsAt })]
            : [];
        },
      },
    ];
  },
  handlers: {
    'round:start': ({ state: s, now }, p: Cmd<'round:start'>) => {
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
      // Who is present is recorded with the start (the minutes, issue 13 item 3).
      const payload = { round: next.round, supplierId, seconds: p.seconds, endsAt: now + p.seconds * 1000, present: presentMembers(s), representative: signinOf(s).suppliers[supplierId]?.representative ?? null };
      return { events: [ev('round:started', payload)], data: payload };
    },
    'round:pause': ({ state: s, now }) => {
      inConsultation(s, { zh: '暂停计时', en: 'the clock can be paused' });
      const cur = running(s);
      if (cur.status !== 'running') throw new DomainError('conflict', { zh: '计时已暂停', en: 'the clock is already paused' });
      return { events: [ev('round:paused', { remainingMs: Math.max(0, cur.endsAt! - now) })] };
    },
    'round:resume': ({ state: s, now }) => {
      inConsultation(s, { zh: '继续计时', en: 'the clock can be resumed' });
      const cur = running(s);
      if (cur.status !== 'paused') throw new DomainError('conflict', { zh: '计时没有暂停', en: 'the clock is not paused' });
      return { events: [ev('round:resumed', { endsAt: now + cur.remainingMs! })] };
    },
    'round:extend': ({ state: s, now }, p: Cmd<'round:extend'>) => {
      inConsultation(s, { zh: '延长时间', en: 'time can be extended' });
      const cur = running(s);
      const add = p.seconds * 1000;
      // Time runs on from the later of the old end and now: extending an overrun sitting gives the full extra time.
      const payload: RoundEvents['round:extended'] =
        cur.status === 'running'
          ? { seconds: p.seconds, reason: p.reason, endsAt: Math.max(cur.endsAt!, now) + add, remainingMs: null }
          : { seconds: p.seconds, reason: p.reason, endsAt: null, remainingMs: cur.remainingMs! + add };
      return { events: [ev('round:extended', payload)], data: payload };
    },
    'round:end': ({ state: s, now }) => {
      inConsultation(s, { zh: '结束磋商', en: 'a sitting can be ended' });
      const cur = running(s);
      const overtimeMs = cur.status === 'running' ? Math.max(0, now - cur.endsAt!) : 0;
      return { events: [ev('round:ended', { round: cur.round, supplierId: cur.supplierId, overtimeMs })] };
    },
    'round:attach': ({ state: s }, p: Cmd<'round:attach'>) => {
      inConsultation(s, { zh: '添加磋商资料', en: 'documents can be attached' });
      if (s.people[p.supplierId]?.role !== 'supplier')
        throw new DomainError('not_found', { zh: `没有编号为 ${p.supplierId} 的供应商`, en: `no supplier ${p.supplierId}` }, 'supplierId');
      if ((roundsOf(s).documents[p.supplierId] ?? []).some((d) => d.fileName === p.fileName))
        throw new DomainError('conflict', { zh: `已有同名文件「${p.fileName}」`, en: `"${p.fileName}" is already attached` }, 'fileName');
      return { events: [ev('round:document_attached', p)] };
    },
    'round:minutes': saveMinutes,
    'round:upload': upload,
    'round:sign_minutes': signMinutes,
    'round:note': ({ state: s, actor }, p: Cmd<'round:note'>) => {
      inConsultation(s, { zh: '记录磋商笔记', en: 'notes can be kept' });
      if (!s.people[actor.personId].active) throw new DomainError('forbidden', { zh: '您已不在评审小组中', en: 'you are no longer on the panel' });
      if (s.people[p.supplierId]?.role !== 'supplier')
        throw new DomainError('not_found', { zh: `没有编号为 ${p.supplierId} 的供应商`, en: `no supplier ${p.supplierId}` }, 'supplierId');
      if ((roundsOf(s).notes[actor.personId]?.[p.supplierId]?.text ?? '') === p.text) return { events: [], data: { saved: true } };
      if ((roundsOf(s).noteChars?.[actor.personId] ?? 0) + p.text.length > NOTE_BUDGET_CHARS)
        throw new DomainError('too_large', {
          zh: `您在本场评审中保存的笔记总量已达上限（${NOTE_BUDGET_CHARS} 字），本次未保存。请精简笔记或联系主持人。`,
          en: `The notes you have saved in this session reached their limit (${NOTE_BUDGET_CHARS} characters); this one was not saved. Shorten your notes or ask the moderator.`,
        });
      // The member speaks for itself: the note is filed under the authenticated person, never a payload id.
      return { events: [ev('round:note_saved', { memberId: actor.personId, supplierId: p.supplierId, text: p.text })], data: { saved: true } };
    },
  },
  reducers: typedReducers<RoundEvents>({
    'round:started': (s, e) => {
      const p = e.payload;
      const l = roundsOf(s).sittings;
      l.push(extend(p, { startedAt: e.ts, status: 'running', remainingMs: null, extensions: [], endedAt: null, n: l.length + 1, present: p.present ?? [], representative: p.representative ?? null, minutes: null, documents: [], signatures: {} }));
    },
    ...minutesReducers,
    'round:paused': (s, e) => {
      const cur = currentSitting(s)!;
      cur.status = 'paused';
      cur.remainingMs = e.payload.remainingMs;
      cur.endsAt = null;
    },
    'round:resumed': (s, e) => {
      const cur = currentSitting(s)!;
      cur.status = 'running';
      cur.endsAt = e.payload.endsAt;
      cur.remainingMs = null;
    },
    'round:extended': (s, e) => {
      const p = e.payload;
      const cur = currentSitting(s)!;
      cur.extensions.push({ seconds: p.seconds, reason: p.reason, at: e.ts });
      if (cur.status === 'running') cur.endsAt = p.endsAt;
      else cur.remainingMs = p.remainingMs;
    },
    'round:expired': (s, e) => {
      const cur = currentSitting(s);
      if (cur) cur.expired = { endsAt: e.payload.endsAt, at: e.ts };
    },
    'round:ended': (s, e) => {
      const cur = currentSitting(s)!;
      cur.status = 'ended';
      cur.endedAt = e.ts;
    },
    'round:document_attached': (s, e) => {
      const p = e.payload;
      const docs = roundsOf(s).documents;
      (docs[p.supplierId] ??= []).push({ fileName: p.fileName, at: e.ts });
    },
    'round:note_saved': (s, e) => {
      const p = e.payload;
      const notes = roundsOf(s).notes;
      (notes[p.memberId] ??= {})[p.supplierId] = { text: p.text, at: e.ts };
      const used = (roundsOf(s).noteChars ??= {});
      used[p.memberId] = (used[p.memberId] ?? 0) + p.text.length;
    },
  }),
  view: (s, viewer) => extend(roundsView(s, viewer), minutesView(s, viewer)),
};
