// Walking a rubric's factor tree (docs/rubrics.md, "Factor fields"): composites are
// the sum of their sub-factors, so members score leaves only; the price factor is computed.
import type { Factor, Rubric } from './types';
import { extend } from '../../extend';

export type { Factor, Rubric } from './types';
export { validateRubric } from './validate';
export type { RubricError, RubricValidation } from './validate';

/** A leaf factor with a flag for the price factor (rules.price.factor), which nobody scores. */
export type LeafFactor = Factor & { isPrice: boolean };

function* walk(factors: Factor[]): Generator<Factor> {
  for (const f of factors) {
    yield f;
    if (f.kind === 'composite' && f.sub_factors) yield* walk(f.sub_factors);
  }
}

/** Every factor, parents before their sub-factors, in rubric order. */
export function allFactors(rubric: Rubric): Factor[] {
  return [...walk(rubric.factors)];
}

/** Non-composite factors in rubric order, the price factor included and flagged `isPrice`. */
export function leafFactors(rubric: Rubric): LeafFactor[] {
  const priceId = rubric.rules.price.factor;
  return allFactors(rubric)
    .filter((f) => f.kind !== 'composite')
    .map((f) => extend(f, { isPrice: f.id === priceId }));
}

/** The leaves members score: every leaf except the price factor. */
export function scoredLeaves(rubric: Rubric): Factor[] {
  const priceId = rubric.rules.price.factor;
  return allFactors(rubric).filter((f) => f.kind !== 'composite' && f.id !== priceId && f.kind !== 'price_formula');
}

/** Leaves scored by judgement (consistency_check none): the scope of anomaly rules R3–R5. */
export function subjectiveLeaves(rubric: Rubric): Factor[] {
  return scoredLeaves(rubric).filter((f) => f.consistency_check === 'none');
}

export function findFactor(rubric: Rubric, id: string): Factor | undefined {
  return allFactors(rubric).find((f) => f.id === id);
}

/** The price factor named by rules.price.factor. */
export function priceFactor(rubric: Rubric): Factor | undefined {
  return findFactor(rubric, rubric.rules.price.factor);
}
