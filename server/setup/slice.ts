import type { Checklists } from '../../shared/domain/checklists';
import type { ProjectSettings, Rubric } from '../../shared/domain/rubric/types';
import type { Person, ProjectData, SessionState } from '../session/types';
import { eventOf } from '../session/events';
import type { FrozenSetup } from './freeze';

/** The setup concern's part of the state. */
export interface SetupSlice {
  /** Highest number used per id prefix (M, S, O), so that ids are never reused. */
  lastNumber: Record<string, number>;
  /** Set when the session opened: the hashes of what was frozen, and when. */
  frozen: (FrozenSetup & { at: number; seq: number }) | null;
}

export const setupSlice = (s: SessionState): SetupSlice => s.setup as SetupSlice;

/** The setup concern's events (server/session/events.ts); `person:added` is the participants' own. */
export type SetupEvents = {
  'setup:project_changed': { project: ProjectData };
  'setup:settings_changed': { settings: ProjectSettings };
  'setup:rubric_replaced': { rubric: Rubric; rubricHash: string };
  'setup:checklists_changed': { checklists: Checklists };
  'setup:frozen': FrozenSetup;
  'setup:person_updated': { personId: string } & Pick<Person, 'name' | 'org' | 'contact' | 'role' | 'leader'>;
  'setup:person_removed': { personId: string };
};
export const setupEvent = eventOf<SetupEvents>();
