// Presence changes (a person's first socket arriving, its last one leaving) are not flushed one by one
// (issue 15: a reconnect storm). A session's presence goes out once no other change has come for
// `quietMs`, but never later than `maxWaitMs` after the first change waiting: one arrival reaches the
// console after 100 ms as before, while a room whose 22 devices arrive over a second or two after a
// restart gets a few presence patches instead of one every 100 ms. Any flush of the session sends the
// presence as it is then, so it settles what was waiting (`flushed`).

export class PresenceCoalescer {
  private readonly pending = new Map<string, { timer: ReturnType<typeof setTimeout>; first: number }>();

  constructor(
    private readonly flush: (sessionId: string) => void,
    private readonly quietMs: number,
    private readonly maxWaitMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** The session's presence changed: (re)arm its flush. */
  changed(sessionId: string): void {
    const t = this.now();
    const waiting = this.pending.get(sessionId);
    if (waiting) clearTimeout(waiting.timer);
    const first = waiting?.first ?? t;
    const timer = setTimeout(
      () => {
        this.pending.delete(sessionId);
        this.flush(sessionId);
      },
      Math.max(0, Math.min(this.quietMs, first + this.maxWaitMs - t)),
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
