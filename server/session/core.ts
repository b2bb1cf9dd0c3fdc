import type { SessionSection } from '../../shared/protocol/views';
import type { Concern, SessionState } from './types';
import { eventOf, typedReducers } from './events';

/** The session's first event, written by create.ts: everything set up before the first command. */
export type SessionEvents = {
  'session:created': Pick<SessionState, 'project' | 'settings' | 'rubric' | 'rubricHash' | 'checklists' | 'stage'>;
};
export const sessionEvent = eventOf<SessionEvents>();
import { STAGE_LABEL } from './types';
import { sharedRubric } from './rubric-share';
import { citationsView } from '../../shared/domain/rubric/citations';

const TAIL = 40;

// The session itself: its creation and the parts of every view that say which session this is.
export const sessionConcern: Concern = {
  name: 'session',
  handlers: {},
  reducers: typedReducers<SessionEvents>({
    'session:created': (s, e) => {
      const p = e.payload;
      s.project = p.project;
      s.settings = p.settings;
      // One object for the sessions of one rubric (issue 15: memory per room; rubric-share.ts).
      s.rubric = sharedRubric(p.rubricHash, p.rubric);
      s.rubricHash = p.rubricHash;
      s.checklists = p.checklists;
      s.stage = p.stage;
      s.createdAt = e.ts;
    },
  }),
  view: (s) => ({
    session: {
      id: s.id,
      name: s.project.name,
      projectNumber: s.project.projectNumber,
      purchaser: s.project.purchaser,
      agency: s.project.agency,
      method: s.project.method,
      stage: s.stage,
      stageLabel: STAGE_LABEL[s.stage],
      // The clauses of the session's own procurement document the screens cite (issue 13 item 2).
      citations: s.rubric ? citationsView(s.rubric, s.project.method) : null,
      createdAt: s.createdAt,
    } satisfies SessionSection,
  }),
};

/** The log tail is kept on every event, whatever its concern. */
export function pushTail(s: SessionState, seq: number, type: string, ts: number, actor: string | null, hash: string): void {
  s.tail.push({ seq, type, ts, actor, hash });
  if (s.tail.length > TAIL) s.tail.splice(0, s.tail.length - TAIL);
}
