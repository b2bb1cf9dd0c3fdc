// The whole evaluation of one evaluation file (docs/evaluate.md), following the
// pipeline of docs/rubrics.md ("The scoring pipeline these rules imply"):
//  1. correct each final quote (算术修正); 2. invalidate quotes over budget or maximum price;
//  3. abnormal-low triggers on the corrected quotes of responsive suppliers; 4. evaluated price =
//  corrected quote − deductions (exact); 5. price score rounded; 6. member totals exact + rounded
//  price score; 7. final score = mean rounded once; 8. rank and recommend.
// Pure: no I/O, no clock, no randomness. The room server calls `evaluate` too.
import { D, dec, fixed, type Dec } from './decimal';
import type { AbnormalLowHit, CorrectionResult, Flag, FlagRule, FlagSeverity, QuoteSheet } from './types';
import type {
  GroupId,
  MemberRole,
  PolicyDeclaration,
  ProjectSettings,
  Rubric,
  SupplierException,
} from '../domain/rubric/types';
import { validateRubric } from '../domain/rubric/validate';
import { scoredLeaves } from '../domain/rubric/index';
import { parseAmount } from './money/amount';
import { correctQuote, QuoteSheetError } from './quote-correction';
import { applyDeductions, PolicyDeclarationError } from './deductions';
import { overBudget } from './budget';
import { abnormalLowTriggers } from './abnormal-low';
import { priceScores } from './price-score';
import { detectAnomalies } from './anomaly/index';
import { parsePoints, scoreValidator, enteredPoints, type ScoreInput } from './score-entry';
import { supplierTotals, type SupplierTotals } from './totals';
import { rankSuppliers, type RankingResult } from './ranking';
import { candidateCount, pickCandidates } from './candidates';
import { evaluationOutcome, type Outcome } from './outcome';
import { recheckFocus, type RecheckFocus, type RecheckSupplier } from './recheck';
import { extend } from '../extend';

// ---------- input (docs/evaluate.md "Input") ----------

export type SupplierStatus = 'responsive' | 'invalid' | 'withdrawn';

export interface EvaluationMember {
  id: string;
  role: MemberRole;
}

export interface EvaluationSupplier {
  id: string;
  name?: string | null;
  status: SupplierStatus;
  invalidReason: string | null;
  /** Yuan, the final quote as confirmed; ignored when quoteSheet is given. */
  finalQuote: string | null;
  quoteSheet: QuoteSheet | null;
  policy: PolicyDeclaration;
}

/** member → supplier → leaf factor id → entry. */
export type EvaluationScores = Record<string, Record<string, Record<string, ScoreInput>>>;

export interface EvaluationInput {
  settings: ProjectSettings;
  members: EvaluationMember[];
  suppliers: EvaluationSupplier[];
  scores: EvaluationScores | null;
  /** Extension: the panel's recorded vote order (best first) for the `panel_vote` ranking key. */
  panelVoteOrder?: string[] | null;
}

// ---------- output (docs/evaluate.md "Output") ----------

export interface CorrectionOutput {
  corrected: string;
  inWords: string;
  steps: {
    rule: string;
    line: number | null;
    field: string;
    before: string;
    after: string;
    detail: string;
    detailEn: string;
  }[];
  needsConfirmation: boolean;
}

export interface SupplierOutput {
  id: string;
  status: SupplierStatus;
  invalidReason: string | null;
  rank: number | null;
  candidate: boolean;
  tieUnresolved: boolean;
  finalQuote: string | null;
  correction: CorrectionOutput | null;
  deductionRate: string | null;
  evaluatedPrice: string | null;
  priceScore: string | null;
  memberTotals: Record<string, string> | null;
  groupScores: Partial<Record<GroupId, string>> | null;
  finalScore: string | null;
  abnormalLow: string[];
}

export interface FlagOutput {
  rule: FlagRule;
  severity: FlagSeverity;
  member: string | null;
  supplier: string | null;
  factor: string | null;
  /** Chinese message (docs/anomaly.md "Messages"). */
  message: string;
  /** Its English twin. */
  messageEn: string;
}

export interface EvaluationOutput {
  suppliers: SupplierOutput[];
  flags: FlagOutput[];
  outcome: Outcome;
  recheckFocus: RecheckFocus;
}

/** A file the engine cannot evaluate: `field` names where (exit status 2 in the CLI). */
export class EvaluationInputError extends Error {
  readonly field: string;
  readonly detail: string;
  constructor(field: string, detail: string) {
    super(`${field}: ${detail}`);
    this.name = 'EvaluationInputError';
    this.field = field;
    this.detail = detail;
  }
}

// ---------- the pipeline ----------

interface Work {
  s: EvaluationSupplier;
  index: number;
  status: SupplierStatus;
  invalidReason: string | null;
  quote: Dec | null;
  correction: CorrectionResult | null;
  deductionRate: Dec | null;
  evaluatedPrice: Dec | null;
  priceScore: Dec | null;
  totals: SupplierTotals | null;
  abnormalLow: string[];
  rank: number | null;
  tieUnresolved: boolean;
  candidate: boolean;
}

export interface EvaluationDetail {
  output: EvaluationOutput;
  /** Exact values for the room and the report. */
  suppliers: {
    id: string;
    quote: Dec | null;
    evaluatedPrice: Dec | null;
    priceScore: Dec | null;
    totals: SupplierTotals | null;
    correction: CorrectionResult | null;
  }[];
  ranking: RankingResult | null;
  basePrice: Dec | null;
  flags: Flag[];
  /** The same flags with their messages naming members by these labels (e.g. "专家1") instead of their
   *  ids: the anomaly rules run again on this evaluation's own inputs, nothing else does. */
  labelledFlags(memberLabels: Record<string, string>): Flag[];
}

function effectiveMoney(setting: string | null | undefined, rubricValue: string | null): Dec | null {
  // settings.maxPrice / budget override the rubric's (docs/evaluate.md "settings").
  if (typeof setting === 'string') return readMoney(setting, 'settings');
  return rubricValue === null ? null : readMoney(rubricValue, 'rubric.rules');
}

function readMoney(s: string, field: string): Dec {
  const p = parseAmount(s);
  if (!p.ok) throw new EvaluationInputError(field, p.reason.en);
  return p.value;
}

function correctSheet(w: Work, rubric: Rubric): void {
  if (w.s.quoteSheet) {
    try {
      const c = correctQuote(w.s.quoteSheet, rubric.rules.quoteCorrection);
      w.quote = c.corrected;
      w.correction = c.steps.length ? c : null;
    } catch (e) {
      if (e instanceof QuoteSheetError) {
        const v = e.value === null ? '' : `"${e.value}": `;
        throw new EvaluationInputError(`suppliers[${w.index}].quoteSheet.${e.field}`, `${v}${e.reason.en}`);
      }
      throw e;
    }
  } else if (w.s.finalQuote !== null && w.s.finalQuote !== undefined) {
    const p = parseAmount(w.s.finalQuote);
    if (!p.ok) throw new EvaluationInputError(`suppliers[${w.index}].finalQuote`, p.reason.en);
    w.quote = p.value;
  }
}

/** Steps 1-2 for every supplier: corrected quote and the over-budget check. */
function quotesAndBudget(input: EvaluationInput, rubric: Rubric): { work: Work[]; budget: Dec | null; maxPrice: Dec | null } {
  const rules = rubric.rules;
  const settings = input.settings ?? {};
  const budget = effectiveMoney(settings.budget, rules.budget);
  const maxPrice = effectiveMoney(settings.maxPrice, rules.maxPrice);
  const work: Work[] = input.suppliers.map((s, index) => ({
    s,
    index,
    status: s.status ?? 'responsive',
    invalidReason: s.invalidReason ?? null,
    quote: null,
    correction: null,
    deductionRate: null,
    evaluatedPrice: null,
    priceScore: null,
    totals: null,
    abnormalLow: [],
    rank: null,
    tieUnresolved: false,
    candidate: false,
  }));
  for (const w of work) {
    correctSheet(w, rubric);
    if (w.status !== 'responsive') continue;
    if (w.quote === null) {
      throw new EvaluationInputError(`suppliers[${w.index}].finalQuote`, 'a responsive supplier needs finalQuote or quoteSheet');
    }
    if (!w.quote.gt(0)) {
      const field = w.s.quoteSheet ? `suppliers[${w.index}].quoteSheet` : `suppliers[${w.index}].finalQuote`;
      throw new EvaluationInputError(field, `the final quote of a responsive supplier must be above 0 (${fixed(w.quote, 2)})`);
    }
    // A corrected final quote above the budget or the maximum price is invalid (rules.overBudget;
    // 003 §22.1.3 L532 "报价未超过采购预算"; 004 §5.3③).
    if (overBudget(w.quote, budget, maxPrice)) {
      w.status = 'invalid';
      w.invalidReason = 'over_budget';
    }
  }
  return { work, budget, maxPrice };
}

/** The suppliers that must be scored: responsive after the over-budget check. */
export function suppliersToScore(input: EvaluationInput, rubric: Rubric): string[] {
  return quotesAndBudget(input, rubric)
    .work.filter((w) => w.status === 'responsive')
    .map((w) => w.s.id);
}

function flagOut(f: Flag): FlagOutput {
  return {
    rule: f.rule,
    severity: f.severity,
    member: f.member,
    supplier: f.supplier,
    factor: f.factor,
    message: f.message.zh,
    messageEn: f.message.en,
  };
}

function correctionOut(c: CorrectionResult): CorrectionOutput {
  return {
    corrected: fixed(c.corrected, 2),
    inWords: c.inWords,
    steps: c.steps.map((s) => ({
      rule: s.rule,
      line: s.line ?? null,
      field: s.field,
      before: s.before,
      after: s.after,
      detail: s.detail.zh,
      detailEn: s.detail.en,
    })),
    needsConfirmation: c.needsConfirmation,
  };
}

/** Evaluate one file: the documented output (docs/evaluate.md "Output"). */
export function evaluate(input: EvaluationInput, rubric: Rubric): EvaluationOutput {
  return evaluateDetailed(input, rubric).output;
}

/** As `evaluate`, with the exact values and the ranking's tie-break record besides. */
export function evaluateDetailed(input: EvaluationInput, rubric: Rubric): EvaluationDetail {
  const rules = rubric.rules;
  const places = rules.rounding.places;
  const settings: ProjectSettings = input.settings ?? {};
  const { work, maxPrice } = quotesAndBudget(input, rubric);
  const responsive = work.filter((w) => w.status === 'responsive');

  // 3. Abnormal-low triggers on corrected quotes, before deductions (rules.abnormalLow; 003 Ch3 §4.1 L709-715).
  const hits = abnormalLowTriggers(
    responsive.map((w) => ({ id: w.s.id, quote: w.quote as Dec })),
    rules.abnormalLow,
    maxPrice,
  );
  for (const w of responsive) w.abnormalLow = (hits[w.s.id] ?? []).map((h) => h.trigger.id);

  // 4. Evaluated price (评审价) = corrected quote − policy deductions, exact (docs/rules.md §2.13, §2.17).
  for (const w of responsive) {
    let d;
    try {
      d = applyDeductions(w.quote as Dec, w.s.policy ?? {}, rules.deductions, settings);
    } catch (e) {
      if (e instanceof PolicyDeclarationError) throw new EvaluationInputError(`suppliers[${w.index}].policy.${e.field}`, e.reason.en);
      throw e;
    }
    w.deductionRate = d.rate;
    w.evaluatedPrice = d.evaluatedPrice;
  }

  // 5. Price score = base / evaluated price × weight, rounded (000 L437; 003 L766; 004 L1193).
  const ps = priceScores(
    responsive.map((w) => ({ id: w.s.id, price: w.evaluatedPrice as Dec })),
    dec(rules.price.weight),
    places,
  );
  for (const w of responsive) w.priceScore = ps.scores[w.s.id] ?? null;

  // 6-7. Scores, member totals, final scores.
  const flags: Flag[] = [];
  const members = input.members.map((m) => m.id);
  const leaves = scoredLeaves(rubric);
  const points: Record<string, Record<string, Record<string, Dec>>> = {};
  // Counts behind objective scores, shown side by side in R2 (docs/anomaly.md R2 "evidence").
  const evidence: Record<string, Record<string, Record<string, string>>> = {};
  const scored = input.scores !== null && input.scores !== undefined;
  if (scored) {
    if (members.length === 0) throw new EvaluationInputError('members', 'scores need at least one member');
    const scores = input.scores as EvaluationScores;
    const validateScore = scoreValidator();
    for (const m of members) {
      points[m] = {};
      evidence[m] = {};
      for (const w of responsive) {
        const sid = w.s.id;
        const entries = scores[m]?.[sid];
        points[m][sid] = {};
        evidence[m][sid] = {};
        for (const leaf of leaves) {
          const v = entries?.[leaf.id];
          if (v === undefined || v === null) {
            throw new EvaluationInputError(`scores${key(m)}${key(sid)}["${leaf.id}"]`, `missing: every member must score every leaf factor of every responsive supplier`);
          }
          const r = validateScore(leaf, v);
          if (!r.ok) {
            // R0: reported, and still counted as entered (never dropped or clamped; docs/anomaly.md).
            flags.push({
              rule: 'R0',
              severity: 'block',
              member: m,
              supplier: sid,
              factor: leaf.id,
              inputs: { x: typeof v === 'object' ? JSON.stringify(v) : String(v) },
              threshold: null,
              message: r.error,
            });
          }
          points[m][sid][leaf.id] = r.ok ? r.points : enteredPoints(leaf, v);
          if (r.ok && r.count !== undefined) evidence[m][sid][leaf.id] = String(r.count);
        }
      }
    }
    for (const w of responsive) {
      const byMember: Record<string, Record<string, Dec>> = {};
      for (const m of members) byMember[m] = points[m][w.s.id];
      w.totals = supplierTotals(rubric, members, byMember, w.priceScore ?? dec(0));
    }
  }

  // 8. Outcome, ranking and candidates.
  const outcome = evaluationOutcome(responsive.length, rules, settings);
  let ranking: RankingResult | null = null;
  if (scored) {
    ranking = rankSuppliers(
      responsive.map((w) => ({
        id: w.s.id,
        finalScore: (w.totals as SupplierTotals).finalScore,
        evaluatedPrice: w.evaluatedPrice as Dec,
        finalQuote: w.quote as Dec,
        technicalScore: (w.totals as SupplierTotals).groupScores.technical ?? null,
      })),
      rules.ranking,
      { voteOrder: input.panelVoteOrder ?? null },
    );
    const byId = new Map(work.map((w) => [w.s.id, w]));
    for (const r of ranking.order) {
      const w = byId.get(r.id) as Work;
      w.rank = r.rank;
      w.tieUnresolved = r.tieUnresolved;
    }
    const count = candidateCount(rules, responsive.length, settings);
    const cands = new Set(pickCandidates(ranking.order, count, outcome.status === 'terminate'));
    for (const w of responsive) w.candidate = cands.has(w.s.id);
  }

  // Suppliers in rank order (ties in input order), unranked last in input order.
  const ordered: Work[] = ranking
    ? [
        ...ranking.order.map((r) => work.find((w) => w.s.id === r.id) as Work),
        ...work.filter((w) => w.rank === null),
      ]
    : [...work];

  // Anomalies R1-R8 / TOTAL30 (docs/anomaly.md), over the responsive suppliers.
  const priceScoreMap: Record<string, Dec> = {};
  for (const w of responsive) if (w.priceScore) priceScoreMap[w.s.id] = w.priceScore;
  const abnormal: Record<string, AbnormalLowHit[]> = {};
  for (const w of responsive) if (hits[w.s.id]?.length) abnormal[w.s.id] = hits[w.s.id];
  const supplierLabels: Record<string, string> = {};
  for (const w of work) supplierLabels[w.s.id] = w.s.name ?? w.s.id;
  const anomalyInput: Parameters<typeof detectAnomalies>[0] = {
    rubric,
    preset: settings.anomalyPreset ?? 'standard',
    members: scored ? members : [],
    suppliers: responsive.map((w) => w.s.id),
    supplierLabels,
    scores: scored ? points : {},
    evidence: scored ? evidence : undefined,
    priceScores: priceScoreMap,
    abnormalLow: abnormal,
  };
  // R0's messages name no member: they stay as they are in labelledFlags.
  const r0 = [...flags];
  flags.push(...detectAnomalies(anomalyInput));

  const recheckList = (list: Work[]): RecheckSupplier[] =>
    list.map((w) => ({
      id: w.s.id,
      status: w.status,
      rank: w.rank,
      finalQuote: w.status === 'responsive' ? w.quote : null,
      evaluatedPrice: w.evaluatedPrice,
    }));

  const output: EvaluationOutput = {
    suppliers: ordered.map((w) => {
      const ok = w.status === 'responsive';
      const t = ok ? w.totals : null;
      return {
        id: w.s.id,
        status: w.status,
        invalidReason: ok ? null : w.invalidReason,
        rank: w.rank,
        candidate: w.candidate,
        tieUnresolved: w.tieUnresolved,
        finalQuote: w.quote ? fixed(w.quote, 2) : null,
        correction: w.correction ? correctionOut(w.correction) : null,
        deductionRate: ok && w.deductionRate ? fixed(w.deductionRate, 2) : null,
        evaluatedPrice: ok && w.evaluatedPrice ? fixed(w.evaluatedPrice, 2) : null,
        priceScore: ok && w.priceScore ? fixed(w.priceScore, places) : null,
        memberTotals: t ? Object.fromEntries(members.map((m) => [m, fixed(t.memberTotals[m], places)])) : null,
        groupScores: t
          ? Object.fromEntries(rubric.groups.map((g) => [g.id, fixed(t.groupScores[g.id], places)]))
          : null,
        finalScore: t ? fixed(t.finalScore, places) : null,
        abnormalLow: ok ? w.abnormalLow : [],
      };
    }),
    flags: flags.map(flagOut),
    outcome,
    recheckFocus: recheckFocus(recheckList(ordered), recheckList(work)),
  };

  return {
    output,
    suppliers: work.map((w) => ({
      id: w.s.id,
      quote: w.quote,
      evaluatedPrice: w.evaluatedPrice,
      priceScore: w.priceScore,
      totals: w.totals,
      correction: w.correction,
    })),
    ranking,
    basePrice: ps.base,
    flags,
    labelledFlags: (memberLabels) => [...r0, ...detectAnomalies(extend(anomalyInput, { memberLabels }))],
  };
}

// ---------- reading an evaluation file ----------

export type ParseResult =
  | { ok: true; input: EvaluationInput; rubric: Rubric }
  | { ok: false; field: string; message: string };

class Bad extends Error {
  constructor(
    readonly field: string,
    readonly detail: string,
  ) {
    super(`${field}: ${detail}`);
  }
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const show = (v: unknown): string => {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 57)}…` : s;
};
const key = (k: string) => (/^[A-Za-z_$][\w$]*$/.test(k) ? `.${k}` : `["${k}"]`);

function optBool(o: Record<string, unknown>, k: string, field: string): boolean | undefined {
  const v = o[k];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw new Bad(`${field}.${k}`, `${show(v)} is not true or false`);
  return v;
}

function money(v: unknown, field: string): string {
  const s = typeof v === 'number' && Number.isFinite(v) ? String(v) : v;
  if (typeof s !== 'string') throw new Bad(field, `${show(v)} is not a decimal amount`);
  const p = parseAmount(s);
  if (!p.ok) throw new Bad(field, p.reason.en);
  return s;
}

function share(v: unknown, field: string): string | null {
  if (v === undefined || v === null) return null;
  const s = typeof v === 'number' && Number.isFinite(v) ? String(v) : v;
  if (typeof s !== 'string' || !/^\d+(\.\d+)?$/.test(s) || new D(s).gt(1)) {
    throw new Bad(field, `${show(v)} is not a share between 0 and 1 (e.g. "0.35")`);
  }
  return s;
}

function oneOf<T extends string>(v: unknown, allowed: readonly T[], field: string): T {
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    throw new Bad(field, `${show(v)} is not one of ${allowed.join(', ')}`);
  }
  return v as T;
}

const EXCEPTIONS: SupplierException[] = [
  'research_or_tech_transfer_two_final_quotes',
  'government_services_two_suppliers',
  'supervisor_approval',
  'two_bids_switch_to_negotiation',
];

function readSettings(v: unknown): ProjectSettings {
  if (v === undefined || v === null) return {};
  if (!isObj(v)) throw new Bad('settings', `${show(v)} is not an object`);
  const out: ProjectSettings = {};
  for (const k of ['maxPrice', 'budget'] as const) {
    if (v[k] !== undefined && v[k] !== null) out[k] = money(v[k], `settings.${k}`);
  }
  for (const k of ['reservedForSme', 'consortiumOrSubcontractingAllowed', 'goods'] as const) {
    const b = optBool(v, k, 'settings');
    if (b !== undefined) out[k] = b;
  }
  if (v.exceptions !== undefined && v.exceptions !== null) {
    if (!Array.isArray(v.exceptions)) throw new Bad('settings.exceptions', `${show(v.exceptions)} is not a list`);
    out.exceptions = v.exceptions.map((e, i) => oneOf(e, EXCEPTIONS, `settings.exceptions[${i}]`));
  }
  if (v.anomalyPreset !== undefined && v.anomalyPreset !== null) {
    out.anomalyPreset = oneOf(v.anomalyPreset, ['standard', 'strict', 'lenient', 'total30'] as const, 'settings.anomalyPreset');
  }
  return out;
}

function readSheet(v: unknown, field: string): QuoteSheet {
  if (!isObj(v)) throw new Bad(field, `${show(v)} is not an object`);
  const str = (x: unknown, f: string, nullable: boolean): string | null => {
    if ((x === null || x === undefined) && nullable) return null;
    if (typeof x !== 'string') throw new Bad(f, `${show(x)} is not a string`);
    return x;
  };
  const sheet: QuoteSheet = {
    amountInWords: str(v.amountInWords, `${field}.amountInWords`, true),
    amount: str(v.amount, `${field}.amount`, false) as string,
    summaryTotal: str(v.summaryTotal, `${field}.summaryTotal`, true),
  };
  if (v.lines !== undefined && v.lines !== null) {
    if (!Array.isArray(v.lines)) throw new Bad(`${field}.lines`, `${show(v.lines)} is not a list`);
    sheet.lines = v.lines.map((l, i) => {
      const f = `${field}.lines[${i}]`;
      if (!isObj(l)) throw new Bad(f, `${show(l)} is not an object`);
      return {
        item: (str(l.item, `${f}.item`, true) ?? '') as string,
        unitPrice: str(l.unitPrice, `${f}.unitPrice`, false) as string,
        quantity: str(l.quantity, `${f}.quantity`, false) as string,
        total: str(l.total, `${f}.total`, false) as string,
      };
    });
  }
  return sheet;
}

function readPolicy(v: unknown, field: string): PolicyDeclaration {
  if (v === undefined || v === null) return {};
  if (!isObj(v)) throw new Bad(field, `${show(v)} is not an object`);
  const out: PolicyDeclaration = {};
  if (v.enterprise !== undefined && v.enterprise !== null) {
    out.enterprise = oneOf(v.enterprise, ['micro', 'small', 'medium', 'large'] as const, `${field}.enterprise`);
  }
  for (const k of ['smeDeclaration', 'prisonEnterprise', 'disabledWelfareUnit'] as const) {
    const b = optBool(v, k, field);
    if (b !== undefined) out[k] = b;
  }
  out.smallMicroShare = share(v.smallMicroShare, `${field}.smallMicroShare`);
  out.domesticShare = share(v.domesticShare, `${field}.domesticShare`);
  return out;
}

function readScore(v: unknown, field: string): ScoreInput {
  if (typeof v === 'number' || typeof v === 'string') {
    const p = parsePoints(v);
    if (!p.ok) throw new Bad(field, p.reason.en);
    return v;
  }
  if (isObj(v)) {
    const keys = Object.keys(v).sort().join(',');
    const int = (x: unknown, f: string) => {
      if (typeof x !== 'number' || !Number.isSafeInteger(x) || x < 0) throw new Bad(f, `${show(x)} is not a whole number ≥ 0`);
      return x;
    };
    if (keys === 'count' || keys === 'count,gate') {
      const out: { count: number; gate?: boolean } = { count: int(v.count, `${field}.count`) };
      if (v.gate !== undefined) {
        if (typeof v.gate !== 'boolean') throw new Bad(`${field}.gate`, `${show(v.gate)} is not true or false`);
        out.gate = v.gate;
      }
      return out;
    }
    if (keys === 'yes') {
      if (typeof v.yes !== 'boolean') throw new Bad(`${field}.yes`, `${show(v.yes)} is not true or false`);
      return { yes: v.yes };
    }
    if (keys === 'unmet') return { unmet: int(v.unmet, `${field}.unmet`) };
    if (keys === 'items') {
      if (!Array.isArray(v.items) || v.items.some((b) => typeof b !== 'boolean')) {
        throw new Bad(`${field}.items`, `${show(v.items)} is not a list of true/false`);
      }
      return { items: v.items as boolean[] };
    }
  }
  throw new Bad(field, `${show(v)} is not a score (a decimal string, a number, or {"count": N, "gate": true})`);
}

/**
 * Read and check an evaluation file (docs/evaluate.md "Input"). `resolveRubric` turns a string
 * `rubric` into its JSON (the CLI reads a path or a template name; it may throw). The first bad
 * field is named, e.g. `suppliers[2].finalQuote: "12,0000" is not a decimal amount`.
 */
export function parseEvaluationFile(json: unknown, resolveRubric: (ref: string) => unknown): ParseResult {
  try {
    return parseOrThrow(json, resolveRubric);
  } catch (e) {
    if (e instanceof Bad) return { ok: false, field: e.field, message: e.detail };
    if (e instanceof EvaluationInputError) return { ok: false, field: e.field, message: e.detail };
    throw e;
  }
}

function parseOrThrow(json: unknown, resolveRubric: (ref: string) => unknown): ParseResult {
  if (!isObj(json)) throw new Bad('(file)', 'the evaluation file is not a JSON object');
  // rubric: a reference (path or template name) or the rubric object.
  let raw: unknown;
  if (typeof json.rubric === 'string') {
    try {
      raw = resolveRubric(json.rubric);
    } catch (e) {
      throw new Bad('rubric', `cannot read rubric ${show(json.rubric)}: ${e instanceof Error ? e.message : String(e)}`);
    }
  } else if (isObj(json.rubric)) {
    raw = json.rubric;
  } else {
    throw new Bad('rubric', `${show(json.rubric)} is neither a path nor a rubric object`);
  }
  const v = validateRubric(raw);
  if (!v.ok) {
    const e = v.errors[0];
    throw new Bad(`rubric${e.path ? `.${e.path}` : ''}`, e.message.en);
  }
  const rubric = v.rubric;

  const settings = readSettings(json.settings);

  if (!Array.isArray(json.members)) throw new Bad('members', `${show(json.members)} is not a list`);
  const memberIds = new Set<string>();
  const members: EvaluationMember[] = json.members.map((m, i) => {
    const f = `members[${i}]`;
    if (!isObj(m)) throw new Bad(f, `${show(m)} is not an object`);
    if (typeof m.id !== 'string' || m.id === '') throw new Bad(`${f}.id`, `${show(m.id)} is not a member id`);
    if (memberIds.has(m.id)) throw new Bad(`${f}.id`, `"${m.id}" is listed twice`);
    memberIds.add(m.id);
    return { id: m.id, role: oneOf(m.role, ['expert', 'purchaser_rep'] as const, `${f}.role`) };
  });

  if (!Array.isArray(json.suppliers)) throw new Bad('suppliers', `${show(json.suppliers)} is not a list`);
  const supplierIds = new Set<string>();
  const suppliers: EvaluationSupplier[] = json.suppliers.map((s, i) => {
    const f = `suppliers[${i}]`;
    if (!isObj(s)) throw new Bad(f, `${show(s)} is not an object`);
    if (typeof s.id !== 'string' || s.id === '') throw new Bad(`${f}.id`, `${show(s.id)} is not a supplier id`);
    if (supplierIds.has(s.id)) throw new Bad(`${f}.id`, `"${s.id}" is listed twice`);
    supplierIds.add(s.id);
    if (s.name !== undefined && s.name !== null && typeof s.name !== 'string') throw new Bad(`${f}.name`, `${show(s.name)} is not a string`);
    const status = s.status === undefined || s.status === null ? 'responsive' : oneOf(s.status, ['responsive', 'invalid', 'withdrawn'] as const, `${f}.status`);
    if (s.invalidReason !== undefined && s.invalidReason !== null && typeof s.invalidReason !== 'string') {
      throw new Bad(`${f}.invalidReason`, `${show(s.invalidReason)} is not a string`);
    }
    const quoteSheet = s.quoteSheet === undefined || s.quoteSheet === null ? null : readSheet(s.quoteSheet, `${f}.quoteSheet`);
    const finalQuote =
      quoteSheet || s.finalQuote === undefined || s.finalQuote === null ? null : money(s.finalQuote, `${f}.finalQuote`);
    if (status === 'responsive' && !quoteSheet && finalQuote === null) {
      throw new Bad(`${f}.finalQuote`, 'a responsive supplier needs finalQuote or quoteSheet');
    }
    return {
      id: s.id,
      name: (s.name as string | undefined) ?? null,
      status,
      invalidReason: (s.invalidReason as string | null | undefined) ?? null,
      finalQuote,
      quoteSheet,
      policy: readPolicy(s.policy, `${f}.policy`),
    };
  });

  const leafIds = new Set(scoredLeaves(rubric).map((l) => l.id));
  let scores: EvaluationScores | null = null;
  if (json.scores !== undefined && json.scores !== null) {
    if (!isObj(json.scores)) throw new Bad('scores', `${show(json.scores)} is not an object`);
    scores = {};
    for (const [m, bySupplier] of Object.entries(json.scores)) {
      const fm = `scores${key(m)}`;
      if (!memberIds.has(m)) throw new Bad(fm, `"${m}" is not in members`);
      if (!isObj(bySupplier)) throw new Bad(fm, `${show(bySupplier)} is not an object`);
      scores[m] = {};
      for (const [sid, byFactor] of Object.entries(bySupplier)) {
        const fs = `${fm}${key(sid)}`;
        const sup = suppliers.find((x) => x.id === sid);
        if (!sup) throw new Bad(fs, `"${sid}" is not in suppliers`);
        if (sup.status !== 'responsive') continue; // ignored (docs/evaluate.md)
        if (!isObj(byFactor)) throw new Bad(fs, `${show(byFactor)} is not an object`);
        scores[m][sid] = {};
        for (const [fid, val] of Object.entries(byFactor)) {
          const ff = `${fs}["${fid}"]`;
          if (!leafIds.has(fid)) {
            throw new Bad(ff, fid === rubric.rules.price.factor ? 'the price factor is computed, not scored' : `"${fid}" is not a leaf factor of the rubric that members score`);
          }
          scores[m][sid][fid] = readScore(val, ff);
        }
      }
    }
  }

  let panelVoteOrder: string[] | null = null;
  if (json.panelVoteOrder !== undefined && json.panelVoteOrder !== null) {
    if (!Array.isArray(json.panelVoteOrder)) throw new Bad('panelVoteOrder', `${show(json.panelVoteOrder)} is not a list`);
    panelVoteOrder = json.panelVoteOrder.map((x, i) => {
      if (typeof x !== 'string' || !supplierIds.has(x)) throw new Bad(`panelVoteOrder[${i}]`, `${show(x)} is not a supplier id`);
      return x;
    });
  }

  const input: EvaluationInput = { settings, members, suppliers, scores, panelVoteOrder };

  // Quote sheets are corrected here once, so that an unreadable sheet is named as a field; then
  // every responsive (and within-budget) supplier must be scored by every member on every leaf.
  const toScore = suppliersToScore(input, rubric);
  if (scores) {
    if (members.length === 0) throw new Bad('members', 'scores need at least one member');
    for (const m of members) {
      for (const sid of toScore) {
        for (const leaf of scoredLeaves(rubric)) {
          if (scores[m.id]?.[sid]?.[leaf.id] === undefined) {
            throw new Bad(`scores${key(m.id)}${key(sid)}["${leaf.id}"]`, 'missing: every member must score every leaf factor of every responsive supplier');
          }
        }
      }
    }
  }
  return { ok: true, input, rubric };
}
