// Countdowns from the server's `endsAt`, corrected by the connection's clock offset (never ticks from
// the server: docs/architecture.md "Timers travel as endsAt").
export interface RoundClock {
  round: number;
  status: 'running' | 'paused' | 'ended';
  seconds: number;
  endsAt: number | null;
  remainingMs: number | null;
}

/** A ticking "server now" for a component: re-evaluates every quarter second. */
export function ticking(serverNow: () => number): { readonly now: number } {
  let now = $state(serverNow());
  $effect(() => {
    const h = setInterval(() => (now = serverNow()), 250);
    return () => clearInterval(h);
  });
  return {
    get now() {
      return now;
    },
  };
}

export function remaining(c: RoundClock, serverNow: number): number {
  return c.status === 'paused' ? (c.remainingMs ?? 0) : (c.endsAt ?? serverNow) - serverNow;
}

/** "12:05", or for an overrun sitting "+01:10" (the caller also says 超时 in words). */
export function mmss(ms: number): string {
  const over = ms < 0;
  const total = over ? Math.floor(-ms / 1000) : Math.ceil(ms / 1000);
  const m = Math.floor(total / 60);
  const s = total % 60;
  return `${over ? '+' : ''}${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
}
