// Presence changes (a person's first socket arriving, its last one leaving) are not flushed one by one
// (issue 15: a reconnect storm). A session's presence goes out once no other change has come for
// `quietMs`, but never later than `maxWaitMs` after the first change waiting: one arrival reaches the
// console after 100 ms as before, while a room whose 22 devices arrive over a second or two after a
// restart gets a few presence patches instead of one every 100 ms. Any flush of the session sends the
// presence as it is then, so it settles what was waiting (`flushed`).
//
// A storm across the process (a restart, or the network back for every room at once: many sessions
// with presence waiting at the same time) widens both windows (`storm`): every presence patch goes to
// every connected device of its room, and in the restart storm the flushes were a sixth of the server's
// busy time (their emits a tenth: mostly presence) while the devices still waiting for their snapshots
// queued behind them (test/bench/RESULTS.md, h15storm). A device's arrival then
// reaches the others up to `storm.maxWaitMs` later; its own snapshot is not delayed (and any command
// of the session still flushes it at once).

export interface PresenceStorm {
  /** Sessions with presence waiting at once, this one included, from which the storm windows apply. */
  sessions: number;
  quietMs: number;
  maxWaitMs: number;
}

export class PresenceCoalescer {
  private readonly pending = new Map<string, { timer: ReturnType<typeof setTimeout>; first: number }>();

  constructor(
    private readonly flush: (sessionId: string) => void,
    private readonly quietMs: number,
    private readonly maxWaitMs: number,
    private readonly now: () => number = () => performance.now(),
    private readonly storm: PresenceStorm | null = null,
  ) {}

  /** The session's presence changed: (re)arm its flush. */
  changed(sessionId: string): void {
    const t = this.now();
    const waiting = this.pending.get(sessionId);
    if (waiting) clearTimeout(waiting.timer);
    const first = waiting?.first ?? t;
    const stormy = this.storm !== null && this.pending.size + (waiting ? 0 : 1) >= this.storm.sessions;
    const quiet = stormy ? this.storm!.quietMs : this.quietMs;
    const max = stormy ? this.storm!.maxWaitMs : this.maxWaitMs;
    const timer = setTimeout(
      () => {
        this.pending.delete(sessionId);
        this.flush(sessionId);
      },
      Math.max(0, Math.min(quiet, first + max - t)),
    );
    (timer as { unref?: () => void }).unref?.();
    this.pending.set(sessionId, { timer, first });
  }

  /** The session was flushed (with its presence as it is now): nothing waits any more. */
  flushed(sessionId: string): void {
    const waiting = this.pending.get(sessionId);
    if (!waiting) return;
    clearTimeout(waiting.timer);
    this.pending.delete(sessionId);
  }

  /** Whether a presence flush of the session is waiting. */
  isPending(sessionId: string): boolean {
    return this.pending.has(sessionId);
  }
}
