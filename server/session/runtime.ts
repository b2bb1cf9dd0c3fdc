import { COMMANDS, isCommand, type CommandName } from '../../shared/protocol/commands';
import { mayCommand } from '../../shared/protocol/authz';
import { errorBody, type ErrorBody } from '../../shared/protocol/errors';
import type { Ack } from '../../shared/protocol/ack';
import { DuplicateCommand, SeqConflict, type AppendRequest, type EventStore, type StoredEvent } from '../store/types';
import { applyEventTracked } from '../realtime/state-keys';
import type { Kernel } from './kernel';
import { DomainError, type Principal, type SessionState } from './types';
import { zodToDomainError } from './validation';
import { CommandIndex, commandFingerprint, commandReused, isRetry } from './command-memory';
import { dueOf, timerCommandId, type Due } from './scheduler';
import { sameState, workingCopy } from './working-state';
import { extend } from '../../shared/extend';

export type ChangeListener = (s: SessionState, events: StoredEvent[]) => void;

const CHECK = process.env.PANELROOM_CHECK_VIEWS === '1';
/** The hash of an event whose append is posted and not yet committed (the writer chains it). */
const PENDING_HASH = 'pending';

/** An append posted to the store and not answered yet (pipelining, issue 15). */
interface Posted {
  /** Its events as they will be stored, but for their hashes. */
  readonly events: StoredEvent[];
  /** Resolves once the store answered and this runtime applied the answer: true when it committed. */
  settled: Promise<boolean>;
  /** Whether this append and every one posted before it committed (false once one of them failed). */
  clean: Promise<boolean>;
}

/** A command whose append is posted: a retry under its id waits for its answer (command-memory.ts). */
interface Flying {
  fingerprint: string;
  answer: Promise<Ack>;
}

/** A staged command: its handler has run; the answer comes once what it depends on is committed. */
type Staged = { answer: Promise<Ack> };

// One live session: its folded state and a queue that runs its commands' handlers one at a time, so
// that each handler sees the state every earlier command left (issue 2: "serialize per session").
// Every command: authorize → validate → handle → append → (commit) → fold → ack → broadcast.
//
// Pipelining (issue 15: the writer thread's cost per command). With a store that commits one
// process's appends in the order they were posted (`EventStore.pipelined`: the SQLite writer thread),
// the next command's handler does not wait for the previous commit: it runs on the *working* state —
// the committed state with the events of every append posted and not yet committed — so commands that
// arrive together go to the writer together: one transaction, one fsync. Each append carries the seq
// it builds on (`expectedSeq`), so none commits on top of one that did not.
//   - `state` is only ever what is committed: the realtime layer, the HTTP API and the timers read it,
//     and are told of a change (onChange) at its commit. Nothing that depends on an uncommitted event
//     leaves the process: an ack waits for its own commit and for every append its handler read.
//   - The working state is made when a command is staged while appends are in flight (a copy of the
//     slices their events touch: `workingCopy`), and dropped when the last of them has committed (the
//     check mode compares it with `state` then).
//   - A failed append (disk error, writer stopped) fails every command staged after it — their
//     handlers read a state that never was — and the state is rebuilt from the log (repair) before
//     any further handler runs; an append that did commit behind it is acknowledged as committed.
//   - A retry of a command in flight waits for the first one's answer (never a second effect).
// With a store several processes write (PostgreSQL, issue 9) the queue stays serial: the next handler
// runs once the previous append is answered, and a SeqConflict catches up and runs the command again.
export class SessionRuntime {
  private queue: Promise<unknown> = Promise.resolve();
  /** Appends posted and not answered yet, in the order they were posted. */
  private posted: Posted[] = [];
  /** `state` plus the events of `posted`, while a handler needed it; null otherwise. */
  private working: SessionState | null = null;
  /** The working state as its reducers reach it (copy on access: see `workingCopy`). */
  private workingWriter: SessionState | null = null;
  /** A reducer failed on the working state: handlers wait for the pipeline to drain. */
  private unsafe = false;
  /** Set while the state is rebuilt from the log after a failed append. */
  private repairing: Promise<void> | null = null;
  /** Commands posted and not answered, by command id. */
  private readonly flying = new Map<string, Flying>();
  /** The command ids of the log (pipelined stores only: see CommandIndex); null: ask the store. */
  private ids: CommandIndex | null = null;

  constructor(
    public state: SessionState,
    private readonly store: EventStore,
    private readonly onChange: ChangeListener,
    /** The room's concerns, handed over by server/app.ts (kernel.ts). */
    readonly kernel: Kernel,
    private readonly clock: () => number = Date.now,
  ) {}

  static async load(id: string, store: EventStore, onChange: ChangeListener, kernel: Kernel, clock?: () => number): Promise<SessionRuntime> {
    const events = await store.read(id);
    const rt = new SessionRuntime(kernel.fold(id, events), store, onChange, kernel, clock);
    if (store.pipelined) rt.ids = CommandIndex.of(events);
    return rt;
  }

  get id(): string {
    return this.state.id;
  }

  /** Commands received and not yet answered (the realtime layer lets a burst finish before it flushes). */
  inFlight = 0;

  /** Runs a command for a principal. Never throws: every outcome is an ack. */
  execute(actor: Principal, name: string, payload: unknown): Promise<Ack> {
    this.inFlight++;
    const staged = this.queue.then(() => this.stage(actor, name, payload));
    const answer = staged.then((s) => s.answer).finally(() => this.inFlight--);
    // Pipelined: the next handler runs once this command's append is posted; serial: once it is answered.
    this.queue = (this.store.pipelined ? staged : answer).catch(() => undefined);
    return answer;
  }

  /** Runs the command's handler (in the queue) and posts its append; the answer follows. Never throws. */
  private async stage(actor: Principal, name: string, payload: unknown): Promise<Staged> {
    try {
      if (!isCommand(name)) return this.afterPipeline(fail(errorBody('unknown_event')));
      if (actor.sessionId !== this.id) return this.afterPipeline(fail(errorBody('forbidden')));
      // Taken with no await between it and the handler (a commit answered meanwhile would change it).
      let s: SessionState | null;
      while (!(s = this.handlerState())) await this.stateReady();
      const who = (st: SessionState) => {
        const person = st.people[actor.personId];
        if (!person || person.role !== actor.role) return errorBody('unauthenticated');
        return mayCommand(actor.role, name as CommandName) ? null : errorBody('forbidden');
      };
      let refused = who(s);
      if (refused) return this.afterPipeline(fail(refused));
      const parsed = COMMANDS[name as CommandName].safeParse(payload);
      if (!parsed.success) throw zodToDomainError(parsed.error);
      const cmd = parsed.data as { id: string };

      // A retried command takes effect once: the first answer is returned again — but only to the same
      // sender for the same command and payload (command-memory.ts; issue 12, item 7). A retry of one
      // still in flight gets its answer when that comes.
      const fingerprint = commandFingerprint(actor, name, cmd);
      const flying = this.flying.get(cmd.id);
      if (flying) {
        if (flying.fingerprint !== fingerprint) throw commandReused();
        return { answer: flying.answer };
      }
      if (!this.ids || this.ids.mayHold(cmd.id)) {
        const previous = await this.store.findCommand(this.id, cmd.id);
        if (previous) {
          if (!isRetry(previous, fingerprint, actor)) throw commandReused();
          return { answer: Promise.resolve(replayAck(previous.result, previous.events)) };
        }
        // Commits may have come in meanwhile: the handler runs on the state as it is now.
        while (!(s = this.handlerState())) await this.stateReady();
        if ((refused = who(s))) return this.afterPipeline(fail(refused));
      }

      // From here to the post, nothing awaits: the handler's state is the pipeline's latest.
      const handler = this.kernel.handlers.get(name);
      if (!handler) return this.afterPipeline(fail(errorBody('unknown_event')));
      const now = this.clock();
      const result = handler({ state: s, actor, now }, cmd);
      if (result.events.length === 0 && result.refuse) throw result.refuse;
      if (result.events.length === 0) return this.afterPipeline({ ok: true, data: result.data ?? null, seq: s.seq });

      const before = this.posted.at(-1);
      const commit = this.post({
        sessionId: this.id,
        actor: { personId: actor.personId, role: actor.role },
        commandId: cmd.id,
        ts: now,
        events: result.events,
        result: result.refuse ? { $refused: errorBody(result.refuse.code, result.refuse.detail, result.refuse.field) } : result.data ?? null,
        fingerprint,
        tokens: result.tokens,
        revokeTokens: result.revokeTokens,
        expectedSeq: s.seq,
      });
      const answer = this.answerOf(commit, before, { id: cmd.id, actor, name, payload, fingerprint, refuse: result.refuse ?? null, data: result.data ?? null });
      this.flying.set(cmd.id, { fingerprint, answer });
      void answer.finally(() => {
        if (this.flying.get(cmd.id)?.answer === answer) this.flying.delete(cmd.id);
      });
      return { answer };
    } catch (e) {
      if (e instanceof DomainError) return this.afterPipeline(fail(errorBody(e.code, e.detail, e.field)));
      console.error(`[session ${this.id}] ${name} failed:`, e);
      return this.afterPipeline(fail(errorBody('internal')));
    }
  }

  /** The answer of a posted command: after its commit and after every append posted before it. */
  private async answerOf(
    commit: { stored: Promise<StoredEvent[]>; posted: Posted },
    before: Posted | undefined,
    cmd: { id: string; actor: Principal; name: string; payload: unknown; fingerprint: string; refuse: DomainError | null; data: unknown },
  ): Promise<Ack> {
    let stored: StoredEvent[];
    try {
      stored = await commit.stored;
    } catch (e) {
      const cleanBefore = before ? await before.clean : true;
      await commit.posted.settled;
      await this.repaired();
      if (e instanceof DuplicateCommand) {
        if (!isRetry(e.record, cmd.fingerprint, cmd.actor)) return fail(errorBody('command_reused', commandReused().detail));
        return replayAck(e.record.result, e.record.events);
      }
      if (e instanceof SeqConflict && cleanBefore) {
        // Another writer moved the log (several processes, issue 9): caught up, the command runs once more
        // (no longer in flight under its id: the run is its own).
        if (this.flying.get(cmd.id)?.answer) this.flying.delete(cmd.id);
        if (this.store.pipelined) return this.execute(cmd.actor, cmd.name, cmd.payload);
        return (await this.stage(cmd.actor, cmd.name, cmd.payload)).answer;
      }
      // Its own failure, or one before it (its handler read a state that never was): nothing done here.
      if (!(e instanceof SeqConflict)) console.error(`[session ${this.id}] ${cmd.name} failed:`, e);
      return fail(errorBody('internal'));
    }
    // Committed: acknowledged as such, once what it was decided on is settled (and, if something before
    // it failed, once the state is rebuilt from the log).
    if (!(await commit.posted.clean)) await this.repaired();
    if (cmd.refuse) return fail(errorBody(cmd.refuse.code, cmd.refuse.detail, cmd.refuse.field));
    return { ok: true, data: cmd.data, seq: stored[stored.length - 1].seq };
  }

  /**
   * An answer decided without an append of its own (a refusal, a command that changed nothing): its
   * handler read the working state, so it is sent once every append posted before it is committed; if
   * one of them failed, what it was decided on never was: internal (the client retries).
   */
  private afterPipeline(ack: Ack): Staged {
    const last = this.posted.at(-1);
    if (!last) return { answer: Promise.resolve(ack) };
    return {
      answer: last.clean.then(async (clean) => {
        if (clean) return ack;
        await this.repaired();
        return fail(errorBody('internal'));
      }),
    };
  }

  /** Waits while `handlerState` says no handler may run. */
  private async stateReady(): Promise<void> {
    await this.repaired();
    if (this.unsafe) await Promise.all(this.posted.map((p) => p.settled));
  }

  /**
   * The state the next handler runs on — the committed state, or the working state while appends are
   * in flight — or null while none may run: during a repair, or when a reducer failed on the working state.
   */
  private handlerState(): SessionState | null {
    if (this.repairing) return null;
    if (this.posted.length === 0) return this.state;
    if (this.unsafe) return null;
    if (this.working) return this.working;
    try {
      const w = workingCopy(this.state);
      for (const p of this.posted) this.applySpeculative(w.writer, p.events);
      this.workingWriter = w.writer;
      return (this.working = w.state);
    } catch (e) {
      console.error(`[session ${this.id}] the working state could not be built; waiting for the commits`, e);
      this.unsafe = true;
      return null;
    }
  }

  /** Applies posted events to the working state (payloads copied: the committed state has the originals). */
  private applySpeculative(w: SessionState, events: StoredEvent[]): void {
    for (const e of events) this.kernel.applyEvent(w, extend(e, { payload: structuredClone(e.payload) }));
  }

  /** Posts an append; its events join the working state at once, and `state` at its commit. */
  private post(req: AppendRequest): { stored: Promise<StoredEvent[]>; posted: Posted } {
    const before = this.posted.at(-1);
    // A handler that read the working state may have put its objects in the payload, and the next
    // command's events change them before the store copies the request (at the end of the tick): copied now.
    if (this.working) req = extend(req, { events: structuredClone(req.events) });
    const first = req.expectedSeq! + 1;
    const events: StoredEvent[] = req.events.map((ne, i) => ({
      sessionId: req.sessionId,
      seq: first + i,
      type: ne.type,
      ts: req.ts,
      actor: req.actor,
      commandId: req.commandId,
      payload: ne.payload ?? null,
      prevHash: PENDING_HASH,
      hash: PENDING_HASH,
    }));
    const stored = this.store.append(req);
    const p: Posted = { events, settled: null!, clean: null! };
    this.posted.push(p);
    if (this.workingWriter) {
      try {
        this.applySpeculative(this.workingWriter, events);
      } catch (e) {
        console.error(`[session ${this.id}] a reducer failed on the working state; waiting for the commits`, e);
        this.working = this.workingWriter = null;
        this.unsafe = true;
      }
    }
    p.settled = stored.then(
      (evs) => this.committed(p, evs),
      (e) => this.failed(p, e),
    );
    p.clean = before ? Promise.all([before.clean, p.settled]).then(([a, b]) => a && b) : p.settled;
    return { stored, posted: p };
  }

  /** An append committed: its events join `state` (and the realtime layer hears of them). */
  private committed(p: Posted, stored: StoredEvent[]): true {
    const i = this.posted.indexOf(p);
    this.posted.splice(i, 1);
    // The store commits in the order posted: anything else, or a failure before it, is repaired from the log.
    if (this.repairing || i !== 0) this.repair();
    else this.applyCommitted(stored);
    if (this.posted.length === 0) this.drained();
    return true;
  }

  private failed(p: Posted, e: unknown): false {
    const i = this.posted.indexOf(p);
    this.posted.splice(i, 1);
    // Nothing of it is in `state`; the state needs no rebuild when nothing was decided on it (a
    // duplicate alone), else it is rebuilt from the log: a stopped writer may have committed it after all.
    const alone = i === 0 && this.posted.length === 0 && !this.working;
    if (!(alone && e instanceof DuplicateCommand)) this.repair();
    if (this.posted.length === 0) this.drained();
    return false;
  }

  /** The last append in flight committed: the working state goes (the check mode compares it first). */
  private drained(): void {
    const w = this.working;
    this.working = this.workingWriter = null;
    this.unsafe = false;
    if (CHECK && w && !this.repairing && !sameState(w, this.state)) {
      const err = new Error(`[session ${this.id}] the working state differs from the committed state at seq ${this.state.seq}`);
      queueMicrotask(() => {
        throw err;
      });
    }
  }

  /** Rebuilds the state from the log once every append in flight is answered; handlers wait for it. */
  private repair(): void {
    this.working = this.workingWriter = null;
    this.repairing ??= (async () => {
      try {
        while (this.posted.length > 0) await Promise.all(this.posted.map((p) => p.settled));
        await this.catchUp();
      } catch (e) {
        console.error(`[session ${this.id}] could not rebuild the state from the log`, e);
      } finally {
        this.repairing = null;
      }
    })();
  }

  private async repaired(): Promise<void> {
    while (this.repairing) await this.repairing;
  }

  /** Waits until no append is in flight (system appends, follow and timers run on the committed state). */
  private async quiet(): Promise<void> {
    for (;;) {
      await this.repaired();
      if (this.posted.length === 0) return;
      await Promise.all(this.posted.map((p) => p.settled));
    }
  }

  /** Appends events that come from the system rather than a person (timers, session creation). */
  appendSystem(events: { type: string; payload: unknown }[], extra: { tokens?: any[]; revokeTokens?: string[] } = {}): Promise<StoredEvent[]> {
    const run = this.queue.then(async () => {
      await this.quiet();
      const stored = await this.store.append({
        sessionId: this.id,
        actor: null,
        commandId: null,
        ts: this.clock(),
        events,
        expectedSeq: this.state.seq,
        ...extra,
      });
      this.applyCommitted(stored);
      return stored;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * A timed event (server/session/scheduler.ts): in the command queue, if the item is still due in the
   * state as it is now, its events are built from that state and appended under the item's
   * deterministic command id. Another process that appended it first wins (DuplicateCommand or
   * SeqConflict): this one follows the log and finds nothing left to do.
   */
  fireDue(d: Pick<Due, 'kind' | 'key'>): Promise<void> {
    const run = this.queue.then(async () => {
      await this.quiet();
      const id = timerCommandId(d);
      for (let attempt = 0; attempt < 5; attempt++) {
        const now = this.clock();
        const item = dueOf(this.kernel.concerns, this.state).find((x) => timerCommandId(x) === id && x.at <= now);
        if (!item) return;
        const events = item.events(this.state, now);
        if (events.length === 0) return;
        try {
          const stored = await this.store.append({ sessionId: this.id, actor: null, commandId: id, ts: now, events, result: null, expectedSeq: this.state.seq });
          this.applyCommitted(stored);
          return;
        } catch (e) {
          if (!(e instanceof DuplicateCommand) && !(e instanceof SeqConflict)) throw e;
          const newer = await this.store.read(this.id, this.state.seq + 1);
          if (newer.length > 0) this.applyCommitted(newer);
          if (e instanceof DuplicateCommand) return;
        }
      }
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private applyCommitted(stored: StoredEvent[]): void {
    try {
      // Tracked: the realtime layer reuses each concern's view while nothing it reads has changed.
      for (const e of stored) applyEventTracked(this.state, e, this.kernel.applyEvent);
    } catch (e) {
      // The log is the truth: a reducer that fails must not leave a half-applied state behind.
      console.error(`[session ${this.id}] fold failed; rebuilding from the log`, e);
      this.repair();
      return;
    }
    this.ids?.add(stored);
    this.onChange(this.state, stored);
  }

  /**
   * Folds what other processes appended since this state (issue 9: a shared store, several processes),
   * in the command queue so that no command runs on a half-followed state. Cheap when nothing is new.
   */
  follow(): Promise<void> {
    const run = this.queue.then(async () => {
      await this.quiet();
      const events = await this.store.read(this.id, this.state.seq + 1);
      if (events.length > 0) this.applyCommitted(events);
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async catchUp(): Promise<void> {
    const events = await this.store.read(this.id);
    this.state = this.kernel.fold(this.id, events);
    this.working = this.workingWriter = null;
    if (this.store.pipelined) this.ids = CommandIndex.of(events);
    this.onChange(this.state, []);
  }
}

const fail = (error: ErrorBody): Ack => ({ ok: false, error });

function replayAck(result: unknown, events: StoredEvent[]): Ack {
  if (result && typeof result === 'object' && '$refused' in result) return fail((result as { $refused: ErrorBody }).$refused);
  return { ok: true, data: result ?? null, seq: events.length ? events[events.length - 1].seq : 0 };
}
