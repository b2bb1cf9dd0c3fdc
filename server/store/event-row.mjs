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
