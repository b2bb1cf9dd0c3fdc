import pg from 'pg';
import { GENESIS_HASH } from './canonical';
import { eventHash } from './chain';
import {
  DuplicateCommand,
  SeqConflict,
  type AppendListener,
  type AppendRequest,
  type CommandRecord,
  type EventStore,
  type StoredEvent,
  type TokenRecord,
} from './types';
import { extend } from '../../shared/extend';

// The shared store for several server processes (issue 9): the same three tables and the same hash
// chain as SQLite. Several processes may append to one session at once, so each append takes a
// transaction-scoped advisory lock on the session before it reads the head: appends of one session are
// serialized across every process, appends of different sessions run in parallel. (session_id, seq) is
// still the primary key, so even without the lock a second writer could never fork the chain; it would
// fail instead. COMMIT with synchronous_commit=on (the default) is durable before append() resolves.
//
// Every append also NOTIFYs `panelroom_append` inside its transaction; PostgreSQL delivers it only after
// the commit, so a process that follows the channel learns of exactly the committed appends.

export const APPEND_CHANNEL = 'panelroom_append';

interface EventRow {
  session_id: string;
  seq: number;
  type: string;
  ts: string;
  actor: string | null;
  command_id: string | null;
  payload: string;
  prev_hash: string;
  hash: string;
}

const toEvent = (r: EventRow): StoredEvent => ({
  sessionId: r.session_id,
  seq: Number(r.seq),
  type: r.type,
  ts: Number(r.ts),
  actor: r.actor ? JSON.parse(r.actor) : null,
  commandId: r.command_id,
  payload: JSON.parse(r.payload),
  prevHash: r.prev_hash,
  hash: r.hash,
});

const rowToToken = (r: any): TokenRecord & { revoked: boolean } => ({
  tokenHash: r.token_hash,
  sessionId: r.session_id,
  personId: r.person_id,
  token: r.token,
  revoked: r.revoked === true,
});

const SCHEMA_SQL = `
  CREATE TABLE IF NOT EXISTS events (
    session_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    type TEXT NOT NULL,
    ts BIGINT NOT NULL,
    actor TEXT,
    command_id TEXT,
    payload TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (session_id, seq)
  );
  CREATE TABLE IF NOT EXISTS commands (
    session_id TEXT NOT NULL,
    command_id TEXT NOT NULL,
    first_seq INTEGER NOT NULL,
    last_seq INTEGER NOT NULL,
    result TEXT,
    fingerprint TEXT,
    PRIMARY KEY (session_id, command_id)
  );
  -- Databases from before the command memory knew its sender (issue 12, item 7).
  ALTER TABLE commands ADD COLUMN IF NOT EXISTS fingerprint TEXT;
  CREATE TABLE IF NOT EXISTS join_tokens (
    ord BIGSERIAL,
    token_hash TEXT PRIMARY KEY,
    session_id TEXT NOT NULL,
    person_id TEXT NOT NULL,
    token TEXT NOT NULL,
    revoked BOOLEAN NOT NULL DEFAULT FALSE
  );
  CREATE INDEX IF NOT EXISTS join_tokens_session ON join_tokens(session_id, ord);
  CREATE TABLE IF NOT EXISTS requirements_updates (
    n BIGSERIAL PRIMARY KEY,
    session_id TEXT NOT NULL,
    data BYTEA NOT NULL
  );
  CREATE INDEX IF NOT EXISTS requirements_updates_session ON requirements_updates(session_id, n);
  -- The report PDFs by their sha256 (server/report/files.ts).
  CREATE TABLE IF NOT EXISTS report_files (
    sha256 TEXT PRIMARY KEY,
    bytes BYTEA NOT NULL,
    size INTEGER NOT NULL,
    created_at BIGINT NOT NULL
  );
`;

export interface PostgresOptions {
  /** A schema of its own (tests: one per run); created when missing. Default: the connection's search_path. */
  schema?: string;
  /** Pool size per process. */
  max?: number;
}

const IDENT = /^[a-z_][a-z0-9_]{0,62}$/;

export class PostgresEventStore implements EventStore {
  readonly kind = 'postgres' as const;
  /** Never: several processes append, through a pool of connections whose commits need not keep the
   *  order posted, so a session's commands stay serial (types.ts `pipelined`; runtime.ts). */
  readonly pipelined = false;
  private readonly listeners = new Set<AppendListener>();
  private listener: pg.Client | null = null;
  private closed = false;
  private reconnectTimer: NodeJS.Timeout | null = null;

  private constructor(
    readonly pool: pg.Pool,
    private readonly connectionString: string,
    readonly schema: string | null,
  ) {}

  /** Connects and creates the tables when missing (several processes may start at once). */
  static async open(connectionString: string, opts: PostgresOptions = {}): Promise<PostgresEventStore> {
    if (opts.schema !== undefined && !IDENT.test(opts.schema)) throw new Error(`bad schema name: ${opts.schema}`);
    const pool = new pg.Pool({
      connectionString,
      max: opts.max ?? 10,
      options: opts.schema ? `-c search_path=${opts.schema}` : undefined,
    });
    // An idle client that loses its connection must not take the process down; the pool replaces it.
    pool.on('error', (e) => console.error('[postgres] idle client error:', e.message));
    const store = new PostgresEventStore(pool, connectionString, opts.schema ?? null);
    const c = await pool.connect();
    try {
      await c.query('BEGIN');
      // Concurrent CREATE TABLE IF NOT EXISTS can still collide in the catalog; one migrator at a time.
      await c.query('SELECT pg_advisory_xact_lock(7263001)');
      if (opts.schema) await c.query(`CREATE SCHEMA IF NOT EXISTS ${opts.schema}`);
      await c.query(SCHEMA_SQL);
      await c.query('COMMIT');
    } catch (e) {
      await c.query('ROLLBACK').catch(() => undefined);
      c.release();
      await pool.end();
      throw e;
    }
    c.release();
    return store;
  }

  private queue: { req: AppendRequest; resolve: (e: StoredEvent[]) => void; reject: (e: unknown) => void }[] = [];
  /** Commits so far, and the appends they carried. */
  readonly commits = { transactions: 0, appends: 0 };

  /**
   * Group commit (issue 15): the appends that arrive in the same tick, of any sessions, are written in
   * one transaction (one WAL flush), each command in its own savepoint so that a refused one rolls back
   * alone; each resolves only after the COMMIT.
   */
  append(req: AppendRequest): Promise<StoredEvent[]> {
    return new Promise((resolve, reject) => {
      this.queue.push({ req, resolve, reject });
      if (this.queue.length === 1) setImmediate(() => this.track(this.commitQueued()));
    });
  }

  private readonly inflight = new Set<Promise<void>>();
  private track(p: Promise<void>): void {
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p));
  }

  private async commitQueued(): Promise<void> {
    if (this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    let c: pg.PoolClient;
    try {
      c = await this.pool.connect();
    } catch (e) {
      for (const b of batch) b.reject(e);
      return;
    }
    let broken = false;
    const results: ({ ok: StoredEvent[] } | { err: unknown })[] = [];
    try {
      await c.query('BEGIN');
      // Serializes each session's appends across every process until COMMIT/ROLLBACK; taken in one
      // order (sorted) by every batch, so two batches cannot wait on each other.
      for (const id of [...new Set(batch.map((b) => b.req.sessionId))].sort()) await c.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 9))', [id]);
      for (const b of batch) {
        await c.query('SAVEPOINT one_command');
        try {
          results.push({ ok: await this.writeOne(c, b.req) });
          await c.query('RELEASE SAVEPOINT one_command');
        } catch (err) {
          results.push({ err });
          await c.query('ROLLBACK TO SAVEPOINT one_command');
        }
      }
      await c.query('COMMIT');
    } catch (e) {
      try {
        await c.query('ROLLBACK');
      } catch {
        broken = true;
      }
      for (const b of batch) b.reject(e);
      return;
    } finally {
      c.release(broken);
    }
    this.commits.transactions++;
    this.commits.appends += batch.length;
    batch.forEach((b, i) => {
      const r = results[i];
      if ('ok' in r) b.resolve(r.ok);
      else b.reject(r.err);
    });
  }

  /** One command's events, command record and tokens, inside the batch's transaction. */
  private async writeOne(c: pg.PoolClient, req: AppendRequest): Promise<StoredEvent[]> {
    if (req.commandId) {
      const dup = await this.findCommandWith(c, req.sessionId, req.commandId);
      if (dup) throw new DuplicateCommand(dup);
    }
    const head = await c.query<{ seq: number; hash: string }>(
      'SELECT seq, hash FROM events WHERE session_id = $1 ORDER BY seq DESC LIMIT 1',
      [req.sessionId],
    );
    let seq = head.rows[0] ? Number(head.rows[0].seq) : 0;
    if (req.expectedSeq !== undefined && req.expectedSeq !== seq) throw new SeqConflict(seq);
    let prev = head.rows[0]?.hash ?? GENESIS_HASH;
    const out: StoredEvent[] = [];
    for (const ne of req.events) {
      seq++;
      const base = { sessionId: req.sessionId, seq, type: ne.type, ts: req.ts, actor: req.actor, commandId: req.commandId, payload: ne.payload ?? null };
      const hash = eventHash(prev, base);
      out.push(extend(base, { prevHash: prev, hash }));
      prev = hash;
    }
    if (out.length > 0) {
      const values: unknown[] = [];
      const rows = out.map((ev, i) => {
        values.push(ev.sessionId, ev.seq, ev.type, ev.ts, ev.actor ? JSON.stringify(ev.actor) : null, ev.commandId, JSON.stringify(ev.payload), ev.prevHash, ev.hash);
        const b = i * 9;
        return `($${b + 1},$${b + 2},$${b + 3},$${b + 4},$${b + 5},$${b + 6},$${b + 7},$${b + 8},$${b + 9})`;
      });
      await c.query(`INSERT INTO events (session_id, seq, type, ts, actor, command_id, payload, prev_hash, hash) VALUES ${rows.join(',')}`, values);
    }
    if (req.commandId && out.length > 0) {
      await c.query('INSERT INTO commands (session_id, command_id, first_seq, last_seq, result, fingerprint) VALUES ($1,$2,$3,$4,$5,$6)', [
        req.sessionId,
        req.commandId,
        out[0].seq,
        out[out.length - 1].seq,
        req.result === undefined ? null : JSON.stringify(req.result),
        req.fingerprint ?? null,
      ]);
    }
    for (const t of req.tokens ?? [])
      await c.query('INSERT INTO join_tokens (token_hash, session_id, person_id, token) VALUES ($1,$2,$3,$4)', [t.tokenHash, t.sessionId, t.personId, t.token]);
    for (const h of req.revokeTokens ?? []) await c.query('UPDATE join_tokens SET revoked = TRUE WHERE token_hash = $1', [h]);
    if (out.length > 0) {
      await c.query('SELECT pg_notify($1, $2)', [
        APPEND_CHANNEL,
        JSON.stringify({ schema: this.schema, sessionId: req.sessionId, firstSeq: out[0].seq, seq: out[out.length - 1].seq }),
      ]);
    }
    return out;
  }

  private async findCommandWith(c: pg.PoolClient | pg.Pool, sessionId: string, commandId: string): Promise<CommandRecord | null> {
    const r = await c.query<{ first_seq: number; last_seq: number; result: string | null; fingerprint: string | null }>(
      'SELECT first_seq, last_seq, result, fingerprint FROM commands WHERE session_id = $1 AND command_id = $2',
      [sessionId, commandId],
    );
    const row = r.rows[0];
    if (!row) return null;
    const ev = await c.query<EventRow>('SELECT * FROM events WHERE session_id = $1 AND seq >= $2 AND seq <= $3 ORDER BY seq', [
      sessionId,
      row.first_seq,
      row.last_seq,
    ]);
    return { events: ev.rows.map(toEvent), result: row.result === null ? undefined : JSON.parse(row.result), fingerprint: row.fingerprint };
  }

  findCommand(sessionId: string, commandId: string): Promise<CommandRecord | null> {
    return this.findCommandWith(this.pool, sessionId, commandId);
  }

  async read(sessionId: string, fromSeq = 1): Promise<StoredEvent[]> {
    const r = await this.pool.query<EventRow>('SELECT * FROM events WHERE session_id = $1 AND seq >= $2 ORDER BY seq', [sessionId, fromSeq]);
    return r.rows.map(toEvent);
  }

  async listSessionIds(): Promise<string[]> {
    // Each session's first event by a seek per session, not a scan of every event (sqlite.ts: issue 15).
    const r = await this.pool.query<{ session_id: string }>(`
      WITH RECURSIVE ids(id) AS (
        SELECT (SELECT MIN(session_id) FROM events)
        UNION ALL
        SELECT (SELECT MIN(session_id) FROM events WHERE session_id > ids.id) FROM ids WHERE ids.id IS NOT NULL
      )
      SELECT e.session_id FROM ids JOIN events e ON e.session_id = ids.id AND e.seq = 1 ORDER BY e.ts, e.session_id`);
    return r.rows.map((x) => x.session_id);
  }

  async tokens(sessionId: string): Promise<(TokenRecord & { revoked: boolean })[]> {
    const r = await this.pool.query('SELECT * FROM join_tokens WHERE session_id = $1 ORDER BY ord', [sessionId]);
    return r.rows.map(rowToToken);
  }

  async findToken(tokenHash: string): Promise<(TokenRecord & { revoked: boolean }) | null> {
    const r = await this.pool.query('SELECT * FROM join_tokens WHERE token_hash = $1', [tokenHash]);
    return r.rows[0] ? rowToToken(r.rows[0]) : null;
  }

  async docUpdates(sessionId: string): Promise<Uint8Array[]> {
    const r = await this.pool.query<{ data: Buffer }>('SELECT data FROM requirements_updates WHERE session_id = $1 ORDER BY n', [sessionId]);
    return r.rows.map((x) => new Uint8Array(x.data));
  }

  async storeDocUpdate(sessionId: string, update: Uint8Array, replace = false): Promise<number> {
    const c = await this.pool.connect();
    let broken = false;
    try {
      await c.query('BEGIN');
      // One writer per document at a time. A compaction replaces what this process's document holds;
      // an edit stored by another process and not yet relayed here would be dropped from storage (not
      // from the documents): nginx sends a document's editors to one process (docs/deploy.md "Yjs").
      await c.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 11))', [sessionId]);
      if (replace) await c.query('DELETE FROM requirements_updates WHERE session_id = $1', [sessionId]);
      await c.query('INSERT INTO requirements_updates (session_id, data) VALUES ($1, $2)', [sessionId, Buffer.from(update)]);
      const n = await c.query<{ c: string }>('SELECT COUNT(*) AS c FROM requirements_updates WHERE session_id = $1', [sessionId]);
      await c.query('COMMIT');
      return Number(n.rows[0].c);
    } catch (e) {
      try {
        await c.query('ROLLBACK');
      } catch {
        broken = true;
      }
      throw e;
    } finally {
      c.release(broken);
    }
  }

  /**
   * Follows every committed append, this process's and the others' (LISTEN on a connection of its own).
   * After the connection was lost and re-established the listener is called with `null`: notifications
   * may have been missed meanwhile, so the caller re-reads whatever it holds.
   */
  async watch(fn: AppendListener): Promise<() => void> {
    this.listeners.add(fn);
    if (!this.listener) await this.listen(false);
    return () => this.listeners.delete(fn);
  }

  private async listen(isReconnect: boolean): Promise<void> {
    const client = new pg.Client({ connectionString: this.connectionString });
    this.listener = client;
    const retry = () => {
      if (this.closed || this.listener !== client) return;
      this.listener = null;
      client.end().catch(() => undefined);
      this.reconnectTimer = setTimeout(() => {
        this.reconnectTimer = null;
        if (!this.closed) this.listen(true).catch(() => retry());
      }, 1000);
      this.reconnectTimer.unref?.();
    };
    client.on('error', (e) => {
      console.error('[postgres] notification connection lost:', e.message);
      retry();
    });
    client.on('end', retry);
    client.on('notification', (n) => {
      if (n.channel !== APPEND_CHANNEL || !n.payload) return;
      let msg: { schema: string | null; sessionId: string; firstSeq: number; seq: number };
      try {
        msg = JSON.parse(n.payload);
      } catch {
        return;
      }
      if (msg.schema !== this.schema) return;
      for (const l of this.listeners) l({ sessionId: msg.sessionId, firstSeq: msg.firstSeq, seq: msg.seq });
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${APPEND_CHANNEL}`);
    } catch (e) {
      if (!isReconnect) {
        this.listener = null;
        await client.end().catch(() => undefined);
        throw e;
      }
      retry();
      return;
    }
    if (isReconnect) for (const l of this.listeners) l(null);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Appends already queued or being written are finished (and answered) before the pool ends.
    if (this.queue.length > 0) this.track(this.commitQueued());
    await Promise.allSettled([...this.inflight]);
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    const l = this.listener;
    this.listener = null;
    if (l) await l.end().catch(() => undefined);
    await this.pool.end();
  }
}
