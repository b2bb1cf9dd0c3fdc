// Editing a rubric in the set-up table: pure helpers on a draft copy, so that the editor and the
// tests share them. The draft is validated on every change with the same shared/domain/rubric/validate
// the server runs when the rubric is saved (the server re-validates; this is for comfort).
import { validateRubric, type RubricError } from '../../../../shared/domain/rubric/validate';
import type { Factor, FactorKind, GroupId, Num, Rubric } from '../../../../shared/domain/rubric/types';

export const KINDS: { id: FactorKind; zh: string; en: string }[] = [
  { id: 'discrete_levels', zh: '等级（固定分值）', en: 'Levels' },
  { id: 'range_bands', zh: '分档（区间内打分）', en: 'Bands' },
  { id: 'range', zh: '区间与步长', en: 'Range and step' },
  { id: 'count_based', zh: '按数量计分', en: 'Count rule' },
  { id: 'yes_no', zh: '是/否', en: 'Yes / no' },
  { id: 'deduction', zh: '扣分制', en: 'Deduction' },
  { id: 'composite', zh: '组合（含子项）', en: 'Composite' },
  { id: 'price_formula', zh: '价格公式', en: 'Price formula' },
];

export const GROUPS: { id: GroupId; zh: string; en: string }[] = [
  { id: 'price', zh: '价格', en: 'Price' },
  { id: 'commercial', zh: '商务', en: 'Commercial' },
  { id: 'technical', zh: '技术', en: 'Technical' },
];

/** The rubric as a file: what is exported imports unchanged (issue 4). */
export function exportRubric(r: Rubric): string {
  return JSON.stringify(r, null, 2) + '\n';
}

export type ImportResult = { ok: true; rubric: Rubric } | { ok: false; errors: RubricError[] };

export function importRubric(text: string): ImportResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    return { ok: false, errors: [{ path: '', factorId: null, message: { zh: `文件不是有效的 JSON：${why}`, en: `The file is not valid JSON: ${why}` } }] };
  }
  return validateRubric(json);
}

export const validate = (r: unknown) => validateRubric(r);

/** Errors that belong to `path` itself (or, with `deep`, to anything inside it). */
export function errorsAt(errors: RubricError[], path: string, deep = false): RubricError[] {
  return errors.filter((e) => e.path === path || (deep && (e.path.startsWith(path + '.') || e.path.startsWith(path + '['))));
}

export interface FactorRow {
  factor: Factor;
  path: string;
  depth: number;
  parent: Factor | null;
}

/** Factors and sub-factors in table order, each with its JSON path (`factors[2].sub_factors[0]`). */
export function factorRows(r: Rubric): FactorRow[] {
  const out: FactorRow[] = [];
  const walk = (fs: Factor[], base: string, depth: number, parent: Factor | null) =>
    fs.forEach((f, i) => {
      const path = `${base}[${i}]`;
      out.push({ factor: f, path, depth, parent });
      if (f.sub_factors) walk(f.sub_factors, `${path}.sub_factors`, depth + 1, f);
    });
  walk(r.factors, 'factors', 0, null);
  return out;
}

/** Reads `a.b[2].c` from an object. */
export function getAt(obj: unknown, path: string): unknown {
  let node: any = obj;
  for (const key of splitPath(path)) {
    if (node === null || node === undefined) return undefined;
    node = node[key];
  }
  return node;
}

/** Writes `a.b[2].c` in place (the draft is the editor's own copy). */
export function setAt(obj: unknown, path: string, value: unknown): void {
  const keys = splitPath(path);
  let node: any = obj;
  for (const k of keys.slice(0, -1)) node = node[k];
  node[keys[keys.length - 1]] = value;
}

function splitPath(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const m of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) out.push(m[2] !== undefined ? Number(m[2]) : m[1]);
  return out;
}

/**
 * A number typed by a person, kept exactly: a plain decimal keeps the JSON type the field had (a
 * number stays a number when String(n) gives back what was typed, "0.5" → 0.5), anything else is kept
 * as typed so that validation names the field. Never parseFloat-rounded.
 */
export function numberFromInput(typed: string, previous: unknown): Num {
  const s = typed.trim();
  if (/^-?\d+(\.\d+)?$/.test(s) && typeof previous !== 'string' && String(Number(s)) === s) return Number(s);
  return s;
}

/** A list of numbers typed as "10, 8, 6": each kept exactly as numberFromInput does. */
export function numbersFromInput(typed: string, previous: unknown): Num[] {
  const wasString = Array.isArray(previous) && previous.some((x) => typeof x === 'string');
  return typed
    .split(/[,，、\s]+/)
    .filter(Boolean)
    .map((x) => numberFromInput(x, wasString ? '' : 0));
}

/** Sets a factor's maximum; its allowed range follows (it must be [0, max], docs/rubrics.md "Factor fields"). */
export function setMaxPoints(f: Factor, typed: string): void {
  f.max_points = numberFromInput(typed, f.max_points);
  f.allowed_range = [f.allowed_range?.[0] ?? 0, f.max_points];
}

/** Objective factors are checked strictly for consistency (anomaly rule R1); subjective ones are not. */
export function setObjective(f: Factor, objective: boolean): void {
  f.objective = objective;
  f.nature = objective ? 'objective' : 'subjective';
  f.consistency_check = objective ? 'strict' : 'none';
}

const PARAMS = ['levels', 'bands', 'count_rule', 'yes_no', 'deduction', 'formula', 'allowed_values', 'step', 'sub_factors'] as const;

/** Switches a factor's kind, with parameters that validate for its current maximum. */
export function changeKind(f: Factor, kind: FactorKind): void {
  const max = f.max_points;
  const keepSubs = f.sub_factors;
  // Keys for another kind are null (docs/rubrics.md "Factor fields"); `step` is optional.
  for (const k of PARAMS) if (k !== 'step' || k in f) (f as any)[k] = null;
  f.kind = kind;
  switch (kind) {
    case 'discrete_levels':
      f.allowed_values = [max, 0];
      f.levels = [
        { points: max, criterion_zh: '' },
        { points: 0, criterion_zh: '' },
      ];
      break;
    case 'range_bands':
      f.bands = [{ min: 0, max, criterion_zh: '' }];
      break;
    case 'range':
      f.step = '1';
      break;
    case 'count_based':
      f.count_rule = { mode: 'per_unit', unit_zh: null, window_zh: null, gate_zh: null, points_per_unit: max, cap: max, tiers: null, items: null, item_condition_zh: null } as unknown as Factor['count_rule'];
      break;
    case 'yes_no':
      f.allowed_values = [max, 0];
      f.yes_no = { yes_points: max, no_points: 0, condition_zh: null };
      break;
    case 'deduction':
      f.deduction = { start_points: max, per_item_deduction: 1, floor: 0, items_zh: null };
      break;
    case 'composite':
      f.sub_factors = keepSubs && keepSubs.length ? keepSubs : [newFactor(f.group, `${f.id}.1`, max)];
      break;
    case 'price_formula':
      break;
  }
}

/** A fresh leaf factor scored by levels (full marks or nothing), to be edited in the table. */
export function newFactor(group: GroupId, id: string, max: Num = 1): Factor {
  return {
    id,
    seq_zh: id,
    sub_heading_zh: null,
    group,
    group_zh: GROUPS.find((g) => g.id === group)?.zh + '部分',
    name_zh: '新评分因素',
    name_en: null,
    max_points: max,
    min_points: 0,
    kind: 'discrete_levels',
    objective: false,
    nature: 'subjective',
    consistency_check: 'none',
    objective_note: null,
    rule_zh: '',
    levels: [
      { points: max, criterion_zh: '' },
      { points: 0, criterion_zh: '' },
    ],
    bands: null,
    count_rule: null,
    yes_no: null,
    deduction: null,
    formula: null,
    allowed_values: [max, 0],
    allowed_range: [0, max],
    evidence_zh: null,
    sub_factors: null,
    notes: [],
    assumptions: [],
    source: null,
  };
}

/** An id not used anywhere in the rubric, after `base` ("15", "15.1"…). */
export function freeId(r: Rubric, base: string): string {
  const used = new Set(factorRows(r).map((x) => x.factor.id));
  if (!used.has(base)) return base;
  for (let i = 1; ; i++) if (!used.has(`${base}-${i}`)) return `${base}-${i}`;
}

/** The next top-level id after the largest numeric one ("14" → "15"). */
export function nextTopId(r: Rubric): string {
  const nums = r.factors.map((f) => Number(f.id)).filter((n) => Number.isInteger(n));
  return freeId(r, String((nums.length ? Math.max(...nums) : 0) + 1));
}

/** Removes the factor at `path` (top level or a sub-factor). */
export function removeAt(r: Rubric, path: string): void {
  const m = /^(.*)\[(\d+)\]$/.exec(path);
  if (!m) return;
  const list = getAt(r, m[1]) as Factor[];
  list.splice(Number(m[2]), 1);
}

/** A column of a row list in the editor (levels, bands, tiers, items, triggers). */
export interface Column {
  key: string;
  label: string;
  kind: 'num' | 'text' | 'int' | 'intOrNull';
  size?: 's' | 'm' | 'l';
}
