// Minimum supplier counts and termination (终止 / 废标): docs/rules.md §2.24 and docs/evaluate.md
// "outcome". 000 §24.2 L514-520 (2); 003 §17.4 L498, §22.1 L526-532, Ch3 §2.7 L643 (3, with the
// research and government-services exceptions); 004 §3.4.16 L725-733, §5.2.4 L1229-1231, §5.3
// L1259-1269 (3; supervisor approval; two bids may switch to competitive negotiation).
import type { Bilingual } from './types';
import type { ProjectSettings, RubricRules, SupplierException } from '../domain/rubric/types';
import { TWO_SUPPLIER_EXCEPTIONS, exceptionInForce } from './candidates';

export type OutcomeReason = 'fewer_than_minimum' | SupplierException;

export interface Outcome {
  status: 'continue' | 'terminate';
  /** Suppliers still responsive after the over-budget check. */
  responsive: number;
  /** rules.minimumSuppliers.continue, or the exception's lower minimum when one applies. */
  minimum: number | null;
  reason: OutcomeReason | null;
}

/**
 * The outcome of an evaluation (docs/evaluate.md): below rules.minimumSuppliers.continue the
 * procurement terminates (fewer_than_minimum) unless an exception is both in the rubric's list and
 * in settings.exceptions: the two "2 may continue" exceptions continue with 2 (minimum 2);
 * supervisor_approval continues with at least 1 (minimum 1; 004 §5.3①); two_bids_switch_to_negotiation
 * with exactly 2 terminates with that reason (004 §5.2.4). 0 responsive always terminates.
 * Where several exceptions are set, they are tried in that order.
 */
export function evaluationOutcome(responsive: number, rules: RubricRules, settings: ProjectSettings): Outcome {
  const minimum = rules.minimumSuppliers.continue;
  if (responsive === 0) return { status: 'terminate', responsive, minimum, reason: 'fewer_than_minimum' };
  if (minimum === null || responsive >= minimum) return { status: 'continue', responsive, minimum, reason: null };
  for (const ex of TWO_SUPPLIER_EXCEPTIONS) {
    if (responsive >= 2 && exceptionInForce(ex, rules, settings)) {
      return { status: 'continue', responsive, minimum: 2, reason: ex };
    }
  }
  if (exceptionInForce('supervisor_approval', rules, settings)) {
    return { status: 'continue', responsive, minimum: 1, reason: 'supervisor_approval' };
  }
  if (responsive === 2 && exceptionInForce('two_bids_switch_to_negotiation', rules, settings)) {
    return { status: 'terminate', responsive, minimum, reason: 'two_bids_switch_to_negotiation' };
  }
  return { status: 'terminate', responsive, minimum, reason: 'fewer_than_minimum' };
}

export type Stage = 'open' | 'afterReview' | 'finalQuote' | 'continue';

export interface MinimumOption {
  action: 'continue_under_exception' | 'terminate' | 'switch_to_negotiation';
  /** The exception the option rests on. */
  exception: SupplierException | null;
  /** Whether the project's settings already declare the exception (otherwise it needs a recorded justification). */
  declared: boolean;
  label: Bilingual;
}

export interface MinimumCheck {
  ok: boolean;
  /** The stage's minimum from the rubric (null: the document sets none; at least 1 is still needed). */
  minimum: number | null;
  /** When not ok: what the moderator may legally do (docs/rules.md §2.24 "Derived"). */
  options: MinimumOption[];
  reason: Bilingual | null;
}

/** Which exception may apply at which stage. No exception opens or decrypts with too few
 *  suppliers (003 §17.4 L498, docs/rules.md §5.15; 004 §3.4.16(1) L729), except that with exactly two
 *  bids 004 §5.2.4 allows the switch to negotiation ("提交投标文件…的供应商只有两家的"). */
const STAGES_OF: Record<SupplierException, Stage[]> = {
  research_or_tech_transfer_two_final_quotes: ['afterReview', 'finalQuote', 'continue'],
  government_services_two_suppliers: ['afterReview', 'finalQuote', 'continue'],
  supervisor_approval: ['afterReview', 'finalQuote', 'continue'],
  two_bids_switch_to_negotiation: ['open', 'afterReview', 'continue'],
};

const EXCEPTION_LABEL: Record<SupplierException, Bilingual> = {
  research_or_tech_transfer_two_final_quotes: {
    zh: '按“市场竞争不充分的科研项目及科技成果转化项目，提交最后报价的供应商可以为 2 家”继续',
    en: 'Continue: research or technology-transfer project, two final quotes allowed',
  },
  government_services_two_suppliers: {
    zh: '按“政府购买服务项目符合要求的供应商只有 2 家的可以继续”继续',
    en: 'Continue: government purchase of services with two qualified suppliers',
  },
  supervisor_approval: {
    zh: '经同级政府采购监管部门审核批准后继续',
    en: 'Continue with the approval of the procurement supervisory department',
  },
  two_bids_switch_to_negotiation: {
    zh: '报本级财政部门批准后转为竞争性谈判',
    en: 'Switch to competitive negotiation with the finance department’s approval',
  },
};

/** Stage-aware minimum check for the live room: ok, the minimum, and the moderator's legal options. */
export function minimumCheck(stage: Stage, count: number, rules: RubricRules, settings: ProjectSettings): MinimumCheck {
  const minimum = rules.minimumSuppliers[stage];
  const need = minimum ?? 1;
  if (count >= need && count > 0) return { ok: true, minimum, options: [], reason: null };
  const options: MinimumOption[] = [];
  if (count > 0) {
    for (const ex of rules.minimumSuppliers.exceptions) {
      if (!STAGES_OF[ex].includes(stage)) continue;
      const fits =
        ex === 'supervisor_approval' ? count >= 1 : count === 2;
      if (!fits) continue;
      options.push({
        action: ex === 'two_bids_switch_to_negotiation' ? 'switch_to_negotiation' : 'continue_under_exception',
        exception: ex,
        declared: (settings.exceptions ?? []).includes(ex),
        label: EXCEPTION_LABEL[ex],
      });
    }
  }
  options.push({
    action: 'terminate',
    exception: null,
    declared: true,
    label: { zh: '终止采购活动（废标），说明理由后重新组织采购', en: 'Terminate (failed procurement), state the reason and procure again' },
  });
  const stageZh: Record<Stage, string> = { open: '开标/解密', afterReview: '资格及符合性审查后', finalQuote: '提交最后报价', continue: '评审过程中' };
  return {
    ok: false,
    minimum,
    options,
    reason: {
      zh: `${stageZh[stage]}的有效供应商为 ${count} 家，少于 ${need} 家`,
      en: `${count} supplier(s) at stage ${stage}, fewer than the minimum of ${need}`,
    },
  };
}
