import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { D } from '../../../shared/rules/decimal';
import { abnormalLowTriggers, abnormalLowMessage } from '../../../shared/rules/abnormal-low';
import type { RubricRules } from '../../../shared/domain/rubric/types';
import { loadTemplate } from '../../../shared/domain/rubric/templates';

// The project's own shipped template, never ../shared at run time.
const AL003: RubricRules['abnormalLow'] = loadTemplate('seed003').rules.abnormalLow;
const pop = (o: Record<string, string>) => Object.entries(o).map(([id, q]) => ({ id, quote: new D(q) }));
const ids = (r: Record<string, { trigger: { id: string } }[]>, id: string) => r[id].map((h) => h.trigger.id);

describe('abnormalLowTriggers (003 Ch3 §4.1)', () => {
  it('anomaly.md Ex. 6: D fires 4.1.2 and 4.1.3 but not 4.1.1', () => {
    const r = abnormalLowTriggers(pop({ A: '960000', B: '900000', C: '1000000', D: '430000' }), AL003, new D('1100000'));
    expect(ids(r, 'D')).toEqual(['4.1.2', '4.1.3']);
    for (const s of ['A', 'B', 'C']) expect(r[s]).toEqual([]);
    const [second, max] = r.D;
    expect(second.reference.toString()).toBe('900000');
    expect(second.threshold.toString()).toBe('450000');
    expect(max.threshold.toString()).toBe('495000');
    const msg = abnormalLowMessage('D', r.D, AL003.explanationMinutes);
    expect(msg.zh).toBe(
      '异常低价提示：供应商D 最终报价 430,000.00 元，低于次低报价 900,000.00 的 50%（450,000.00）、低于最高限价 1,100,000.00 的 45%（495,000.00）（触发条件 4.1.2、4.1.3）。请要求其在不少于30分钟内提交书面说明及证明材料，由评审委员会认定。',
    );
    expect(msg.en).toContain('second-lowest quote 900,000.00');
    expect(msg.en).toContain('maximum price 1,100,000.00');
  });

  it('4.1.3 boundary for seed 003: 1,511,936.00 × 45 % = 680,371.20 does not fire; 680,371.19 does', () => {
    const max = new D('1511936.00');
    const others = { A: '1000000', B: '1100000', C: '1200000' }; // 4.1.1 and 4.1.2 stay below X
    const at = abnormalLowTriggers(pop({ ...others, X: '680371.20' }), AL003, max);
    expect(at.X).toEqual([]);
    const below = abnormalLowTriggers(pop({ ...others, X: '680371.19' }), AL003, max);
    expect(ids(below, 'X')).toEqual(['4.1.3']);
    expect(below.X[0].threshold.toString()).toBe('680371.2');
  });

  it('the mean is compared exactly, never rounded', () => {
    // Σ = 600,000.01 over 3: mean 200,000.00333…, half of it 100,000.001666…: C (100,000.00) is below
    // it. Rounding the mean to 200,000.00 first would put the threshold at 100,000.00 and miss it.
    const only41 = { ...AL003, triggers: [AL003.triggers[0]] };
    const r = abnormalLowTriggers(pop({ A: '250000.00', B: '250000.01', C: '100000.00' }), only41, null);
    expect(ids(r, 'C')).toEqual(['4.1.1']);
    expect(r.C[0].threshold.gt('100000.0016')).toBe(true);
    expect(r.C[0].threshold.lt('100000.0017')).toBe(true);
    // Exactly at 50 % of the mean is not below it.
    const at = abnormalLowTriggers(pop({ A: '250000', B: '250000', C: '100000' }), only41, null);
    expect(at.C).toEqual([]);
  });

  it('second-lowest: a tie for the lowest makes nothing fire for them; fewer than 2 suppliers, no trigger', () => {
    const tie = abnormalLowTriggers(pop({ A: '100', B: '100', C: '1000' }), { ...AL003, triggers: [AL003.triggers[1]] }, null);
    expect(tie).toEqual({ A: [], B: [], C: [] });
    expect(abnormalLowTriggers(pop({ A: '1' }), AL003, null)).toEqual({ A: [] });
    expect(abnormalLowTriggers([], AL003, null)).toEqual({});
  });

  it('max_price does not fire without a maximum price; no triggers (seeds 000/004) never fire', () => {
    const r = abnormalLowTriggers(pop({ A: '1000', B: '1000', C: '1' }), { ...AL003, triggers: [AL003.triggers[2]] }, null);
    expect(r.C).toEqual([]);
    const none = abnormalLowTriggers(pop({ A: '1000', B: '1' }), { ...AL003, triggers: [] }, new D('1000'));
    expect(none).toEqual({ A: [], B: [] });
  });

  it('hits come in the rubric trigger order', () => {
    const reversed = { ...AL003, triggers: [...AL003.triggers].reverse() };
    const r = abnormalLowTriggers(pop({ A: '960000', B: '900000', C: '1000000', D: '100000' }), reversed, new D('1100000'));
    expect(ids(r, 'D')).toEqual(['4.1.3', '4.1.2', '4.1.1']);
  });

  it('property: 4.1.1 fires exactly when quote × n < 0.5 × Σ; every hit is strictly below its threshold; a lower quote fires every trigger a higher one fires', () => {
    const quote = fc.bigInt({ min: 1n, max: 10000000000n }).map((f) => new D(f.toString()).div(100));
    fc.assert(
      fc.property(fc.array(quote, { minLength: 1, maxLength: 8 }), fc.option(quote, { nil: null }), (qs, max) => {
        const population = qs.map((q, i) => ({ id: `S${i}`, quote: q }));
        const r = abnormalLowTriggers(population, AL003, max);
        const n = new D(qs.length);
        const sum = qs.reduce((a, q) => a.plus(q), new D(0));
        return population.every((p) => {
          const fired = new Set(r[p.id].map((h) => h.trigger.of));
          const meanFires = p.quote.times(n).lt(sum.times('0.5'));
          // Every quote at least as low as p fires every trigger p fires.
          const monotone = population.every((o) => !o.quote.lte(p.quote) || r[p.id].every((h) => r[o.id].some((x) => x.trigger.id === h.trigger.id)));
          return fired.has('mean') === meanFires && r[p.id].every((h) => h.quote.lt(h.threshold)) && monotone;
        });
      }),
    );
  });
});
