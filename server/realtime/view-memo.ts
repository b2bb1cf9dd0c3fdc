import { VIEW_PARTS } from '../session/fold';
import { ALL_KEYS, noteAccesses, stateVersions, trackedState, viewJson, type KeyVersions } from './state-keys';
import type { Principal, SessionState } from '../session/types';
import type { Channel } from '../../shared/protocol/view-sync';
import { presenceView, type Presence } from './views';

// Views without recomputing what did not change (issue 8: score → projector close to the bare fan-out).
// A concern's view is a pure function of the session state and the viewer. Each call runs against the
// state's access-noting proxy (./state-keys.ts) and a viewer proxy, so we learn which top-level
// state keys and which viewer fields (role, personId, …) it read. Its result is reused for any viewer
// whose values of exactly those fields are equal, while none of those state keys was touched by an
// event since. Determinism makes this exact: same inputs read → same path taken → same output. It is
// also the confidentiality boundary: a view that looked at `personId` is only ever reused for that
// same person; one that looked only at `role` is shared by that role, as the function itself decided.
// Set PANELROOM_CHECK_VIEWS=1 to compare, after every flush, what each person's audiences hold with a fresh
// buildView (server/realtime/socket.ts; on in the test suites).
// (No closures on the per-viewer path: under tsx every closure created costs a defineProperty.)

export interface Section {
  key: string;
  value: unknown;
  /** JSON.stringify(value), computed once for every viewer sharing the section. */
  json: string | undefined;
  /** The view that made it read a viewer field besides `role` and `sessionId` (the person's own
   *  audience); otherwise every viewer of the role sees it (the role's audience). */
  personal: boolean;
}

interface Entry {
  /** The state clock at which the entry was last known valid (checked once per change, not per viewer). */
  validAt: number;
  epoch: number;
  deps: PropertyKey[];
  at: number[];
  sections: Section[];
}

interface PartMemo {
  /** The sets of viewer fields the part's calls have read, by `fields.join(',')`. */
  shapes: Map<string, string[]>;
  entries: Map<string, Entry>;
}


function viewerKey(fields: string[], viewer: Principal): string {
  let k = '';
  for (const f of fields) k += `${f}=${String((viewer as unknown as Record<string, unknown>)[f])}\u0001`;
  return k;
}

function toSections(part: Record<string, unknown>, personal: boolean): Section[] {
  const out: Section[] = [];
  for (const key of Object.keys(part)) out.push({ key, value: part[key], json: viewJson(part[key]), personal });
  return out;
}

/** Viewer fields every viewer of one role in one session shares. */
const ROLE_FIELDS = new Set(['role', 'sessionId']);

/** Notes which fields of the viewer a view read. */
class ViewerReads implements ProxyHandler<Principal> {
  fields = new Set<string>();
  all = false;
  get(t: Principal, k: PropertyKey): unknown {
    if (typeof k === 'string') this.fields.add(k);
    return Reflect.get(t, k);
  }
  has(t: Principal, k: PropertyKey): boolean {
    if (typeof k === 'string') this.fields.add(k);
    return Reflect.has(t, k);
  }
  getOwnPropertyDescriptor(t: Principal, k: PropertyKey): PropertyDescriptor | undefined {
    if (typeof k === 'string') this.fields.add(k);
    return Reflect.getOwnPropertyDescriptor(t, k);
  }
  ownKeys(t: Principal): ArrayLike<string | symbol> {
    this.all = true;
    return Reflect.ownKeys(t);
  }
}

function valid(e: Entry, v: Readonly<KeyVersions>): boolean {
  if (e.epoch !== v.epoch) return false;
  for (let j = 0; j < e.deps.length; j++) if ((v.keys.get(e.deps[j]) ?? 0) !== e.at[j]) return false;
  return true;
}

/** The memoised view parts of one session; forgets everything when the state object is replaced. */
export class SessionViewMemo {
  private state: SessionState | null = null;
  private parts: PartMemo[] = [];

  private reset(s: SessionState): void {
    this.state = s;
    this.parts = VIEW_PARTS.map(() => ({ shapes: new Map(), entries: new Map() }));
  }

  /** The sections of VIEW_PARTS[i] for this viewer, reused when still valid. `keys`: this viewer's
   *  key per shape, shared by the parts of one view. */
  part(i: number, s: SessionState, viewer: Principal, keys: Map<string, string>): Section[] {
    if (this.state !== s) this.reset(s);
    const m = this.parts[i];
    const v = stateVersions(s);
    for (const [shape, fields] of m.shapes) {
      let key = keys.get(shape);
      if (key === undefined) keys.set(shape, (key = viewerKey(fields, viewer)));
      const e = m.entries.get(key);
      if (e && (e.validAt === v.clock || valid(e, v))) {
        e.validAt = v.clock;
        return e.sections;
      }
    }
    const stateReads = new Set<PropertyKey>();
    const reads = new ViewerReads();
    const result = noteAccesses(stateReads, VIEW_PARTS[i].view.bind(null, trackedState(s), new Proxy(viewer, reads)));
    // Every event moves `seq`: a part that enumerated the state is valid until the next event.
    if (stateReads.has(ALL_KEYS)) {
      stateReads.delete(ALL_KEYS);
      stateReads.add('seq');
    }
    if (reads.all) for (const k of Object.keys(viewer)) reads.fields.add(k);
    const fields = [...reads.fields].sort();
    const deps = [...stateReads];
    const entry: Entry = { validAt: v.clock, epoch: v.epoch, deps, at: deps.map((k) => v.keys.get(k) ?? 0), sections: toSections(result, fields.some((f) => !ROLE_FIELDS.has(f))) };
    const shape = fields.join(',');
    m.shapes.set(shape, fields);
    m.entries.set(viewerKey(fields, viewer), entry);
    return entry.sections;
  }
}

/** A view as its sections, in the order (and with the last-wins rule) of buildView's Object.assign. */
export type SectionMap = Map<string, Section>;

export function viewOf(sections: SectionMap): Record<string, unknown> {
  const view: Record<string, unknown> = {};
  for (const [k, sec] of sections) view[k] = sec.value;
  return view;
}

/**
 * Builds views for one flush of one session: concern parts through the memo, presence and the log
 * tail once per audience (every non-supplier sees the same presence; each supplier its own).
 */
export class ViewBuilder {
  private readonly presenceBy = new Map<string, Section>();
  private log: Section | null = null;

  constructor(
    private readonly memo: SessionViewMemo,
    private readonly s: SessionState,
    private readonly presence: Presence,
  ) {}

  /** The presence this flush's views show. */
  get presenceIn(): Presence {
    return this.presence;
  }

  /** The sections of buildView(s, viewer, presence), each with its JSON, by the channel they travel in:
   *  a section is the viewer's own if its view read who the viewer is (a key may be in both: merged). */
  build(viewer: Principal): Record<Channel, SectionMap> {
    const out = { role: new Map(), own: new Map() } as Record<Channel, SectionMap>;
    const keys = new Map<string, string>();
    for (let i = 0; i < VIEW_PARTS.length; i++) for (const sec of this.memo.part(i, this.s, viewer, keys)) (sec.personal ? out.own : out.role).set(sec.key, sec);
    const pk = viewer.role === 'supplier' ? `supplier:${viewer.personId}` : 'all';
    let p = this.presenceBy.get(pk);
    if (!p) {
      const value = presenceView(this.s, viewer, this.presence);
      this.presenceBy.set(pk, (p = { key: 'presence', value, json: JSON.stringify(value), personal: viewer.role === 'supplier' }));
    }
    (p.personal ? out.own : out.role).set('presence', p);
    if (viewer.role === 'moderator' || viewer.role === 'observer') {
      if (!this.log) {
        const value = { head: this.s.head, seq: this.s.seq, tail: this.s.tail };
        this.log = { key: 'log', value, json: JSON.stringify(value), personal: false };
      }
      out.role.set('log', this.log);
    }
    // The check mode (PANELROOM_CHECK_VIEWS=1) compares what the audiences hold after each flush with a
    // fresh buildView for every connected person (server/realtime/socket.ts checkMerged).
    return out;
  }
}
