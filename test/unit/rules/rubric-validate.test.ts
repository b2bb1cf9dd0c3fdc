// validateRubric (shared/domain/rubric/validate.ts): the shipped templates are valid; broken
// arithmetic and repeated ids are refused, naming the factor (docs/rubrics.md).
import { describe, expect, it } from 'vitest';
import { validateRubric } from '../../../shared/domain/rubric/validate';
import { loadTemplate, TEMPLATE_NAMES } from '../../../shared/domain/rubric/templates';
import { findFactor, leafFactors, scoredLeaves, subjectiveLeaves } from '../../../shared/domain/rubric/index';
import seed000 from '../../../shared/domain/rubric/templates/seed000.json';
import seed003 from '../../../shared/domain/rubric/templates/seed003.json';
import seed004 from '../../../shared/domain/rubric/templates/seed004.json';

const copy = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

describe('validateRubric', () => {
  it.each(TEMPLATE_NAMES)('accepts the shipped template %s', (name) => {
    const raw = { seed000, seed003, seed004 }[name];
    const r = validateRubric(copy(raw));
    if (!r.ok) throw new Error(JSON.stringify(r.errors, null, 1));
    expect(r.ok).toBe(true);
    expect(loadTemplate(name).rules.price.factor).toBe(raw.rules.price.factor);
  });

  it('keeps unknown extra fields', () => {
    const raw: Any = copy(seed003);
    raw.x_extra = { a: 1 };
    raw.factors[1].x_note = 'kept';
    const r = validateRubric(raw);
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect((r.rubric as Any).x_extra).toEqual({ a: 1 });
      expect((r.rubric.factors[1] as Any).x_note).toBe('kept');
    }
  });

  it('refuses a composite whose sub-factors do not add up, naming the factor', () => {
    const raw: Any = copy(seed000);
    const f22 = raw.factors.find((f: Any) => f.id === '2.2');
    f22.sub_factors[0].max_points = 1; // 2.2.1: 2 → 1, sum 34
    f22.sub_factors[0].allowed_values = [1, 0];
    f22.sub_factors[0].allowed_range = [0, 1];
    f22.sub_factors[0].levels = [{ points: 1, criterion_zh: 'x' }];
    const r = validateRubric(raw);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const e = r.errors.find((x) => x.factorId === '2.2');
    expect(e).toBeDefined();
    expect(e!.message.zh).toBe('因素「2.2 平台运营方案」的子项分值之和 34 不等于其满分 35');
    expect(e!.message.en).toContain('add up to 34, not its maximum 35');
    // the total no longer adds up either (the parent is still 35, so only the composite is wrong)
  });

  it('refuses factors that do not add up to total_points and to the group', () => {
    const raw: Any = copy(seed003);
    raw.factors[2].max_points = 11;
    raw.factors[2].allowed_values = [11, 10, 7, 4, 1, 0];
    raw.factors[2].allowed_range = [0, 11];
    const r = validateRubric(raw);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const msgs = r.errors.map((e) => e.message.zh).join('\n');
    expect(msgs).toContain('各因素满分之和 101 不等于总分 100');
    expect(msgs).toContain('分组「技术部分」的因素满分之和 81 不等于其分值 80');
  });

  it('refuses a repeated id, naming it', () => {
    const raw: Any = copy(seed004);
    raw.factors[3].id = '二.1';
    const r = validateRubric(raw);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const e = r.errors.find((x) => x.message.en.includes('used twice'));
    expect(e?.factorId).toBe('二.1');
    expect(e?.path).toBe('factors[3].id');
  });

  it('refuses allowed values outside [0, max] or without the max, and bands out of range', () => {
    const raw: Any = copy(seed003);
    raw.factors[6].allowed_values = [13, 8, 5, 2, 0];
    const r = validateRubric(raw);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.some((e) => e.factorId === '7' && e.message.zh.includes('13'))).toBe(true);
    const raw2: Any = copy(seed003);
    raw2.factors[6].allowed_values = [8, 5, 2, 0];
    raw2.factors[6].levels = raw2.factors[6].levels.slice(1);
    const r2 = validateRubric(raw2);
    expect(r2.ok).toBe(false);
    if (!r2.ok) expect(r2.errors[0].message.zh).toContain('不包含满分 12');
    const raw3: Any = copy(seed004);
    raw3.factors[1].bands[0].max = 26;
    const r3 = validateRubric(raw3);
    expect(r3.ok).toBe(false);
    if (!r3.ok) expect(r3.errors.some((e) => e.factorId === '二.1')).toBe(true);
  });

  it('checks the price factor, the count rules and the known keys', () => {
    const raw: Any = copy(seed003);
    raw.rules.price.weight = '20';
    let r = validateRubric(raw);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0].path).toBe('rules.price.weight');

    const raw2: Any = copy(seed000);
    raw2.factors[1].sub_factors[2].count_rule.tiers[1].min_count = 60; // overlaps 40-69
    r = validateRubric(raw2);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.some((e) => e.factorId === '1.2.3' && e.message.en.includes('overlaps'))).toBe(true);

    const raw3: Any = copy(seed003);
    raw3.rules.ranking = ['final_score_desc', 'coin_toss'];
    r = validateRubric(raw3);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0].path).toBe('rules.ranking[1]');

    const raw4: Any = copy(seed003);
    raw4.rules.abnormalLow.triggers[0].of = 'median';
    r = validateRubric(raw4);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0].path).toBe('rules.abnormalLow.triggers[0].of');

    const raw5: Any = copy(seed004);
    raw5.rules.quoteCorrection.push('round_to_yuan');
    r = validateRubric(raw5);
    expect(r.ok).toBe(false);

    const raw6: Any = copy(seed003);
    raw6.factors[1].count_rule.cap = 12;
    r = validateRubric(raw6);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.some((e) => e.factorId === '2')).toBe(true);

    const raw7: Any = copy(seed000);
    raw7.factors[1].sub_factors[0].id = 'x'; // still unique; structural type error next
    raw7.factors[1].sub_factors[0].max_points = 'six';
    r = validateRubric(raw7);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.errors[0].path).toBe('factors[1].sub_factors[0].max_points');
      expect(r.errors[0].factorId).toBe('x');
    }
  });

  it('refuses something that is not a rubric', () => {
    expect(validateRubric(null).ok).toBe(false);
    expect(validateRubric({}).ok).toBe(false);
  });
});

describe('factor helpers', () => {
  it('lists leaves in rubric order with the price factor flagged', () => {
    const r = loadTemplate('seed000');
    const leaves = leafFactors(r);
    expect(leaves[0].id).toBe('1.1.1');
    expect(leaves.filter((l) => l.isPrice).map((l) => l.id)).toEqual(['3.1']);
    expect(scoredLeaves(r)).toHaveLength(leaves.length - 1);
    expect(scoredLeaves(r).some((l) => l.kind === 'composite' || l.id === '3.1')).toBe(false);
    expect(subjectiveLeaves(r).every((l) => l.consistency_check === 'none')).toBe(true);
    expect(findFactor(r, '2.2.3.2')?.name_zh).toBe('移动端工作方案');
    expect(findFactor(r, 'nope')).toBeUndefined();
    expect(() => loadTemplate('seed999')).toThrow(/seed999/);
  });
});
