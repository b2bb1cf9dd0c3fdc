import type { NewEvent } from '../store/types';
import type { Concern, SessionState } from './types';

// Time as a source of events (issue 14 item 3; docs/architecture.md "Timed events"): the one place
// where something is appended because a server time was reached rather than because someone acted.
// A concern declares, from its folded state alone, what is due and when (`Concern.due`); the scheduler
// keeps one timer per session armed for the earliest of them, re-armed after every change and at
// start (a deadline passed while the process was down fires at once). When a time is reached the
// session's runtime builds the events from the state *then* and appends them under the deterministic
// command id `timer:<kind>:<key>`: the store keeps one command id once, so when several processes
// share the session (issue 9) exactly one append wins and the others follow it.

export interface Due {
  /** What falls due ('round-expired', 'quote-deadline', …): part of the command id. */
  kind: string;
  /** Which occurrence (a sitting and its end time, a supplier's review and its end): part of the command id. */
  key: string;
  /** Server time, ms. */
  at: number;
  /** The events to append once `at` is reached, from the state at that moment (empty: nothing to do). */
  events: (s: SessionState, now: number) => NewEvent[];
}

export const timerCommandId = (d: Pick<Due, 'kind' | 'key'>): string => `timer:${d.kind}:${d.key}`;

/** Everything the concerns say is due in this state, earliest first. */
export function dueOf(concerns: readonly Concern[], s: SessionState): Due[] {
  const out: Due[] = [];
  for (const c of concerns) if (c.due) out.push(...c.due(s));
  return out.sort((a, b) => a.at - b.at);
}

/** What a session must offer the scheduler (SessionRuntime does). */
export interface Timed {
  readonly id: string;
  readonly state: SessionState;
  /** Appends the due item's events in the command queue, once per command id; resolves when settled. */
  fireDue(d: Due): Promise<void>;
}

// setTimeout's limit is 2^31-1 ms; a longer wait is simply re-armed.
const MAX_WAIT = 2 ** 31 - 1;

export class Scheduler {
  private readonly timers = new Map<string, { at: number; handle: ReturnType<typeof setTimeout> }>();
  private stopped = false;
  /** Items that built no events at a seq: skipped until the state moves (a guard against spinning). */
  private readonly spent = new Map<string, { seq: number; ids: Set<string> }>();

  private pending(rt: Timed): Due[] {
    const sp = this.spent.get(rt.id);
    const skip = sp && sp.seq === rt.state.seq ? sp.ids : null;
    return dueOf(this.concerns, rt.state).filter((d) => !skip?.has(timerCommandId(d)));
  }

  constructor(
    private readonly clock: () => number,
    /** The room's concerns (server/session/kernel.ts), each of which may declare what is due. */
    private readonly concerns: readonly Concern[],
  ) {}

  /** (Re-)arms the session's timer for its earliest due item; fires at once what is already due. */
  arm(rt: Timed): void {
    if (this.stopped) return;
    const next = this.pending(rt)[0];
    const cur = this.timers.get(rt.id);
    if (!next) {
      if (cur) clearTimeout(cur.handle);
      this.timers.delete(rt.id);
      return;
    }
    if (cur && cur.at === next.at) return;
    if (cur) clearTimeout(cur.handle);
    const wait = Math.min(MAX_WAIT, Math.max(0, next.at - this.clock()));
    const handle = setTimeout(() => {
      this.timers.delete(rt.id);
      void this.check(rt);
    }, wait);
    handle.unref?.();
    this.timers.set(rt.id, { at: next.at, handle });
  }

  /** Fires every item of the session that is due by the clock now, then re-arms. */
  async check(rt: Timed): Promise<void> {
    if (this.stopped) return;
    // One at a time, re-reading the state after each: an appended event may settle the next item.
    for (let i = 0; i < 100; i++) {
      const now = this.clock();
      const d = this.pending(rt).find((x) => x.at <= now);
      if (!d) break;
      const before = rt.state.seq;
      try {
        await rt.fireDue(d);
      } catch (e) {
        console.error(`[session ${rt.id}] timed event ${timerCommandId(d)} failed:`, e);
        break;
      }
      if (rt.state.seq === before) {
        // Nothing was appended (the item built no events): not again until the state moves.
        const sp = this.spent.get(rt.id);
        if (sp && sp.seq === before) sp.ids.add(timerCommandId(d));
        else this.spent.set(rt.id, { seq: before, ids: new Set([timerCommandId(d)]) });
      }
    }
    this.timers.delete(rt.id);
    this.arm(rt);
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t.handle);
    this.timers.clear();
  }
}
