import { COMMANDS, isCommand, type CommandName } from '../../shared/protocol/commands';
import { mayCommand } from '../../shared/protocol/authz';
import { errorBody, type ErrorBody } from '../../shared/protocol/errors';
import type { Ack } from '../../shared/protocol/ack';
import { DuplicateCommand, SeqConflict, type EventStore, type StoredEvent } from '../store/types';
import { applyEventTracked } from '../realtime/state-keys';
import type { Kernel } from './kernel';
import { DomainError, type Principal, type SessionState } from './types';
import { zodToDomainError } from './validation';
import { commandFingerprint, commandReused, isRetry } from './command-memory';
import { dueOf, timerCommandId, type Due } from './scheduler';

export type ChangeListener = (s: SessionState, events: StoredEvent[]) => void;

// One live session: its folded state and a queue that runs its commands one at a time, so that each
// handler sees the state every earlier command left (issue 2: "serialize per session").
// Every command: authorize → validate → handle → append (one transaction) → fold → ack → broadcast.
export class SessionRuntime {
  private queue: Promise<unknown> = Promise.resolve();

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
    return new SessionRuntime(kernel.fold(id, events), store, onChange, kernel, clock);
  }

  get id(): string {
    return this.state.id;
  }

  /** Runs a command for a principal. Never throws: every outcome is an ack. */
  execute(actor: Principal, name: string, payload: unknown): Promise<Ack> {
    this.inFlight++;
    const run = this.queue.then(() => this.executeNow(actor, name, payload)).finally(() => this.inFlight--);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Commands received and not yet answered (the realtime layer lets a burst finish before it flushes). */
  inFlight = 0;

  private async executeNow(actor: Principal, name: string, payload: unknown): Promise<Ack> {
    try {
      if (!isCommand(name)) return fail(errorBody('unknown_event'));
      if (actor.sessionId !== this.id) return fail(errorBody('forbidden'));
      const person = this.state.people[actor.personId];
      if (!person || person.role !== actor.role) return fail(errorBody('unauthenticated'));
      if (!mayCommand(actor.role, name as CommandName)) return fail(errorBody('forbidden'));
      const parsed = COMMANDS[name as CommandName].safeParse(payload);
      if (!parsed.success) throw zodToDomainError(parsed.error);
      const cmd = parsed.data as { id: string };

      // A retried command takes effect once: the first answer is returned again — but only to the same
      // sender for the same command and payload (command-memory.ts; issue 12, item 7).
      const fingerprint = commandFingerprint(actor, name, cmd);
      const previous = await this.store.findCommand(this.id, cmd.id);
      if (previous) {
        if (!isRetry(previous, fingerprint, actor)) throw commandReused();
        return replayAck(previous.result, previous.events);
      }

      const handler = this.kernel.handlers.get(name);
      if (!handler) return fail(errorBody('unknown_event'));
      const now = this.clock();
      const result = handler({ state: this.state, actor, now }, cmd);
      if (result.events.length === 0 && result.refuse) throw result.refuse;
      if (result.events.length === 0) return { ok: true, data: result.data ?? null, seq: this.state.seq };

      let stored: StoredEvent[];
      try {
        stored = await this.store.append({
          sessionId: this.id,
          actor: { personId: actor.personId, role: actor.role },
          commandId: cmd.id,
          ts: now,
          events: result.events,
          result: result.refuse ? { $refused: errorBody(result.refuse.code, result.refuse.detail, result.refuse.field) } : result.data ?? null,
          fingerprint,
          tokens: result.tokens,
          revokeTokens: result.revokeTokens,
          expectedSeq: this.state.seq,
        });
      } catch (e) {
        if (e instanceof DuplicateCommand) {
          if (!isRetry(e.record, fingerprint, actor)) throw commandReused();
          return replayAck(e.record.result, e.record.events);
        }
        if (e instanceof SeqConflict) {
          // Another writer moved the log (several processes, issue 9): catch up and run once more.
          await this.catchUp();
          return this.executeNow(actor, name, payload);
        }
        throw e;
      }
      this.applyCommitted(stored);
      if (result.refuse) throw result.refuse;
      return { ok: true, data: result.data ?? null, seq: this.state.seq };
    } catch (e) {
      if (e instanceof DomainError) return fail(errorBody(e.code, e.detail, e.field));
      console.error(`[session ${this.id}] ${name} failed:`, e);
      return fail(errorBody('internal'));
    }
  }

  /** Appends events that come from the system rather than a person (timers, session creation). */
  appendSystem(events: { type: string; payload: unknown }[], extra: { tokens?: any[]; revokeTokens?: string[] } = {}): Promise<StoredEvent[]> {
    const run = this.queue.then(async () => {
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
      void this.catchUp();
      return;
    }
    this.onChange(this.state, stored);
  }

  /**
   * Folds what other processes appended since this state (issue 9: a shared store, several processes),
   * in the command queue so that no command runs on a half-followed state. Cheap when nothing is new.
   */
  follow(): Promise<void> {
    const run = this.queue.then(async () => {
      const events = await this.store.read(this.id, this.state.seq + 1);
      if (events.length > 0) this.applyCommitted(events);
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async catchUp(): Promise<void> {
    const events = await this.store.read(this.id);
    this.state = this.kernel.fold(this.id, events);
    this.onChange(this.state, []);
  }
}

const fail = (error: ErrorBody): Ack => ({ ok: false, error });

function replayAck(result: unknown, events: StoredEvent[]): Ack {
  if (result && typeof result === 'object' && '$refused' in result) return fail((result as { $refused: ErrorBody }).$refused);
  return { ok: true, data: result ?? null, seq: events.length ? events[events.length - 1].seq : 0 };
}
