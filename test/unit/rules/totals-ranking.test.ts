// Totals, ranking, candidates, outcome, panel and re-check (shared/rules/{totals,ranking,candidates,
// outcome,panel,recheck}.ts): docs/rules.md §2.17-§2.24, docs/evaluate.md.
import { describe, expect, it } from 'vitest';
import { dec, fixed } from '../../../shared/rules/decimal';
import { roundedMean, supplierTotals, factorPoints } from '../../../shared/rules/totals';
import { rankSuppliers, type RankEntry } from '../../../shared/rules/ranking';
import { candidateCount, pickCandidates } from '../../../shared/rules/candidates';
import { evaluationOutcome, minimumCheck } from '../../../shared/rules/outcome';
import { checkPanel } from '../../../shared/rules/panel';
import { recheckFocus } from '../../../shared/rules/recheck';
import { loadTemplate } from '../../../shared/domain/rubric/templates';
import { findFactor, scoredLeaves } from '../../../shared/domain/rubric/index';
import type { Factor, RubricRules } from '../../../shared/domain/rubric/types';

const s000 = loadTemplate('seed000');
const s003 = loadTemplate('seed003');
const s004 = loadTemplate('seed004');

describe('totals', () => {
  it('rounds means half-up once, at x.xx5', () => {
    expect(fixed(roundedMean([dec('82.70'), dec('82.71')], 2))).toBe('82.71'); // 82.705
    expect(fixed(roundedMean([dec('1.00'), dec('1.01')], 2))).toBe('1.01'); // 1.005
    expect(fixed(roundedMean([dec('85.12'), dec('85.13')], 2))).toBe('85.13'); // 85.125
    expect(fixed(roundedMean([dec('2.67'), dec('2.68')], 2))).toBe('2.68'); // 2.675
    expect(fixed(roundedMean([dec('80'), dec('80'), dec('80.01')], 2))).toBe('80.00'); // 80.00333
    expect(fixed(roundedMean([dec('80'), dec('80.01'), dec('80.01')], 2))).toBe('80.01'); // 80.00667
  });

  it('member total = exact leaf sum + rounded price score; final = rounded mean; groups likewise', () => {
    const leaves = scoredLeaves(s003);
    const full = Object.fromEntries(leaves.map((l) => [l.id, dec(l.max_points)]));
    const low = Object.fromEntries(leaves.map((l) => [l.id, dec(0)]));
    low['7'] = dec(5);
    const t = supplierTotals(s003, ['M1', 'M2', 'M3'], { M1: full, M2: full, M3: low }, dec('7.45'));
    expect(fixed(t.memberTotals.M1)).toBe('97.45');
    expect(fixed(t.memberTotals.M3)).toBe('12.45');
    expect(fixed(t.finalScore)).toBe('69.12'); // (97.45 + 97.45 + 12.45) / 3 = 69.1166…
    expect(fixed(t.groupScores.price)).toBe('7.45');
    expect(fixed(t.groupScores.commercial)).toBe('6.67'); // (10 + 10 + 0) / 3
    expect(fixed(t.groupScores.technical)).toBe('55.00'); // (80 + 80 + 5) / 3
    const g = t.memberGroups.M1;
    expect(g.price.plus(g.commercial).plus(g.technical).eq(t.memberTotals.M1)).toBe(true);
  });

  it('a composite is the sum of its sub-factors', () => {
    const f22 = findFactor(s000, '2.2') as Factor;
    const scores = Object.fromEntries((f22.sub_factors ?? []).map((s) => [s.id, dec(1)]));
    expect(factorPoints(f22, scores).toString()).toBe(String(f22.sub_factors?.length));
  });
});

const e = (id: string, score: string, price: string, quote: string, tech: string | null = '50'): RankEntry => ({
  id,
  finalScore: dec(score),
  evaluatedPrice: dec(price),
  finalQuote: dec(quote),
  technicalScore: tech === null ? null : dec(tech),
});

describe('ranking', () => {
  it('final_score_desc on the rounded score', () => {
    const r = rankSuppliers([e('A', '80.00', '1', '1'), e('B', '80.01', '1', '1')], ['final_score_desc']);
    expect(r.order.map((x) => [x.id, x.rank])).toEqual([['B', 1], ['A', 2]]);
    expect(r.tieBreaks).toEqual([]);
  });

  it('evaluated_price_asc breaks a tie exactly (000 §22.1)', () => {
    const r = rankSuppliers(
      [e('A', '80', '1000000.005', '1'), e('B', '80', '1000000.004', '9')],
      s000.rules.ranking,
    );
    expect(r.order.map((x) => x.id)).toEqual(['B', 'A']);
    expect(r.order[1]).toMatchObject({ rank: 2, brokenBy: 'evaluated_price_asc', tieUnresolved: false });
    expect(r.tieBreaks).toEqual([{ above: 'B', below: 'A', key: 'evaluated_price_asc' }]);
  });

  it('technical_score_desc after an equal evaluated price (000)', () => {
    const r = rankSuppliers([e('A', '80', '5', '5', '40'), e('B', '80', '5', '5', '41')], s000.rules.ranking);
    expect(r.order.map((x) => x.id)).toEqual(['B', 'A']);
    expect(r.tieBreaks[0].key).toBe('technical_score_desc');
  });

  it('final_quote_asc uses the corrected quote before deductions (003)', () => {
    const r = rankSuppliers([e('A', '80', '900', '1000'), e('B', '80', '950', '950')], s003.rules.ranking);
    expect(r.order.map((x) => x.id)).toEqual(['B', 'A']);
    expect(r.order[1].brokenBy).toBe('final_quote_asc');
  });

  it('panel_vote: unresolved without a recorded vote, decided with one', () => {
    const entries = [e('A', '80', '9', '9'), e('B', '80', '9', '9'), e('C', '70', '9', '9')];
    const open = rankSuppliers(entries, s003.rules.ranking);
    expect(open.order.map((x) => [x.id, x.rank, x.tieUnresolved])).toEqual([
      ['A', 1, true],
      ['B', 1, true],
      ['C', 3, false],
    ]);
    expect(open.tieBreaks).toEqual([{ above: 'A', below: 'B', key: null }]);
    const voted = rankSuppliers(entries, s003.rules.ranking, { voteOrder: ['B', 'A'] });
    expect(voted.order.map((x) => [x.id, x.rank, x.tieUnresolved, x.brokenBy])).toEqual([
      ['B', 1, false, null],
      ['A', 2, false, 'panel_vote'],
      ['C', 3, false, null],
    ]);
  });

  it('still-equal suppliers share the better rank: 1, 2, 2, 4, in input order', () => {
    const r = rankSuppliers(
      [e('D', '70', '5', '5'), e('C', '80', '5', '5'), e('B', '80', '5', '5'), e('A', '90', '5', '5')],
      s004.rules.ranking,
    );
    expect(r.order.map((x) => [x.id, x.rank, x.tieUnresolved])).toEqual([
      ['A', 1, false],
      ['C', 2, true],
      ['B', 2, true],
      ['D', 4, false],
    ]);
  });
});

describe('candidates', () => {
  it('count, or whenTwoFinalQuotesAllowed with two responsive under a two-supplier exception', () => {
    expect(candidateCount(s003.rules, 4, {})).toBe(3);
    expect(candidateCount(s003.rules, 2, {})).toBe(3);
    expect(candidateCount(s003.rules, 2, { exceptions: ['research_or_tech_transfer_two_final_quotes'] })).toBe(2);
    expect(candidateCount(s003.rules, 2, { exceptions: ['government_services_two_suppliers'] })).toBe(2);
    expect(candidateCount(s003.rules, 3, { exceptions: ['government_services_two_suppliers'] })).toBe(3);
    // not in seed 004's list: no effect
    expect(candidateCount(s004.rules, 2, { exceptions: ['government_services_two_suppliers'] })).toBe(3);
  });
  it('rank ≤ count; nobody when terminated; shared ranks all count', () => {
    const ranked = [
      { id: 'A', rank: 1 },
      { id: 'B', rank: 2 },
      { id: 'C', rank: 3 },
      { id: 'D', rank: 3 },
      { id: 'E', rank: 5 },
    ];
    expect(pickCandidates(ranked, 3, false)).toEqual(['A', 'B', 'C', 'D']);
    expect(pickCandidates(ranked, 3, true)).toEqual([]);
  });
});

describe('outcome (evaluate-format.md)', () => {
  it('continues at or above the minimum', () => {
    expect(evaluationOutcome(3, s003.rules, {})).toEqual({ status: 'continue', responsive: 3, minimum: 3, reason: null });
    expect(evaluationOutcome(2, s000.rules, {})).toEqual({ status: 'continue', responsive: 2, minimum: 2, reason: null });
  });
  it('terminates below the minimum without an exception', () => {
    expect(evaluationOutcome(2, s003.rules, {})).toEqual({ status: 'terminate', responsive: 2, minimum: 3, reason: 'fewer_than_minimum' });
    expect(evaluationOutcome(1, s000.rules, {})).toMatchObject({ status: 'terminate', reason: 'fewer_than_minimum' });
  });
  it('the two "2 may continue" exceptions (003)', () => {
    for (const ex of ['research_or_tech_transfer_two_final_quotes', 'government_services_two_suppliers'] as const) {
      expect(evaluationOutcome(2, s003.rules, { exceptions: [ex] })).toEqual({ status: 'continue', responsive: 2, minimum: 2, reason: ex });
      expect(evaluationOutcome(1, s003.rules, { exceptions: [ex] })).toMatchObject({ status: 'terminate', reason: 'fewer_than_minimum' });
    }
  });
  it('an exception not in the rubric list does not apply', () => {
    expect(evaluationOutcome(2, s004.rules, { exceptions: ['government_services_two_suppliers'] })).toMatchObject({ status: 'terminate', reason: 'fewer_than_minimum' });
    expect(evaluationOutcome(1, s003.rules, { exceptions: ['supervisor_approval'] })).toMatchObject({ status: 'terminate' });
  });
  it('supervisor_approval continues with at least 1 (004)', () => {
    expect(evaluationOutcome(1, s004.rules, { exceptions: ['supervisor_approval'] })).toEqual({ status: 'continue', responsive: 1, minimum: 1, reason: 'supervisor_approval' });
  });
  it('two_bids_switch_to_negotiation with exactly 2 terminates with that reason (004)', () => {
    expect(evaluationOutcome(2, s004.rules, { exceptions: ['two_bids_switch_to_negotiation'] })).toEqual({ status: 'terminate', responsive: 2, minimum: 3, reason: 'two_bids_switch_to_negotiation' });
    expect(evaluationOutcome(1, s004.rules, { exceptions: ['two_bids_switch_to_negotiation'] })).toMatchObject({ reason: 'fewer_than_minimum' });
  });
  it('0 responsive always terminates', () => {
    expect(evaluationOutcome(0, s004.rules, { exceptions: ['supervisor_approval'] })).toMatchObject({ status: 'terminate', reason: 'fewer_than_minimum' });
    const noMin: RubricRules = { ...s000.rules, minimumSuppliers: { ...s000.rules.minimumSuppliers, continue: null } };
    expect(evaluationOutcome(0, noMin, {})).toMatchObject({ status: 'terminate' });
    expect(evaluationOutcome(1, noMin, {})).toMatchObject({ status: 'continue', minimum: null });
  });
});

describe('minimumCheck (stage-aware)', () => {
  it('003 opening with 2: no exception, only terminate (§17.4)', () => {
    const r = minimumCheck('open', 2, s003.rules, { exceptions: ['government_services_two_suppliers'] });
    expect(r.ok).toBe(false);
    expect(r.minimum).toBe(3);
    expect(r.options.map((o) => o.action)).toEqual(['terminate']);
    expect(r.reason?.zh).toContain('少于 3 家');
  });
  it('003 final quote with 2: the two exceptions or terminate', () => {
    const r = minimumCheck('finalQuote', 2, s003.rules, { exceptions: ['government_services_two_suppliers'] });
    expect(r.options.map((o) => [o.action, o.exception, o.declared])).toEqual([
      ['continue_under_exception', 'research_or_tech_transfer_two_final_quotes', false],
      ['continue_under_exception', 'government_services_two_suppliers', true],
      ['terminate', null, true],
    ]);
    expect(r.options.every((o) => o.label.zh && o.label.en)).toBe(true);
  });
  it('004 after review with 2: approval, switch to negotiation, or terminate; with 1: approval or terminate', () => {
    expect(minimumCheck('afterReview', 2, s004.rules, {}).options.map((o) => o.action)).toEqual([
      'continue_under_exception',
      'switch_to_negotiation',
      'terminate',
    ]);
    expect(minimumCheck('afterReview', 1, s004.rules, {}).options.map((o) => o.exception)).toEqual(['supervisor_approval', null]);
    expect(minimumCheck('open', 2, s004.rules, {}).options.map((o) => o.action)).toEqual(['switch_to_negotiation', 'terminate']);
  });
  it('ok at or above the minimum; a null minimum still needs one', () => {
    expect(minimumCheck('continue', 3, s004.rules, {})).toMatchObject({ ok: true, options: [] });
    expect(minimumCheck('finalQuote', 1, s004.rules, {})).toMatchObject({ ok: true, minimum: null });
    expect(minimumCheck('open', 0, s000.rules, {}).ok).toBe(false);
  });
});

describe('panel composition (004 §5.1.2: ≥5, odd, experts ≥ 2/3)', () => {
  const panel = s004.rules.panel;
  const mk = (experts: number, reps: number) => [
    ...Array.from({ length: experts }, (_, i) => ({ id: `E${i}`, role: 'expert' as const })),
    ...Array.from({ length: reps }, (_, i) => ({ id: `P${i}`, role: 'purchaser_rep' as const })),
  ];
  it('5 members with 4 experts is fine', () => {
    expect(checkPanel(mk(4, 1), panel)).toMatchObject({ ok: true, reasons: [] });
  });
  it('5 members with 3 experts is refused (3/5 < 2/3)', () => {
    const r = checkPanel(mk(3, 2), panel);
    expect(r.ok).toBe(false);
    expect(r.reasons[0].zh).toContain('2/3');
    expect(r.reasons[0].en).toContain('2/3');
  });
  it('an even count is refused; so is a panel that is too small', () => {
    const even = checkPanel(mk(6, 0), panel);
    expect(even.ok).toBe(false);
    expect(even.reasons[0].zh).toContain('单数');
    expect(checkPanel(mk(3, 0), panel).ok).toBe(false);
  });
  it('exactly 2/3 is enough (6 of 9)', () => {
    expect(checkPanel(mk(6, 3), panel).ok).toBe(true);
    expect(checkPanel(mk(5, 4), panel).ok).toBe(false);
  });
  it('no panel rule: only at least one member', () => {
    expect(checkPanel(mk(0, 2), null).ok).toBe(true);
    expect(checkPanel([], null).ok).toBe(false);
  });
});

describe('re-check focus (003 Ch3 §7.3)', () => {
  it('first ranked, lowest quote and evaluated price (first on a tie), invalid but not withdrawn', () => {
    const list = [
      { id: 'A', status: 'responsive' as const, rank: 2, finalQuote: dec(100), evaluatedPrice: dec(90) },
      { id: 'B', status: 'responsive' as const, rank: 1, finalQuote: dec(100), evaluatedPrice: dec(95) },
      { id: 'C', status: 'invalid' as const, rank: null, finalQuote: dec(50), evaluatedPrice: null },
      { id: 'D', status: 'withdrawn' as const, rank: null, finalQuote: null, evaluatedPrice: null },
      { id: 'E', status: 'responsive' as const, rank: 3, finalQuote: dec(120), evaluatedPrice: dec(90) },
    ];
    expect(recheckFocus(list)).toEqual({ firstRanked: 'B', lowestQuote: 'A', lowestEvaluatedPrice: 'A', invalid: ['C'] });
  });
});
