import type { Role } from './roles';
import type { Scene } from './foundation';
import type { Stage } from './stage';
import type { ClauseKey, Cite } from '../domain/rubric/citations';
import type { Dissent, ReopenGround } from './report';

// The typed edge, views (docs/architecture.md "The typed edge"; issue 15 item 6): the sections the
// server's projections deliver, and what each audience's merged view holds. The server's view
// functions return these types (`satisfies`), and the client's components read them from
// `Connection<…View>` (client/src/lib/connection.svelte.ts), so that a projection and the component
// that renders it cannot drift: a field renamed on one side does not compile on the other.
//
// Every section name is listed; a concern section whose inside is not yet typed is `Untyped` (named,
// so that what remains to be typed is visible): its name is still checked, its fields not yet.

type Bilingual = { zh: string; en: string };
/** A section whose fields are not typed yet (only its name is checked). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Untyped = any;

/** Which session this is (server/session/core.ts), in every view. */
export interface SessionSection {
  id: string;
  name: string;
  projectNumber: string | null;
  purchaser: string | null;
  agency: string | null;
  method: string;
  stage: Stage;
  stageLabel: Bilingual;
  /** The clauses of the session's own procurement document the screens cite (issue 13 item 2). */
  citations: Record<ClauseKey, Cite> | null;
  createdAt: number;
}

/** One person as this viewer may know it (server/participants/concern.ts, docs/rules.md §1.8). */
export interface PersonRow {
  id: string;
  role: Role;
  /** What this viewer may call the person: experts are "专家 n" to the projector (docs/rules.md §1.3). */
  label: string;
  /** The same in English (「Expert 1」), for a device in English mode (issue 17). */
  labelEn: string;
  /** Null where the viewer may not know a member's name (the wall, the suppliers). */
  name: string | null;
  org: string | null;
  leader: boolean;
  active: boolean;
}

/** The viewer itself. */
export interface MeSection {
  id: string;
  role: Role;
  name: string;
  org: string | null;
  leader: boolean;
  label: string;
  labelEn: string;
}

/** A device waiting for a seat held by another (issue 12), for the console only; never a device's hash. */
export interface DeviceRequestRow {
  requestId: string;
  personId: string;
  since: number;
}
export interface DevicesSection {
  waiting: DeviceRequestRow[];
}

/** Where the session is (server/stage/concern.ts). */
export interface StageSection {
  current: Stage;
  label: Bilingual;
  termination: { reason: string; ground: string | null; at: number } | null;
}
/** The console and the observer also see the stages this session has (the stage rail). */
export interface RailStageSection extends StageSection {
  stages: Stage[];
}
/** The console also sees what is next and why it is not allowed yet. */
export interface StaffStageSection extends RailStageSection {
  next: { id: Stage; label: Bilingual; blockedBy: Bilingual | null } | null;
}

/** What the wall shows (server/projector/concern.ts). */
export interface ScreenSection {
  scene: Scene;
}
export interface StaffScreenSection extends ScreenSection {
  /** The scene the moderator chose (the wall falls back to the welcome scene while the stage forbids it). */
  chosen: Scene;
  allowed: Scene[];
}

/** Who is connected (server/realtime/views.ts), by person id. */
export interface PresenceEntry {
  connected: boolean;
  lastSeen: number | null;
}
export type Presence = Record<string, PresenceEntry>;

/** One entry of the log's tail (the console's and the observer's log panel). */
export interface LogEntry {
  seq: number;
  type: string;
  ts: number;
  actor: string | null;
  hash: string;
}
export interface LogSection {
  head: string;
  seq: number;
  tail: LogEntry[];
}

/** A supplier's standing (server/suppliers/status.ts): still in, invalidated or withdrawn, and why. */
export interface SupplierStanding {
  status: 'active' | 'invalid' | 'withdrawn';
  /** A short code of the ground (e.g. `review_failed`, `over_budget`, `correction_refused`). */
  ground: string | null;
  reason: Bilingual | null;
  at: number | null;
  seq: number | null;
}
/** The suppliers' standings this viewer may know (a supplier: its own), and for the staff and the
 *  panel how many remain against the minimum (docs/rules.md §2.24). */
export interface SuppliersSection {
  standing: Record<string, SupplierStanding>;
  active?: number;
  minimum?: Untyped;
}

/** The report's final PDF as recorded in the log (server/report/state.ts). */
export interface ReportFinal {
  sha256: string;
  size: number;
  /** The log head printed on every page of the PDF, and its seq. */
  head: string;
  headSeq: number;
  at: number;
  seq: number;
}
export interface ReportReopen {
  ground: ReopenGround;
  reason: string;
  requestedBy: string;
  confirmedBy: string;
}
export interface ReopenRequest {
  ground: ReopenGround;
  reason: string;
  by: string;
  role: 'moderator' | 'leader';
  at: number;
  seq: number;
}
export interface DisputeVote {
  memberId: string;
  agree: boolean;
  reason: string;
  seq: number;
}
export interface Dispute {
  id: string;
  revision: number;
  subject: string;
  proposal: string;
  by: string;
  at: number;
  seq: number;
  votes: DisputeVote[];
  result: { outcome: 'adopted' | 'rejected'; agree: number; disagree: number; of: number; at: number; seq: number } | null;
}
export interface ReportSignature {
  memberId: string;
  label: string;
  name: string;
  at: number;
  seq: number;
  /** null: the member agrees (000 说明6 L462). */
  dissent: Dissent | null;
}
/** The report (server/report/concern.ts, docs/rules.md §2.22) as the console, the observer and the
 *  members see it; null before the report is opened. */
export interface ReportSection {
  revision: number;
  final: ReportFinal | null;
  rendering: boolean;
  revisions: { n: number; openedAt: number; reopen: ReportReopen | null; final: ReportFinal | null; signed: number }[];
  members: { id: string; label: string; name: string; leader: boolean; signed: boolean; dissent: boolean; deemed: boolean }[];
  /** Members recorded as deemed to agree (neither signed nor gave reasons, docs/rules.md §2.22). */
  deemed: { memberId: string; label: string; note: string; at: number; seq: number }[];
  /** The clause a member who neither signs nor gives reasons is deemed to agree under. */
  deemedCite: Cite;
  signatures: ReportSignature[];
  voided: (ReportSignature & { why: string; deemed: boolean })[];
  disputes: (Dispute & { byLabel: string; votes: (DisputeVote & { label: string })[]; myVote: boolean | null })[];
  reopenRequest: ReopenRequest | null;
  mine: ReportSignature | null;
  myDeemed: { note: string; at: number } | null;
  canReopen: boolean;
}
/** The report on the wall: who has signed, as 专家 n; never a name, never a dissent. */
export interface WallReportSection {
  revision: number;
  final: boolean;
  signed: number;
  of: number;
  deemed: number;
  members: { label: string; signed: boolean; deemed: boolean }[];
  cite: Cite;
}

/** Sections every audience's view has. */
interface Common {
  session: SessionSection;
  me: MeSection;
  people: PersonRow[];
  stage: StageSection;
  screen: ScreenSection;
  presence: Presence;
  suppliers: SuppliersSection;
  signin: Untyped;
  rounds: Untyped;
  minutes: Untyped;
  requirements: Untyped;
  quotes: Untyped;
  scoring: Untyped;
}

/** Sections of the review, policy, clarification and resubmission concerns (not the wall's). */
interface Deliberation {
  review: Untyped;
  policy: Untyped;
  clarify: Untyped;
  resubmission: Untyped;
}

/** The moderator's console (the staff audience). */
export interface StaffView extends Common, Deliberation {
  stage: StaffStageSection;
  screen: StaffScreenSection;
  devices: DevicesSection;
  log: LogSection;
  setup: Untyped;
  report: ReportSection | null;
  /** The rubric's scored leaves while scoring (staff, observer, members). */
  scoringFactors: Untyped;
  reviewStaff: ReviewStaffSection;
}
/** The observer (监督). */
export interface ObserverView extends Common, Deliberation {
  stage: RailStageSection;
  log: LogSection;
  setup: Untyped;
  report: ReportSection | null;
  scoringFactors: Untyped;
  reviewStaff: ReviewStaffSection;
}
/** What of the review only the staff see (issue 15: apart from the panel's `review`, which the console
 *  and the observer share with the panel). */
export interface ReviewStaffSection {
  /** The moderator may always conclude a supplier's review (absent for the observer). */
  canConclude?: true;
  /** The minimum count of suppliers after the review's eliminations (docs/rules.md §2.24). */
  minimum: Untyped;
  /** The decisions to continue below the minimum. */
  belowMinimum: Untyped[];
  /** Suppliers still to be concluded in the current phase. */
  remaining: number;
}
/** What of the review only this member sees (issue 15: apart from the panel's `review`, its own audience). */
export interface ReviewSeatSection {
  /** The panel leader may conclude a supplier's review (docs/rules.md §2.4). */
  canConclude: boolean;
}

/** A member's own sign-in (issue 15: apart from the panel's `signin`, its own audience). */
export interface SigninSeatSection {
  /** Its sign-in (when, the discipline acknowledged, the suppliers it recused from), or null. */
  me: { at: number; acknowledged: true; disciplineVersion: string; recuseFrom: string[]; recusalNote: string | null } | null;
}

/** A panel member's tablet: the panel audience merged with the member's own. */
export interface MemberView extends Common, Deliberation {
  report: ReportSection | null;
  scoringFactors: Untyped;
  reviewSeat: ReviewSeatSection;
  signinSeat: SigninSeatSection;
}
/** A supplier's laptop (its own audience only; no report). */
export interface SupplierView extends Common, Deliberation {}
/** The projector (the wall). */
export interface ProjectorView extends Common {
  report: WallReportSection | null;
}

/** Each role's view. */
export interface ViewByRole {
  moderator: StaffView;
  observer: ObserverView;
  expert: MemberView;
  purchaser_rep: MemberView;
  supplier: SupplierView;
  screen: ProjectorView;
}

/** Any audience's view (a component shared by several audiences): every section may be absent, and
 *  the parts only some audiences have are optional. Each audience's view is assignable to it. */
export interface AnyView extends Partial<Common>, Partial<Deliberation> {
  stage?: StageSection & Partial<Omit<StaffStageSection, keyof StageSection>>;
  screen?: ScreenSection & Partial<Omit<StaffScreenSection, keyof ScreenSection>>;
  devices?: DevicesSection;
  log?: LogSection;
  setup?: Untyped;
  report?: ReportSection | WallReportSection | null;
  scoringFactors?: Untyped;
  reviewSeat?: ReviewSeatSection;
  reviewStaff?: ReviewStaffSection;
  signinSeat?: SigninSeatSection;
}

/** The section names of each audience's view, at run time (test/unit/protocol/typed-edge.test.ts checks
 *  that the server's views have no other; the types below check that these are exactly the types' keys). */
export const VIEW_SECTIONS = {
  moderator: ['session', 'me', 'people', 'devices', 'stage', 'screen', 'presence', 'log', 'suppliers', 'setup', 'signin', 'review', 'policy', 'clarify', 'rounds', 'minutes', 'requirements', 'resubmission', 'quotes', 'scoring', 'scoringFactors', 'report', 'reviewStaff'],
  observer: ['session', 'me', 'people', 'stage', 'screen', 'presence', 'log', 'suppliers', 'setup', 'signin', 'review', 'policy', 'clarify', 'rounds', 'minutes', 'requirements', 'resubmission', 'quotes', 'scoring', 'scoringFactors', 'report', 'reviewStaff'],
  expert: ['session', 'me', 'people', 'stage', 'screen', 'presence', 'suppliers', 'signin', 'review', 'policy', 'clarify', 'rounds', 'minutes', 'requirements', 'resubmission', 'quotes', 'scoring', 'scoringFactors', 'report', 'reviewSeat', 'signinSeat'],
  purchaser_rep: ['session', 'me', 'people', 'stage', 'screen', 'presence', 'suppliers', 'signin', 'review', 'policy', 'clarify', 'rounds', 'minutes', 'requirements', 'resubmission', 'quotes', 'scoring', 'scoringFactors', 'report', 'reviewSeat', 'signinSeat'],
  supplier: ['session', 'me', 'people', 'stage', 'screen', 'presence', 'suppliers', 'signin', 'review', 'policy', 'clarify', 'rounds', 'minutes', 'requirements', 'resubmission', 'quotes', 'scoring'],
  screen: ['session', 'me', 'people', 'stage', 'screen', 'presence', 'suppliers', 'signin', 'rounds', 'minutes', 'requirements', 'quotes', 'scoring', 'report'],
} as const satisfies { [R in keyof ViewByRole]: readonly (keyof ViewByRole[R])[] };

// Each list names every section of its audience's type (a section added to a type but not here does not compile).
type Missing<R extends keyof ViewByRole> = Exclude<keyof ViewByRole[R], (typeof VIEW_SECTIONS)[R][number]>;
const complete: { [R in keyof ViewByRole]: Missing<R> extends never ? true : Missing<R> } = {
  moderator: true,
  observer: true,
  expert: true,
  purchaser_rep: true,
  supplier: true,
  screen: true,
};
void complete;
