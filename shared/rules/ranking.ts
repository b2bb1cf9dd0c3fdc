// Ranking and tie-breaks (排序): docs/rules.md §2.18 and the rubric's rules.ranking keys
// (000 §22.1 L496-498: 得分 → 评审价 → 技术得分; 003 Ch3 §7.1 L753: 得分 → 最后报价 → 技术指标优劣;
// 004 §5.2.3 L1175: score only). Ties are judged on the rounded final score (docs/rules.md §5.6).
// Suppliers still equal when the keys run out share the better rank (1, 2, 2, 4), are marked as an
// unresolved tie and keep the input order (docs/rubrics.md, rules.ranking).
import type { Dec } from './decimal';
import type { RankingKey } from '../domain/rubric/types';

export interface RankEntry {
  id: string;
  /** Rounded final score. */
  finalScore: Dec;
  /** Exact evaluated price (评审价). */
  evaluatedPrice: Dec;
  /** Corrected final quote before deductions (最后报价). */
  finalQuote: Dec;
  /** Rounded mean technical subtotal, or null when the rubric has no technical group. */
  technicalScore: Dec | null;
}

export interface RankOptions {
  /** The panel's recorded vote (少数服从多数), best first, for the `panel_vote` key. */
  voteOrder?: string[] | null;
}

export interface Ranked {
  id: string;
  rank: number;
  /** Equal on every key: the panel must still decide. */
  tieUnresolved: boolean;
  /** The key that separated this supplier from the one just above it, when their first key tied. */
  brokenBy: RankingKey | null;
}

export interface TieBreak {
  above: string;
  below: string;
  /** The key that decided, or null when the tie is unresolved. */
  key: RankingKey | null;
}

export interface RankingResult {
  order: Ranked[];
  /** Every adjacent pair equal on the first key, and what separated them (for the report). */
  tieBreaks: TieBreak[];
}

function compareKey(key: RankingKey, a: RankEntry, b: RankEntry, opts: RankOptions): number {
  switch (key) {
    case 'final_score_desc':
      return b.finalScore.comparedTo(a.finalScore);
    case 'evaluated_price_asc':
      return a.evaluatedPrice.comparedTo(b.evaluatedPrice);
    case 'final_quote_asc':
      return a.finalQuote.comparedTo(b.finalQuote);
    case 'technical_score_desc':
      if (!a.technicalScore || !b.technicalScore) return 0;
      return b.technicalScore.comparedTo(a.technicalScore);
    case 'panel_vote': {
      // 003 "技术指标优劣" is a panel judgement: only a recorded vote order decides (docs/rules.md §5.5).
      const order = opts.voteOrder;
      if (!order) return 0;
      const ia = order.indexOf(a.id);
      const ib = order.indexOf(b.id);
      if (ia < 0 || ib < 0) return 0;
      return ia - ib;
    }
  }
}

/** The first key that separates a and b, with its sign, or [null, 0] when they are equal on all. */
function decide(keys: RankingKey[], a: RankEntry, b: RankEntry, opts: RankOptions): [RankingKey | null, number] {
  for (const k of keys) {
    const c = compareKey(k, a, b, opts);
    if (c !== 0) return [k, c];
  }
  return [null, 0];
}

/** Rank suppliers by the rubric's keys. The input order is kept among unresolved ties. */
export function rankSuppliers(entries: RankEntry[], keys: RankingKey[], opts: RankOptions = {}): RankingResult {
  const sorted = entries
    .map((e, i) => ({ e, i }))
    .sort((x, y) => decide(keys, x.e, y.e, opts)[1] || x.i - y.i)
    .map((x) => x.e);
  const order: Ranked[] = [];
  const tieBreaks: TieBreak[] = [];
  const first = keys[0];
  sorted.forEach((e, i) => {
    if (i === 0) {
      order.push({ id: e.id, rank: 1, tieUnresolved: false, brokenBy: null });
      return;
    }
    const prev = sorted[i - 1];
    const [key] = decide(keys, prev, e, opts);
    const firstTied = first !== undefined && compareKey(first, prev, e, opts) === 0;
    if (key === null) {
      order[i - 1].tieUnresolved = true;
      order.push({ id: e.id, rank: order[i - 1].rank, tieUnresolved: true, brokenBy: null });
    } else {
      order.push({ id: e.id, rank: i + 1, tieUnresolved: false, brokenBy: firstTied ? key : null });
    }
    if (firstTied) tieBreaks.push({ above: prev.id, below: e.id, key });
  });
  return { order, tieBreaks };
}
