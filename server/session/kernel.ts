import { GENESIS_HASH } from '../store/canonical';
import type { StoredEvent } from '../store/types';
import { pushTail } from './core';
import type { Concern, Handler, Reducer, SessionState, ViewPart } from './types';

// The session kernel: what a room is made of, given the concerns it runs. server/app.ts hands it the
// room's concerns (server/concerns.ts), as Hocuspocus takes its extensions, so the kernel imports no
// concern, and a test can run one concern in a room of one (test/unit/session/room-of-one.test.ts).
// A session's state is the fold of its events (docs/architecture.md "The event log is the truth"):
// each concern initialises its slice, its reducers apply its events in the order the concerns were
// given, and each contributes its part of every view.

export interface Kernel {
  readonly concerns: readonly Concern[];
  /** The one handler of each command. */
  readonly handlers: ReadonlyMap<string, Handler>;
  /** Every concern's part of a view, in concern order. */
  readonly viewParts: readonly { name: string; view: ViewPart }[];
  emptyState(id: string): SessionState;
  /** Applies one committed event (reducers mutate the state in place, only after the commit). */
  applyEvent(s: SessionState, e: StoredEvent): void;
  fold(id: string, events: StoredEvent[]): SessionState;
}

export function createKernel(concerns: readonly Concern[]): Kernel {
  const reducers = new Map<string, Reducer[]>();
  const handlers = new Map<string, Handler>();
  const viewParts: { name: string; view: ViewPart }[] = [];
  const names = new Set<string>();
  for (const c of concerns) {
    if (names.has(c.name)) throw new Error(`two concerns named ${c.name}`);
    names.add(c.name);
    for (const [type, r] of Object.entries(c.reducers)) {
      const list = reducers.get(type) ?? [];
      list.push(r);
      reducers.set(type, list);
    }
    for (const [name, h] of Object.entries(c.handlers)) {
      if (handlers.has(name)) throw new Error(`two handlers for ${name}`);
      handlers.set(name, h);
    }
    if (c.view) viewParts.push({ name: c.name, view: c.view });
    if (c.ownView) viewParts.push({ name: `${c.name}:own`, view: c.ownView });
  }

  const emptyState = (id: string): SessionState => {
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
    for (const c of concerns) c.init?.(s);
    return s;
  };

  const applyEvent = (s: SessionState, e: StoredEvent): void => {
    if (e.seq !== s.seq + 1) throw new Error(`event ${e.seq} applied at seq ${s.seq}`);
    for (const r of reducers.get(e.type) ?? []) r(s, e);
    s.seq = e.seq;
    s.head = e.hash;
    s.updatedAt = e.ts;
    pushTail(s, e.seq, e.type, e.ts, e.actor?.personId ?? null, e.hash);
  };

  return {
    concerns: Object.freeze([...concerns]),
    handlers,
    viewParts: Object.freeze(viewParts),
    emptyState,
    applyEvent,
    fold(id, events) {
      const s = emptyState(id);
      for (const e of events) applyEvent(s, e);
      return s;
    },
  };
}
