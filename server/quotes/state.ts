import { eventOf } from '../session/events';
import type { Bilingual, SessionState } from '../session/types';
import type { PolicyDeclaration, QuoteSheet } from '../../shared/rules/types';
import type { QuoteCorrectionStep } from '../../shared/domain/rubric/types';
import { D, type Dec } from '../../shared/rules/decimal';
import { parseAmount } from '../../shared/rules/money/amount';

// The quotes concern's slice of the session state: the window, the sealed submissions, what closing
// found (corrections and the supplier's answer), and the abnormal-low reviews. Money is kept as
// decimal strings; the rules engine turns them into Decimal where it computes.

/** What the supplier submitted, exactly as sealed: its sha256 is the receipt. The nonce makes the
 *  receipt (and the log's chain hash) useless for guessing the amount before the window closes. */
export interface SealedQuote {
  sessionId: string;
  supplierId: string;
  version: number;
  submittedAt: number;
  nonce: string;
  sheet: QuoteSheet & { lines: NonNullable<QuoteSheet['lines']> };
  policy: Required<PolicyDeclaration>;
}

export interface Submission {
  version: number;
  at: number;
  seq: number;
  receipt: string;
  sealed: SealedQuote;
  /** Computed by the server: the words and the figures name different amounts. */
  wordsDiffer: boolean;
  acknowledgedMismatch: boolean;
  /** The 003 Ch3 §3.1 L651 statement was ticked (required with an itemised sheet). */
  missingItemsIncluded?: boolean;
  /** The authorised representative's drawn signature of this quote (issue 13 item 4). */
  signature?: { name: string; path: string } | null;
}

/** Records an accepted price as the one that counts (docs/rules.md §2.11: the last accepted quote
 *  replaces an earlier one) and keeps every version in the history: what a consultation's window
 *  (quotes:submitted) and a tender's opening record (quotes:opening_recorded) both write. */
export function recordSubmission(
  s: SessionState,
  e: { ts: number; seq: number },
  p: { supplierId: string; receipt: string; sealed: SealedQuote; wordsDiffer: boolean },
  declared: Pick<Submission, 'acknowledgedMismatch' | 'missingItemsIncluded' | 'signature'>,
): void {
  const q = quotesOf(s);
  q.submissions[p.supplierId] = { version: p.sealed.version, at: e.ts, seq: e.seq, receipt: p.receipt, sealed: p.sealed, wordsDiffer: p.wordsDiffer, ...declared };
  q.history.push({ supplierId: p.supplierId, version: p.sealed.version, at: e.ts, receipt: p.receipt });
}

export interface CorrectionStepRecord {
  rule: QuoteCorrectionStep;
  line: number | null;
  field: string;
  before: string;
  after: string;
  detail: Bilingual;
}

export interface CorrectionRecord {
  /** The corrected quote, exact decimal string. */
  corrected: string;
  inWords: string;
  steps: CorrectionStepRecord[];
  needsConfirmation: boolean;
  sheet: QuoteSheet;
}

export type CorrectionResponse = 'not_needed' | 'confirmed' | 'refused';

export interface ClosingResult {
  /** The receipt of the submission that counted (the last one). */
  receipt: string;
  correction: CorrectionRecord;
  /** null while the supplier has not answered a correction that needs its confirmation. */
  response: CorrectionResponse | null;
  respondedAt: number | null;
  refusalReason: string | null;
  /** A tender's bidder marked absent at the opening: its written confirmation, recorded by the agency
   *  (server/quotes/correction.ts confirmInWriting); absent otherwise. */
  written?: WrittenConfirmation & { at: number };
}

export interface WrittenConfirmation {
  /** Who signed the written confirmation, when (as written on it), the agency's note, who recorded it. */
  signer: string;
  signedAt: string;
  note: string | null;
  recordedBy: string;
}

export interface HitRecord {
  trigger: string;
  of: 'mean' | 'second_lowest' | 'max_price';
  ratio: string;
  reference: string;
  threshold: string;
  quote: string;
}

export interface Vote {
  verdict: 'accept' | 'invalid';
  reason: string;
  at: number;
}

export interface Review {
  supplierId: string;
  openedAt: number;
  /** Who opened it: null when the rubric's triggers did (003 Ch3 §4.1 L707 "应当启动"). */
  openedBy: string | null;
  reason: Bilingual;
  hits: HitRecord[];
  /** The explanation time the rubric asks for at least (003 Ch3 §4.2 L719 "一般不少于30分钟"). */
  minimumMinutes: number;
  minutes: number;
  endsAt: number;
  timerChanges: { at: number; by: string; minutes: number; reason: string | null }[];
  explanation: { text: string; at: number } | null;
  /** The explanation time ran out with no explanation (the timed `quotes:explanation_time_ended`). */
  lapsed?: { endsAt: number; at: number } | null;
  /** 4.1.3 only: the explanation submitted with the response stands (003 Ch3 §4.2 L719). */
  exemption?: { reason: string; by: string; at: number } | null;
  votes: Record<string, Vote>;
  decision: { outcome: 'accepted' | 'invalid'; accept: number; invalid: number; at: number } | null;
}

export interface QuotesSlice {
  window: {
    openedAt: number;
    openedBy: string;
    deadline: number;
    note: string | null;
    extensions: { at: number; from: number; to: number; reason: string }[];
  } | null;
  closedAt: number | null;
  /** The suppliers still in the evaluation when the window closed, in order. */
  eligible: string[];
  /** The submission that counts, per supplier (the last accepted one). */
  submissions: Record<string, Submission>;
  /** Every accepted submission, without content: supplier, version, time, receipt. */
  history: { supplierId: string; version: number; at: number; receipt: string }[];
  late: { supplierId: string; at: number; seq: number }[];
  /** Filled at closing, for every supplier whose quote counted. */
  results: Record<string, ClosingResult>;
  /** When every correction was answered and the abnormal-low triggers were computed. */
  pricesSettledAt: number | null;
  reviews: Record<string, Review>;
  /** A public tender's opening record (开标一览表), per bidder (server/quotes/opening.ts). */
  opening: Record<string, OpeningRecord>;
}

export type OpeningAnswer = 'confirmed' | 'absent' | 'disputed';

export interface OpeningRecord {
  version: number;
  enteredAt: number;
  enteredBy: string;
  answer: OpeningAnswer | null;
  answeredAt: number | null;
  /** What the bidder said differs (a dispute), for the agency to check against the reading. */
  reason: string | null;
}

export const emptyQuotes = (): QuotesSlice => ({
  window: null,
  closedAt: null,
  eligible: [],
  submissions: {},
  history: [],
  late: [],
  results: {},
  pricesSettledAt: null,
  reviews: {},
  opening: {},
});

export const quotesOf = (s: SessionState): QuotesSlice => s.quotes as QuotesSlice;

/** 最后报价 in a consultation; in a public tender the same stage holds the bid price read at the
 *  opening (投标报价; docs/rules.md §2.11 "Tender (004)"). */
export function quoteLabel(s: SessionState): Bilingual {
  return s.project.method === 'public_tender' ? { zh: '投标报价', en: 'Bid price' } : { zh: '最后报价', en: 'Final quote' };
}

/** The supplier's company (the name the room shows for a supplier). */
export function supplierLabel(s: SessionState, id: string): string {
  const p = s.people[id];
  return p ? p.org ?? p.name : id;
}

function readMoney(v: unknown): Dec | null {
  if (typeof v !== 'string') return null;
  const p = parseAmount(v);
  return p.ok ? p.value : null;
}

/** Budget and maximum price in force: the project's settings over the rubric's, as the evaluation
 *  engine reads them (docs/evaluate.md "settings"), so that the room and `npm run evaluate` agree. */
export function limits(s: SessionState): { budget: Dec | null; maxPrice: Dec | null } {
  const st = s.settings as { budget?: unknown; maxPrice?: unknown };
  const r = s.rubric.rules;
  return {
    budget: typeof st.budget === 'string' ? readMoney(st.budget) : readMoney(r.budget),
    maxPrice: typeof st.maxPrice === 'string' ? readMoney(st.maxPrice) : readMoney(r.maxPrice),
  };
}

/** The explanation time of the abnormal-low review: the rubric's, or 30 minutes where the rubric
 *  sets none (003 Ch3 §4.2 L719; docs/rules.md §5 decision 3). */
export function explanationMinimum(s: SessionState): number {
  return s.rubric.rules.abnormalLow.explanationMinutes ?? 30;
}

/** The confirmed corrected quote, or null while it is not binding (unanswered or refused). */
export function bindingQuote(r: ClosingResult | undefined): Dec | null {
  if (!r || (r.response !== 'confirmed' && r.response !== 'not_needed')) return null;
  return new D(r.correction.corrected);
}

/** The quotes concern's events (server/session/events.ts): written by window.ts, settle.ts,
 *  correction.ts, review.ts and the timed end of an explanation, folded by concern.ts. */
export type QuotesEvents = {
  'quotes:window_opened': { deadline: number; note: string | null; openedBy: string };
  'quotes:deadline_extended': { from: number; to: number; reason: string };
  'quotes:submitted': Pick<Submission, 'sealed' | 'receipt' | 'wordsDiffer' | 'acknowledgedMismatch' | 'missingItemsIncluded' | 'signature'> & { supplierId: string };
  'quotes:late_refused': { supplierId: string; deadline: number };
  'quotes:window_closed': { eligible: string[]; results: Record<string, ClosingResult> };
  'quotes:correction_confirmed': { supplierId: string; corrected: string };
  'quotes:correction_refused': { supplierId: string; reason: string | null };
  'quotes:correction_confirmed_in_writing': { supplierId: string; corrected: string } & WrittenConfirmation;
  'quotes:prices_settled': { population: { supplierId: string; quote: string }[]; hits: Record<string, HitRecord[]> };
  'quotes:review_opened': Pick<Review, 'supplierId' | 'openedBy' | 'reason' | 'hits' | 'minimumMinutes' | 'minutes' | 'endsAt'> & { shortenReason?: string | null };
  'quotes:review_timer_set': { supplierId: string; minutes: number; endsAt: number; reason: string | null; by: string };
  'quotes:review_exempted': { supplierId: string; reason: string; by: string };
  'quotes:explanation_submitted': { supplierId: string; text: string };
  'quotes:explanation_time_ended': { supplierId: string; endsAt: number };
  'quotes:review_voted': { supplierId: string; verdict: 'accept' | 'invalid'; reason: string };
  'quotes:review_decided': { supplierId: string; outcome: 'accepted' | 'invalid'; accept: number; invalid: number };
};
export const quotesEvent = eventOf<QuotesEvents>();
