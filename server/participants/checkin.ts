import { createHash, timingSafeEqual } from 'node:crypto';

// The check-in code on a person's join card (issue 12 item 1). The wall shows one QR code for the whole
// session, which opens /join?s=<session>; there the person types the short code printed on their own
// card, and the server answers with that person's join link. The code is derived from the person's
// current join token, so a reissued card has a new code and the old one stops working with the old
// token. It is never shown on a shared screen: only the person's card (console and /admin print it).
//
// 8 characters from an alphabet without look-alikes (no 0/O, 1/I/L, U/V): 29^8 ≈ 5·10^11 codes,
// against a lock-out after a few wrong tries per address and per session (CheckinLimiter).

export const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTWXYZ23456789';
export const CODE_LENGTH = 8;

/** The check-in code of a join token, e.g. "K7PX-M3QD" (the hyphen is only for reading). */
export function checkinCode(token: string): string {
  const out: string[] = [];
  let round = 0;
  while (out.length < CODE_LENGTH) {
    const bytes = createHash('sha256').update(`checkin-code:${round++}:${token}`).digest();
    // Rejection sampling keeps every character equally likely.
    const limit = 256 - (256 % CODE_ALPHABET.length);
    for (const b of bytes) {
      if (b < limit) out.push(CODE_ALPHABET[b % CODE_ALPHABET.length]);
      if (out.length === CODE_LENGTH) break;
    }
  }
  return out.slice(0, 4).join('') + '-' + out.slice(4).join('');
}

/** What a person typed, as a code: upper case, spaces and hyphens dropped; null when it cannot be one. */
export function normaliseCode(typed: unknown): string | null {
  if (typeof typed !== 'string' || typed.length > 40) return null;
  const c = typed.normalize('NFKC').toUpperCase().replace(/[\s\-_–—·.]/g, '');
  if (c.length !== CODE_LENGTH) return null;
  for (const ch of c) if (!CODE_ALPHABET.includes(ch)) return null;
  return c;
}

export const sameCode = (a: string, b: string): boolean => {
  const x = Buffer.from(a.replace(/-/g, ''));
  const y = Buffer.from(b.replace(/-/g, ''));
  return x.length === y.length && timingSafeEqual(x, y);
};

export interface LimiterOptions {
  clock: () => number;
  /** Wrong codes one address may type in a window before it is locked out. */
  perAddress: number;
  /** Wrong codes a whole session may receive in a window before check-in by code pauses. */
  perSession: number;
  windowMs: number;
  lockMs: number;
}

export const CHECKIN_LIMITS: Omit<LimiterOptions, 'clock'> = { perAddress: 5, perSession: 50, windowMs: 15 * 60_000, lockMs: 15 * 60_000 };

interface Bucket {
  failures: number[];
  lockedUntil: number;
}

/**
 * Counts wrong codes per (session, address) and per session. A person at the door who mistypes a few
 * times is stopped for a quarter of an hour and told to use the QR code on the card or to ask the staff;
 * someone trying codes at random is stopped long before finding one (rules of issue 12 item 1).
 */
export class CheckinLimiter {
  private readonly buckets = new Map<string, Bucket>();
  constructor(private readonly opts: LimiterOptions) {}

  /** When the lock on this address or session ends, or null when it may try. */
  lockedUntil(sessionId: string, address: string): number | null {
    const now = this.opts.clock();
    const until = Math.max(this.bucket(`a:${sessionId}:${address}`).lockedUntil, this.bucket(`s:${sessionId}`).lockedUntil);
    return until > now ? until : null;
  }

  fail(sessionId: string, address: string): void {
    this.count(`a:${sessionId}:${address}`, this.opts.perAddress);
    this.count(`s:${sessionId}`, this.opts.perSession);
  }

  private count(key: string, max: number): void {
    const now = this.opts.clock();
    const b = this.bucket(key);
    b.failures = b.failures.filter((t) => t > now - this.opts.windowMs);
    b.failures.push(now);
    if (b.failures.length >= max) {
      b.lockedUntil = now + this.opts.lockMs;
      b.failures = [];
    }
    // Bounded memory: forget buckets with nothing recent.
    if (this.buckets.size > 10_000)
      for (const [k, v] of this.buckets) if (v.lockedUntil <= now && v.failures.every((t) => t <= now - this.opts.windowMs)) this.buckets.delete(k);
  }

  private bucket(key: string): Bucket {
    let b = this.buckets.get(key);
    if (!b) this.buckets.set(key, (b = { failures: [], lockedUntil: 0 }));
    return b;
  }
}
