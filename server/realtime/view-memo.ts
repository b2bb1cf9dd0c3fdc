import { VIEW_PARTS } from '../session/fold';
import { ALL_KEYS, noteViewAccesses, stateVersions, trackedState, viewJson, type KeyVersions } from './state-keys';
import type { Principal, SessionState } from '../session/types';
import type { Channel, ViewOp } from '../../shared/protocol/view-sync';
import { presenceView, type Presence } from './views';
import { shareDigest } from './audiences';
import { PackedJson, held, jsonSize, jsonText, sameJson, type HeldJson, type SectionJson } from './section-json';
import { sameValue } from './same-value';

export { sameValue };

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
  /** JSON.stringify(value), computed once for every viewer sharing the section; held as UTF-8 bytes
   *  when long, and packed once the section sits idle (section-json.ts: issue 15, memory per room). */
  json: SectionJson | undefined;
  /** The view that made it read a viewer field besides `role` and `sessionId` (the person's own
   *  audience); otherwise every viewer of the role sees it (the role's audience). */
  personal: boolean;
  /** Known without a diff: the ops (paths from the section's key) that turn the section `from` into
   *  this one (issue 15: the log tail is append-only). A channel holding `from` sends them as they are. */
  delta?: { from: Section; ops: ViewOp[] };
  /** The value was let go (audiences.ts `releaseValue`: a big section idle for a while; issue 15, memory
   *  per room): read it with `sectionValue`, which parses the JSON. */
  released?: true;
}

/** A section's value: as built, or, once released, parsed from its JSON (what its clients hold). */
export const sectionValue = (sec: Section): unknown => (sec.released ? JSON.parse(jsonText(sec.json!)) : sec.value);

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

/** The part's result as sections, each with its JSON. A role's section whose value is, item for item,
 *  the value of the same section another audience of the part holds takes that section's JSON instead
 *  of encoding it again (sameValue: then their JSON is the same text); `reused` counts them. */
function toSections(m: PartMemo, v: Readonly<KeyVersions>, part: Record<string, unknown>, personal: boolean, reused: Section[]): Section[] {
  const keys = Object.keys(part);
  // As long as it has sections: the entry keeps this array, and one grown by push has room for 17
  // (issue 15, memory per room: 8 bytes a slot on Node 20, about 9 KB a room of the memo's entries).
  const out = new Array<Section>(keys.length);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    const value = part[key];
    const same = personal ? undefined : sameSection(m, key, value, v);
    if (same) {
      const sec: Section = { key, value, json: same.json, personal };
      // One string, one digest (audiences.ts digestOf).
      shareDigest(same, sec);
      reused.push(sec);
      out[i] = sec;
    } else out[i] = { key, value, json: viewJson(value), personal };
  }
  return out;
}

/**
 * A section of another audience's entry of this part (a role's, not a person's) with this key and a
 * value equal to `value` item for item (sameValue), or undefined. Issue 15, the restart storm: a cold
 * server builds each role's parts for the role's first arrival, and most of them come out the same for
 * the panel's two roles, the console, the observer and the wall (the quotes, the people, the sign-in);
 * comparing the values costs less than encoding, allocating and then comparing their JSON (`intern`).
 * Only the JSON is taken: each section keeps its own value, so what a viewer is sent never depends on
 * another viewer's section, and the JSON is exactly what its own value gives.
 */
function sameSection(m: PartMemo, key: string, value: unknown, v: Readonly<KeyVersions>): Section | undefined {
  for (const e of m.entries.values()) {
    // Only an entry still valid: a view may return an object of the state itself (a list the reducers
    // append to), and an entry made before an event changed it holds that object changed since, beside
    // the JSON it had then. While none of the keys its view read has moved, none of it has.
    if (e.validAt !== v.clock && !valid(e, v)) continue;
    e.validAt = v.clock;
    // A released section's value is gone (audiences.ts releaseValue): never compared.
    for (const o of e.sections) if (o.key === key && !o.personal && !o.released && o.json !== undefined && sameValue(o.value, value, 0)) return o;
  }
  return undefined;
}

/** Sections whose JSON is at least this long share one string with an equal section of the same part. */
export const INTERN_MIN = 256;

/**
 * Memory per room (issue 15): two audiences whose views of a part are equal (the panel's two roles see
 * the same review, quotes and factors; a part rebuilt after an event that changed none of its output)
 * keep one JSON string between them, not one each. Only the string is shared — each section keeps its
 * own value — so what a section is sent never depends on another viewer's section.
 */
function intern(m: PartMemo, sections: Section[], reused: Section[]): number {
  let n = 0;
  for (const sec of sections) {
    const j = sec.json;
    if (reused.includes(sec)) continue;
    if (j === undefined || jsonSize(j) < INTERN_MIN) continue;
    search: for (const e of m.entries.values())
      for (const o of e.sections)
        // Not a packed JSON (an idle section's, audiences.ts dropCaches): a section being built is in use.
        if (o.key === sec.key && o.json !== undefined && !(o.json instanceof PackedJson) && jsonSize(o.json) === jsonSize(j) && sameJson(o.json, j)) {
          sec.json = o.json;
          // One string, one digest: hashed once for both (audiences.ts digestOf).
          shareDigest(o, sec);
          n++;
          break search;
        }
  }
  return n;
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

/** What one viewer's last build was made of (the viewer's whole view is reused while all still hold). */
interface ViewerBuild {
  /** The state clock at which every entry was last known valid. */
  validAt: number;
  entries: Entry[];
  presence: Section;
  log: Section | null;
}

/**
 * A view's sections of one channel, the viewer's own (`own`) or its role's, from what it was made of: the
 * concern parts' sections in VIEW_PARTS order (a key set twice: the later wins, as buildView's
 * Object.assign), then the presence and the log tail. A section is the viewer's own if its view read who
 * the viewer is.
 */
function channelOf(entries: readonly Entry[], presence: Section, log: Section | null, own: boolean): SectionMap {
  const out: SectionMap = new Map();
  for (const e of entries) for (const sec of e.sections) if (sec.personal === own) out.set(sec.key, sec);
  if (presence.personal === own) out.set('presence', presence);
  if (log && !own) out.set('log', log);
  return out;
}

/** A view's two channels (channelOf), each made when first read: a flush reads a role's channel from
 *  its first viewer only (socket.ts flushSession), and for the others of the role made it for nothing
 *  (issue 15: 4 % of what the server allocated at 200 rooms went to these maps). */
class SplitOf implements Record<Channel, SectionMap> {
  private r: SectionMap | null = null;
  private o: SectionMap | null = null;
  constructor(
    private readonly entries: readonly Entry[],
    private readonly presence: Section,
    private readonly log: Section | null,
  ) {}
  get role(): SectionMap {
    return (this.r ??= channelOf(this.entries, this.presence, this.log, false));
  }
  get own(): SectionMap {
    return (this.o ??= channelOf(this.entries, this.presence, this.log, true));
  }
}

/**
 * A viewer's build that nothing changed since: its split made only if asked for (issue 15: a viewer's
 * two maps kept from one change to the next outlived the young generation, a tenth of what grew the
 * old one at 500 rooms; a flush skips an unchanged viewer without reading them). The same sections,
 * in the same maps' order, as the build it repeats.
 */
class UnchangedBuild {
  readonly unchanged = true;
  private made: Record<Channel, SectionMap> | null = null;
  constructor(private readonly b: ViewerBuild) {}
  get split(): Record<Channel, SectionMap> {
    return (this.made ??= new SplitOf(this.b.entries, this.b.presence, this.b.log));
  }
}

/** The memoised view parts of one session; forgets everything when the state object is replaced. */
export class SessionViewMemo {
  private state: SessionState | null = null;
  private parts: PartMemo[] = [];
  /** Each viewer's last build, by role and person. */
  private viewers = new Map<string, ViewerBuild>();
  /** The last presence section of each presence audience, and the last log section. */
  private presences = new Map<string, Section>();
  private logSection: Section | null = null;
  /** How many sections took the JSON string of an equal one (intern); the tests read it. */
  interned = 0;

  private reset(s: SessionState): void {
    this.state = s;
    this.parts = VIEW_PARTS.map(() => ({ shapes: new Map(), entries: new Map() }));
    this.viewers.clear();
    this.logSection = null;
    this.logSeq = 0;
    this.logLength = 0;
  }

  /** Makes sure the memo is of this state object. */
  of(s: SessionState): this {
    if (this.state !== s) this.reset(s);
    return this;
  }

  /** What each presence audience's section was last projected from (presenceOf). */
  private presenceSources = new Map<string, { presence: Presence; state: SessionState; epoch: number; order: number; people: number }>();

  /**
   * The presence section of one presence audience for this viewer: projected again (presenceView) only
   * when the presence object or the session's people changed since the last time. The realtime layer
   * keeps a session's presence as the same object while nobody arrives or leaves (socket.ts
   * localPresence), so a flush for events neither projects nor compares it (issue 15).
   */
  presenceOf(key: string, s: SessionState, viewer: Principal, presence: Presence, personal: boolean): Section {
    const v = stateVersions(s);
    const order = v.keys.get('order') ?? 0;
    const people = v.keys.get('people') ?? 0;
    const last = this.presenceSources.get(key);
    const sec = this.presences.get(key);
    if (sec && last && last.presence === presence && last.state === s && last.epoch === v.epoch && last.order === order && last.people === people) return sec;
    const out = this.presence(key, presenceView(s, viewer, presence), personal);
    this.presenceSources.set(key, { presence, state: s, epoch: v.epoch, order, people });
    return out;
  }

  /** The presence section of one presence audience, the same object while its JSON is the same. */
  presence(key: string, value: unknown, personal: boolean): Section {
    const prev = this.presences.get(key);
    // Most flushes do not change who is connected (issue 15: a storm's flushes for its events, the
    // presence held): the same entries are found without encoding them again.
    if (prev && sameEntries(prev.value, value)) return prev;
    const json = held(JSON.stringify(value));
    if (prev && sameJson(prev.json, json)) return prev;
    const sec: Section = { key: 'presence', value, json, personal };
    this.presences.set(key, sec);
    return sec;
  }

  /** The log tail (the staff's), the same object until the next event; with the ops from the previous
   *  one (the new head and seq, the entries appended, the oldest dropped): the tail is append-only. */
  log(s: SessionState): Section {
    const prev = this.logSection;
    if (prev && this.logSeq === s.seq) return prev;
    const value = { head: s.head, seq: s.seq, tail: s.tail.slice() };
    const sec: Section = { key: 'log', value, json: logJson(value), personal: false };
    const added = s.seq - this.logSeq;
    if (prev && added > 0 && added <= value.tail.length && value.tail[value.tail.length - added].seq === this.logSeq + 1) {
      const dropped = this.logLength + added - value.tail.length;
      sec.delta = {
        from: prev,
        ops: [
          { p: ['log', 'head'], v: value.head },
          { p: ['log', 'seq'], v: value.seq },
          { p: ['log', 'tail'], w: [dropped, value.tail.slice(value.tail.length - added)] },
        ],
      };
    }
    // Only a channel holding `prev` itself uses the new section's ops; `prev`'s own (from the one
    // before it) are never used again, and kept they would chain every log section of the session's
    // life to the newest (issue 15: memory per room; 6 KB per event).
    if (prev) prev.delta = undefined;
    this.logSeq = s.seq;
    this.logLength = value.tail.length;
    return (this.logSection = sec);
  }
  private logSeq = 0;
  private logLength = 0;

  /** This viewer's last build if none of the concern parts it was made of has changed since (issue 15:
   *  a viewer whose view did not change is neither rebuilt nor diffed); else null. */
  reusable(s: SessionState, viewer: Principal): ViewerBuild | null {
    const b = this.viewers.get(viewerId(viewer));
    if (!b) return null;
    const v = stateVersions(s);
    if (b.validAt !== v.clock) {
      // An entry found valid is marked so at this clock: the role's parts, shared by its viewers, are
      // checked once per flush, not once per viewer (issue 15: a storm's flushes for its events).
      for (const e of b.entries) if (!this.stillValid(s, e)) return null;
      b.validAt = v.clock;
    }
    return b;
  }

  /** This viewer's last build, whether or not it is still valid (its entries are this viewer's own,
   *  VIEW_PARTS[i]'s at index i). */
  lastBuild(viewer: Principal): ViewerBuild | undefined {
    return this.viewers.get(viewerId(viewer));
  }

  /** Whether the entry is valid for the state now (marking it so). */
  stillValid(s: SessionState, e: Entry): boolean {
    const v = stateVersions(s);
    if (e.validAt === v.clock) return true;
    if (!valid(e, v)) return false;
    e.validAt = v.clock;
    return true;
  }

  remember(s: SessionState, viewer: Principal, entries: Entry[], presence: Section, log: Section | null): void {
    this.viewers.set(viewerId(viewer), { validAt: stateVersions(s).clock, entries, presence, log });
  }

  /** The sections of VIEW_PARTS[i] for this viewer, reused when still valid. `keys`: this viewer's
   *  key per shape, shared by the parts of one view. The entry used is pushed to `used`. */
  part(i: number, s: SessionState, viewer: Principal, keys: Map<string, string>, used: Entry[]): Section[] {
    if (this.state !== s) this.reset(s);
    const m = this.parts[i];
    const v = stateVersions(s);
    for (const shape of m.shapes.keys()) {
      const fields = m.shapes.get(shape)!;
      let key = keys.get(shape);
      if (key === undefined) keys.set(shape, (key = viewerKey(fields, viewer)));
      const e = m.entries.get(key);
      if (e && (e.validAt === v.clock || valid(e, v))) {
        e.validAt = v.clock;
        used.push(e);
        return e.sections;
      }
    }
    const stateReads = new Set<PropertyKey>();
    const reads = new ViewerReads();
    const result = noteViewAccesses(stateReads, VIEW_PARTS[i].view, trackedState(s), new Proxy(viewer, reads));
    // Every event moves `seq`: a part that enumerated the state is valid until the next event.
    if (stateReads.has(ALL_KEYS)) {
      stateReads.delete(ALL_KEYS);
      stateReads.add('seq');
    }
    if (reads.all) for (const k of Object.keys(viewer)) reads.fields.add(k);
    const fields = [...reads.fields].sort();
    const deps = [...stateReads];
    const reused: Section[] = [];
    const sections = toSections(m, v, result, fields.some((f) => !ROLE_FIELDS.has(f)), reused);
    this.interned += reused.length + intern(m, sections, reused);
    const shape = fields.join(',');
    // A shape seen before keeps its list (the same fields): a new one per rebuild outlived the young
    // generation with the entry (issue 15: what grows the old generation).
    if (!m.shapes.has(shape)) m.shapes.set(shape, fields);
    const key = viewerKey(fields, viewer);
    const last = m.entries.get(key);
    const entry = last ? kept(last, sections, deps, v) : newEntry(sections, deps, v);
    if (entry !== last) m.entries.set(key, entry);
    used.push(entry);
    return entry.sections;
  }
}

/** The section of `key` in `sections`, looked for at index `i` first (a part returns its keys in the same
 *  order each time). */
function sectionOf(sections: Section[], key: string, i: number): Section | undefined {
  if (sections[i]?.key === key) return sections[i];
  for (const o of sections) if (o.key === key) return o;
  return undefined;
}

function newEntry(sections: Section[], deps: PropertyKey[], v: Readonly<KeyVersions>): Entry {
  return { validAt: v.clock, epoch: v.epoch, deps, at: deps.map((k) => v.keys.get(k) ?? 0), sections };
}

/**
 * The part rebuilt for the same viewer key as `last` (which an event made invalid): each section that
 * came out the same as last's — the same JSON, and a value sameValue to last's — is last's section
 * object, not the new one; when every one did and the view read the same state keys, `last` itself is
 * the entry, valid again at the state's versions now. Issue 15, what outlives the young generation: a
 * part returns several sections and runs again when anything it read moved, so most of them come out
 * as before (the rubric's factors beside the panel's progress, the wall's scoring while nothing is
 * released); kept, the new copies lived until the room's next change, outlived two scavenges and were
 * promoted, only to replace equal ones already old. Exact:
 * the section kept says what the new one says (its JSON is the same text, and its value is the same
 * JSON now, so a value of the state changed in place since is never kept), and the entry's versions
 * are the ones the part was just run at.
 */
function kept(last: Entry, sections: Section[], deps: PropertyKey[], v: Readonly<KeyVersions>): Entry {
  let all = last.epoch === v.epoch && last.sections.length === sections.length && last.deps.length === deps.length;
  for (let i = 0; i < sections.length; i++) {
    const sec = sections[i];
    const old = sectionOf(last.sections, sec.key, i);
    if (old && old !== sec && !old.released && !old.delta && old.personal === sec.personal && sameJson(old.json, sec.json) && sameValue(old.value, sec.value, 0)) sections[i] = old;
    else if (old !== sec) all = false;
  }
  if (all) for (let j = 0; j < deps.length && all; j++) all = last.deps[j] === deps[j];
  if (!all) return newEntry(sections, deps, v);
  for (let i = 0; i < sections.length; i++) if (last.sections[i] !== sections[i]) return newEntry(sections, deps, v);
  for (let j = 0; j < deps.length; j++) last.at[j] = v.keys.get(deps[j]) ?? 0;
  last.validAt = v.clock;
  return last;
}

/** The JSON of each log tail entry, encoded once (an entry is appended, never changed: session/core.ts). */
const tailEntryJson = new WeakMap<object, string>();

/**
 * JSON.stringify(value) of a log section, from its entries' JSON encoded once each (issue 15: the log
 * tail moves with every event, and stringifying its 40 entries again for every one was a few per cent
 * of the server's CPU at 500 rooms). Held as section-json.ts holds any JSON.
 */
export function logJson(value: { head: string; seq: number; tail: readonly object[] }): HeldJson {
  let json = `{"head":${JSON.stringify(value.head)},"seq":${JSON.stringify(value.seq)},"tail":[`;
  for (let i = 0; i < value.tail.length; i++) {
    const e = value.tail[i];
    let j = tailEntryJson.get(e);
    if (j === undefined) tailEntryJson.set(e, (j = JSON.stringify(e)));
    json += i ? `,${j}` : j;
  }
  return held(`${json}]}`);
}

/** Whether two presence views (objects of flat entries) have the same keys in the same order and the
 *  same primitive values: then their JSON is the same. False when unsure (the JSON then decides). */
export function sameEntries(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (!a || !b || typeof a !== 'object' || typeof b !== 'object') return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (let i = 0; i < ka.length; i++) {
    if (ka[i] !== kb[i]) return false;
    const ea = (a as Record<string, unknown>)[ka[i]];
    const eb = (b as Record<string, unknown>)[kb[i]];
    if (ea === eb) continue;
    if (!ea || !eb || typeof ea !== 'object' || typeof eb !== 'object') return false;
    const fa = Object.keys(ea);
    const fb = Object.keys(eb);
    if (fa.length !== fb.length) return false;
    for (let j = 0; j < fa.length; j++) {
      const x = (ea as Record<string, unknown>)[fa[j]];
      if (fa[j] !== fb[j] || x !== (eb as Record<string, unknown>)[fb[j]] || (x !== null && typeof x === 'object') || x === undefined) return false;
    }
  }
  return true;
}

/** A view as its sections, in the order (and with the last-wins rule) of buildView's Object.assign. */
export type SectionMap = Map<string, Section>;

export function viewOf(sections: SectionMap): Record<string, unknown> {
  const view: Record<string, unknown> = {};
  for (const k of sections.keys()) view[k] = sectionValue(sections.get(k)!);
  return view;
}

const viewerId = (p: Principal): string => `${p.role}\u0001${p.personId}`;

/**
 * Builds views for one flush of one session: concern parts through the memo, presence and the log
 * tail once per audience (every non-supplier sees the same presence; each supplier its own).
 */
export class ViewBuilder {
  private readonly presenceBy = new Map<string, Section>();

  constructor(
    private readonly memo: SessionViewMemo,
    private readonly s: SessionState,
    private readonly presence: Presence,
  ) {
    memo.of(s);
  }

  /** The presence this flush's views show. */
  get presenceIn(): Presence {
    return this.presence;
  }

  /** The sections of buildView(s, viewer, presence), each with its JSON, by the channel they travel in:
   *  a section is the viewer's own if its view read who the viewer is (a key may be in both: merged).
   *  `unchanged`: the very sections of this viewer's last build (nothing they were made of changed). */
  build(viewer: Principal): { split: Record<Channel, SectionMap>; unchanged: boolean } {
    const supplier = viewer.role === 'supplier';
    const pk = supplier ? `supplier:${viewer.personId}` : 'all';
    let presence = this.presenceBy.get(pk);
    if (!presence) this.presenceBy.set(pk, (presence = this.memo.presenceOf(pk, this.s, viewer, this.presence, supplier)));
    const log = viewer.role === 'moderator' || viewer.role === 'observer' ? this.memo.log(this.s) : null;
    const prev = this.memo.reusable(this.s, viewer);
    if (prev && prev.presence === presence && prev.log === log) return new UnchangedBuild(prev);
    let used: Entry[];
    if (prev) {
      // Only who is connected (or the staff's log) moved: the concern parts are the very same sections.
      used = prev.entries;
    } else {
      used = [];
      const keys = new Map<string, string>();
      // The parts of this viewer's last build still valid are taken as they are (the very entries
      // memo.part would find for this viewer); only the others are looked up or rebuilt (issue 15).
      const last = this.memo.lastBuild(viewer)?.entries;
      for (let i = 0; i < VIEW_PARTS.length; i++) {
        const e = last?.length === VIEW_PARTS.length && this.memo.stillValid(this.s, last[i]) ? last[i] : null;
        if (e) used.push(e);
        else this.memo.part(i, this.s, viewer, keys, used);
      }
    }
    // Not kept with the build: made again from its entries when asked for (UnchangedBuild).
    const out = new SplitOf(used, presence, log);
    this.memo.remember(this.s, viewer, used, presence, log);
    // The check mode (PANELROOM_CHECK_VIEWS=1) compares what the audiences hold after each flush with a
    // fresh buildView for every connected person (server/realtime/socket.ts checkMerged).
    return { split: out, unchanged: false };
  }
}
