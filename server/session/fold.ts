import type { StoredEvent } from '../store/types';
import type { Kernel } from './kernel';
import type { SessionState, ViewPart } from './types';

// The state's folding itself is the kernel's (kernel.ts). What stays here: the key tracking the
// realtime layer's view memo relies on, and the view parts it builds views from.

/** The view parts of the app's kernel, for the realtime layer (server/realtime/views.ts,
 *  view-memo.ts), installed by server/app.ts. To go once the realtime layer takes them from
 *  `registry.kernel.viewParts` (h15 rewrites server/realtime/*). */
export const VIEW_PARTS: { name: string; view: ViewPart }[] = [];
export function installViewParts(kernel: Kernel): void {
  VIEW_PARTS.splice(0, VIEW_PARTS.length, ...kernel.viewParts);
}

// ---------------------------------------------------------------------------------------------
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
/** The state seen through the access-noting proxy (one per state object, so identity-keyed caches hold). */
export function trackedState(s: SessionState): SessionState {
  let p = proxies.get(s);
  if (!p) proxies.set(s, (p = new Proxy(s, noteAccess)));
  return p;
}

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
 *  reducer throws). */
export function applyEventTracked(s: SessionState, e: StoredEvent, applyEvent: Kernel['applyEvent']): void {
  const touched = new Set<PropertyKey>();
  try {
    noteAccesses(touched, () => applyEvent(trackedState(s), e));
  } finally {
    const v = versionsOf(s);
    if (touched.has(ALL_KEYS)) v.epoch++;
    for (const k of touched) v.keys.set(k, ++v.clock);
  }
}
