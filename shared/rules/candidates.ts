// Recommended candidates (成交/中标候选人): docs/rules.md §2.19 and docs/evaluate.md "Ranking".
// 000 §20.3 L328: 前1-3家; 003 Ch3 §7.2 L755: 前 3 名, or 2 where only two final quotes were allowed;
// 004: not stated (rubric default 3).
import type { ProjectSettings, RubricRules, SupplierException } from '../domain/rubric/types';

/** The exceptions under which two suppliers may go on (003 Ch3 §2.7 L643; 003 §22.1.3 L532). */
export const TWO_SUPPLIER_EXCEPTIONS: SupplierException[] = [
  'research_or_tech_transfer_two_final_quotes',
  'government_services_two_suppliers',
];

/** An exception counts when the rubric lists it and the project's settings set it. */
export function exceptionInForce(ex: SupplierException, rules: RubricRules, settings: ProjectSettings): boolean {
  return rules.minimumSuppliers.exceptions.includes(ex) && (settings.exceptions ?? []).includes(ex);
}

/**
 * How many top-ranked suppliers are recommended: rules.candidates.count, or
 * whenTwoFinalQuotesAllowed when exactly two suppliers are responsive and a two-supplier exception
 * of the rubric is set for the project (003 Ch3 §7.2 L755).
 */
export function candidateCount(rules: RubricRules, responsive: number, settings: ProjectSettings): number {
  const two = rules.candidates.whenTwoFinalQuotesAllowed;
  if (two !== null && responsive === 2 && TWO_SUPPLIER_EXCEPTIONS.some((ex) => exceptionInForce(ex, rules, settings))) {
    return two;
  }
  return rules.candidates.count;
}

/** Ids of the candidates: rank ≤ count; nobody when the procurement terminates. */
export function pickCandidates(ranked: { id: string; rank: number | null }[], count: number, terminated: boolean): string[] {
  if (terminated) return [];
  return ranked.filter((r) => r.rank !== null && r.rank <= count).map((r) => r.id);
}
