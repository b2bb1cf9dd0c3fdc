import { GENESIS_HASH } from '../store/canonical';
import type { StoredEvent } from '../store/types';
import { CONCERNS } from './concerns';
import { pushTail } from './core';
import type { Handler, Reducer, SessionState, ViewPart } from './types';

// A session's state is the fold of its events (docs/architecture.md). Reducers mutate the state in
// place, and only after the event is committed.
const REDUCERS = new Map<string, Reducer[]>();
export const HANDLERS = new Map<string, Handler>();
export const VIEW_PARTS: { name: string; view: ViewPart }[] = [];

for (const c of CONCERNS) {
  for (const [type, r] of Object.entries(c.reducers)) {
    const list = REDUCERS.get(type) ?? [];
    list.push(r);
    REDUCERS.set(type, list);
  }
  for (const [name, h] of Object.entries(c.handlers)) {
    if (HANDLERS.has(name)) throw new Error(`two handlers for ${name}`);
    HANDLERS.set(name, h);
  }
  if (c.view) VIEW_PARTS.push({ name: c.name, view: c.view });
}

export function emptyState(id: string): SessionState {
  const s = {
    id,
    seq: 0,
    head: GENESIS_HASH,
    createdAt: 0,
    updatedAt: 0,
    stage: 'setup',
    project: { name: '', projectNumber: null, purchaser: null, agency: null, method: 'competitive_consultation', budget: null, maxPrice: null, scheduledAt: null },
    settings: {},
    rubric: null as any,
    rubricHash: '',
    checklists: { qualification: [], compliance: [], final: [] },
    termination: null,
    people: {},
    order: [],
    screen: { scene: 'welcome' },
    tail: [],
  } as SessionState;
  for (const c of CONCERNS) c.init?.(s);
  return s;
}

export function applyEvent(s: SessionState, e: StoredEvent): void {
  if (e.seq !== s.seq + 1) throw new Error(`event ${e.seq} applied at seq ${s.seq}`);
  for (const r of REDUCERS.get(e.type) ?? []) r(s, e);
  s.seq = e.seq;
  s.head = e.hash;
  s.updatedAt = e.ts;
  pushTail(s, e.seq, e.type, e.ts, e.actor?.personId ?? null, e.hash);
}

export function foldEvents(id: string, events: StoredEvent[]): SessionState {
  const s = emptyState(id);
  for (const e of events) applyEvent(s, e);
  return s;
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

/** applyEvent, noting which top-level keys its reducers touched (bumped even if a reducer throws). */
export function applyEventTracked(s: SessionState, e: StoredEvent): void {
  const touched = new Set<PropertyKey>();
  try {
    noteAccesses(touched, () => applyEvent(trackedState(s), e));
  } finally {
    const v = versionsOf(s);
    if (touched.has(ALL_KEYS)) v.epoch++;
    for (const k of touched) v.keys.set(k, ++v.clock);
  }
}
