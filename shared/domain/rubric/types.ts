// The rubric (评分标准) as the ../shared/rubrics schema writes it (schema_version "1.0").
// JSON numbers in a rubric (max_points, allowed_values, band limits) are short decimals written by
// people ("0.5", "25"); String(n) of the parsed number gives back exactly what was written, so the
// engine turns them into Decimal with `dec(n)` at the boundary and never computes with the number.

export type GroupId = 'price' | 'commercial' | 'technical';

export type FactorKind =
  | 'price_formula'
  | 'discrete_levels'
  | 'range_bands'
  | 'count_based'
  | 'yes_no'
  | 'deduction'
  | 'composite'
  | 'range';

export type ConsistencyCheck = 'strict' | 'advisory' | 'none' | 'computed';

export type Num = number | string;

export interface Level {
  points: Num;
  criterion_zh: string;
  or_below?: boolean;
}

export interface Band {
  min: Num;
  max: Num;
  criterion_zh: string;
}

export interface CountTier {
  min_count: number;
  max_count: number | null;
  points: Num;
}

export interface CountRule {
  mode: 'per_unit' | 'tiers' | 'checklist';
  unit_zh?: string | null;
  window_zh?: string | null;
  gate_zh?: string | null;
  points_per_unit?: Num;
  cap?: Num | null;
  tiers?: CountTier[];
  items?: { item_zh: string; points: Num }[];
  item_condition_zh?: string | null;
}

export interface YesNo {
  yes_points: Num;
  no_points: Num;
  condition_zh?: string | null;
}

export interface DeductionRule {
  start_points: Num;
  per_item_deduction: Num;
  floor: Num;
  items_zh?: string[] | null;
}

export interface Factor {
  id: string;
  seq_zh?: string | null;
  sub_heading_zh?: string | null;
  group: GroupId;
  group_zh?: string | null;
  name_zh: string;
  name_en?: string | null;
  max_points: Num;
  min_points: Num;
  kind: FactorKind;
  objective: boolean;
  nature?: 'objective' | 'subjective' | 'mixed' | null;
  consistency_check: ConsistencyCheck;
  objective_note?: string | null;
  rule_zh: string;
  levels?: Level[] | null;
  bands?: Band[] | null;
  count_rule?: CountRule | null;
  yes_no?: YesNo | null;
  deduction?: DeductionRule | null;
  formula?: Record<string, unknown> | null;
  allowed_values?: Num[] | null;
  allowed_range: [Num, Num];
  /** For kind `range` (and optionally bands): the step of allowed values, a decimal string such as "0.5". Default "1". */
  step?: string | null;
  evidence_zh?: string | null;
  sub_factors?: Factor[] | null;
  notes?: string[];
  assumptions?: string[];
  source?: unknown;
}

export interface Group {
  id: GroupId;
  name_zh: string;
  points: Num;
}

export type DeductionsRules = {
  smallMicro: string | null;
  prisonAsSmallMicro: boolean;
  disabledWelfareAsSmallMicro: boolean;
  smeFamilyStacking: boolean;
  consortiumOrSubcontract: { rate: string; minSmallMicroShare: string; requires: string | null } | null;
  domesticProduct: { rate: string; minShare: string; goodsOnly: boolean } | null;
  crossPolicyBase: 'original_quote';
  notWhenReservedForSme: boolean;
};

export type AbnormalLowTrigger = { id: string; of: 'mean' | 'second_lowest' | 'max_price'; ratio: string };

export type QuoteCorrectionStep =
  | 'summary_sheet_over_body'
  | 'words_over_figures'
  | 'decimal_misplacement'
  | 'unit_price_over_line_total'
  | 'sum_of_lines_over_total';

export type RankingKey =
  | 'final_score_desc'
  | 'evaluated_price_asc'
  | 'final_quote_asc'
  | 'technical_score_desc'
  | 'panel_vote';

export type SupplierException =
  | 'research_or_tech_transfer_two_final_quotes'
  | 'government_services_two_suppliers'
  | 'supervisor_approval'
  | 'two_bids_switch_to_negotiation';

/** The machine-readable `rules` block (docs/rubrics.md, "The rules block"). */
export interface RubricRules {
  budget: string | null;
  maxPrice: string | null;
  overBudget: 'invalid';
  rounding: { places: number; mode: 'half_up' };
  aggregation: 'mean_of_member_totals';
  price: { factor: string; weight: string; base: 'lowest_evaluated_price'; denominator: 'evaluated_price' };
  deductions: DeductionsRules;
  abnormalLow: {
    compare: 'corrected_final_quote';
    population: 'responsive';
    triggers: AbnormalLowTrigger[];
    explanationMinutes: number | null;
  };
  quoteCorrection: QuoteCorrectionStep[];
  ranking: RankingKey[];
  candidates: { count: number; whenTwoFinalQuotesAllowed: number | null };
  minimumSuppliers: {
    open: number | null;
    afterReview: number | null;
    finalQuote: number | null;
    continue: number | null;
    exceptions: SupplierException[];
  };
  panel: { minMembers: number; odd: boolean; minExpertFraction: string } | null;
  assumed?: string[];
}

export interface RubricProject {
  name_zh: string;
  project_number?: string | null;
  tender_number?: string | null;
  package?: string | null;
  procurement_method: 'competitive_consultation' | 'public_tender';
  procurement_method_zh?: string | null;
  purchaser_zh?: string | null;
  agency_zh?: string | null;
  reserved_for_sme?: boolean | null;
  consortium_accepted?: boolean | null;
  government_purchase_of_services?: boolean | null;
  submission_deadline?: string | null;
  opening_time?: string | null;
  [k: string]: unknown;
}

export interface Rubric {
  schema_version: string;
  seed_file?: string | null;
  project: RubricProject;
  total_points: Num;
  rules: RubricRules;
  groups: Group[];
  factors: Factor[];
  /** The procurement document's own clause numbers (issue 13 item 2; citations.ts). */
  citations?: import('./citations').RubricCitations;
  // The prose transcription fields (price, policy_deductions, …) are kept as they are.
  [k: string]: unknown;
}

export type MemberRole = 'expert' | 'purchaser_rep';

export type EnterpriseSize = 'micro' | 'small' | 'medium' | 'large';

/** A supplier's policy declarations (政策声明), as the evaluation file writes them. */
export interface PolicyDeclaration {
  enterprise?: EnterpriseSize | null;
  smeDeclaration?: boolean;
  prisonEnterprise?: boolean;
  disabledWelfareUnit?: boolean;
  smallMicroShare?: string | null;
  domesticShare?: string | null;
}

/** Per-project switches the documents leave open (docs/rubrics.md, "Project settings"). */
export interface ProjectSettings {
  maxPrice?: string | null;
  budget?: string | null;
  reservedForSme?: boolean;
  consortiumOrSubcontractingAllowed?: boolean;
  goods?: boolean;
  exceptions?: SupplierException[];
  anomalyPreset?: 'standard' | 'strict' | 'lenient' | 'total30';
}
