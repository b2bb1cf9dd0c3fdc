import type { Bilingual, SessionState } from '../session/types';
import { activeMembers } from '../participants/concern';
import { roomEvaluation } from './evaluation-file';
import { allSubmitted, scoringOf } from './state';

// The ranking's last key `panel_vote` (003 资料表20.1 L192 "技术指标优劣", a panel judgement; docs/rules.md
// §5.5): suppliers still equal on every other key are ordered by the panel, majority (少数服从多数),
// and the vote is recorded. Rubrics without that key leave the tie as a shared rank (1, 2, 2, 4).

/** Suppliers the engine reports as an unresolved tie, in ranking order. */
export function tieSet(s: SessionState): string[] {
  if (!allSubmitted(s)) return [];
  const d = roomEvaluation(s).detail;
  if (!d?.ranking) return [];
  return d.ranking.order.filter((r) => r.tieUnresolved).map((r) => r.id);
}

export const rubricVotes = (s: SessionState): boolean => s.rubric.rules.ranking.includes('panel_vote');

export function tiePending(s: SessionState): Bilingual | null {
  const t = tieSet(s);
  if (t.length === 0 || !rubricVotes(s)) return null;
  const n = activeMembers(s).length;
  const voted = Object.keys(sameSet(scoringOf(s).ranking.tieSet, t) ? scoringOf(s).ranking.votes : {}).length;
  return {
    zh: `得分与报价相同的供应商须由评审小组投票排序（已投票 ${voted}/${n}）`,
    en: `suppliers still tied must be ordered by a panel vote (${voted}/${n} voted)`,
  };
}

export const sameSet = (a: string[], b: string[]): boolean => a.length === b.length && [...a].sort().join('|') === [...b].sort().join('|');

/** The order more than half of the active members voted for, if any. */
export function majorityOrder(votes: Record<string, string[]>, members: number): string[] | null {
  const count = new Map<string, number>();
  for (const o of Object.values(votes)) count.set(o.join('|'), (count.get(o.join('|')) ?? 0) + 1);
  for (const [k, c] of count) if (c * 2 > members) return k.split('|');
  return null;
}
