// Types shared by the parts of the rules engine. Money and scores are Dec inside the engine and
// decimal strings at its edges (the evaluation file, the protocol); never a JavaScript number.
import type { Dec } from './decimal';
import type {
  PolicyDeclaration,
  ProjectSettings,
  QuoteCorrectionStep,
  AbnormalLowTrigger,
} from '../domain/rubric/types';

export type { PolicyDeclaration, ProjectSettings };

/** A message a person reads: Chinese first, with its English twin. */
export interface Bilingual {
  zh: string;
  en: string;
}

// ---------- quotes (最后报价) ----------

export interface QuoteLine {
  item: string;
  unitPrice: string;
  quantity: string;
  total: string;
}

/** The raw final-quote sheet as the supplier wrote it, before arithmetic correction (算术修正). */
export interface QuoteSheet {
  amountInWords: string | null;
  amount: string;
  /** The 开标一览表 total, where the document has one (seed 004). */
  summaryTotal?: string | null;
  lines?: QuoteLine[];
}

export interface CorrectionStep {
  rule: QuoteCorrectionStep;
  /** Index of the line the step changed, for the line rules. */
  line?: number | null;
  field: 'amount' | 'unitPrice' | 'total';
  before: string;
  after: string;
  detail: Bilingual;
}

export interface CorrectionResult {
  /** The corrected quote (exact; money has at most 2 decimals in practice). */
  corrected: Dec;
  /** The corrected quote in words (大写). */
  inWords: string;
  steps: CorrectionStep[];
  /** True when any step changed anything: the supplier must confirm (003 Ch3 §3.2.6; 004 §5.2.1(2)). */
  needsConfirmation: boolean;
  /** The corrected sheet, lines included. */
  sheet: QuoteSheet;
}

// ---------- policy deductions (价格扣除) ----------

export interface DeductionStep {
  policy: 'small_micro' | 'prison' | 'disabled_welfare' | 'consortium_or_subcontract' | 'domestic_product';
  rate: Dec;
  amount: Dec;
  explanation: Bilingual;
}

export interface DeductionResult {
  /** Total rate taken off the original quote. */
  rate: Dec;
  evaluatedPrice: Dec;
  steps: DeductionStep[];
  /** Why each policy did or did not apply, in order, for the reveal and the report. */
  explanation: Bilingual[];
}

// ---------- abnormal-low triggers (异常低价) ----------

export interface AbnormalLowHit {
  trigger: AbnormalLowTrigger;
  /** The reference value (mean, second-lowest quote, or maximum price), exact. */
  reference: Dec;
  /** ratio × reference, exact, unrounded. */
  threshold: Dec;
  quote: Dec;
}

// ---------- anomalies (评分异常, docs/anomaly.md) ----------

export type FlagRule = 'R0' | 'R1' | 'R2' | 'R3' | 'R4' | 'R5' | 'R6' | 'R7' | 'R8' | 'TOTAL30';
export type FlagSeverity = 'block' | 'review' | 'info';

export interface Flag {
  rule: FlagRule;
  severity: FlagSeverity;
  /** REVIEW flags whose what-if moves the final score by ≥ 1.00 or changes the first-ranked supplier. */
  high?: boolean;
  member: string | null;
  supplier: string | null;
  factor: string | null;
  /** The numbers the rule looked at, as decimal strings (x, others, ref, d, threshold, …). */
  inputs: Record<string, string | string[] | number | null>;
  threshold: string | null;
  message: Bilingual;
  /** Display-only: the final score had the flagged items been the others' median. */
  whatIf?: {
    finalScoreBefore: string;
    finalScoreAfter: string;
    delta: string;
    firstRankedBefore: string | null;
    firstRankedAfter: string | null;
  } | null;
}

export type AnomalyPreset = 'standard' | 'strict' | 'lenient' | 'total30';
