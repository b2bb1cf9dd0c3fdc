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
