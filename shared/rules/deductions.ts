// Policy price deductions (价格扣除): docs/rules.md §2.13; the rubric's `rules.deductions`. A deduction
// changes only the evaluated price (评审价), never the quote: "用扣除后的价格参加评审" (003 Ch3 §3.3.1
// L673), "其投标报价不变" (004 L1185). The evaluated price stays exact (docs/rules.md §2.17 pipeline 1).
import { D, dec, type Dec } from './decimal';
import type { Bilingual, DeductionResult, DeductionStep, PolicyDeclaration, ProjectSettings } from './types';
import type { DeductionsRules } from '../domain/rubric/types';
import { formatYuan, pct } from './money/amount';

export type DeductionPolicy = DeductionStep['policy'];

/** Where each rate comes from, printed after the computation ("（依据磋商文件第三章 3.3.1）"): the
 *  session's own document (shared/domain/rubric/citations.ts); without one, the national rule. */
export type DeductionCitations = Partial<Record<DeductionPolicy, Bilingual>>;

const NATIONAL: Required<DeductionCitations> = {
  small_micro: { zh: '财库〔2020〕46号第九条', en: 'Caiku [2020] No. 46, art. 9' },
  prison: { zh: '财库〔2014〕68号', en: 'Caiku [2014] No. 68' },
  disabled_welfare: { zh: '财库〔2017〕141号', en: 'Caiku [2017] No. 141' },
  consortium_or_subcontract: { zh: '财库〔2020〕46号第九条', en: 'Caiku [2020] No. 46, art. 9' },
  domestic_product: { zh: '采购文件本国产品支持政策', en: 'the procurement document’s domestic-product policy' },
};

const NAME: Record<DeductionPolicy, Bilingual> = {
  small_micro: { zh: '小微企业价格扣除', en: 'Small/micro-enterprise deduction' },
  prison: { zh: '监狱企业（视同小微企业）价格扣除', en: 'Prison-enterprise deduction (as small/micro)' },
  disabled_welfare: { zh: '残疾人福利性单位（视同小微企业）价格扣除', en: 'Disabled-welfare-unit deduction (as small/micro)' },
  consortium_or_subcontract: { zh: '联合体/分包小微企业份额价格扣除', en: 'Consortium/subcontract small/micro-share deduction' },
  domestic_product: { zh: '本国产品价格扣除', en: 'Domestic-product deduction' },
};

const SIZE_ZH: Record<string, string> = { micro: '微型企业', small: '小型企业', medium: '中型企业', large: '大型企业' };
const SIZE_EN: Record<string, string> = { micro: 'a micro enterprise', small: 'a small enterprise', medium: 'a medium enterprise', large: 'a large enterprise' };

// A policy that does not apply says the same line for every supplier it does not apply to ("the project
// is not a goods procurement", "no SME declaration"), and a room holds one per supplier and policy in
// its reveal (issue 15: memory per room; 10 suppliers, 3 policies: about 11 KB a room of copies). Each
// distinct line is made once and shared, frozen: nothing may change a line another supplier's shows.
const SKIPPED = new Map<string, Readonly<Bilingual>>();
/** Distinct lines kept at most (citations and reasons make a few dozen; the map starts over beyond). */
const SKIPPED_MAX = 256;
function skippedLine(zh: string, en: string): Readonly<Bilingual> {
  const key = `${zh}\u0000${en}`;
  let line = SKIPPED.get(key);
  if (line === undefined) {
    if (SKIPPED.size >= SKIPPED_MAX) SKIPPED.clear();
    SKIPPED.set(key, (line = Object.freeze({ zh, en })));
  }
  return line;
}

/** A share in a declaration that is not a decimal in 0..1; the caller reports `field`. */
export class PolicyDeclarationError extends Error {
  readonly field: string;
  readonly reason: Bilingual;
  constructor(field: string, reason: Bilingual) {
    super(`${field}: ${reason.en}`);
    this.name = 'PolicyDeclarationError';
    this.field = field;
    this.reason = reason;
  }
}

function share(field: 'smallMicroShare' | 'domesticShare', s: string | null | undefined): Dec | null {
  if (s === null || s === undefined || String(s).trim() === '') return null;
  let v: Dec;
  try {
    v = dec(String(s).trim());
  } catch {
    throw new PolicyDeclarationError(field, { zh: `“${s}”不是0到1之间的小数`, en: `"${s}" is not a decimal between 0 and 1` });
  }
  if (!v.isFinite() || v.isNeg() || v.gt(1)) {
    throw new PolicyDeclarationError(field, { zh: `“${s}”不是0到1之间的小数`, en: `"${s}" is not a decimal between 0 and 1` });
  }
  return v;
}

/** Apply the rubric's policy deductions to a corrected final quote. Each policy's amount is computed
 *  on the original quote and all are subtracted together (003 Ch3 §3.3.11 L703, `crossPolicyBase`). */
export function applyDeductions(
  quote: Dec,
  decl: PolicyDeclaration,
  rules: DeductionsRules,
  settings: ProjectSettings,
  citations: DeductionCitations = {},
): DeductionResult {
  const steps: DeductionStep[] = [];
  const explanation: Bilingual[] = [];
  const cite = (p: DeductionPolicy): Bilingual => citations[p] ?? NATIONAL[p];
  const q = formatYuan(quote);

  const take = (policy: DeductionPolicy, rateStr: string, why: Bilingual | null) => {
    const rate = dec(rateStr);
    const amount = quote.times(rate);
    const c = cite(policy);
    const line: Bilingual = {
      zh: `${NAME[policy].zh}${pct(rate)}：${q} × ${pct(rate)} = ${formatYuan(amount)} 元（依据${c.zh}）${why ? `。${why.zh}` : ''}`,
      en: `${NAME[policy].en} ${pct(rate)}: ${q} × ${pct(rate)} = ${formatYuan(amount)} yuan (${c.en})${why ? `. ${why.en}` : ''}`,
    };
    steps.push({ policy, rate, amount, explanation: line });
    explanation.push(line);
  };
  const skip = (policy: DeductionPolicy, rate: string, why: Bilingual) => {
    const c = cite(policy);
    explanation.push(
      skippedLine(`${NAME[policy].zh}${pct(dec(rate))}：不适用——${why.zh}（依据${c.zh}）`, `${NAME[policy].en} ${pct(dec(rate))}: not applied: ${why.en} (${c.en})`),
    );
  };

  // 003 Ch3 §3.3.1-3.3.2 L673-675: the SME-family and consortium rates are only for projects not
  // reserved for SMEs; the domestic-product rate is not affected.
  const reserved = rules.notWhenReservedForSme && settings.reservedForSme === true;
  const reservedWhy: Bilingual = {
    zh: '本项目专门面向中小企业采购，不再给予此项价格扣除',
    en: 'the project is reserved for SMEs, so this deduction is not given',
  };

  // ---- SME family: small/micro, prison enterprise, disabled-welfare unit -----------------------
  let smeFamily = false;
  if (rules.smallMicro !== null) {
    const size = decl.enterprise ?? null;
    const isSmallMicro = (size === 'small' || size === 'micro') && decl.smeDeclaration === true;
    const classes: DeductionPolicy[] = [];
    if (isSmallMicro) classes.push('small_micro');
    // 003 Ch3 §3.3.6-3.3.7 L685-687; 000 说明1b-c L444-446: the flags stand for the certificate or
    // declaration having been provided.
    if (decl.prisonEnterprise === true && rules.prisonAsSmallMicro) classes.push('prison');
    if (decl.disabledWelfareUnit === true && rules.disabledWelfareAsSmallMicro) classes.push('disabled_welfare');

    if (reserved) {
      skip(classes[0] ?? 'small_micro', rules.smallMicro, reservedWhy);
    } else if (classes.length === 0) {
      skip('small_micro', rules.smallMicro, whyNotSmallMicro(decl, rules));
    } else if (!rules.smeFamilyStacking) {
      // "不重复享受小微企业价格扣减" (003 Ch3 §3.3.8 L689; 000 说明1d L448): one rate for the family.
      const others = classes.slice(1);
      take(
        classes[0],
        rules.smallMicro,
        others.length === 0
          ? null
          : {
              zh: `供应商同时属于${others.map((o) => NAME[o].zh.replace(/（视同小微企业）价格扣除$/, '')).join('、')}，不重复扣除`,
              en: `the supplier is also a ${others.map((o) => (o === 'prison' ? 'prison enterprise' : 'disabled-welfare unit')).join(' and ')}; the rate is not given twice`,
            },
      );
      smeFamily = true;
    } else {
      for (const c of classes) take(c, rules.smallMicro, null);
      smeFamily = true;
    }
  }

  // ---- consortium / subcontract with a small/micro share -----------------------------------------
  const cs = rules.consortiumOrSubcontract;
  if (cs !== null) {
    const sh = share('smallMicroShare', decl.smallMicroShare);
    const min = dec(cs.minSmallMicroShare);
    const allowed = cs.requires === null || (settings as Record<string, unknown>)[cs.requires] === true;
    if (reserved) skip('consortium_or_subcontract', cs.rate, reservedWhy);
    else if (smeFamily) {
      skip('consortium_or_subcontract', cs.rate, {
        zh: '供应商本身已享受小微企业价格扣除，不再适用联合体/分包扣除',
        en: 'the supplier already gets the small/micro rate itself; the consortium/subcontract rate is not added',
      });
    } else if (!allowed) {
      skip('consortium_or_subcontract', cs.rate, {
        zh: '本项目不接受联合体或分包',
        en: 'the project accepts neither consortia nor subcontracting',
      });
    } else if (sh === null) {
      skip('consortium_or_subcontract', cs.rate, {
        zh: '未声明联合协议或分包意向协议中小微企业的合同份额',
        en: 'no small/micro share of the contract was declared',
      });
    } else if (sh.lt(min)) {
      skip('consortium_or_subcontract', cs.rate, {
        zh: `小微企业合同份额${pct(sh)}低于${pct(min)}`,
        en: `the small/micro share ${pct(sh)} is below ${pct(min)}`,
      });
    } else {
      // "30%以上" includes 30% (docs/rules.md §5 decision 9).
      take('consortium_or_subcontract', cs.rate, {
        zh: `小微企业合同份额${pct(sh)}，不低于${pct(min)}`,
        en: `small/micro share ${pct(sh)}, at least ${pct(min)}`,
      });
    }
  }

  // ---- domestic products (goods) -----------------------------------------------------------------
  const dp = rules.domesticProduct;
  if (dp !== null) {
    const sh = share('domesticShare', decl.domesticShare);
    const min = dec(dp.minShare);
    if (dp.goodsOnly && settings.goods !== true) {
      skip('domestic_product', dp.rate, { zh: '本项目不是货物采购', en: 'the project is not a goods procurement' });
    } else if (sh === null) {
      skip('domestic_product', dp.rate, { zh: '未提供本国产品声明', en: 'no domestic-product declaration' });
    } else if (sh.lt(min)) {
      skip('domestic_product', dp.rate, {
        zh: `本国产品成本占比${pct(sh)}低于${pct(min)}`,
        en: `the domestic share of product cost ${pct(sh)} is below ${pct(min)}`,
      });
    } else {
      // 003 Ch3 §3.3.10.2 L699: ≥ 80 % domestic cost share → the whole quote gets the rate.
      take('domestic_product', dp.rate, {
        zh: `本国产品成本占比${pct(sh)}，不低于${pct(min)}`,
        en: `domestic share of product cost ${pct(sh)}, at least ${pct(min)}`,
      });
    }
  }

  const rate = steps.reduce((a, s) => a.plus(s.rate), new D(0));
  const total = steps.reduce((a, s) => a.plus(s.amount), new D(0));
  const evaluatedPrice = quote.minus(total);
  explanation.push(
    steps.length === 0
      ? { zh: `评审价 = 最终报价 ${q} 元（无价格扣除）`, en: `Evaluated price = final quote ${q} yuan (no deduction)` }
      : {
          zh: `评审价 = ${q} − ${steps.map((s) => formatYuan(s.amount)).join(' − ')} = ${formatYuan(evaluatedPrice)} 元（各项扣除均以原报价为基数）`,
          en: `Evaluated price = ${q} − ${steps.map((s) => formatYuan(s.amount)).join(' − ')} = ${formatYuan(evaluatedPrice)} yuan (each deduction computed on the original quote)`,
        },
  );
  return { rate, evaluatedPrice, steps, explanation };
}

function whyNotSmallMicro(decl: PolicyDeclaration, rules: DeductionsRules): Bilingual {
  const size = decl.enterprise ?? null;
  const notes: Bilingual[] = [];
  if (size === 'medium' || size === 'large') {
    notes.push({ zh: `供应商为${SIZE_ZH[size]}，不属于小微企业`, en: `the supplier is ${SIZE_EN[size]}, not small or micro` });
  } else if (size === 'small' || size === 'micro') {
    // 003 Ch3 §3.3.5 L683; 000 说明1a L443: no 中小企业声明函, no deduction.
    notes.push({
      zh: `供应商为${SIZE_ZH[size]}，但未提供《中小企业声明函》`,
      en: `the supplier is ${SIZE_EN[size]} but gave no SME declaration (中小企业声明函)`,
    });
  } else {
    notes.push({ zh: '未声明企业规模，也未提供《中小企业声明函》', en: 'no enterprise size and no SME declaration were given' });
  }
  if (decl.prisonEnterprise === true && !rules.prisonAsSmallMicro) {
    notes.push({ zh: '采购文件未将监狱企业视同小微企业', en: 'the document does not treat prison enterprises as small/micro' });
  }
  if (decl.disabledWelfareUnit === true && !rules.disabledWelfareAsSmallMicro) {
    notes.push({
      zh: '采购文件未将残疾人福利性单位视同小微企业',
      en: 'the document does not treat disabled-welfare units as small/micro',
    });
  }
  return { zh: notes.map((n) => n.zh).join('；'), en: notes.map((n) => n.en).join('; ') };
}
