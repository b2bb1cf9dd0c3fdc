import { DomainError, STAGE_LABEL, type Bilingual, type SessionState, type Stage } from '../session/types';

// Refusals shared by the signin, review and clarify concerns: every out-of-order command is refused
// saying why (issue 5 "the stage machine refuses a command out of order, saying why").

/** Refuses unless the session is in one of `stages`; the message names the current stage and the allowed ones. */
export function requireStage(s: SessionState, stages: Stage[], what: Bilingual): void {
  if (stages.includes(s.stage)) return;
  const now = STAGE_LABEL[s.stage];
  const zh = stages.map((x) => `「${STAGE_LABEL[x].zh}」`).join('、');
  const en = stages.map((x) => `"${STAGE_LABEL[x].en}"`).join(', ');
  throw new DomainError('wrong_stage', {
    zh: `当前阶段为「${now.zh}」，不能${what.zh}；只能在${zh}阶段进行`,
    en: `the session is at "${now.en}": cannot ${what.en}; only at ${en}`,
  });
}

export const notFound = (what: Bilingual, field?: string): DomainError => new DomainError('not_found', what, field);
export const conflict = (what: Bilingual, field?: string): DomainError => new DomainError('conflict', what, field);
export const invalid = (what: Bilingual, field?: string): DomainError => new DomainError('validation', what, field);
