import type { RailStageSection, StageSection, StaffStageSection } from '../../shared/protocol/views';
import { DomainError, STAGE_LABEL, type Concern, type Stage, type Bilingual } from '../session/types';
import { nextStage, stagesOf } from './machine';
import { typedReducers, type Cmd } from '../session/events';
import { stageEvent, type StageEvents } from './machine';
import { extend } from '../../shared/extend';

const ev = stageEvent;

/** Why the session cannot move on yet: the first reason any of `concerns` gives, or null. */
export function blockingReason(concerns: readonly Concern[], s: Parameters<typeof nextStage>[0]): Bilingual | null {
  const to = nextStage(s);
  if (!to) return { zh: '本场评审已结束', en: 'the session has ended' };
  for (const c of concerns) {
    const leave = c.leave?.[s.stage as Stage];
    const r1 = leave?.(s);
    if (r1) return r1;
    const enter = c.enter?.[to];
    const r2 = enter?.(s);
    if (r2) return r2;
  }
  return null;
}

// The stage machine: the moderator moves the session on, one stage at a time, and a command out of
// order is refused saying why (issue 5: "the stage machine refuses a command out of order").
// It is given the concerns whose guards and stage-entry events it consults (server/concerns.ts), so it
// imports none of them.
export const createStageConcern = (concerns: readonly Concern[]): Concern => ({
  name: 'stage',
  handlers: {
    'stage:advance': ({ state, now }, p: { to: string }) => {
      const to = nextStage(state);
      if (!to || p.to !== to)
        throw new DomainError(
          'wrong_stage',
          {
            zh: to ? `下一阶段应为「${STAGE_LABEL[to].zh}」，不能进入「${STAGE_LABEL[p.to as Stage]?.zh ?? p.to}」` : '本场评审已结束，不能再进入其他阶段',
            en: to ? `the next stage is "${STAGE_LABEL[to].en}", not "${STAGE_LABEL[p.to as Stage]?.en ?? p.to}"` : 'the session has ended',
          },
          'to',
        );
      const reason = blockingReason(concerns, state);
      if (reason) throw new DomainError('wrong_stage', reason);
      const extra = concerns.flatMap((c) => c.onEnter?.[to]?.(state, now) ?? []);
      return { events: [...extra, ev('stage:changed', { from: state.stage, to })], data: { stage: to } };
    },
    'session:terminate': ({ state }, p: Cmd<'session:terminate'>) => {
      if (state.stage === 'terminated' || state.stage === 'archived')
        throw new DomainError('wrong_stage', { zh: '本场评审已结束', en: 'the session has already ended' });
      return { events: [ev('session:terminated', { from: state.stage, ground: p.ground, reason: p.reason })] };
    },
  },
  reducers: typedReducers<StageEvents>({
    'stage:changed': (s, e) => {
      s.stage = e.payload.to;
    },
    'session:terminated': (s, e) => {
      const p = e.payload;
      s.stage = 'terminated';
      s.termination = { reason: p.reason, ground: p.ground, at: e.ts };
    },
  }),
  view: (s, viewer) => {
    const stage: StageSection = { current: s.stage, label: STAGE_LABEL[s.stage], termination: s.termination };
    // The console's stage rail shows the stages this session has, and where it is among them.
    if (viewer.role === 'observer') return { stage: extend(stage, { stages: stagesOf(s) }) satisfies RailStageSection };
    if (viewer.role !== 'moderator') return { stage };
    // Only the console needs to know what is next and why it is not allowed yet.
    const to = nextStage(s);
    const next = to ? { id: to, label: STAGE_LABEL[to], blockedBy: blockingReason(concerns, s) } : null;
    return { stage: extend(stage, { stages: stagesOf(s), next }) satisfies StaffStageSection };
  },
});
