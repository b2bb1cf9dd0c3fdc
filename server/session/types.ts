import type { Role } from '../../shared/protocol/roles';
import type { Scene } from '../../shared/protocol/foundation';
import type { ProjectSettings, Rubric } from '../../shared/domain/rubric/types';
import type { NewEvent, StoredEvent, TokenRecord } from '../store/types';
import type { ErrorCode } from '../../shared/protocol/errors';
import type { Checklists } from '../../shared/domain/checklists';
import type { Due } from './scheduler';

// Stages of a session (docs/rules.md §2): defined in shared/protocol/stage.ts, where the views' types read them too.
export { STAGES, STAGE_LABEL, type Stage } from '../../shared/protocol/stage';
import type { Stage } from '../../shared/protocol/stage';

export interface Person {
  id: string;
  name: string;
  role: Role;
  /** Panel leader (评审小组组长). */
  leader: boolean;
  /** Supplier: the company name; others: their organisation, if any. */
  org: string | null;
  contact: string | null;
  tokenHash: string;
  /** Position among people of the same role, 1-based (for "专家 1…5" labels). */
  ordinal: number;
  /** False once a member has been replaced (e.g. after a recusal, 回避); their record stays. */
  active: boolean;
  /** The member this person replaces, if any (recorded for the report, 004 §5.2.5(1)⑥ L1247). */
  replaces: string | null;
}

export interface ProjectData {
  name: string;
  projectNumber: string | null;
  purchaser: string | null;
  agency: string | null;
  method: 'competitive_consultation' | 'public_tender';
  budget: string | null;
  maxPrice: string | null;
  scheduledAt: string | null;
  /** A tender only (docs/tender.md "Report" ①): where the 招标公告 was published and where the bids
   *  were opened, as the agency writes them; absent in older logs. */
  announcementMedia?: string | null;
  openingPlace?: string | null;
  /** The requirements document's starting text (technical and service requirements, draft contract
   *  terms), when the agency gave one (issue 14); absent in older logs. */
  requirements?: string | null;
}

export interface SessionState {
  id: string;
  seq: number;
  head: string;
  createdAt: number;
  updatedAt: number;
  stage: Stage;
  project: ProjectData;
  settings: ProjectSettings;
  rubric: Rubric;
  rubricHash: string;
  checklists: Checklists;
  /** Why the session ended early (终止 / 废标), when it did. */
  termination: { reason: string; ground: string | null; at: number } | null;
  people: Record<string, Person>;
  /** Person ids in the order they were added. */
  order: string[];
  screen: { scene: Scene };
  /** The latest events, without payloads, for the log tail of the console and the observer. */
  tail: { seq: number; type: string; ts: number; actor: string | null; hash: string }[];
  /** Slices of the concerns (signin, review, rounds, …), keyed by concern name. */
  [slice: string]: unknown;
}

export interface Principal {
  sessionId: string;
  personId: string;
  role: Role;
}

export class DomainError extends Error {
  constructor(
    public readonly code: ErrorCode,
    public readonly detail: { zh: string; en: string } | null = null,
    public readonly field?: string,
  ) {
    super(detail ? detail.en : code);
  }
}

export interface HandlerContext {
  state: Readonly<SessionState>;
  actor: Principal;
  now: number;
}

export interface HandlerResult {
  events: NewEvent[];
  data?: unknown;
  tokens?: TokenRecord[];
  revokeTokens?: string[];
  /** Refuse the command and still append `events` (e.g. a late final quote is refused and recorded,
   *  003 Ch3 §5.3 L733): the ack is this error, also when the command is retried. */
  refuse?: DomainError;
}

export type Handler = (ctx: HandlerContext, payload: any) => HandlerResult;
export type Reducer = (state: SessionState, event: StoredEvent) => void;
export type ViewPart = (state: SessionState, viewer: Principal) => Record<string, unknown>;

/** A concern (signin, review, rounds, …): its command handlers, its fold and its part of each view. */
export type Bilingual = { zh: string; en: string };
/** Why the session may not leave (or enter) a stage yet, or null when it may. */
export type StageGuard = (s: SessionState) => Bilingual | null;

export interface Concern {
  name: string;
  /** Checked by `stage:advance` before the session leaves a stage ("2 名专家尚未签到"). */
  leave?: Partial<Record<Stage, StageGuard>>;
  /** Checked by `stage:advance` before the session enters a stage. */
  enter?: Partial<Record<Stage, StageGuard>>;
  /** Events to append together with `stage:changed` when a stage is entered (e.g. freezing the rubric). */
  onEnter?: Partial<Record<Stage, (s: SessionState, now: number) => NewEvent[]>>;
  init?: (state: SessionState) => void;
  handlers: Record<string, Handler>;
  reducers: Record<string, Reducer>;
  view?: ViewPart;
  /**
   * The part of each view only the viewer itself sees (a member's own standing: may it conclude, its
   * own vote …), kept apart from `view` so that `view` stays one section per audience, computed once
   * per event and shared by every viewer of the role (issue 15; docs/architecture.md "Views and reconnects").
   */
  ownView?: ViewPart;
  /** What falls due at a server time in this state (server/session/scheduler.ts): the one place for timed events. */
  due?: (s: SessionState) => Due[];
}
