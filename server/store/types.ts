// The durable, hash-chained event log (docs/architecture.md "The event log is the truth").
// Kept behind this small interface so that a PostgreSQL store can take SQLite's place.

export interface Actor {
  personId: string;
  role: string;
}

export interface StoredEvent {
  sessionId: string;
  /** 1-based, gap-free per session. */
  seq: number;
  type: string;
  /** Server time, UTC milliseconds. */
  ts: number;
  actor: Actor | null;
  commandId: string | null;
  payload: unknown;
  prevHash: string;
  /** sha256(prevHash ‖ canonical JSON of {sessionId, seq, type, ts, actor, commandId, payload}). */
  hash: string;
}

export interface NewEvent {
  type: string;
  payload: unknown;
}

/** A join token as issued: the raw token stays server-side (join cards need it); the log holds its hash. */
export interface TokenRecord {
  tokenHash: string;
  sessionId: string;
  personId: string;
  token: string;
}

export interface AppendRequest {
  sessionId: string;
  actor: Actor | null;
  commandId: string | null;
  ts: number;
  events: NewEvent[];
  /** The command's ack data, kept so that a retry returns the same answer. */
  result?: unknown;
  /**
   * Who sent the command and what it was (server/session/command-memory.ts): a retry is the same
   * sender, command and payload; anything else under the same id is refused (issue 12, item 7).
   */
  fingerprint?: string;
  tokens?: TokenRecord[];
  revokeTokens?: string[];
  /** The seq the caller's state is at; the append fails with `SeqConflict` when the log moved on. */
  expectedSeq?: number;
}

export interface CommandRecord {
  events: StoredEvent[];
  result: unknown;
  /** `null` for commands remembered before the fingerprint existed (compare the sender only). */
  fingerprint: string | null;
}

export class DuplicateCommand extends Error {
  constructor(public readonly record: CommandRecord) {
    super('duplicate command');
  }
}

export class SeqConflict extends Error {
  constructor(public readonly actual: number) {
    super(`log is at seq ${actual}`);
  }
}

/** A committed append, as another process learns of it; `null`: some may have been missed, re-read all. */
export type AppendListener = (append: { sessionId: string; firstSeq: number; seq: number } | null) => void;

export interface EventStore {
  readonly kind: 'sqlite' | 'postgres';
  /**
   * This process alone writes the log, and the store commits its appends in the order they were posted
   * (the SQLite writer thread): a session may post its next command's append before the previous one
   * is answered (server/session/runtime.ts, pipelining), and keep its command ids in memory
   * (command-memory.ts CommandIndex). Absent or false (PostgreSQL: several processes, a pool of
   * connections): a session's commands run one after another, each after its commit.
   */
  readonly pipelined?: boolean;
  /** Appends all events of one command in one transaction; resolves only after the commit is durable. */
  append(req: AppendRequest): Promise<StoredEvent[]>;
  findCommand(sessionId: string, commandId: string): Promise<CommandRecord | null>;
  read(sessionId: string, fromSeq?: number): Promise<StoredEvent[]>;
  listSessionIds(): Promise<string[]>;
  tokens(sessionId: string): Promise<(TokenRecord & { revoked: boolean })[]>;
  findToken(tokenHash: string): Promise<(TokenRecord & { revoked: boolean }) | null>;
  close(): Promise<void>;
  /**
   * The start-up's replay of every session is over (SessionRegistry.loadAll): the store may let go of
   * what it held only to read every log at once (issue 15: memory per room; the SQLite store unmaps its
   * file, whose pages the replay brought into the process's RSS).
   */
  replayed?(): void;
  /** Shared stores only (several processes, issue 9): follow every committed append. Resolves to an unsubscribe. */
  watch?(fn: AppendListener): Promise<() => void>;
  /**
   * The live requirements document's Yjs updates (server/requirements/yjs-endpoint.ts), beside the log
   * but not in it: keystrokes are not audit events, each published version is (docs/rules.md §2.8). In
   * storage order; Yjs merges them in any order.
   */
  docUpdates?(sessionId: string): Promise<Uint8Array[]>;
  /** Stores one update durably; with `replace`, in the same transaction drops every earlier one (compaction). Resolves to how many the session now has. */
  storeDocUpdate?(sessionId: string, update: Uint8Array, replace?: boolean): Promise<number>;
}
