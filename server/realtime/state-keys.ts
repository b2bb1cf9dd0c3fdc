import type { StoredEvent } from '../store/types';
import type { Kernel } from '../session/kernel';
import type { SessionState } from '../session/types';
import { BYTES_MIN, PIECES_MIN, held, heldJson, heldOf, ownConcat, type HeldJson } from './section-json';

// Which top-level keys of a session state each committed event touched, so that the realtime layer
// can reuse a concern's view while nothing it reads has changed (server/realtime/view-memo.ts).
// Reducers and views reach the state through one Proxy per state object that notes every top-level
// key read or written; nested objects are returned as they are, so touching `s.signin.x` notes
// `signin`. A reducer's every access counts as a change (reads included: a nested write is a read of
// the top-level key), which over-invalidates but never misses a change.

/** Stands for "every key" (a view or reducer enumerated the state's keys). */
export const ALL_KEYS = Symbol('all keys');
let noting: Set<PropertyKey> | null = null;

const noteAccess: ProxyHandler<SessionState> = {
  get(t, k) {
    noting?.add(k);
    return Reflect.get(t, k);
  },
  set(t, k, v) {
    noting?.add(k);
    return Reflect.set(t, k, v);
  },
  deleteProperty(t, k) {
    noting?.add(k);
    return Reflect.deleteProperty(t, k);
  },
  defineProperty(t, k, d) {
    noting?.add(k);
    return Reflect.defineProperty(t, k, d);
  },
  has(t, k) {
    noting?.add(k);
    return Reflect.has(t, k);
  },
  getOwnPropertyDescriptor(t, k) {
    noting?.add(k);
    return Reflect.getOwnPropertyDescriptor(t, k);
  },
  ownKeys(t) {
    noting?.add(ALL_KEYS);
    return Reflect.ownKeys(t);
  },
};

const proxies = new WeakMap<SessionState, SessionState>();
const raws = new WeakMap<SessionState, SessionState>();
/** The state seen through the access-noting proxy (one per state object, so identity-keyed caches hold). */
export function trackedState(s: SessionState): SessionState {
  let p = proxies.get(s);
  if (!p) {
    proxies.set(s, (p = new Proxy(s, noteAccess)));
    raws.set(p, s);
  }
  return p;
}

/** The state behind a tracked proxy (or the state itself): reading it notes nothing. */
export const untracked = (s: SessionState): SessionState => raws.get(s) ?? s;

/** Runs fn, collecting every top-level key of a tracked state it accessed into `into`. */
export function noteAccesses<T>(into: Set<PropertyKey>, fn: () => T): T {
  const outer = noting;
  noting = into;
  try {
    return fn();
  } finally {
    noting = outer;
  }
}

/** noteAccesses of `view(s, viewer)`, without a closure or a bound function per call (issue 15: a cold
 *  server calls every view part for every arriving person). */
export function noteViewAccesses<S, V, T>(into: Set<PropertyKey>, view: (s: S, viewer: V) => T, s: S, viewer: V): T {
  const outer = noting;
  noting = into;
  try {
    return view(s, viewer);
  } finally {
    noting = outer;
  }
}

export interface KeyVersions {
  /** Bumped when an event touched every key (or the key set itself). */
  epoch: number;
  clock: number;
  keys: Map<PropertyKey, number>;
}
const versions = new WeakMap<SessionState, KeyVersions>();
function versionsOf(s: SessionState): KeyVersions {
  let v = versions.get(s);
  if (!v) versions.set(s, (v = { epoch: 0, clock: 0, keys: new Map() }));
  return v;
}

const NO_VERSIONS: Readonly<KeyVersions> = { epoch: 0, clock: 0, keys: new Map() };
/**
 * The versions of this state object's top-level keys (a key absent from `keys` was never touched by a
 * tracked event: version 0). `clock` moves whenever any key is touched, `epoch` when all were.
 */
export function stateVersions(s: SessionState): Readonly<KeyVersions> {
  return versions.get(s) ?? NO_VERSIONS;
}

/** The kernel's applyEvent, noting which top-level keys its reducers touched (bumped even if a
 *  reducer throws), and the sub-keys of those keys the event changed (see `subKeys`). */
export function applyEventTracked(s: SessionState, e: StoredEvent, applyEvent: Kernel['applyEvent']): void {
  const touched = new Set<PropertyKey>();
  try {
    noteAccesses(touched, () => applyEvent(trackedState(s), e));
  } finally {
    const v = versionsOf(s);
    if (touched.has(ALL_KEYS)) v.epoch++;
    for (const k of [...touched]) {
      const sub = typeof k === 'string' ? refiners.get(k) : undefined;
      if (!sub) continue;
      let keys: string[];
      try {
        keys = sub.changed(s, e);
      } catch {
        keys = [sub.all];
      }
      for (const x of keys) touched.add(x);
      // The event changed the key only in what those sub-keys stand for: readers of the whole key keep.
      if (keys.length > 0 && !keys.includes(sub.all) && sub.alone?.(s, e)) touched.delete(k);
    }
    for (const k of touched) v.keys.set(k, ++v.clock);
  }
}

// Sub-keys (issue 15: a score changes one member's own view, not every member's). A top-level key may be
// split into sub-keys: a view that reads the key inside `readingSubKeys(key, [a, b], fn)` depends on
// sub-keys a and b instead of the whole key, and every tracked event that touches the key also bumps
// the sub-keys its refiner names. A refiner must name every sub-key whose readers' output the event may
// change; when unsure it names the catch-all `all` sub-key, which every such reader also depends on.

interface Refiner {
  /** The catch-all sub-key: bumped when the refiner throws, read by every reader of a sub-key. */
  all: string;
  changed: (s: SessionState, e: StoredEvent) => string[];
  /** Whether the event changed nothing of the key but what the sub-keys it names stand for: then only
   *  their readers are touched, not the readers of the whole key (e.g. a member's draft, which no view
   *  but that member's own shows). Asked after the reducers ran. */
  alone?: (s: SessionState, e: StoredEvent) => boolean;
}
const refiners = new Map<string, Refiner>();

/** Declares how the events touching top-level `key` map to its sub-keys (a concern's view module, once). */
export function subKeys(key: string, all: string, changed: Refiner['changed'], alone?: Refiner['alone']): void {
  refiners.set(key, { all, changed, alone });
}

/**
 * Runs fn (a view's computation) noting, instead of top-level `key`, the sub-keys `keys` and the key's
 * catch-all: fn's result must depend on `key` only through what those sub-keys stand for (the key's
 * refiner bumps them). Other keys fn reads are noted as usual.
 */
export function readingSubKeys<T>(key: string, keys: string[], fn: () => T): T {
  const outer = noting;
  if (!outer) return fn();
  const r = refiners.get(key);
  if (!r) return fn();
  const reads = new Set<PropertyKey>();
  const out = noteAccesses(reads, fn);
  for (const k of reads) {
    if (k !== key) outer.add(k);
    else {
      outer.add(r.all);
      for (const x of keys) outer.add(x);
    }
  }
  return out;
}

const byReads = new WeakMap<SessionState, Map<string, { epoch: number; deps: PropertyKey[]; at: number[]; value: unknown }>>();

/**
 * A projection computed once, not once per viewer (issue 15): `compute` runs again only when a state
 * key (or sub-key, see readingSubKeys) it read has changed since, and its value is shared by every view
 * built meanwhile — across events that touched none of what it read. The keys it read are noted again
 * for each later caller, so the view memo still learns what a view depends on. `compute` must read only
 * the state it is given (always the tracked one, whoever calls), and its result must not be mutated.
 */
export function whileUnchanged<T>(s: SessionState, name: string, compute: (tracked: SessionState) => T): T {
  const raw = untracked(s);
  const v = stateVersions(raw);
  let m = byReads.get(raw);
  if (!m) byReads.set(raw, (m = new Map()));
  const outer = noting;
  const hit = m.get(name);
  if (hit && hit.epoch === v.epoch && hit.deps.every((k, j) => (v.keys.get(k) ?? 0) === hit.at[j])) {
    if (outer) for (const k of hit.deps) outer.add(k);
    return hit.value as T;
  }
  const reads = new Set<PropertyKey>();
  const value = noteAccesses(reads, () => compute(trackedState(raw)));
  // Every event moves `seq`: a computation that enumerated the state is kept until the next event.
  if (reads.has(ALL_KEYS)) {
    reads.delete(ALL_KEYS);
    reads.add('seq');
  }
  const deps = [...reads];
  m.set(name, { epoch: v.epoch, deps, at: deps.map((k) => v.keys.get(k) ?? 0), value });
  if (value !== null && typeof value === 'object') owners.set(value, { m, name });
  if (outer) for (const k of deps) outer.add(k);
  markShared(value);
  return value;
}

/** Where each whileUnchanged result is kept (forgetShared). */
const owners = new WeakMap<object, { m: Map<string, { value: unknown }>; name: string }>();

/**
 * Lets go of a whileUnchanged result (issue 15: memory per room): the next call computes it again. For a
 * section that released its value (audiences.ts `releaseValue`): without this the cache would keep it.
 */
export function forgetShared(v: unknown): void {
  if (v === null || typeof v !== 'object') return;
  const o = owners.get(v);
  if (o && o.m.get(o.name)?.value === v) o.m.delete(o.name);
  owners.delete(v);
}

// Encode once (issue 15): a whileUnchanged result is not mutated, so its JSON (and that of each of
// its properties, which views put into their sections) is computed once and reused by every section
// that contains it, whichever audience's view holds it. Held as a section holds it (section-json.ts:
// UTF-8 bytes when long), so that the cache never keeps a two-byte string beside the section's bytes.
const sharedJson = new WeakMap<object, HeldJson | null>();

function markShared(v: unknown): void {
  if (v === null || typeof v !== 'object' || sharedJson.has(v)) return;
  sharedJson.set(v, null);
  if (!Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype)
    for (const k in v) {
      const x = (v as Record<string, unknown>)[k];
      if (x !== null && typeof x === 'object' && !sharedJson.has(x)) sharedJson.set(x, null);
    }
}

/**
 * JSON.stringify(v) in the form a section holds it (section-json.ts `held`), reusing the JSON of the
 * whileUnchanged results in it: at the top, or as a property of a plain object (a view spreading a
 * shared projection and adding a field or two).
 */
export function viewJson(v: unknown): HeldJson | undefined {
  if (v === null || typeof v !== 'object') {
    const j = JSON.stringify(v);
    return j === undefined ? undefined : held(j);
  }
  const cached = sharedJson.get(v);
  if (cached !== undefined) {
    if (cached !== null) return cached;
    const json = heldJson(v)!;
    sharedJson.set(v, json);
    return json;
  }
  if (Array.isArray(v) || Object.getPrototypeOf(v) !== Object.prototype || typeof (v as { toJSON?: unknown }).toJSON === 'function') return heldJson(v);
  let any = false;
  for (const k in v) {
    const x = (v as Record<string, unknown>)[k];
    if (x !== null && typeof x === 'object' && sharedJson.has(x)) {
      any = true;
      break;
    }
  }
  if (!any) return heldJson(v);
  // The object's JSON from its parts: the shared ones as they are held, the others stringified.
  const parts: HeldJson[] = [];
  const reused: [object, number, number][] = [];
  let bytes = false;
  for (const k of Object.keys(v)) {
    const x = (v as Record<string, unknown>)[k];
    const shared = x !== null && typeof x === 'object' && sharedJson.has(x);
    const text = shared ? undefined : JSON.stringify(x);
    // A long part's JSON is encoded from its parts (section-json.ts heldOf), not read from one string.
    const j = shared ? viewJson(x) : text === undefined ? undefined : text.length >= PIECES_MIN ? heldOf(x, text) : text;
    if (j === undefined) continue;
    parts.push(`${parts.length ? ',' : '{'}${JSON.stringify(k)}:`);
    if (shared) reused.push([x, parts.length, j.length]);
    parts.push(j);
    if (typeof j !== 'string') bytes = true;
  }
  if (!parts.length) return '{}';
  parts.push('}');
  if (!bytes) {
    const json = parts.join('');
    if (json.length < BYTES_MIN) return json;
    // Long enough to be held as bytes: assembled below, so that the parts can be kept as slices of it.
  }
  const out = ownConcat(parts);
  // Memory per room (issue 15): the parts' JSON is now also inside this section's; keep it as a slice
  // of its bytes (a view of the same memory) instead of a copy of its own.
  let at = 0;
  const offsets: number[] = [];
  for (const p of parts) {
    offsets.push(at);
    at += typeof p === 'string' ? Buffer.byteLength(p) : p.length;
  }
  let sliced: object[] | null = null;
  for (const [x, i] of reused) {
    const p = parts[i];
    const n = typeof p === 'string' ? Buffer.byteLength(p) : p.length;
    if (n >= SLICE_MIN) {
      sharedJson.set(x, out.subarray(offsets[i], offsets[i] + n));
      (sliced ??= []).push(x);
    }
  }
  if (sliced) slicedFrom.set(out, sliced);
  return out;
}

/** The shared parts whose JSON is kept as a slice of a section's bytes, by those bytes. */
const slicedFrom = new WeakMap<Buffer, object[]>();

/**
 * A section's bytes were packed (audiences.ts dropCaches, section-json.ts): the shared parts whose JSON
 * was a slice of them no longer keep them alive (a slice is a view of the whole allocation); their JSON
 * is encoded again when next needed.
 */
export function unsliceShared(bytes: Buffer): void {
  const parts = slicedFrom.get(bytes);
  if (!parts) return;
  slicedFrom.delete(bytes);
  for (const x of parts) {
    const j = sharedJson.get(x);
    if (j !== undefined && j !== null && typeof j !== 'string' && j.buffer === bytes.buffer) sharedJson.set(x, null);
  }
}

/** Shared parts at least this long (in bytes) are kept as slices of the section that holds them. */
const SLICE_MIN = 1024;
