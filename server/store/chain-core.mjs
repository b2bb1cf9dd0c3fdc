import { hash } from 'node:crypto';

// The hash chain's arithmetic in plain JavaScript, so that the store's writer thread
// (server/store/sqlite-writer.mjs, issue 15 item 4) runs under plain node as well as under tsx, and
// computes exactly what the checkers compute: canonical.ts and chain.ts re-export these (one place).
// Types: chain-core.d.mts.

// Canonical JSON for the hash chain: object keys sorted by code unit, no whitespace, `undefined`
// members dropped (as JSON.stringify does). Non-finite numbers cannot be hashed reproducibly and are
// refused: money and scores travel as decimal strings, so a float here is a bug.
// Written by appending, not by mapping, filtering and joining arrays (issue 15: every command's
// fingerprint is hashed from it, and those arrays were about a twentieth of all a busy server allocated);
// the same text as the first form, which test/unit/store/canonical.test.ts keeps and compares with, for
// every value JSON can carry. A hole in an array (never in a payload: they are parsed or built whole)
// is written `null`, as JSON.stringify stores it, where the first form wrote nothing.
export function canonicalJson(v) {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(v)) throw new TypeError('non-finite number in an event');
      return JSON.stringify(v);
    case 'object': {
      if (Array.isArray(v)) {
        let out = '[';
        for (let i = 0; i < v.length; i++) {
          const x = v[i];
          if (i > 0) out += ',';
          out += x === undefined ? 'null' : canonicalJson(x);
        }
        return out + ']';
      }
      const keys = Object.keys(v).sort();
      let out = '{';
      let first = true;
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i];
        const x = v[k];
        if (x === undefined) continue;
        out += (first ? '' : ',') + JSON.stringify(k) + ':' + canonicalJson(x);
        first = false;
      }
      return out + '}';
    }
    default:
      throw new TypeError(`cannot hash a ${typeof v}`);
  }
}

// One call, no Hash object (issue 15: a command's fingerprint and each event's link, per command).
export const sha256 = (s) => hash('sha256', s, 'hex');

export const GENESIS_HASH = '0'.repeat(64);

/** sha256(prevHash ‖ canonical JSON of {sessionId, seq, type, ts, actor, commandId, payload}). */
export function eventHash(prevHash, e) {
  return sha256(
    prevHash +
      canonicalJson({
        sessionId: e.sessionId,
        seq: e.seq,
        type: e.type,
        ts: e.ts,
        actor: e.actor,
        commandId: e.commandId,
        payload: e.payload,
      }),
  );
}
