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
//
// While a session's presence waits with the storm windows, it is also *held*: a flush for its events
// (the storm's retried commands: one every few hundred ms per room) sends the presence as it was last
// sent, not as it is, so each of those flushes goes only to the audiences its events changed — not, with
// the presence, to every device of the room — and the presence goes out with its own timer (issue 15:
// in the restart storm 711 of 807 flushes were for events, and presence was most of what they sent).

export interface PresenceStorm {
  /** Sessions with presence waiting at once, this one included, from which the storm windows apply. */
  sessions: number;
  quietMs: number;
  maxWaitMs: number;
}

export class PresenceCoalescer {
  private readonly pending = new Map<string, { timer: ReturnType<typeof setTimeout>; first: number; stormy: boolean }>();

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
    this.pending.set(sessionId, { timer, first, stormy });
  }

  /** The session was flushed (with its presence as it is now): nothing waits any more. */
  flushed(sessionId: string): void {
    const waiting = this.pending.get(sessionId);
    if (!waiting) return;
    clearTimeout(waiting.timer);
    this.pending.delete(sessionId);
  }

  /** Whether the session's presence waits with the storm windows: a flush for its events then sends the
   *  presence last sent (socket.ts), and its own flush comes when the timer fires. */
  holding(sessionId: string): boolean {
    return this.pending.get(sessionId)?.stormy === true;
  }

  /** Whether a presence flush of the session is waiting. */
  isPending(sessionId: string): boolean {
    return this.pending.has(sessionId);
  }
}
