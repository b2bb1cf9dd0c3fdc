import type { Connection } from '../../lib/connection.svelte';

// Countdowns run on the server's clock (docs/architecture.md "Timers travel as endsAt server
// timestamps plus a clock-offset estimate, never as ticks").
export function serverClock(getConn: () => Connection) {
  let now = $state(getConn().serverNow());
  $effect(() => {
    const h = setInterval(() => (now = getConn().serverNow()), 250);
    return () => clearInterval(h);
  });
  return {
    get now() {
      return now;
    },
  };
}

/** "05:07" or "1:02:03" left until `endsAt`; "00:00" once passed. */
export function remaining(endsAt: number, now: number): string {
  const total = Math.max(0, Math.ceil((endsAt - now) / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(s)}` : `${pad(m)}:${pad(s)}`;
}

export const errText = (ack: any, t: (x: { zh: string; en: string }) => string): string =>
  ack.ok ? '' : t({ zh: ack.error.message, en: ack.error.messageEn });
