import Database from 'better-sqlite3';
import { ensurePrivateDir, ensurePrivateFile } from './private-files';
import { join } from 'node:path';
import { GENESIS_HASH } from './canonical';
import { eventHash } from './chain';
import {
  DuplicateCommand,
  SeqConflict,
  type AppendRequest,
  type CommandRecord,
  type EventStore,
  type StoredEvent,
  type TokenRecord,
} from './types';

// The embedded default store: one SQLite file under DATA_DIR. WAL with synchronous=FULL makes a
// commit durable before append() resolves, and the ack is sent only after that (issue 2: "the ack is
// sent only after the commit"). Group commit (issue 15): the appends that arrive in the same tick, of
// any sessions, are written in one transaction, each command in its own savepoint (a refused one rolls
// back alone), so one fsync covers them all; each append resolves only after that commit.

interface EventRow {
  session_id: string;
  seq: number;
  type: string;
  ts: number;
  actor: string | null;
  command_id: string | null;
  payload: string;
  prev_hash: string;
  hash: string;
}

const toEvent = (r: EventRow): StoredEvent => ({
  sessionId: r.session_id,
  seq: r.seq,
  type: r.type,
  ts: r.ts,
  actor: r.actor ? JSON.parse(r.actor) : null,
  commandId: r.command_id,
  payload: JSON.parse(r.payload),
  prevHash: r.prev_hash,
  hash: r.hash,
});

export class SqliteEventStore implements EventStore {
  readonly kind = 'sqlite' as const;
  readonly db: Database.Database;
  private readonly stmt;
  private readonly appendTx;
  private readonly batchTx;
  private readonly docTx;
  private queue: { req: AppendRequest; resolve: (e: StoredEvent[]) => void; reject: (e: unknown) => void }[] = [];
  /** Commits (fsyncs) so far, and the appends they carried (the benchmarks report the ratio). */
  readonly commits = { transactions: 0, appends: 0 };

  constructor(file: string) {
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
    `);
    // Databases from before the command memory knew its sender (issue 12, item 7).
    const cols = this.db.prepare('PRAGMA table_info(commands)').all() as { name: string }[];
    if (!cols.some((c) => c.name === 'fingerprint')) this.db.exec('ALTER TABLE commands ADD COLUMN fingerprint TEXT');
    this.stmt = {
      head: this.db.prepare('SELECT seq, hash FROM events WHERE session_id = ? ORDER BY seq DESC LIMIT 1'),
      insert: this.db.prepare(
        'INSERT INTO events (session_id, seq, type, ts, actor, command_id, payload, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?)',
      ),
      insertCommand: this.db.prepare('INSERT INTO commands (session_id, command_id, first_seq, last_seq, result, fingerprint) VALUES (?,?,?,?,?,?)'),
      findCommand: this.db.prepare('SELECT first_seq, last_seq, result, fingerprint FROM commands WHERE session_id = ? AND command_id = ?'),
      range: this.db.prepare('SELECT * FROM events WHERE session_id = ? AND seq >= ? AND seq <= ? ORDER BY seq'),
      read: this.db.prepare('SELECT * FROM events WHERE session_id = ? AND seq >= ? ORDER BY seq'),
      sessions: this.db.prepare('SELECT session_id FROM events WHERE seq = 1 ORDER BY ts, session_id'),
      insertToken: this.db.prepare('INSERT INTO join_tokens (token_hash, session_id, person_id, token) VALUES (?,?,?,?)'),
      revokeToken: this.db.prepare('UPDATE join_tokens SET revoked = 1 WHERE token_hash = ?'),
      tokens: this.db.prepare('SELECT * FROM join_tokens WHERE session_id = ? ORDER BY rowid'),
      token: this.db.prepare('SELECT * FROM join_tokens WHERE token_hash = ?'),
      docLoad: this.db.prepare('SELECT data FROM requirements_updates WHERE session_id = ? ORDER BY n'),
      docInsert: this.db.prepare('INSERT INTO requirements_updates (session_id, data) VALUES (?, ?)'),
      docCount: this.db.prepare('SELECT COUNT(*) AS c FROM requirements_updates WHERE session_id = ?'),
      docClear: this.db.prepare('DELETE FROM requirements_updates WHERE session_id = ?'),
    };
    this.docTx = this.db.transaction((sessionId: string, update: Uint8Array, replace: boolean): number => {
      if (replace) this.stmt.docClear.run(sessionId);
      this.stmt.docInsert.run(sessionId, Buffer.from(update));
      return (this.stmt.docCount.get(sessionId) as { c: number }).c;
    });
    this.appendTx = this.db.transaction((req: AppendRequest): StoredEvent[] => {
      if (req.commandId) {
        const dup = this.findCommandSync(req.sessionId, req.commandId);
        if (dup) throw new DuplicateCommand(dup);
      }
      const head = this.stmt.head.get(req.sessionId) as { seq: number; hash: string } | undefined;
      let seq = head?.seq ?? 0;
      if (req.expectedSeq !== undefined && req.expectedSeq !== seq) throw new SeqConflict(seq);
      let prev = head?.hash ?? GENESIS_HASH;
      const out: StoredEvent[] = [];
      for (const ne of req.events) {
        seq++;
        const base = {
          sessionId: req.sessionId,
          seq,
          type: ne.type,
          ts: req.ts,
          actor: req.actor,
          commandId: req.commandId,
          payload: ne.payload ?? null,
        };
        const hash = eventHash(prev, base);
        const ev: StoredEvent = { ...base, prevHash: prev, hash };
        this.stmt.insert.run(
          ev.sessionId,
          ev.seq,
          ev.type,
          ev.ts,
          ev.actor ? JSON.stringify(ev.actor) : null,
          ev.commandId,
          JSON.stringify(ev.payload),
          ev.prevHash,
          ev.hash,
        );
        out.push(ev);
        prev = hash;
      }
      if (req.commandId && out.length > 0) {
        this.stmt.insertCommand.run(
          req.sessionId,
          req.commandId,
          out[0].seq,
          out[out.length - 1].seq,
          req.result === undefined ? null : JSON.stringify(req.result),
          req.fingerprint ?? null,
        );
      }
      for (const t of req.tokens ?? []) this.stmt.insertToken.run(t.tokenHash, t.sessionId, t.personId, t.token);
      for (const h of req.revokeTokens ?? []) this.stmt.revokeToken.run(h);
      return out;
    });
    // Nested in batchTx, appendTx runs as a savepoint: a command that throws rolls back only itself.
    this.batchTx = this.db.transaction((reqs: AppendRequest[]): ({ ok: StoredEvent[] } | { err: unknown })[] =>
      reqs.map((r) => {
        try {
          return { ok: this.appendTx(r) };
        } catch (err) {
          return { err };
        }
      }),
    );
  }

  static open(dataDir: string): SqliteEventStore {
    ensurePrivateDir(dataDir);
    return new SqliteEventStore(join(dataDir, 'panelroom.sqlite'));
  }

  private findCommandSync(sessionId: string, commandId: string): CommandRecord | null {
    const row = this.stmt.findCommand.get(sessionId, commandId) as
      | { first_seq: number; last_seq: number; result: string | null; fingerprint: string | null }
      | undefined;
    if (!row) return null;
    const rows = this.stmt.range.all(sessionId, row.first_seq, row.last_seq) as EventRow[];
    return { events: rows.map(toEvent), result: row.result === null ? undefined : JSON.parse(row.result), fingerprint: row.fingerprint };
  }

  append(req: AppendRequest): Promise<StoredEvent[]> {
    return new Promise((resolve, reject) => {
      this.queue.push({ req, resolve, reject });
      if (this.queue.length === 1) setImmediate(() => this.commitQueued());
    });
  }

  /** Writes every append queued this tick in one transaction (one fsync), then answers each. */
  private commitQueued(): void {
    if (this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    let results: ({ ok: StoredEvent[] } | { err: unknown })[];
    try {
      results = this.batchTx.immediate(batch.map((b) => b.req));
    } catch (e) {
      for (const b of batch) b.reject(e);
      return;
    }
    this.commits.transactions++;
    this.commits.appends += batch.length;
    batch.forEach((b, i) => {
      const r = results[i];
      if ('ok' in r) b.resolve(r.ok);
      else b.reject(r.err);
    });
  }

  async findCommand(sessionId: string, commandId: string): Promise<CommandRecord | null> {
    return this.findCommandSync(sessionId, commandId);
  }

  async read(sessionId: string, fromSeq = 1): Promise<StoredEvent[]> {
    return (this.stmt.read.all(sessionId, fromSeq) as EventRow[]).map(toEvent);
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
    return this.docTx.immediate(sessionId, update, replace);
  }

  async close(): Promise<void> {
    // Appends already queued are written (and answered) before the file closes.
    if (this.queue.length > 0 && this.db.open) this.commitQueued();
    if (this.db.open) this.db.close();
  }
}

const rowToToken = (r: any): TokenRecord & { revoked: boolean } => ({
  tokenHash: r.token_hash,
  sessionId: r.session_id,
  personId: r.person_id,
  token: r.token,
  revoked: r.revoked === 1,
});
