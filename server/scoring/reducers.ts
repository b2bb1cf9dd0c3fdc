import type { SessionState } from '../session/types';
import type { StoredEvent } from '../store/types';
import { scoringOf, type Entry, type ScoringEvents } from './state';
import { typedReducers } from '../session/events';
import { extend } from '../../shared/extend';

// The fold of scoring events. Every event is also kept in `record` for the report's appendix
// 评分复核记录 (docs/anomaly.md "Report content": rule, values, reasons, votes, seq).

function keep(s: SessionState, e: StoredEvent): void {
  if (e.type === 'score:saved') return; // drafts are private working state, not part of the record
  scoringOf(s).record.push({ type: e.type, seq: e.seq, at: e.ts, payload: e.payload });
}

function setEntry(s: SessionState, m: string, sid: string, fid: string, en: Entry): void {
  const sc = scoringOf(s);
  sc.entries[m] ??= {};
  sc.entries[m][sid] ??= {};
  sc.entries[m][sid][fid] = en;
}

/** A changed item supersedes the answers and votes on the flags that looked at it. */
function supersede(s: SessionState, m: string, sid: string, fid: string): void {
  const sc = scoringOf(s);
  const hit = (key: string) => {
    const [, fm, fs, ff] = key.split('|');
    return fm === m && fs === sid && (ff === '' || ff === fid);
  };
  for (const k of Object.keys(sc.responses)) if (hit(k)) delete sc.responses[k];
  for (const k of Object.keys(sc.votes)) if (hit(k)) delete sc.votes[k];
  // Results shown before the change are no longer the results.
  sc.released = null;
}

export const reducers = typedReducers<ScoringEvents>({
  'score:saved': (s, e) => {
    const p = e.payload;
    setEntry(s, p.memberId, p.supplierId, p.factorId, p.entry);
  },
  'score:submitted': (s, e) => {
    const p = e.payload;
    const sc = scoringOf(s);
    sc.entries[p.memberId] ??= {};
    sc.entries[p.memberId][p.supplierId] = { ...p.entries };
    sc.submitted[p.memberId] ??= {};
    sc.submitted[p.memberId][p.supplierId] = { at: e.ts, seq: e.seq };
    keep(s, e);
  },
  'score:revised': (s, e) => {
    const p = e.payload;
    setEntry(s, p.memberId, p.supplierId, p.factorId, p.new);
    supersede(s, p.memberId, p.supplierId, p.factorId);
    const sc = scoringOf(s);
    sc.revisions.push({ memberId: p.memberId, supplierId: p.supplierId, factorId: p.factorId, old: p.old, new: p.new, reason: p.reason, flagKey: p.flagKey, ground: p.ground ?? null, at: e.ts, seq: e.seq });
    if (p.flagKey)
      sc.responses[p.flagKey] = { flagKey: p.flagKey, memberId: p.memberId, kind: 'revise', reason: p.reason, category: null, old: p.old.points, new: p.new.points, at: e.ts, seq: e.seq };
    keep(s, e);
  },
  'anomaly:kept': (s, e) => {
    const p = e.payload;
    scoringOf(s).responses[p.flagKey] = { flagKey: p.flagKey, memberId: p.memberId, kind: 'keep', reason: p.reason, category: p.category, old: p.value, new: p.value, at: e.ts, seq: e.seq };
    keep(s, e);
  },
  'anomaly:voted': (s, e) => {
    const p = e.payload;
    const sc = scoringOf(s);
    (sc.votes[p.flagKey] ??= []).push({ memberId: p.memberId, verdict: p.verdict, reason: p.reason, at: e.ts, seq: e.seq });
    keep(s, e);
  },
  'anomaly:determined': (s, e) => {
    const p = e.payload;
    const sc = scoringOf(s);
    sc.determinations[p.flagKey] = { flagKey: p.flagKey, result: p.result, rule: p.rule, votes: [...(sc.votes[p.flagKey] ?? [])], at: e.ts, seq: e.seq };
    keep(s, e);
  },
  'ranking:voted': (s, e) => {
    const p = e.payload;
    const r = scoringOf(s).ranking;
    const same = r.tieSet.length === p.tieSet.length && [...r.tieSet].sort().join('|') === [...p.tieSet].sort().join('|');
    if (!same) {
      r.tieSet = [...p.tieSet];
      r.votes = {};
    }
    r.votes[p.memberId] = p.order;
    keep(s, e);
  },
  'ranking:decided': (s, e) => {
    const p = e.payload;
    const r = scoringOf(s).ranking;
    r.decided = [...p.order];
    r.seq = e.seq;
    keep(s, e);
  },
  'results:released': (s, e) => {
    scoringOf(s).released = { at: e.ts, seq: e.seq };
    keep(s, e);
  },
  'scoring:locked': (s, e) => {
    scoringOf(s).locked = { at: e.ts, seq: e.seq };
    keep(s, e);
  },
  'scoring:change_proposed': (s, e) => {
    const p = e.payload;
    scoringOf(s).changes.push(extend(p, { votes: [], status: 'open', at: e.ts, seq: e.seq }));
    keep(s, e);
  },
  'scoring:change_voted': (s, e) => {
    const p = e.payload;
    scoringOf(s).changes.find((c) => c.id === p.changeId)?.votes.push({ memberId: p.memberId, approve: p.approve, reason: p.reason, seq: e.seq });
    keep(s, e);
  },
  'scoring:change_applied': (s, e) => {
    const p = e.payload;
    const sc = scoringOf(s);
    const c = sc.changes.find((x) => x.id === p.changeId);
    if (!c) return;
    c.status = 'applied';
    const old = sc.entries[c.memberId][c.supplierId][c.factorId];
    const next: Entry = { value: c.value, points: c.points, evidence: old.evidence };
    setEntry(s, c.memberId, c.supplierId, c.factorId, next);
    sc.revisions.push({ memberId: c.memberId, supplierId: c.supplierId, factorId: c.factorId, old, new: next, reason: c.reason, flagKey: null, ground: c.ground, at: e.ts, seq: e.seq });
    keep(s, e);
  },
  'scoring:change_rejected': (s, e) => {
    const p = e.payload;
    const c = scoringOf(s).changes.find((x) => x.id === p.changeId);
    if (c) c.status = 'rejected';
    keep(s, e);
  },
});
