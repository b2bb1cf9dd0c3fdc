// A row of the `events` table as a stored event: one definition for the main thread's reads
// (sqlite.ts) and the writer thread's (sqlite-writer.mjs, issue 15 item 4), in plain JavaScript so
// that the writer runs without a loader.

/** @param {{ session_id: string, seq: number, type: string, ts: number, actor: string | null, command_id: string | null, payload: string, prev_hash: string, hash: string }} r */
export function eventOfRow(r) {
  return {
    sessionId: r.session_id,
    seq: r.seq,
    type: r.type,
    ts: r.ts,
    actor: r.actor ? JSON.parse(r.actor) : null,
    commandId: r.command_id,
    payload: JSON.parse(r.payload),
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

/** The columns `eventsOfColumns` takes, in its order (a raw statement's SELECT list). */
export const EVENT_COLUMNS = 'seq, type, ts, actor, command_id, payload, prev_hash, hash';

/**
 * A session's rows, read as arrays of EVENT_COLUMNS (better-sqlite3 `raw`), as stored events: what
 * `eventOfRow` gives for each, with less work for the replay of a restart (issue 15, the restart storm:
 * no object per row, the session id not read back, and each distinct actor parsed once per read and
 * shared by its events, frozen, since nothing may change a stored event).
 * @param {string} sessionId
 * @param {unknown[][]} rows
 */
export function eventsOfColumns(sessionId, rows) {
  const actors = new Map();
  const out = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    let actor = null;
    if (r[3]) {
      actor = actors.get(r[3]);
      if (actor === undefined) actors.set(r[3], (actor = Object.freeze(JSON.parse(/** @type {string} */ (r[3])))));
    }
    out[i] = { sessionId, seq: r[0], type: r[1], ts: r[2], actor, commandId: r[4], payload: JSON.parse(/** @type {string} */ (r[5])), prevHash: r[6], hash: r[7] };
  }
  return out;
}
