import { randomBytes } from 'node:crypto';
import { DomainError, type SessionState } from '../session/types';
import { canonicalJson, sha256 } from '../store/canonical';
import { exactString, parseAmount, parseDecimal, plainString } from '../../shared/rules/money/amount';
import { parseAmountWords } from '../../shared/rules/money/words';
import { correctQuote, QuoteSheetError } from '../../shared/rules/quote-correction';
import { applyDeductions, PolicyDeclarationError } from '../../shared/rules/deductions';
import { D } from '../../shared/rules/decimal';
import type { PolicyDeclaration } from '../../shared/rules/types';
import type { SealedQuote } from './state';

// Reading a quote sheet as the supplier sent it, with the engine's own parsers (the server is the
// authority; the laptop runs the same code for comfort), and sealing it.

export interface SheetInput {
  amount: string;
  amountInWords: string;
  lines: { item: string; unitPrice: string; quantity: string; total: string }[];
}

function money(field: string, v: string) {
  const p = parseAmount(v);
  if (!p.ok) throw new DomainError('validation', { zh: `${field}：${p.reason.zh}`, en: `${field}: ${p.reason.en}` }, field);
  return p.value;
}

function decimal(field: string, v: string) {
  const p = parseDecimal(v);
  if (!p.ok) throw new DomainError('validation', { zh: `${field}：${p.reason.zh}`, en: `${field}: ${p.reason.en}` }, field);
  return p.value;
}

/** The sheet in canonical form (amounts as exact decimal strings without separators), or a refusal
 *  naming the field. Also tells whether the words and the figures differ. */
export function readSheet(input: SheetInput): { sheet: SealedQuote['sheet']; wordsDiffer: boolean } {
  const amount = money('sheet.amount', input.amount);
  // A final quote is a single firm figure above zero (003 §10.4 L424; docs/evaluate.md).
  if (!amount.gt(0)) throw new DomainError('validation', { zh: '报价金额必须大于 0', en: 'the quote must be above 0' }, 'sheet.amount');
  const words = input.amountInWords.trim();
  const w = parseAmountWords(words);
  // Unreadable words are refused now rather than guessed at when the window closes: the words
  // govern the figures (003 Ch3 §3.2.2 L661), so they must name an amount.
  if (!w.ok) throw new DomainError('validation', { zh: `大写金额：${w.reason.zh}`, en: `amount in words: ${w.reason.en}` }, 'sheet.amountInWords');
  const lines = input.lines.map((l, i) => {
    const unit = decimal(`sheet.lines[${i}].unitPrice`, l.unitPrice);
    const qty = decimal(`sheet.lines[${i}].quantity`, l.quantity);
    if (!qty.gt(0)) throw new DomainError('validation', { zh: `第${i + 1}项数量必须大于 0`, en: `line ${i + 1}: the quantity must be above 0` }, `sheet.lines[${i}].quantity`);
    const total = money(`sheet.lines[${i}].total`, l.total);
    return { item: l.item.trim(), unitPrice: exactString(unit), quantity: plainString(qty), total: exactString(total) };
  });
  return { sheet: { amount: exactString(amount), amountInWords: words, lines }, wordsDiffer: !w.value.eq(amount) };
}

/** Refuses a sheet or declaration the engine could not evaluate at closing (e.g. a correction that
 *  would leave the range of amounts), so that closing never fails on a supplier's input. */
export function dryRun(s: SessionState, sheet: SealedQuote['sheet'], policy: Required<PolicyDeclaration>): void {
  try {
    const c = correctQuote(sheet, s.rubric.rules.quoteCorrection);
    applyDeductions(c.corrected.gt(0) ? c.corrected : new D(1), policy, s.rubric.rules.deductions, s.settings);
  } catch (e) {
    if (e instanceof QuoteSheetError) throw new DomainError('validation', e.reason, `sheet.${e.field}`);
    if (e instanceof PolicyDeclarationError) throw new DomainError('validation', e.reason, `policy.${e.field}`);
    throw e;
  }
}

export function seal(
  s: SessionState,
  supplierId: string,
  version: number,
  now: number,
  sheet: SealedQuote['sheet'],
  policy: Required<PolicyDeclaration>,
): { sealed: SealedQuote; receipt: string } {
  const sealed: SealedQuote = { sessionId: s.id, supplierId, version, submittedAt: now, nonce: randomBytes(16).toString('hex'), sheet, policy };
  return { sealed, receipt: receiptOf(sealed) };
}

/** The receipt: sha256 of the canonical JSON of exactly what was sealed. */
export const receiptOf = (sealed: SealedQuote): string => sha256(canonicalJson(sealed));
