import { isDeepStrictEqual } from 'node:util';
import type { SessionState } from './types';
import { extend } from '../../shared/extend';

// The working state of a pipelined session (issue 15; server/session/runtime.ts): the committed state
// plus the events of the appends in flight, which the next command's handler runs on.

/**
 * A working copy of the committed state that copies a top-level key (a concern's slice, `people`,
 * `tail` …) the first time a reducer reaches it through `writer`, and shares every other with the
 * committed state: those the events in flight do not touch are the same objects, and the committed
 * state changes only the keys of the events it applies — which the same reducers, run on the same
 * state, reached (and so copied) here first. A burst then costs the slices it touches, not the room.
 */
export function workingCopy(committed: SessionState): { state: SessionState; writer: SessionState } {
  const state = { ...committed } as SessionState;
  const copied = new Set<PropertyKey>();
  const own = (t: SessionState, k: PropertyKey) => {
    if (copied.has(k)) return;
    copied.add(k);
    const slots = t as unknown as Record<PropertyKey, unknown>;
    const v = slots[k];
    if (v !== null && typeof v === 'object') slots[k] = structuredClone(v);
  };
  const writer = new Proxy(state, {
    get(t, k) {
      own(t, k);
      return Reflect.get(t, k);
    },
    set(t, k, v) {
      copied.add(k);
      return Reflect.set(t, k, v);
    },
    deleteProperty(t, k) {
      copied.add(k);
      return Reflect.deleteProperty(t, k);
    },
    getOwnPropertyDescriptor(t, k) {
      own(t, k);
      return Reflect.getOwnPropertyDescriptor(t, k);
    },
    ownKeys(t) {
      for (const k of Reflect.ownKeys(t)) own(t, k);
      return Reflect.ownKeys(t);
    },
  });
  return { state, writer };
}

/** The working state against the committed one, but for the hashes (unknown when it was built). */
export function sameState(working: SessionState, committed: SessionState): boolean {
  const strip = (s: SessionState) => extend(s, { head: '', tail: s.tail.map((t) => extend(t, { hash: '' })) });
  return isDeepStrictEqual(strip(working), strip(committed));
}
