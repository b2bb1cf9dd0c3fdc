import { describe, it, expect } from 'vitest';
import { loadTemplate, TEMPLATE_NAMES } from '../../shared/domain/rubric/templates';
import { validateRubric } from '../../shared/domain/rubric/validate';
import type { FactorKind, Rubric } from '../../shared/domain/rubric/types';
import { canonicalJson, sha256 } from '../../server/store/canonical';
import {
  changeKind,
  errorsAt,
  exportRubric,
  factorRows,
  importRubric,
  newFactor,
  nextTopId,
  numberFromInput,
  removeAt,
  setAt,
  setMaxPoints,
  getAt,
} from '../../client/src/concerns/setup/rubric-edit';

// Unit tests of the rubric editor's helpers (issue 4: "Unit tests for the rubric validation and the
// JSON round trip of all three templates"). Pure functions; no server.
const copy = (name: string): Rubric => structuredClone(loadTemplate(name));
const errs = (r: Rubric) => {
  const v = validateRubric(r);
  return v.ok ? [] : v.errors;
};

describe('rubric JSON round trip', () => {
  for (const name of TEMPLATE_NAMES) {
    it(`${name}: what is exported imports unchanged, byte for byte and hash for hash`, () => {
      const r = copy(name);
      const text = exportRubric(r);
      const back = importRubric(text);
      expect(back.ok).toBe(true);
      if (!back.ok) return;
      expect(back.rubric).toEqual(r);
      expect(exportRubric(back.rubric)).toBe(text);
      expect(sha256(canonicalJson(back.rubric))).toBe(sha256(canonicalJson(loadTemplate(name))));
    });
  }

  it('refuses a file that is not JSON, in Chinese and English', () => {
    const res = importRubric('{ "factors": [');
    expect(res.ok).toBe(false);
    if (res.ok) return;
    expect(res.errors[0].message.zh).toMatch(/不是有效的 JSON/);
    expect(res.errors[0].message.en).toMatch(/not valid JSON/);
  });

  it('refuses JSON that is not a rubric, naming the missing field', () => {
    const res = importRubric(JSON.stringify({ schema_version: '1.0' }));
    expect(res.ok).toBe(false);
    if (!res.ok) expect(res.errors.map((e) => e.path)).toContain('factors');
  });
});

describe('editing a rubric in the table', () => {
  it('a maximum that breaks the sums is reported at the group and the total, and fixed by moving the point', () => {
    const r = copy('seed003');
    const rows = factorRows(r);
    const f6 = rows.find((x) => x.factor.id === '6')!;
    const f7 = rows.find((x) => x.factor.id === '7')!;
    setMaxPoints(f6.factor, '11');
    const e = errs(r);
    expect(errorsAt(e, 'factors').map((x) => x.message.zh).join()).toMatch(/81|101/);
    const technical = r.groups.findIndex((g) => g.id === 'technical');
    expect(errorsAt(e, `groups[${technical}].points`)).toHaveLength(1);
    // Levels of factor 6 still top at 10: the factor's own allowed values no longer reach its maximum.
    expect(errorsAt(e, `${f6.path}`, true).length).toBeGreaterThan(0);
    expect(f6.factor.allowed_range).toEqual([0, 11]);

    // Move the point back from 7 and give 6 a level worth 11: valid again.
    setMaxPoints(f7.factor, '11');
    changeKind(f7.factor, 'range');
    changeKind(f6.factor, 'range');
    expect(errs(r)).toEqual([]);
  });

  it('a duplicate id is reported at the second factor', () => {
    const r = copy('seed000');
    const rows = factorRows(r);
    const second = rows[3];
    second.factor.id = rows[1].factor.id;
    const e = errs(r);
    expect(errorsAt(e, `${second.path}.id`)).toHaveLength(1);
    expect(errorsAt(e, `${second.path}.id`)[0].message.zh).toMatch(/重复/);
  });

  it('sub-factors must add up to their parent', () => {
    const r = copy('seed000');
    const row = factorRows(r).find((x) => x.factor.kind === 'composite')!;
    const sub = row.factor.sub_factors![0];
    setMaxPoints(sub, String(Number(sub.max_points) + 1));
    const e = errs(r);
    expect(errorsAt(e, `${row.path}.sub_factors`).map((x) => x.message.en).join()).toMatch(/sub-factors add up to/);
  });

  it('every kind switched onto any scored leaf of the three templates starts valid', () => {
    const kinds: FactorKind[] = ['discrete_levels', 'range_bands', 'range', 'count_based', 'yes_no', 'deduction', 'composite'];
    for (const name of TEMPLATE_NAMES) {
      const base = copy(name);
      for (const row of factorRows(base)) {
        if (row.factor.kind === 'price_formula' || row.factor.kind === 'composite') continue;
        for (const k of kinds) {
          const r = structuredClone(base);
          changeKind(getAt(r, row.path) as any, k);
          expect(errs(r), `${name} ${row.factor.id} → ${k}`).toEqual([]);
        }
      }
    }
  });

  it('a new factor with its points taken from another keeps the rubric valid; removing it restores the sum', () => {
    const r = copy('seed004');
    const donor = factorRows(r).find((x) => x.factor.kind === 'range_bands' || x.factor.kind === 'discrete_levels')!;
    const id = nextTopId(r);
    expect(factorRows(r).some((x) => x.factor.id === id)).toBe(false);
    r.factors.push(newFactor(donor.factor.group, id, 1));
    expect(errs(r).length).toBeGreaterThan(0);
    removeAt(r, `factors[${r.factors.length - 1}]`);
    expect(errs(r)).toEqual([]);
  });

  it('keeps typed numbers exactly: no float rounding, the JSON type preserved', () => {
    expect(numberFromInput('0.5', 1)).toBe(0.5);
    expect(numberFromInput('12', 10)).toBe(12);
    expect(numberFromInput('12', '10')).toBe('12');
    expect(numberFromInput('0.10', 1)).toBe('0.10');
    expect(numberFromInput('abc', 1)).toBe('abc');
    const r = copy('seed003');
    setAt(r, 'factors[3].max_points', numberFromInput('x', 2));
    expect(errorsAt(errs(r), 'factors[3].max_points')).toHaveLength(1);
  });
});
