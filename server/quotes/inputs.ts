import type { PolicyDeclaration, QuoteSheet } from '../../shared/rules/types';
import type { SessionState } from '../session/types';
import { supplierIds } from '../suppliers/status';
import { amountString } from '../../shared/rules/money/amount';
import { bindingQuote, quotesOf } from './state';

// What the scoring and report concerns need from the quotes concern, in the shape of the evaluation
// file (docs/evaluate.md "suppliers").
export interface QuoteInput {
  supplierId: string;
  /** The final quote as confirmed, after correction (decimal string), or null. */
  finalQuote: string | null;
  /** The raw sheet as submitted (for the evaluation file), or null. */
  quoteSheet: QuoteSheet | null;
  policy: PolicyDeclaration;
}

/** Every supplier of the session, in order. `finalQuote` is set only once the corrected quote binds
 *  (confirmed, or no correction needed: 003 Ch3 §3.2.6 L667); `quoteSheet` is the sheet that counted
 *  (the last one submitted), which `npm run evaluate` corrects again with the same rules. */
export function quoteInputs(s: SessionState): QuoteInput[] {
  const q = quotesOf(s);
  return supplierIds(s).map((id) => {
    const sub = q.submissions[id];
    const quote = q.closedAt !== null ? bindingQuote(q.results[id]) : null;
    return {
      supplierId: id,
      finalQuote: quote ? amountString(quote) : null,
      quoteSheet: q.closedAt !== null && sub ? structuredClone(sub.sealed.sheet) : null,
      // Sealed like the amount until the window closes.
      policy: q.closedAt !== null && sub ? { ...sub.sealed.policy } : {},
    };
  });
}
