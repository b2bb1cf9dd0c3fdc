import { describe, expect, it } from 'vitest';
import { SessionViewMemo, logJson } from '../../../server/realtime/view-memo';
import { AudienceChannel, digestOf } from '../../../server/realtime/audiences';
import { jsonText } from '../../../server/realtime/section-json';
import { appliedOps } from '../../../shared/protocol/view-sync';
import type { SessionState } from '../../../server/session/types';

// The staff's log tail is append-only (issue 15): each new log section carries the ops from the
// previous one (new head and seq, entries appended, the oldest dropped), sent without a diff.

const TAIL = 40;
function state(): SessionState {
  return { seq: 0, head: 'h0', tail: [] } as unknown as SessionState;
}
function append(s: SessionState, n: number): void {
  for (let i = 0; i < n; i++) {
    s.seq++;
    s.head = `h${s.seq}`;
    s.tail.push({ seq: s.seq, type: 'score:submitted', ts: 1000 + s.seq, actor: 'M1', hash: s.head });
    if (s.tail.length > TAIL) s.tail.splice(0, s.tail.length - TAIL);
  }
}

describe('the log tail as appended entries', () => {
  it('gives the ops from the previous section, which rebuild the new one exactly, and a channel sends them as they are', () => {
    const s = state();
    const memo = new SessionViewMemo().of(s);
    append(s, 38);
    const first = memo.log(s);
    expect(first.delta).toBeUndefined();
    const channel = new AudienceChannel('staff', true);
    const map = (sec: typeof first) => new Map([['log', sec]]);
    expect(channel.update(map(first), s.seq)!.set.log).toBeDefined();

    // Three events: two appended within the cap, then the oldest entry dropped.
    append(s, 3);
    const next = memo.log(s);
    expect(memo.log(s)).toBe(next);
    expect(next.delta!.from).toBe(first);
    expect(next.delta!.ops).toContainEqual({ p: ['log', 'tail'], w: [1, s.tail.slice(-3)] });
    const rebuilt = appliedOps({ log: JSON.parse(jsonText(first.json!)) }, JSON.parse(JSON.stringify(next.delta!.ops)))!;
    expect(JSON.stringify(rebuilt.log)).toBe(jsonText(next.json!));
    const change = channel.update(map(next), s.seq)!;
    expect(change.set).toEqual({});
    expect(change.ops).toEqual(next.delta!.ops);
    // The section's digest goes with its ops (a resume across a restart keeps the log by it).
    expect(change.digests.log).toBe(digestOf(next));
    expect(channel.checkMirror()).toBeNull();

    // A channel that missed a section (nobody listened) is diffed as before, and still ends exact.
    append(s, 1);
    const missed = memo.log(s);
    append(s, 2);
    const later = memo.log(s);
    // A log section keeps only the section just before it, not the whole chain of the session's log
    // sections (memory per room, issue 15).
    expect(later.delta!.from).toBe(missed);
    expect(missed.delta).toBeUndefined();
    expect(next.delta).toBeUndefined();
    const change2 = channel.update(map(later), s.seq)!;
    expect(change2.ops.length).toBeGreaterThan(0);
    expect(channel.checkMirror()).toBeNull();

    // More events than the tail holds: no delta; the section is diffed or sent whole.
    append(s, 50);
    expect(memo.log(s).delta).toBeUndefined();
  });

  it("holds exactly JSON.stringify of the section, from each entry's JSON encoded once", () => {
    const s = state();
    const memo = new SessionViewMemo().of(s);
    for (const n of [1, 5, 45]) {
      append(s, n);
      // Entries in every form a tail holds: the system's (no actor), Chinese, quotes and control characters.
      s.tail.push({ seq: ++s.seq, type: 'clarify:asked', ts: 5, actor: null, hash: '"\\\u0001评审' } as never);
      const sec = memo.log(s);
      expect(jsonText(sec.json!)).toBe(JSON.stringify(sec.value));
    }
    // The short and the long form (section-json.ts held): a string below BYTES_MIN, bytes above.
    expect(typeof logJson({ head: 'h', seq: 1, tail: [] })).toBe('string');
    expect(jsonText(logJson({ head: 'h', seq: 1, tail: [] }))).toBe('{"head":"h","seq":1,"tail":[]}');
    expect(Buffer.isBuffer(memo.log(s).json)).toBe(true);
  });
});
