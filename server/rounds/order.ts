import type { SessionState } from '../session/types';
import { consultationOrder as signinConsultationOrder } from '../signin/order';

// The consultation order (docs/rules.md §2.7: default to the sign-in order, 000 §19.1 L287). The sign-in
// concern owns it (arrival order, changed only with a recorded reason); it lists the suppliers still in
// the evaluation. A supplier that never signed in is not consulted.
export function consultationOrder(s: SessionState): string[] {
  return signinConsultationOrder(s);
}
