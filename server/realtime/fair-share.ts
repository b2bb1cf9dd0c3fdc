// A fair share per socket and per person (issue 12, item 8): token buckets for commands, resyncs, Yjs
// updates and inbound bytes. One socket (or one person with several) that floods the server is refused
// with `rate_limited` while everyone else's round trip stays as it was. The limits are sized far above
// what a person does in a real meeting (a member entering scores, a tablet's outbox flushing after a
// reconnect, typing in the requirements document): see docs/security.md. Synthetic drivers (the fuzz
// test, the benchmarks) turn them off or scale them with the `fairShare` option / PANELROOM_FAIR_SHARE.

import { extend } from '../../shared/extend';

export interface Rate {
  /** How many at once (the bucket's size). */
  burst: number;
  /** How many per second, sustained. */
  perSecond: number;
}

export interface FairShareLimits {
  commands: Rate;
  resyncs: Rate;
  yjsUpdates: Rate;
  /** Inbound bytes (command payloads and Yjs messages). */
  bytes: Rate;
  /** A person's share over all their sockets, as a multiple of one socket's. */
  personFactor: number;
}

export const DEFAULT_FAIR_SHARE: FairShareLimits = {
  commands: { burst: 200, perSecond: 50 },
  resyncs: { burst: 20, perSecond: 2 },
  yjsUpdates: { burst: 1000, perSecond: 100 },
  bytes: { burst: 8 * 1024 * 1024, perSecond: 1024 * 1024 },
  personFactor: 2,
};

export type FairShareKind = 'commands' | 'resyncs' | 'yjsUpdates' | 'bytes';

export const KIND_LABEL: Record<FairShareKind, { zh: string; en: string }> = {
  commands: { zh: '操作', en: 'commands' },
  resyncs: { zh: '重新同步', en: 'resyncs' },
  yjsUpdates: { zh: '文档修改', en: 'document edits' },
  bytes: { zh: '上传数据量', en: 'uploaded bytes' },
};

/**
 * The limits in force: `false` turns them off; a partial object overrides the defaults. Without an
 * explicit option, PANELROOM_FAIR_SHARE=off turns them off and PANELROOM_FAIR_SHARE=<n> scales them.
 */
export function fairShareLimits(opt: Partial<FairShareLimits> | false | undefined, env = process.env): FairShareLimits | null {
  if (opt === false) return null;
  if (opt) return extend(DEFAULT_FAIR_SHARE, opt) as FairShareLimits;
  const v = env.PANELROOM_FAIR_SHARE;
  if (v === 'off' || v === '0') return null;
  const k = v ? Number(v) : 1;
  if (!Number.isFinite(k) || k <= 0) return DEFAULT_FAIR_SHARE;
  const scale = (r: Rate): Rate => ({ burst: r.burst * k, perSecond: r.perSecond * k });
  return extend(DEFAULT_FAIR_SHARE, { commands: scale(DEFAULT_FAIR_SHARE.commands), resyncs: scale(DEFAULT_FAIR_SHARE.resyncs), yjsUpdates: scale(DEFAULT_FAIR_SHARE.yjsUpdates), bytes: scale(DEFAULT_FAIR_SHARE.bytes) });
}

class Bucket {
  private tokens: number;
  private at: number;
  constructor(
    private readonly rate: Rate,
    now: number,
  ) {
    this.tokens = rate.burst;
    this.at = now;
  }
  take(n: number, now: number): boolean {
    this.tokens = Math.min(this.rate.burst, this.tokens + ((now - this.at) / 1000) * this.rate.perSecond);
    this.at = now;
    if (this.tokens < n) return false;
    this.tokens -= n;
    return true;
  }
}

/** A trip, for the moderator's notice: who, what, and how many were refused since the last notice. */
export interface Trip {
  sessionId: string;
  personId: string;
  kind: FairShareKind;
  refused: number;
}

/** How often one person's trips are reported (the notice itself must not flood anyone). */
export const NOTICE_EVERY_MS = 60_000;

/**
 * The buckets of one server process. `take` answers whether the socket and its person may spend `n`;
 * the first refusal of a person in each NOTICE_EVERY_MS calls `onTrip` (later ones are counted into it).
 */
export class FairShare {
  private readonly sockets = new Map<string, Map<FairShareKind, Bucket>>();
  private readonly people = new Map<string, Map<FairShareKind, Bucket>>();
  private readonly notices = new Map<string, { at: number; refused: number }>();

  constructor(
    readonly limits: FairShareLimits,
    private readonly clock: () => number,
    private readonly onTrip: (t: Trip) => void,
  ) {}

  private bucket(m: Map<string, Map<FairShareKind, Bucket>>, key: string, kind: FairShareKind, rate: Rate): Bucket {
    let byKind = m.get(key);
    if (!byKind) m.set(key, (byKind = new Map()));
    let b = byKind.get(kind);
    if (!b) byKind.set(kind, (b = new Bucket(rate, this.clock())));
    return b;
  }

  take(socketId: string, who: { sessionId: string; personId: string }, kind: FairShareKind, n = 1): boolean {
    const now = this.clock();
    const rate = this.limits[kind];
    const personKey = `${who.sessionId}\u0000${who.personId}`;
    const person: Rate = { burst: rate.burst * this.limits.personFactor, perSecond: rate.perSecond * this.limits.personFactor };
    const ok = this.bucket(this.sockets, socketId, kind, rate).take(n, now) && this.bucket(this.people, personKey, kind, person).take(n, now);
    if (!ok) this.trip(personKey, who, kind, now);
    return ok;
  }

  private trip(key: string, who: { sessionId: string; personId: string }, kind: FairShareKind, now: number): void {
    const n = this.notices.get(key);
    if (n && now - n.at < NOTICE_EVERY_MS) {
      n.refused++;
      return;
    }
    this.notices.set(key, { at: now, refused: 0 });
    this.onTrip(extend(who, { kind, refused: 1 + (n?.refused ?? 0) }));
  }

  /** A socket that left: its buckets go (a person's stay, so that reconnecting does not refill them). */
  forget(socketId: string): void {
    this.sockets.delete(socketId);
  }
}
