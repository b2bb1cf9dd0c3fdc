// The four presets of docs/anomaly.md "Presets" (per-project configuration, stored in the rule snapshot
// that is hashed into the audit log). Ratios are decimal strings; the rules compare them exactly.
import type { AnomalyPreset } from '../types';

export interface R3Setting {
  /** |d| ≥ ratio × max_f. */
  ratio: string;
  /** Grade distance required for levels and bands. */
  grades: number;
  /** 严格: "≥ 1 grade when the factor has ≤ 3 grades" (docs/anomaly.md "Presets"). */
  gradesWhenFewLevels?: number;
}

export interface PresetSetting {
  r3: R3Setting | null;
  r4: string | null;
  r5: string | null;
  total30: string | null;
  zh: string;
  en: string;
}

export const PRESETS: Record<AnomalyPreset, PresetSetting> = {
  // docs/anomaly.md "Presets": 标准 (default) — 30 % & ≥ 2 grades | 20 % | 0.20
  standard: { r3: { ratio: '0.30', grades: 2 }, r4: '0.20', r5: '0.20', total30: null, zh: '标准', en: 'Standard' },
  // 严格 — 20 % & ≥ 2 grades (≥ 1 grade when the factor has ≤ 3 grades) | 15 % | 0.15
  strict: {
    r3: { ratio: '0.20', grades: 2, gradesWhenFewLevels: 1 },
    r4: '0.15',
    r5: '0.15',
    total30: null,
    zh: '严格',
    en: 'Strict',
  },
  // 宽松 — 40 % & ≥ 2 grades | 30 % | 0.30
  lenient: { r3: { ratio: '0.40', grades: 2 }, r4: '0.30', r5: '0.30', total30: null, zh: '宽松', en: 'Lenient' },
  // 地方·总分±30 % — R3/R4/R5 off; a member's total ≥ 30 % from the mean of all members' totals
  total30: { r3: null, r4: null, r5: null, total30: '0.30', zh: '地方·总分±30%', en: 'Regional: total ±30%' },
};

/** "When the factor has ≤ 3 grades" (docs/anomaly.md "Precise readings", R3, preset 严格). */
export const FEW_GRADES = 3;
/** R5: ≥ ⅔ of the subjective factors deviate in the same direction; ≥ 3 suppliers, ≥ 3 factors. */
export const R5_MIN_SUPPLIERS = 3;
export const R5_MIN_FACTORS = 3;
/** R6: |L| ≥ 0.15 (all presets). */
export const R6_THRESHOLD = '0.15';
/** R7 (a): range across members ≥ 50 % of max_f; (b) needs ≥ 3 suppliers. */
export const R7_RANGE = '0.50';
export const R7_MIN_SUPPLIERS = 3;
/** Severity ordering: a REVIEW flag is high when the what-if moves the final score by ≥ 1.00. */
export const HIGH_DELTA = '1.00';
