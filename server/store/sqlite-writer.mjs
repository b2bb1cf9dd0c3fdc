import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { GENESIS_HASH, eventHash } from './chain-core.mjs';
import { eventOfRow } from './event-row.mjs';

// The SQLite store's writer thread (issue 15, item 4: group commit by a writer thread). It owns the only
// connection that writes the file (WAL, synchronous=FULL), so that the write transaction and its fsync
// happen off the server's event loop; the main thread reads through its own connection
// (server/store/sqlite.ts). Plain JavaScript, so that it runs under plain node as under tsx.
//
// Group commit: whatever has arrived while the previous transaction was being written goes into the
// next one — every batch message waiting on the port, of any sessions — each item in its own savepoint
// (a refused command rolls back alone), one COMMIT and one fsync for all. Only then are the results
// posted: the main thread resolves an append after its commit is durable ("nothing acknowledged is
// ever lost"). Messages (in order, each answered in order):
//   main → { t: 'batch', items: ({ op: 'append', req } | { op: 'doc', sessionId, update, replace }
//                                  | { op: 'file', sha256, bytes, createdAt })[] }
//   main → { t: 'close' }                  after everything before it is written
//   ← { t: 'done', results }              one per transaction, a result per item in arrival order
//   ← { t: 'failed', n, error }           the transaction of the next n items failed as a whole
//   ← { t: 'closed' }

const { file, synchronous } = workerData;
const db = new Database(file);
db.pragma('journal_mode = WAL');
// FULL unless a benchmark prepares its data (test/bench/fleet.ts): preparation, not a measure.
db.pragma(`synchronous = ${synchronous === 'OFF' ? 'OFF' : 'FULL'}`);
db.pragma('foreign_keys = ON');
db.pragma('busy_timeout = 5000');

const stmt = {
  head: db.prepare('SELECT seq, hash FROM events WHERE session_id = ? ORDER BY seq DESC LIMIT 1'),
  insert: db.prepare('INSERT INTO events (session_id, seq, type, ts, actor, command_id, payload, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?)'),
  insertCommand: db.prepare('INSERT INTO commands (session_id, command_id, first_seq, last_seq, result, fingerprint) VALUES (?,?,?,?,?,?)'),
  findCommand: db.prepare('SELECT first_seq, last_seq, result, fingerprint FROM commands WHERE session_id = ? AND command_id = ?'),
  range: db.prepare('SELECT * FROM events WHERE session_id = ? AND seq >= ? AND seq <= ? ORDER BY seq'),
  insertToken: db.prepare('INSERT INTO join_tokens (token_hash, session_id, person_id, token) VALUES (?,?,?,?)'),
  revokeToken: db.prepare('UPDATE join_tokens SET revoked = 1 WHERE token_hash = ?'),
  docInsert: db.prepare('INSERT INTO requirements_updates (session_id, data) VALUES (?, ?)'),
  docCount: db.prepare('SELECT COUNT(*) AS c FROM requirements_updates WHERE session_id = ?'),
  docClear: db.prepare('DELETE FROM requirements_updates WHERE session_id = ?'),
  fileInsert: db.prepare('INSERT OR IGNORE INTO report_files (sha256, bytes, size, created_at) VALUES (?, ?, ?, ?)'),
};

/** A refusal the main thread turns back into DuplicateCommand / SeqConflict (server/store/types.ts). */
class Refused extends Error {
  constructor(result) {
    super('refused');
    this.result = result;
  }
}

/** The command already taken under this id, as the main thread's findCommand reads it (sqlite.ts). */
function commandRecord(sessionId, commandId) {
  const row = stmt.findCommand.get(sessionId, commandId);
  if (!row) return null;
  const events = stmt.range.all(sessionId, row.first_seq, row.last_seq).map(eventOfRow);
  return { events, result: row.result === null ? undefined : JSON.parse(row.result), fingerprint: row.fingerprint };
}

// One command: its events chained on the session's head, its ack data, its token changes. Answers the
// first seq and each event's hash; the main thread has everything else (sqlite.ts storedEvents).
const appendTx = db.transaction((req) => {
  if (req.commandId) {
    const dup = commandRecord(req.sessionId, req.commandId);
    if (dup) throw new Refused({ dup });
  }
  const head = stmt.head.get(req.sessionId);
  let seq = head?.seq ?? 0;
  if (req.expectedSeq !== undefined && req.expectedSeq !== seq) throw new Refused({ conflict: seq });
  const first = seq + 1;
  let prev = head?.hash ?? GENESIS_HASH;
  const prevHash = prev;
  const hashes = [];
  for (const ne of req.events) {
    seq++;
    const payload = ne.payload ?? null;
    const base = { sessionId: req.sessionId, seq, type: ne.type, ts: req.ts, actor: req.actor, commandId: req.commandId, payload };
    const hash = eventHash(prev, base);
    stmt.insert.run(req.sessionId, seq, ne.type, req.ts, req.actor ? JSON.stringify(req.actor) : null, req.commandId, JSON.stringify(payload), prev, hash);
    hashes.push(hash);
    prev = hash;
  }
  if (req.commandId && hashes.length > 0) {
    stmt.insertCommand.run(req.sessionId, req.commandId, first, seq, req.result === undefined ? null : JSON.stringify(req.result), req.fingerprint ?? null);
  }
  for (const t of req.tokens ?? []) stmt.insertToken.run(t.tokenHash, t.sessionId, t.personId, t.token);
  for (const h of req.revokeTokens ?? []) stmt.revokeToken.run(h);
  return { ok: { first, prevHash, hashes } };
});

// The requirements document's Yjs update (beside the log); with `replace`, compaction in one step.
const docTx = db.transaction((sessionId, update, replace) => {
  if (replace) stmt.docClear.run(sessionId);
  stmt.docInsert.run(sessionId, Buffer.from(update.buffer, update.byteOffset, update.byteLength));
  return { count: stmt.docCount.get(sessionId).c };
});

// A rendered report, content-addressed (server/report/files.ts): never replaced under the same hash.
const fileTx = db.transaction((sha256, bytes, createdAt) => {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { count: stmt.fileInsert.run(sha256, b, b.length, createdAt).changes };
});

const errorOf = (e) => ({ name: e?.name ?? 'Error', message: String(e?.message ?? e), code: e?.code });

// Nested in batchTx, each item runs as a savepoint: one that throws rolls back only itself.
const batchTx = db.transaction((items) =>
  items.map((it) => {
    try {
      if (it.op === 'doc') return docTx(it.sessionId, it.update, it.replace);
      if (it.op === 'file') return fileTx(it.sha256, it.bytes, it.createdAt);
      return appendTx(it.req);
    } catch (e) {
      return e instanceof Refused ? e.result : { error: errorOf(e) };
    }
  }),
);

const TRACE_TX_MS = Number(process.env.PANELROOM_TRACE_TX_MS ?? Infinity);
function commit(items) {
  if (items.length === 0) return;
  let results;
  try {
    const t0 = performance.now();
    results = batchTx.immediate(items);
    const ms = performance.now() - t0;
    if (ms > TRACE_TX_MS) process.stderr.write(`TX ${ms.toFixed(1)} n=${items.length} at=${Date.now()}\n`);
  } catch (e) {
    parentPort.postMessage({ t: 'failed', n: items.length, error: errorOf(e) });
    return;
  }
  parentPort.postMessage({ t: 'done', results });
}

parentPort.on('message', (first) => {
  // Everything that is already waiting goes into this transaction.
  const items = [];
  for (let m = first; m; m = receiveMessageOnPort(parentPort)?.message) {
    if (m.t === 'batch') {
      for (const it of m.items) items.push(it);
      continue;
    }
    if (m.t === 'close') {
      commit(items);
      db.close();
      parentPort.postMessage({ t: 'closed' });
      parentPort.close();
      return;
    }
  }
  commit(items);
});
