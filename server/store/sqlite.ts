import Database from 'better-sqlite3';
import { ensurePrivateDir, ensurePrivateFile } from './private-files';
import { join, resolve } from 'node:path';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import {
  DuplicateCommand,
  SeqConflict,
  type AppendRequest,
  type CommandRecord,
  type EventStore,
  type StoredEvent,
  type TokenRecord,
} from './types';
import { EVENT_COLUMNS, eventOfRow, eventsOfColumns, type EventRow } from './event-row.mjs';

// The embedded default store: one SQLite file under DATA_DIR. WAL with synchronous=FULL makes a
// commit durable before append() resolves, and the ack is sent only after that (issue 2: "the ack is
// sent only after the commit").
// Group commit by a writer thread (issue 15, item 4): every write (appends, the requirements document's
// updates, report files) goes to a worker thread (sqlite-writer.mjs) that owns the only writing connection, so the
// transaction and its fsync happen off the event loop; this thread reads through its own connection.
// The writes of one tick, of any sessions, are posted as one batch; while the writer is busy, the next
// batches wait and go together into its next transaction: each command in its own savepoint (a refused
// one rolls back alone), one fsync for all; each append resolves only after that commit.

/** How much of the database file the main thread's reading connection maps while the start-up replays
 *  every session (address space; the pages it reads count in the process's RSS until `replayed`). */
export const READ_MMAP_BYTES = 1 << 30;

export class SqliteEventStore implements EventStore {
  readonly kind = 'sqlite' as const;
  /** One process writes the file, through one thread, in the order posted (types.ts; off only in a test of the serial path). */
  readonly pipelined: boolean;
  /** The main thread's connection: reads only (query_only); every write goes through the writer thread. */
  readonly db: Database.Database;
  private readonly file: string;
  private readonly synchronous: 'FULL' | 'OFF';
  private readonly stmt;
  /** Items of this tick, posted to the writer together at setImmediate. */
  private queue: Pending[] = [];
  /** Posted to the writer and not answered yet, in the writer's order. */
  private inflight: Pending[] = [];
  private writer: Worker | null = null;
  private closing: Promise<void> | null = null;
  /** Commits (fsyncs) so far, and the appends they carried (the benchmarks report the ratio). */
  readonly commits = { transactions: 0, appends: 0 };

  /** `synchronous: 'OFF'` only to prepare benchmark data (test/bench/fleet.ts): nothing is durable then. */
  constructor(file: string, opts: SqliteOptions = {}) {
    this.file = resolve(file);
    this.pipelined = opts.pipelined ?? true;
    this.synchronous = opts.synchronous ?? 'FULL';
    // 0600 before SQLite opens it: SQLite gives the -wal and -shm files the database file's mode.
    ensurePrivateFile(file);
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    for (const f of [`${file}-wal`, `${file}-shm`]) ensurePrivateFile(f, false);
    this.db.pragma('synchronous = FULL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS events (
        session_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        type TEXT NOT NULL,
        ts INTEGER NOT NULL,
        actor TEXT,
        command_id TEXT,
        payload TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL,
        PRIMARY KEY (session_id, seq)
      ) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS commands (
        session_id TEXT NOT NULL,
        command_id TEXT NOT NULL,
        first_seq INTEGER NOT NULL,
        last_seq INTEGER NOT NULL,
        result TEXT,
        fingerprint TEXT,
        PRIMARY KEY (session_id, command_id)
      ) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS join_tokens (
        token_hash TEXT PRIMARY KEY,
        session_id TEXT NOT NULL,
        person_id TEXT NOT NULL,
        token TEXT NOT NULL,
        revoked INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX IF NOT EXISTS join_tokens_session ON join_tokens(session_id);
      CREATE TABLE IF NOT EXISTS requirements_updates (
        n INTEGER PRIMARY KEY AUTOINCREMENT,
        session_id TEXT NOT NULL,
        data BLOB NOT NULL
      );
      CREATE INDEX IF NOT EXISTS requirements_updates_session ON requirements_updates(session_id, n);
      CREATE TABLE IF NOT EXISTS report_files (sha256 TEXT PRIMARY KEY, bytes BLOB NOT NULL, size INTEGER NOT NULL, created_at INTEGER NOT NULL);
    `);
    // Databases from before the command memory knew its sender (issue 12, item 7).
    const cols = this.db.prepare('PRAGMA table_info(commands)').all() as { name: string }[];
    if (!cols.some((c) => c.name === 'fingerprint')) this.db.exec('ALTER TABLE commands ADD COLUMN fingerprint TEXT');
    // The main thread never writes (a write here would wait for the writer's lock on the event loop).
    this.db.pragma('query_only = ON');
    // Reads through a memory map of the file instead of a system call per page: a restart replays every
    // session's log through this connection, its page cache empty (issue 15: about a quarter less CPU
    // for those reads). Only reads: the writer thread's connection writes as before. Only while the
    // replay reads every log: see replayed().
    this.db.pragma(`mmap_size = ${READ_MMAP_BYTES}`);
    this.stmt = {
      findCommand: this.db.prepare('SELECT first_seq, last_seq, result, fingerprint FROM commands WHERE session_id = ? AND command_id = ?'),
      range: this.db.prepare('SELECT * FROM events WHERE session_id = ? AND seq >= ? AND seq <= ? ORDER BY seq'),
      // As arrays (eventsOfColumns): the replay of every session at a restart reads them all (issue 15).
      read: this.db.prepare(`SELECT ${EVENT_COLUMNS} FROM events WHERE session_id = ? AND seq >= ? ORDER BY seq`).raw(true),
      // Each session's first event by a seek per session (a skip-scan of the primary key), not a scan
      // of every event: at a restart of a process with many rooms the scan read the whole log before
      // the replay could begin (issue 15, the restart storm).
      sessions: this.db.prepare(`
        WITH RECURSIVE ids(id) AS (
          SELECT (SELECT MIN(session_id) FROM events)
          UNION ALL
          SELECT (SELECT MIN(session_id) FROM events WHERE session_id > ids.id) FROM ids WHERE ids.id IS NOT NULL
        )
        SELECT e.session_id FROM ids JOIN events e ON e.session_id = ids.id AND e.seq = 1 ORDER BY e.ts, e.session_id`),
      tokens: this.db.prepare('SELECT * FROM join_tokens WHERE session_id = ? ORDER BY rowid'),
      token: this.db.prepare('SELECT * FROM join_tokens WHERE token_hash = ?'),
      docLoad: this.db.prepare('SELECT data FROM requirements_updates WHERE session_id = ? ORDER BY n'),
      reportFile: this.db.prepare('SELECT bytes FROM report_files WHERE sha256 = ?'),
    };
  }

  /** `synchronous: 'OFF'` only to prepare benchmark data (test/bench/fleet.ts): nothing is durable then. */
  static open(dataDir: string, opts: SqliteOptions = {}): SqliteEventStore {
    ensurePrivateDir(dataDir);
    return new SqliteEventStore(join(dataDir, 'panelroom.sqlite'), opts);
  }

  private findCommandSync(sessionId: string, commandId: string): CommandRecord | null {
    const row = this.stmt.findCommand.get(sessionId, commandId) as
      | { first_seq: number; last_seq: number; result: string | null; fingerprint: string | null }
      | undefined;
    if (!row) return null;
    const rows = this.stmt.range.all(sessionId, row.first_seq, row.last_seq) as EventRow[];
    return { events: rows.map(eventOfRow), result: row.result === null ? undefined : JSON.parse(row.result), fingerprint: row.fingerprint };
  }

  append(req: AppendRequest): Promise<StoredEvent[]> {
    return this.write({ op: 'append', req });
  }

  private write<T>(item: Item): Promise<T> {
    return new Promise((resolve, reject) => {
      if (this.closing) return reject(new Error('the event store is closed'));
      this.queue.push({ item, resolve, reject });
      if (this.queue.length === 1) setImmediate(() => this.post());
    });
  }

  /** Hands this tick's items to the writer as one batch; it writes them in its next transaction. */
  private post(): void {
    if (this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    let w: Worker;
    try {
      w = this.writerThread();
    } catch (e) {
      for (const p of batch) p.reject(e);
      return;
    }
    try {
      w.postMessage({ t: 'batch', items: batch.map((p) => p.item) });
      this.inflight.push(...batch);
    } catch {
      // Something in the batch cannot be cloned (a function in a payload): refuse that one alone.
      for (const p of batch) {
        try {
          w.postMessage({ t: 'batch', items: [p.item] });
          this.inflight.push(p);
        } catch (e) {
          p.reject(e);
        }
      }
    }
    if (this.inflight.length > 0) w.ref();
  }

  /** The writer thread, started with the first write. */
  private writerThread(): Worker {
    if (this.writer) return this.writer;
    // execArgv []: a plain JavaScript module needs no loader (tsx) in its thread.
    const w = new Worker(new URL('./sqlite-writer.mjs', import.meta.url), { workerData: { file: this.file, synchronous: this.synchronous }, execArgv: [] });
    let failure: unknown = null;
    w.on('message', (m: FromWriter) => this.answer(m));
    w.on('error', (e) => (failure = e));
    w.on('exit', (code) => {
      if (this.writer === w) this.writer = null;
      // Whatever it had not answered may or may not be committed: refused, so that the command's retry
      // (same command id) finds it in the log exactly once or writes it (issue 8).
      const lost = this.inflight.splice(0);
      if (lost.length > 0 || !this.closing) console.error(`[store] the SQLite writer thread stopped (exit ${code})`, failure ?? '');
      const err = new Error(`the event store's writer stopped (exit ${code})`, { cause: failure });
      for (const p of lost) p.reject(err);
    });
    this.writer = w;
    return w;
  }

  private answer(m: FromWriter): void {
    if (m.t === 'done') {
      const done = this.inflight.splice(0, m.results.length);
      this.commits.transactions++;
      done.forEach((p, i) => {
        if (p.item.op === 'append') this.commits.appends++;
        settle(p, m.results[i]);
      });
    } else if (m.t === 'failed') {
      const err = wireError(m.error);
      for (const p of this.inflight.splice(0, m.n)) p.reject(err);
    }
    // Idle: the thread alone does not keep the process alive (while closing it must, until it exits).
    if (this.inflight.length === 0 && !this.closing) this.writer?.unref();
  }

  async findCommand(sessionId: string, commandId: string): Promise<CommandRecord | null> {
    return this.findCommandSync(sessionId, commandId);
  }

  async read(sessionId: string, fromSeq = 1): Promise<StoredEvent[]> {
    return eventsOfColumns(sessionId, this.stmt.read.all(sessionId, fromSeq) as unknown[][]);
  }

  // Memory per room (issue 15): every page the replay read through the map stays in the process's
  // RSS while the file is mapped — at 200 rooms of 1,532 events about 150 MB, 1 MB per room. After the
  // replay the reads are few (a session loaded later, a report), so the connection reads by system
  // call again and the map goes (SQLite unmaps at once: no read is open between two calls here). The
  // pages stay in the kernel's page cache, which can drop them, as it can any file's.
  replayed(): void {
    if (this.db.open) this.db.pragma('mmap_size = 0');
  }

  async listSessionIds(): Promise<string[]> {
    return (this.stmt.sessions.all() as { session_id: string }[]).map((r) => r.session_id);
  }

  async tokens(sessionId: string): Promise<(TokenRecord & { revoked: boolean })[]> {
    return (this.stmt.tokens.all(sessionId) as any[]).map(rowToToken);
  }

  async findToken(tokenHash: string): Promise<(TokenRecord & { revoked: boolean }) | null> {
    const r = this.stmt.token.get(tokenHash) as any;
    return r ? rowToToken(r) : null;
  }

  async docUpdates(sessionId: string): Promise<Uint8Array[]> {
    return (this.stmt.docLoad.all(sessionId) as { data: Buffer }[]).map((r) => new Uint8Array(r.data));
  }

  async storeDocUpdate(sessionId: string, update: Uint8Array, replace = false): Promise<number> {
    return this.write<number>({ op: 'doc', sessionId, update, replace });
  }

  /** A rendered report's bytes under their sha256 (server/report/files.ts), never replaced; durable when resolved. */
  async putReportFile(sha256: string, bytes: Buffer, createdAt: number): Promise<void> {
    await this.write<number>({ op: 'file', sha256, bytes, createdAt });
  }

  async reportFile(sha256: string): Promise<Buffer | null> {
    const row = this.stmt.reportFile.get(sha256) as { bytes: Buffer } | undefined;
    return row ? Buffer.from(row.bytes) : null;
  }

  /** Writes everything already asked for (each write answered), stops the writer, closes the file. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.post();
      const w = this.writer;
      if (w) {
        w.ref();
        const exited = once(w, 'exit');
        w.postMessage({ t: 'close' });
        await exited;
      }
      if (this.db.open) this.db.close();
    })();
    return this.closing;
  }
}

export interface SqliteOptions {
  synchronous?: 'FULL' | 'OFF';
  /** Whether sessions may pipeline their commands (types.ts `pipelined`); default true. */
  pipelined?: boolean;
}

/** The worker thread's test handle: which thread writes (test/unit/store/sqlite-writer.test.ts). */
export const writerOf = (s: SqliteEventStore): Worker | null => (s as unknown as { writer: Worker | null }).writer;

type Item =
  | { op: 'append'; req: AppendRequest }
  | { op: 'doc'; sessionId: string; update: Uint8Array; replace: boolean }
  | { op: 'file'; sha256: string; bytes: Uint8Array; createdAt: number };

interface Pending {
  item: Item;
  resolve: (v: any) => void;
  reject: (e: unknown) => void;
}

interface WireError {
  name: string;
  message: string;
  code?: string;
}

/** One item's outcome, as sqlite-writer.mjs answers it. */
type ItemResult =
  | { ok: { first: number; prevHash: string; hashes: string[] } }
  | { dup: CommandRecord }
  | { conflict: number }
  | { count: number }
  | { error: WireError };

type FromWriter = { t: 'done'; results: ItemResult[] } | { t: 'failed'; n: number; error: WireError } | { t: 'closed' };

const wireError = (e: WireError): Error => Object.assign(new Error(e.message), { name: e.name, code: e.code });

function settle(p: Pending, r: ItemResult): void {
  if ('ok' in r) p.resolve(storedEvents((p.item as { req: AppendRequest }).req, r.ok));
  else if ('count' in r) p.resolve(r.count);
  else if ('dup' in r) p.reject(new DuplicateCommand(r.dup));
  else if ('conflict' in r) p.reject(new SeqConflict(r.conflict));
  else p.reject(wireError(r.error));
}

/** The committed events: the writer answers their seqs and hashes; the request has the rest. */
function storedEvents(req: AppendRequest, ok: { first: number; prevHash: string; hashes: string[] }): StoredEvent[] {
  return req.events.map((ne, i) => ({
    sessionId: req.sessionId,
    seq: ok.first + i,
    type: ne.type,
    ts: req.ts,
    actor: req.actor,
    commandId: req.commandId,
    payload: ne.payload ?? null,
    prevHash: i === 0 ? ok.prevHash : ok.hashes[i - 1],
    hash: ok.hashes[i],
  }));
}

const rowToToken = (r: any): TokenRecord & { revoked: boolean } => ({
  tokenHash: r.token_hash,
  sessionId: r.session_id,
  personId: r.person_id,
  token: r.token,
  revoked: r.revoked === 1,
});
