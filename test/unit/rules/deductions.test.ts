import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { D } from '../../../shared/rules/decimal';
import { applyDeductions, PolicyDeclarationError, type DeductionCitations } from '../../../shared/rules/deductions';
import { cite } from '../../../shared/domain/rubric/citations';

// The citations of seed 003's own document, as the quotes concern builds them (server/quotes/reveal.ts).
const T003 = loadTemplate('seed003');
const C003: DeductionCitations = { small_micro: cite(T003, 'smallMicro'), domestic_product: cite(T003, 'domesticProduct') };
import type { DeductionsRules, PolicyDeclaration, ProjectSettings } from '../../../shared/domain/rubric/types';
import { loadTemplate } from '../../../shared/domain/rubric/templates';

// The project's own shipped templates, never ../shared at run time.
const rubricRules = (seed: string): DeductionsRules => loadTemplate(`seed${seed}`).rules.deductions;
const R000 = rubricRules('000');
const R003 = rubricRules('003');
const R004 = rubricRules('004');
const M = new D('1000000');
const small: PolicyDeclaration = { enterprise: 'small', smeDeclaration: true };
const none: ProjectSettings = {};

describe('applyDeductions', () => {
  it('small/micro with a declaration: 10 %, exact evaluated price, citing the seed', () => {
    const r = applyDeductions(M, small, R003, none, C003);
    expect(r.evaluatedPrice.toString()).toBe('900000');
    expect(r.rate.eq('0.10')).toBe(true);
    expect(r.steps).toHaveLength(1);
    expect(r.steps[0].policy).toBe('small_micro');
    expect(r.steps[0].explanation.zh).toBe('小微企业价格扣除10%：1,000,000.00 × 10% = 100,000.00 元（依据磋商文件第三章 3.3.1）');
    expect(r.steps[0].explanation.en).toContain('(the consultation document Ch. 3 §3.3.1)');
    expect(r.explanation.at(-1)!.zh).toContain('900,000.00');
  });

  it('a policy that does not apply says one line, shared by every supplier it does not apply to and frozen', () => {
    // Issue 15, memory per room: a room's reveal holds a line per supplier and policy.
    const a = applyDeductions(M, { enterprise: 'medium', smeDeclaration: true }, R003, none, C003);
    const b = applyDeductions(new D('1250000'), { enterprise: 'large', smeDeclaration: true }, R003, none, C003);
    const c = applyDeductions(M, { enterprise: 'medium', smeDeclaration: true }, R003, none, C003);
    const skipped = (r: typeof a) => r.explanation.filter((l) => l.zh.includes('不适用'));
    expect(skipped(a).length).toBeGreaterThan(0);
    // The same reason and citation: the very same line; another reason (the size named): another line.
    expect(skipped(c)).toEqual(skipped(a));
    skipped(a).forEach((l, i) => expect(skipped(c)[i]).toBe(l));
    expect(skipped(b)[0]).not.toBe(skipped(a)[0]);
    expect(skipped(b)[0].zh).toContain('大型企业');
    expect(skipped(a)[0].zh).toContain('中型企业');
    // Nothing can change a line another supplier's reveal shows.
    expect(Object.isFrozen(skipped(a)[0])).toBe(true);
    expect(() => {
      (skipped(a)[0] as { zh: string }).zh = '改过';
    }).toThrow(TypeError);
    expect(skipped(c)[0].zh).toContain('中型企业');
  });

  it('medium/large enterprise or a missing declaration: no rate, and the reason says why', () => {
    const med = applyDeductions(M, { enterprise: 'medium', smeDeclaration: true }, R003, none);
    expect(med.evaluatedPrice.eq(M)).toBe(true);
    expect(med.steps).toEqual([]);
    expect(med.explanation[0].zh).toContain('中型企业');
    expect(med.explanation[0].en).toContain('medium');
    const noDecl = applyDeductions(M, { enterprise: 'micro', smeDeclaration: false }, R003, none);
    expect(noDecl.steps).toEqual([]);
    expect(noDecl.explanation[0].zh).toContain('中小企业声明函');
    const missing = applyDeductions(M, {}, R003, none);
    expect(missing.steps).toEqual([]);
    expect(missing.explanation[0].zh).toContain('未声明企业规模');
  });

  it('prison and disabled-welfare units count as small/micro, once (no stacking in the family)', () => {
    const prison = applyDeductions(M, { enterprise: 'large', prisonEnterprise: true }, R000, none);
    expect(prison.steps.map((s) => s.policy)).toEqual(['prison']);
    expect(prison.evaluatedPrice.toString()).toBe('900000');
    const all = applyDeductions(M, { ...small, prisonEnterprise: true, disabledWelfareUnit: true }, R004, none);
    expect(all.steps).toHaveLength(1);
    expect(all.evaluatedPrice.toString()).toBe('900000');
    expect(all.steps[0].explanation.zh).toContain('不重复扣除');
    const stacking = applyDeductions(M, { ...small, prisonEnterprise: true }, { ...R004, smeFamilyStacking: true }, none);
    expect(stacking.evaluatedPrice.toString()).toBe('800000');
    const notCounted = applyDeductions(M, { enterprise: 'large', disabledWelfareUnit: true }, { ...R000, disabledWelfareAsSmallMicro: false }, none);
    expect(notCounted.steps).toEqual([]);
    expect(notCounted.explanation[0].zh).toContain('残疾人福利性单位');
  });

  it('consortium/subcontract: only when allowed, ≥ 30 % (30 % exactly included), and not on top of the SME rate', () => {
    const allowed: ProjectSettings = { consortiumOrSubcontractingAllowed: true };
    const large = (share: string): PolicyDeclaration => ({ enterprise: 'large', smallMicroShare: share });
    expect(applyDeductions(M, large('0.30'), R003, allowed).evaluatedPrice.toString()).toBe('960000');
    expect(applyDeductions(M, large('0.30'), R000, allowed).evaluatedPrice.toString()).toBe('970000');
    const below = applyDeductions(M, large('0.2999'), R003, allowed);
    expect(below.steps).toEqual([]);
    expect(below.explanation.some((e) => e.zh.includes('低于30%'))).toBe(true);
    const off = applyDeductions(M, large('0.50'), R003, none);
    expect(off.steps).toEqual([]);
    expect(off.explanation.some((e) => e.zh.includes('不接受联合体或分包'))).toBe(true);
    const smeToo = applyDeductions(M, { ...small, smallMicroShare: '1' }, R003, allowed);
    expect(smeToo.steps.map((s) => s.policy)).toEqual(['small_micro']);
    expect(smeToo.evaluatedPrice.toString()).toBe('900000');
    expect(applyDeductions(M, large('0.5'), R004, allowed).explanation).toHaveLength(2); // 004 has no such rule
  });

  it('different policies are each computed on the original quote: 1,000,000 − 10 % − 20 % = 700,000', () => {
    const r = applyDeductions(M, { ...small, domesticShare: '0.80' }, R003, { goods: true }, C003);
    expect(r.steps.map((s) => [s.policy, s.amount.toString()])).toEqual([
      ['small_micro', '100000'],
      ['domestic_product', '200000'],
    ]);
    expect(r.evaluatedPrice.toString()).toBe('700000');
    expect(r.rate.eq('0.30')).toBe(true);
    expect(r.explanation.at(-1)!.zh).toBe('评审价 = 1,000,000.00 − 100,000.00 − 200,000.00 = 700,000.00 元（各项扣除均以原报价为基数）');
  });

  it('domestic products: goods only, share ≥ 80 %', () => {
    expect(applyDeductions(M, { domesticShare: '0.9' }, R003, { goods: false }).steps).toEqual([]);
    expect(applyDeductions(M, { domesticShare: '0.79' }, R003, { goods: true }).steps).toEqual([]);
    expect(applyDeductions(M, { domesticShare: '0.8' }, R003, { goods: true }).evaluatedPrice.toString()).toBe('800000');
  });

  it('reserved for SMEs: no SME-family nor consortium rate; the domestic rate still applies', () => {
    const settings: ProjectSettings = { reservedForSme: true, goods: true, consortiumOrSubcontractingAllowed: true };
    const r = applyDeductions(M, { ...small, domesticShare: '1' }, R003, settings);
    expect(r.steps.map((s) => s.policy)).toEqual(['domestic_product']);
    expect(r.evaluatedPrice.toString()).toBe('800000');
    expect(r.explanation[0].zh).toContain('专门面向中小企业');
    const c = applyDeductions(M, { enterprise: 'large', smallMicroShare: '0.5' }, R003, settings);
    expect(c.steps).toEqual([]);
  });

  it('keeps the evaluated price exact', () => {
    const r = applyDeductions(new D('1242000.05'), small, R003, none);
    expect(r.evaluatedPrice.toString()).toBe('1117800.045');
    expect(r.explanation.at(-1)!.zh).toContain('1,117,800.05');
  });

  it('refuses a share that is not in 0..1, naming the field', () => {
    expect(() => applyDeductions(M, { enterprise: 'large', smallMicroShare: '30%' }, R003, { consortiumOrSubcontractingAllowed: true })).toThrow(PolicyDeclarationError);
    expect(() => applyDeductions(M, { domesticShare: '1.2' }, R003, { goods: true })).toThrow(/domesticShare/);
  });

  it('property: evaluated = quote × (1 − rate), never above the quote, never below 0', () => {
    const decl = fc.record({
      enterprise: fc.constantFrom('micro', 'small', 'medium', 'large', null),
      smeDeclaration: fc.boolean(),
      prisonEnterprise: fc.boolean(),
      disabledWelfareUnit: fc.boolean(),
      smallMicroShare: fc.constantFrom(null, '0', '0.3', '0.5', '1'),
      domesticShare: fc.constantFrom(null, '0.5', '0.8', '1'),
    }) as fc.Arbitrary<PolicyDeclaration>;
    const settings = fc.record({ reservedForSme: fc.boolean(), goods: fc.boolean(), consortiumOrSubcontractingAllowed: fc.boolean() });
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 99999999999999n }), decl, settings, fc.constantFrom(R000, R003, R004), (fen, d, s, rules) => {
        const q = new D(fen.toString()).div(100);
        const r = applyDeductions(q, d, rules, s);
        return r.evaluatedPrice.eq(q.times(new D(1).minus(r.rate))) && r.evaluatedPrice.lte(q) && r.evaluatedPrice.gte(0) && r.steps.length <= 2;
      }),
    );
  });
});
