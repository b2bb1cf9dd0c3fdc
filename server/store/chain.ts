import { GENESIS_HASH } from './canonical';
import { eventHash } from './chain-core.mjs';
import type { StoredEvent } from './types';

// sha256(prevHash ‖ canonical JSON of {sessionId, seq, type, ts, actor, commandId, payload}): in
// chain-core.mjs, shared with the store's writer thread (issue 15, item 4).
export { eventHash };

export interface ChainProblem {
  seq: number;
  problem: 'seq_gap' | 'prev_hash' | 'hash' | 'session';
  message: { zh: string; en: string };
}

/** Checks a session's chain from the genesis; returns the first bad event, or null when it holds. */
export function verifyChain(sessionId: string, events: StoredEvent[]): ChainProblem | null {
  let prev = GENESIS_HASH;
  let expected = 1;
  for (const e of events) {
    if (e.sessionId !== sessionId)
      return { seq: e.seq, problem: 'session', message: { zh: `事件 ${e.seq} 不属于本场评审`, en: `event ${e.seq} belongs to another session` } };
    if (e.seq !== expected)
      return { seq: e.seq, problem: 'seq_gap', message: { zh: `序号不连续：应为 ${expected}，实为 ${e.seq}`, en: `sequence gap: expected ${expected}, found ${e.seq}` } };
    if (e.prevHash !== prev)
      return { seq: e.seq, problem: 'prev_hash', message: { zh: `事件 ${e.seq} 的前序哈希与上一事件不符`, en: `event ${e.seq}: previous hash does not match event ${e.seq - 1}` } };
    const h = eventHash(prev, e);
    if (h !== e.hash)
      return { seq: e.seq, problem: 'hash', message: { zh: `事件 ${e.seq}（${e.type}）内容被改动：哈希不符`, en: `event ${e.seq} (${e.type}) was altered: hash mismatch` } };
    prev = e.hash;
    expected++;
  }
  return null;
}
