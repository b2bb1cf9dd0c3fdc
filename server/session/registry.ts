import type { EventStore, StoredEvent } from '../store/types';
import { buildSession, tokenHash } from './create';
import { SessionRuntime } from './runtime';
import type { Kernel } from './kernel';
import type { SessionState } from './types';
import { Scheduler } from './scheduler';
import { stateVersions } from '../realtime/state-keys';

// Every live session of this process, rebuilt by replay at start (issue 2: "after a restart every
// session is rebuilt by replay"), and the index from a join token's hash to its person.
export class SessionRegistry {
  private readonly sessions = new Map<string, SessionRuntime>();
  private readonly tokenIndex = new Map<string, { sessionId: string; personId: string }>();
  private listeners: ((s: SessionState, events: StoredEvent[]) => void)[] = [];

  /** Timed events of every session of this process (server/session/scheduler.ts). */
  readonly timers: Scheduler;

  constructor(
    readonly store: EventStore,
    /** The room's concerns (server/app.ts hands them over; kernel.ts). */
    readonly kernel: Kernel,
    private readonly clock: () => number = Date.now,
  ) {
    this.timers = new Scheduler(clock, kernel.concerns);
    this.ready = new Promise<void>((resolve, reject) => {
      this.settleReady = (err) => {
        if (err === undefined) {
          if (!this.isReady) (this.isReady = true), resolve();
        } else reject(err);
      };
    });
    // A failed replay is told to whoever awaits `ready` (server/main.ts exits); not an unhandled rejection here.
    this.ready.catch(() => undefined);
  }

  /** Fires what is due by the clock now in every session (after an injected clock moved, e.g. in tests). */
  async checkTimers(): Promise<void> {
    await Promise.all(this.all().map((rt) => this.timers.check(rt)));
  }

  onChange(fn: (s: SessionState, events: StoredEvent[]) => void): void {
    this.listeners.push(fn);
  }

  private changed = (s: SessionState, events: StoredEvent[]): void => {
    this.index(s);
    const rt = this.sessions.get(s.id);
    if (rt) this.timers.arm(rt);
    for (const l of this.listeners) l(s, events);
  };

  /** The token hashes indexed for each session, so that a change re-indexes that session's tokens
   *  only, not every token of every room of the process (issue 8: many rooms per process). */
  private readonly tokensOf = new Map<string, Set<string>>();

  /** The people each session's tokens were last indexed from (a change that touched no one's token
   *  — a score, a vote — leaves the index as it is: issue 15, CPU per command at many rooms). */
  private readonly indexedFrom = new Map<string, { state: SessionState; epoch: number; people: number }>();

  private index(s: SessionState): void {
    const v = stateVersions(s);
    const people = v.keys.get('people') ?? 0;
    const last = this.indexedFrom.get(s.id);
    if (last && last.state === s && last.epoch === v.epoch && last.people === people) return;
    this.indexedFrom.set(s.id, { state: s, epoch: v.epoch, people });
    let mine = this.tokensOf.get(s.id);
    if (!mine) this.tokensOf.set(s.id, (mine = new Set()));
    for (const h of mine) {
      const v = this.tokenIndex.get(h);
      if (v && v.sessionId !== s.id) continue;
      if (!v || s.people[v.personId]?.tokenHash !== h) {
        this.tokenIndex.delete(h);
        mine.delete(h);
      }
    }
    for (const p of Object.values(s.people)) {
      const v = this.tokenIndex.get(p.tokenHash);
      if (!v || v.sessionId !== s.id || v.personId !== p.id) this.tokenIndex.set(p.tokenHash, { sessionId: s.id, personId: p.id });
      mine.add(p.tokenHash);
    }
  }

  /**
   * Settles once the first loadAll has replayed every session of the store (issue 15: the server may
   * listen while it replays; whatever needs every session — timers checked by hand, the HTTP API, the
   * banner — waits for it). A session asked for before then is loaded on its own (`load`, shared with
   * the replay), so a handshake need not wait for every other room.
   */
  readonly ready: Promise<void>;
  /** Whether `ready` has settled successfully. */
  isReady = false;
  private settleReady!: (err?: unknown) => void;

  /**
   * Replays every session of the store. `yieldEvery`: give the event loop a turn after each session
   * (background loading, issue 15: handshakes and HTTP requests are accepted meanwhile).
   */
  async loadAll(opts: { yieldEvery?: boolean } = {}): Promise<number> {
    try {
      const ids = await this.store.listSessionIds();
      for (const id of ids) {
        await this.load(id);
        if (opts.yieldEvery) await new Promise<void>((r) => setImmediate(r));
      }
      // What the store held only to read every log at once goes (issue 15: memory per room).
      this.store.replayed?.();
      this.settleReady();
      return ids.length;
    } catch (e) {
      this.settleReady(e);
      throw e;
    }
  }

  async load(id: string): Promise<SessionRuntime | null> {
    const existing = this.sessions.get(id);
    if (existing) return existing;
    // Two look-ups of one session at once (several processes, issue 9) must share one runtime.
    const pending = this.loading.get(id);
    if (pending) return pending;
    const p = (async () => {
      const rt = await SessionRuntime.load(id, this.store, this.changed, this.kernel, this.clock);
      if (rt.state.seq === 0) return null;
      this.sessions.set(id, rt);
      this.index(rt.state);
      // A deadline that passed while the process was down fires now.
      this.timers.arm(rt);
      return rt;
    })().finally(() => this.loading.delete(id));
    this.loading.set(id, p);
    return p;
  }
  private readonly loading = new Map<string, Promise<SessionRuntime | null>>();

  /**
   * resolveToken for a shared store (issue 9): a token this process does not know may belong to a
   * session another process created or changed since; look its hash up in the store, load or catch up
   * that session, then decide from the caught-up state as resolveToken does. While the sessions replay in
   * the background (issue 15) a token not yet indexed is found the same way: its session is loaded at
   * once (sharing the replay's load of it), so a handshake waits for its own session only.
   */
  async resolveTokenShared(token: string): Promise<{ sessionId: string; personId: string } | null> {
    const known = this.resolveToken(token);
    if (known || typeof token !== 'string' || token.length < 16 || token.length > 128) return known;
    const rec = await this.store.findToken(tokenHash(token));
    if (!rec || rec.revoked) return null;
    const rt = this.sessions.get(rec.sessionId) ?? (await this.load(rec.sessionId));
    if (rt) await rt.follow();
    return this.resolveToken(token);
  }

  get(id: string): SessionRuntime | undefined {
    return this.sessions.get(id);
  }

  all(): SessionRuntime[] {
    return [...this.sessions.values()];
  }

  /** The person a raw join token belongs to, if it is current (not revoked, not replaced). */
  resolveToken(token: string): { sessionId: string; personId: string } | null {
    if (typeof token !== 'string' || token.length < 16 || token.length > 128) return null;
    return this.tokenIndex.get(tokenHash(token)) ?? null;
  }

  async create(body: unknown): Promise<{ runtime: SessionRuntime; tokens: { personId: string; token: string }[] }> {
    const now = this.clock();
    const built = buildSession(body, now);
    await this.store.append({ sessionId: built.sessionId, actor: null, commandId: null, ts: now, events: built.events, tokens: built.tokens, expectedSeq: 0 });
    const rt = (await this.load(built.sessionId))!;
    this.changed(rt.state, []);
    return { runtime: rt, tokens: built.tokens.map((t) => ({ personId: t.personId, token: t.token })) };
  }
}
