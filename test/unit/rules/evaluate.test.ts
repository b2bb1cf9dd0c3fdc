// evaluate / parseEvaluationFile (shared/rules/evaluate.ts): the pipeline of
// docs/rubrics.md on inline inputs, the field-naming parser, and properties.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { dec, fixed } from '../../../shared/rules/decimal';
import {
  evaluate,
  evaluateDetailed,
  parseEvaluationFile,
  type EvaluationInput,
  type EvaluationOutput,
} from '../../../shared/rules/evaluate';
import { allowedSet } from '../../../shared/rules/score-entry';
import { roundedMean } from '../../../shared/rules/totals';
import { loadTemplate } from '../../../shared/domain/rubric/templates';
import { scoredLeaves } from '../../../shared/domain/rubric/index';
import type { Rubric } from '../../../shared/domain/rubric/types';

const s003 = loadTemplate('seed003');
const s004 = loadTemplate('seed004');
const s000 = loadTemplate('seed000');
const resolve = (ref: string): unknown => JSON.parse(JSON.stringify(loadTemplate(ref)));

/** Every member gives every responsive supplier the same score on every leaf: the max × ratio level. */
function uniformScores(rubric: Rubric, members: string[], suppliers: string[], pick: (sid: string) => number) {
  const leaves = scoredLeaves(rubric);
  const out: Record<string, Record<string, Record<string, string>>> = {};
  for (const m of members) {
    out[m] = {};
    for (const s of suppliers) {
      out[m][s] = {};
      for (const l of leaves) {
        const set = allowedSet(l) ?? [dec(l.max_points), dec(0)];
        out[m][s][l.id] = set[Math.min(pick(s), set.length - 1)].toString();
      }
    }
  }
  return out;
}

function parsed(json: unknown) {
  const r = parseEvaluationFile(json, resolve);
  if (!r.ok) throw new Error(`${r.field}: ${r.message}`);
  return r;
}

const bySupplier = (o: EvaluationOutput) => Object.fromEntries(o.suppliers.map((s) => [s.id, s]));

describe('evaluate: seed 003 pipeline', () => {
  const members = ['M1', 'M2', 'M3'].map((id) => ({ id, role: 'expert' }));
  const file = {
    rubric: 'seed003',
    members,
    suppliers: [
      { id: 'A', finalQuote: '1000000.00', policy: { enterprise: 'large' } },
      { id: 'B', finalQuote: '1000000.00', policy: { enterprise: 'small', smeDeclaration: true } },
      { id: 'C', quoteSheet: { amountInWords: '玖拾万元整', amount: '990000.00', summaryTotal: null } },
      { id: 'D', finalQuote: '400000.00' },
      { id: 'E', finalQuote: '1600000.00' },
      { id: 'F', status: 'withdrawn' },
    ],
    scores: uniformScores(s003, ['M1', 'M2', 'M3'], ['A', 'B', 'C', 'D'], (s) => ({ A: 0, B: 1, C: 0, D: 2 })[s] ?? 0),
  };
  const out = evaluate(parsed(file).input, s003);
  const s = bySupplier(out);

  it('corrects the sheet (words over figures) and uses the corrected quote', () => {
    expect(s.C.finalQuote).toBe('900000.00');
    expect(s.C.correction?.steps[0].rule).toBe('words_over_figures');
    expect(s.C.correction?.needsConfirmation).toBe(true);
    expect(s.A.correction).toBeNull();
  });
  it('invalidates a quote over budget / max price', () => {
    expect(s.E).toMatchObject({ status: 'invalid', invalidReason: 'over_budget', evaluatedPrice: null, priceScore: null, rank: null, abnormalLow: [] });
    expect(s.E.finalQuote).toBe('1600000.00');
  });
  it('deducts 10% for a small enterprise, on the evaluated price only', () => {
    expect(s.B).toMatchObject({ finalQuote: '1000000.00', deductionRate: '0.10', evaluatedPrice: '900000.00' });
    expect(s.A.deductionRate).toBe('0.00');
  });
  it('price score = lowest evaluated price / evaluated price × 10, rounded', () => {
    // evaluated: A 1,000,000; B 900,000; C 900,000; D 400,000 (base)
    expect(s.D.priceScore).toBe('10.00');
    expect(s.A.priceScore).toBe('4.00');
    expect(s.B.priceScore).toBe('4.44');
  });
  it('runs the abnormal-low triggers on corrected quotes before deduction', () => {
    // population quotes 1,000,000 / 1,000,000 / 900,000 / 400,000: second lowest 900,000 × 0.5 = 450,000;
    // 0.45 × 1,511,936 = 680,371.20; mean 825,000 × 0.5 = 412,500.
    expect(s.D.abnormalLow).toEqual(['4.1.1', '4.1.2', '4.1.3']);
    expect(out.flags.some((f) => f.rule === 'R8' && f.supplier === 'D' && f.severity === 'review')).toBe(true);
  });
  it('totals, final score, rank order, candidates, outcome and re-check focus', () => {
    // A and C get full marks on every leaf (90) + price; B the second level; D the third.
    expect(s.A.finalScore).toBe('94.00');
    expect(s.C.memberTotals).toEqual({ M1: '94.44', M2: '94.44', M3: '94.44' });
    expect(out.suppliers.map((x) => x.id)).toEqual(['C', 'A', 'B', 'D', 'E', 'F']);
    expect(out.suppliers.map((x) => x.rank)).toEqual([1, 2, 3, 4, null, null]);
    expect(out.suppliers.map((x) => x.candidate)).toEqual([true, true, true, false, false, false]);
    expect(out.outcome).toEqual({ status: 'continue', responsive: 4, minimum: 3, reason: null });
    expect(out.recheckFocus).toEqual({ firstRanked: 'C', lowestQuote: 'D', lowestEvaluatedPrice: 'D', invalid: ['E'] });
    expect(s.F).toMatchObject({ status: 'withdrawn', finalQuote: null, deductionRate: null, memberTotals: null, candidate: false });
  });
  it('group scores are listed in rubric order', () => {
    expect(Object.keys(s.A.groupScores ?? {})).toEqual(['price', 'commercial', 'technical']);
  });
});

describe('evaluate: R0, ties, no scores', () => {
  it('reports R0 and still counts the entered value', () => {
    const file = {
      rubric: 'seed003',
      members: [{ id: 'M1', role: 'expert' }],
      suppliers: [
        { id: 'A', finalQuote: '1000000' },
        { id: 'B', finalQuote: '1000000' },
        { id: 'C', finalQuote: '1000000' },
      ],
      scores: uniformScores(s003, ['M1'], ['A', 'B', 'C'], () => 0),
    };
    (file.scores.M1.A as Record<string, unknown>)['7'] = '10';
    const out = evaluate(parsed(file).input, s003);
    const r0 = out.flags.filter((f) => f.rule === 'R0');
    expect(r0).toHaveLength(1);
    expect(r0[0]).toMatchObject({ severity: 'block', member: 'M1', supplier: 'A', factor: '7' });
    expect(r0[0].message).toBe('分项评分超出评分标准范围：「道路尘负荷监测服务」只允许 12/8/5/2/0 分，您输入了 10。');
    expect(r0[0].messageEn).toContain('12/8/5/2/0');
    expect(bySupplier(out).A.finalScore).toBe('98.00'); // 100 − 12 + 10
  });

  it('a count outside every tier is R0 and scores 0', () => {
    const file = {
      rubric: 'seed000',
      members: [{ id: 'M1', role: 'expert' }],
      suppliers: [
        { id: 'A', finalQuote: '1000000' },
        { id: 'B', finalQuote: '1000000' },
      ],
      scores: uniformScores(s000, ['M1'], ['A', 'B'], () => 0),
    };
    (file.scores.M1.A as Record<string, unknown>)['1.2.2'] = { count: 12 };
    (file.scores.M1.B as Record<string, unknown>)['1.2.3'] = { count: 120, gate: false };
    const out = evaluate(parsed(file).input, s000);
    expect(out.flags.filter((f) => f.rule === 'R0').map((f) => [f.supplier, f.factor])).toEqual([['A', '1.2.2']]);
    expect(bySupplier(out).A.finalScore).toBe('94.00');
    expect(bySupplier(out).B.finalScore).toBe('94.00');
    // tie on score and evaluated price; seed 000 then compares technical scores: equal → shared rank
    expect(out.suppliers.map((x) => [x.id, x.rank, x.tieUnresolved])).toEqual([
      ['A', 1, true],
      ['B', 1, true],
    ]);
  });

  it('seed 003 tie resolved by the final quote, then unresolved (panel vote)', () => {
    const file = {
      rubric: 'seed003',
      members: [{ id: 'M1', role: 'expert' }],
      suppliers: [
        { id: 'A', finalQuote: '1000000', policy: { enterprise: 'small', smeDeclaration: true } },
        { id: 'B', finalQuote: '900000' },
        { id: 'C', finalQuote: '900000' },
      ],
      scores: uniformScores(s003, ['M1'], ['A', 'B', 'C'], () => 0),
    };
    const out = evaluate(parsed(file).input, s003);
    // all evaluated prices 900,000 → equal price scores 10.00 and finals 100.00
    expect(out.suppliers.map((x) => [x.id, x.rank, x.tieUnresolved])).toEqual([
      ['B', 1, true],
      ['C', 1, true],
      ['A', 3, false],
    ]);
    const d = evaluateDetailed({ ...parsed(file).input, panelVoteOrder: ['C', 'B'] }, s003);
    expect(d.output.suppliers.map((x) => [x.id, x.rank])).toEqual([
      ['C', 1],
      ['B', 2],
      ['A', 3],
    ]);
    expect(d.ranking?.tieBreaks.map((t) => t.key)).toEqual(['panel_vote', 'final_quote_asc']);
  });

  it('without scores: price part only', () => {
    const file = {
      rubric: 'seed004',
      members: [],
      suppliers: [
        { id: 'A', finalQuote: '500000.00' },
        { id: 'B', finalQuote: '550000.00', policy: { enterprise: 'micro', smeDeclaration: true } },
      ],
    };
    const out = evaluate(parsed(file).input, s004);
    const s = bySupplier(out);
    expect(s.B).toMatchObject({ evaluatedPrice: '495000.00', priceScore: '30.00', rank: null, finalScore: null, groupScores: null, memberTotals: null, candidate: false });
    expect(s.A.priceScore).toBe('29.70');
    expect(out.outcome).toEqual({ status: 'terminate', responsive: 2, minimum: 3, reason: 'fewer_than_minimum' });
    expect(out.recheckFocus.firstRanked).toBeNull();
  });

  it('terminate: nobody is a candidate', () => {
    const file = {
      rubric: 'seed003',
      members: [{ id: 'M1', role: 'expert' }],
      suppliers: [
        { id: 'A', finalQuote: '1000000' },
        { id: 'B', finalQuote: '900000' },
      ],
      scores: uniformScores(s003, ['M1'], ['A', 'B'], () => 0),
    };
    const out = evaluate(parsed(file).input, s003);
    expect(out.outcome.status).toBe('terminate');
    expect(out.suppliers.every((x) => !x.candidate)).toBe(true);
    const cont = evaluate(parsed({ ...file, settings: { exceptions: ['government_services_two_suppliers'] } }).input, s003);
    expect(cont.outcome).toEqual({ status: 'continue', responsive: 2, minimum: 2, reason: 'government_services_two_suppliers' });
    expect(cont.suppliers.map((x) => x.candidate)).toEqual([true, true]);
  });

  it('settings override budget and maximum price', () => {
    const file = {
      rubric: 'seed004',
      settings: { budget: '700000.00' },
      members: [],
      suppliers: [{ id: 'A', finalQuote: '650000.00' }],
    };
    expect(evaluate(parsed(file).input, s004).suppliers[0].status).toBe('responsive');
    expect(evaluate(parsed({ ...file, settings: {} }).input, s004).suppliers[0].invalidReason).toBe('over_budget');
  });
});

describe('parseEvaluationFile names the first bad field', () => {
  const base = () => ({
    rubric: 'seed003',
    members: [{ id: 'M1', role: 'expert' }],
    suppliers: [
      { id: 'A', finalQuote: '1000000.00' },
      { id: 'B', finalQuote: '1000000.00' },
      { id: 'C', finalQuote: '1000000.00' },
    ],
  });
  const bad = (mut: (f: ReturnType<typeof base> & Record<string, unknown>) => void) => {
    const f = base() as ReturnType<typeof base> & Record<string, unknown>;
    mut(f);
    const r = parseEvaluationFile(f, resolve);
    if (r.ok) throw new Error('accepted');
    return `${r.field}: ${r.message}`;
  };
  it.each([
    ['finalQuote', (f: any) => (f.suppliers[2].finalQuote = '12,0000'), /^suppliers\[2\]\.finalQuote: "12,0000" is not a decimal amount/],
    ['missing quote', (f: any) => delete f.suppliers[1].finalQuote, /^suppliers\[1\]\.finalQuote: /],
    ['status', (f: any) => (f.suppliers[0].status = 'gone'), /^suppliers\[0\]\.status: /],
    ['duplicate id', (f: any) => (f.suppliers[1].id = 'A'), /^suppliers\[1\]\.id: "A" is listed twice/],
    ['role', (f: any) => (f.members[0].role = 'chair'), /^members\[0\]\.role: /],
    ['exception', (f: any) => (f.settings = { exceptions: ['magic'] }), /^settings\.exceptions\[0\]: /],
    ['preset', (f: any) => (f.settings = { anomalyPreset: 'loose' }), /^settings\.anomalyPreset: /],
    ['share', (f: any) => (f.suppliers[0].policy = { smallMicroShare: '1.5' }), /^suppliers\[0\]\.policy\.smallMicroShare: /],
    ['rubric path', (f: any) => (f.rubric = 'nope.json'), /^rubric: cannot read/],
    ['rubric object', (f: any) => (f.rubric = { schema_version: '1.0' }), /^rubric\./],
    ['sheet', (f: any) => (f.suppliers[0] = { id: 'A', quoteSheet: { amountInWords: null, amount: '１００' } }), /^suppliers\[0\]\.quoteSheet\.amount: /],
    ['score member', (f: any) => (f.scores = { M9: {} }), /^scores\.M9: /],
    ['score factor', (f: any) => (f.scores = { M1: { A: { '1': '10' } } }), /^scores\.M1\.A\["1"\]: the price factor/],
    ['score value', (f: any) => (f.scores = { M1: { A: { '7': '1e1' } } }), /^scores\.M1\.A\["7"\]: /],
    ['missing score', (f: any) => (f.scores = { M1: { A: { '7': '8' } } }), /^scores\.M1\.A\["2"\]: missing/],
    ['not an object', (f: any) => (f.suppliers = 3), /^suppliers: /],
  ])('%s', (_n, mut, re) => {
    expect(bad(mut)).toMatch(re);
  });
  it('does not ask for scores of invalid or over-budget suppliers', () => {
    const f: any = base();
    f.suppliers.push({ id: 'X', finalQuote: '9999999.00' }, { id: 'Y', status: 'invalid' });
    f.scores = uniformScores(s003, ['M1'], ['A', 'B', 'C'], () => 0);
    expect(parseEvaluationFile(f, resolve).ok).toBe(true);
  });
});

// ---------- properties ----------

const QUOTES = ['600000', '700000.50', '800000', '950000', '1000000', '1200000', '1450000'];

const caseArb = fc
  .record({
    nMembers: fc.integer({ min: 1, max: 5 }),
    nSuppliers: fc.integer({ min: 1, max: 5 }),
    seed: fc.array(fc.nat(), { minLength: 400, maxLength: 400 }),
  })
  .map(({ nMembers, nSuppliers, seed }) => {
    let k = 0;
    const next = () => seed[k++ % seed.length];
    const members = Array.from({ length: nMembers }, (_, i) => ({ id: `M${i + 1}`, role: 'expert' as const }));
    const suppliers = Array.from({ length: nSuppliers }, (_, i) => ({
      id: `S${i + 1}`,
      status: 'responsive' as const,
      invalidReason: null,
      finalQuote: QUOTES[next() % QUOTES.length],
      quoteSheet: null,
      policy: next() % 2 ? { enterprise: 'small' as const, smeDeclaration: true } : {},
    }));
    const scores: Record<string, Record<string, Record<string, string>>> = {};
    for (const m of members) {
      scores[m.id] = {};
      for (const s of suppliers) {
        scores[m.id][s.id] = {};
        for (const l of scoredLeaves(s003)) {
          const set = allowedSet(l) as ReturnType<typeof allowedSet> & object;
          scores[m.id][s.id][l.id] = set[next() % set.length].toString();
        }
      }
    }
    const input: EvaluationInput = { settings: {}, members, suppliers, scores };
    return input;
  });

function numbersOf(out: EvaluationOutput) {
  return Object.fromEntries(
    out.suppliers.map((s) => [
      s.id,
      {
        finalQuote: s.finalQuote,
        deductionRate: s.deductionRate,
        evaluatedPrice: s.evaluatedPrice,
        priceScore: s.priceScore,
        finalScore: s.finalScore,
        groupScores: s.groupScores,
        memberTotals: s.memberTotals,
        abnormalLow: s.abnormalLow,
        rank: s.rank,
        tieUnresolved: s.tieUnresolved,
        candidate: s.candidate,
      },
    ]),
  );
}

describe('properties (seed 003)', () => {
  it('permuting members or suppliers changes no supplier’s numbers', () => {
    fc.assert(
      fc.property(caseArb, fc.nat(), fc.nat(), (input, a, b) => {
        const rot = <T>(xs: T[], n: number) => xs.slice(n % xs.length).concat(xs.slice(0, n % xs.length));
        const permuted: EvaluationInput = { ...input, members: rot(input.members, a).reverse(), suppliers: rot(input.suppliers, b).reverse() };
        expect(numbersOf(evaluate(permuted, s003))).toEqual(numbersOf(evaluate(input, s003)));
      }),
      { numRuns: 25 },
    );
  });

  it('every score lies within [0, max]', () => {
    fc.assert(
      fc.property(caseArb, (input) => {
        const out = evaluate(input, s003);
        const within = (v: string | null, max: string) => v === null || (dec(v).gte(0) && dec(v).lte(max));
        for (const s of out.suppliers) {
          expect(within(s.priceScore, s003.rules.price.weight)).toBe(true);
          expect(within(s.finalScore, '100')).toBe(true);
          for (const t of Object.values(s.memberTotals ?? {})) expect(within(t, '100')).toBe(true);
          for (const g of s003.groups) expect(within(s.groupScores?.[g.id] ?? null, String(g.points))).toBe(true);
        }
        expect(out.flags.filter((f) => f.rule === 'R0')).toEqual([]);
      }),
      { numRuns: 25 },
    );
  });

  it('totals equal the sum of their parts', () => {
    fc.assert(
      fc.property(caseArb, (input) => {
        const d = evaluateDetailed(input, s003);
        for (const s of d.suppliers) {
          if (!s.totals) continue;
          const members = input.members.map((m) => m.id);
          for (const m of members) {
            const leafSum = scoredLeaves(s003).reduce((a, l) => a.plus(dec(input.scores![m][s.id][l.id] as string)), dec(0));
            expect(s.totals.memberTotals[m].eq(leafSum.plus(s.priceScore!))).toBe(true);
            const g = s.totals.memberGroups[m];
            expect(g.price.plus(g.commercial).plus(g.technical).eq(s.totals.memberTotals[m])).toBe(true);
          }
          expect(fixed(s.totals.finalScore)).toBe(fixed(roundedMean(members.map((m) => s.totals!.memberTotals[m]), 2)));
        }
      }),
      { numRuns: 25 },
    );
  });
});
