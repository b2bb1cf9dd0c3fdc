// UI text of the anomaly flags, Chinese first with its English twin. The Chinese follows the shape of
// docs/anomaly.md "Messages (UI text; variables in ⟨⟩)" exactly where that section gives one (R0–R5, R8);
// R6, R7 and TOTAL30 have no template there and use the same style.
import type { Bilingual } from '../types';
import type { Factor } from '../../domain/rubric/types';
import { D, fixed, type Dec } from '../decimal';
import { abs, allowedText, div, minus, pct, pctAt, plain, ratioAsPct, signed } from './stats';

const nameZh = (f: Factor) => f.name_zh;
const nameEn = (f: Factor) => f.name_en ?? f.name_zh;

/** "专家1/2/3/5" (docs/anomaly.md R2 message) when every label is one prefix followed by digits,
 *  otherwise the labels joined with "、". */
export function joinMemberLabels(labels: string[]): string {
  if (labels.length <= 1) return labels.join('');
  const parts = labels.map((l) => /^(\D*)(\d+)$/.exec(l));
  if (parts.every((p) => p !== null && p[1] === parts[0]![1])) {
    return parts[0]![1] + parts.map((p) => p![2]).join('/');
  }
  return labels.join('、');
}

// ---------- R0 (produced by the score-entry validator; text only here) ----------

/** R0 `分项评分超出评分标准范围：「实施方案」只允许 12/8/5/2/0 分，您输入了 10。` */
export function r0Message(factorName: string, allowed: string, entered: string): Bilingual {
  return {
    zh: `分项评分超出评分标准范围：「${factorName}」只允许 ${allowed} 分，您输入了 ${entered}。`,
    en: `Out of range: allowed values for “${factorName}” are ${allowed} points; you entered ${entered}.`,
  };
}

/** R0 message for a factor of the rubric, with the allowed text derived from the factor. */
export function r0MessageFor(f: Factor, entered: string): Bilingual {
  return r0Message(f.name_zh, allowedText(f), entered);
}

// ---------- R1 ----------

/** R1 `分值汇总不一致：按分项计算合计为 86.00，录入合计为 85.00，请核对。` */
export function r1Message(computed: string, typed: string): Bilingual {
  return {
    zh: `分值汇总不一致：按分项计算合计为 ${computed}，录入合计为 ${typed}，请核对。`,
    en: `Totals disagree: the total computed from the items is ${computed}; the typed total is ${typed}. Please check.`,
  };
}

// ---------- R2 ----------

export interface R2Group {
  points: Dec;
  labels: string[];
  /** Distinct evidence texts of the group's members (e.g. the count), possibly empty. */
  evidence: string[];
}

function evidenceZh(ev: string[]): string {
  if (ev.length === 0) return '';
  // A bare count reads "5项" as in the template; any other text is shown as entered.
  return `（${ev.map((e) => (/^\d+(\.\d+)?$/.test(e) ? `${e}项` : e)).join('、')}）`;
}

/** R2 `客观评审因素评分不一致：「类似业绩」供应商B——专家1/2/3/5：10分（5项），专家4：8分（4项）。
 *  客观分须一致，请核对证明材料后修改，并填写理由。` For `advisory` factors the member may also keep
 *  the value with a reason (docs/anomaly.md R2), so the last sentence says so. */
export function r2Message(f: Factor, supplier: string, groups: R2Group[], advisory: boolean): Bilingual {
  const zhList = groups.map((g) => `${joinMemberLabels(g.labels)}：${plain(g.points)}分${evidenceZh(g.evidence)}`).join('，');
  const enList = groups
    .map((g) => `${g.labels.join(', ')}: ${plain(g.points)} points${g.evidence.length ? ` (${g.evidence.join(', ')})` : ''}`)
    .join('; ');
  return advisory
    ? {
        zh: `客观评审因素评分不一致：「${nameZh(f)}」供应商${supplier}——${zhList}。请核对证明材料后修改或维持，并填写理由。`,
        en: `Objective factor scored differently (review): “${nameEn(f)}”, supplier ${supplier} — ${enList}. Check the evidence, then change or keep the score, with a reason.`,
      }
    : {
        zh: `客观评审因素评分不一致：「${nameZh(f)}」供应商${supplier}——${zhList}。客观分须一致，请核对证明材料后修改，并填写理由。`,
        en: `Objective factor scored inconsistently: “${nameEn(f)}”, supplier ${supplier} — ${enList}. Objective scores must agree: check the evidence, correct the score and give a reason.`,
      };
}

// ---------- R3 ----------

export interface R3Text {
  factor: Factor;
  supplier: string;
  x: Dec;
  others: Dec[]; // ascending
  ref: Dec;
  d: Dec;
  ratio: Dec; // d / max_f
  xBand: string | null;
  refBand: string | null;
  grades: Dec | null;
}

/** R3 `评分偏离提示（待复核）：您对供应商B「技术方案」评 12 分（0–15档）；其他 4 位专家为 21、22、22、23 分
 *  （中位数 22，21–25档），相差 10 分，占该项满分的 33%，跨 2 个档次。请选择「修改评分」或「维持并说明理由」。
 *  本提示及处理结果将记入评审报告。` Band parts only for bands; "跨…档次" only where grades exist. */
export function r3Message(t: R3Text): Bilingual {
  const xs = t.others.map(plain);
  const zh =
    `评分偏离提示（待复核）：您对供应商${t.supplier}「${nameZh(t.factor)}」评 ${plain(t.x)} 分` +
    (t.xBand ? `（${t.xBand}档）` : '') +
    `；其他 ${t.others.length} 位专家为 ${xs.join('、')} 分（中位数 ${plain(t.ref)}` +
    (t.refBand ? `，${t.refBand}档` : '') +
    `），相差 ${plain(abs(t.d))} 分，占该项满分的 ${pct(t.ratio)}%` +
    (t.grades !== null ? `，跨 ${plain(t.grades)} 个档次` : '') +
    `。请选择「修改评分」或「维持并说明理由」。本提示及处理结果将记入评审报告。`;
  const en =
    `Score deviation (to review): you gave supplier ${t.supplier} ${plain(t.x)} points for “${nameEn(t.factor)}”` +
    (t.xBand ? ` (band ${t.xBand})` : '') +
    `; the other ${t.others.length} members gave ${xs.join(', ')} (median ${plain(t.ref)}` +
    (t.refBand ? `, band ${t.refBand}` : '') +
    `), a difference of ${plain(abs(t.d))} points, ${pct(t.ratio)}% of the item's maximum` +
    (t.grades !== null ? `, ${plain(t.grades)} grades apart` : '') +
    `. Choose “change the score” or “keep it and give a reason”. This notice and its outcome go into the evaluation report.`;
  return { zh, en };
}

// ---------- R4 ----------

/** R4 `主观分合计偏离：供应商B 您的主观分合计 17，其他专家中位数 36.5，相差 19.5（主观满分 50 的 39%），
 *  影响该供应商最终得分 −4.03 分。` */
export function r4Message(
  supplier: string,
  x: Dec,
  ref: Dec,
  d: Dec,
  max: Dec,
  ratio: Dec,
  impact: Dec,
  places: number,
): Bilingual {
  return {
    zh: `主观分合计偏离：供应商${supplier} 您的主观分合计 ${plain(x)}，其他专家中位数 ${plain(ref)}，相差 ${plain(abs(d))}（主观满分 ${plain(max)} 的 ${pct(ratio)}%），影响该供应商最终得分 ${signed(impact, places)} 分。`,
    en: `Subjective subtotal deviates: for supplier ${supplier} your subjective subtotal is ${plain(x)}, the other members' median ${plain(ref)}, a difference of ${plain(abs(d))} (${pct(ratio)}% of the subjective maximum ${plain(max)}); effect on the supplier's final score ${signed(impact, places)} points.`,
  };
}

// ---------- R5 ----------

export interface R5Clause {
  supplier: string;
  F: Dec;
  same: number;
  of: number;
}

/** R5 `评分倾向提示：专家5 对供应商C 的 3/3 个主观项均高于其他专家（扣除其整体宽严后平均高 30% 满分），
 *  对供应商B 的 3/3 项均低于其他专家（平均低 35%）。请评审委员会复核并认定是否存在评分畸高、畸低。`
 *  The flag's own supplier comes first, then the member's other R5 suppliers. */
export function r5Message(member: string, clauses: R5Clause[]): Bilingual {
  const zhParts = clauses.map((c, i) => {
    const up = c.F.isPositive();
    const all = c.same === c.of ? '均' : '';
    const dir = up ? '高于' : '低于';
    const hl = up ? '高' : '低';
    return i === 0
      ? `对供应商${c.supplier} 的 ${c.same}/${c.of} 个主观项${all}${dir}其他专家（扣除其整体宽严后平均${hl} ${pct(c.F)}% 满分）`
      : `对供应商${c.supplier} 的 ${c.same}/${c.of} 项${all}${dir}其他专家（平均${hl} ${pct(c.F)}%）`;
  });
  const enParts = clauses.map((c, i) => {
    const up = c.F.isPositive();
    return i === 0
      ? `scored ${c.same}/${c.of} subjective items of supplier ${c.supplier} ${up ? 'above' : 'below'} the other members (after removing the member's overall leniency, on average ${pct(c.F)}% of the maximum ${up ? 'higher' : 'lower'})`
      : `${c.same}/${c.of} items of supplier ${c.supplier} ${up ? 'above' : 'below'} (on average ${pct(c.F)}% ${up ? 'higher' : 'lower'})`;
  });
  return {
    zh: `评分倾向提示：${member} ${zhParts.join('，')}。请评审委员会复核并认定是否存在评分畸高、畸低。`,
    en: `Scoring tendency: ${member} ${enParts.join(', and ')}. The panel should review and determine whether any score is abnormally high or low.`,
  };
}

// ---------- R6, R7 (info; no template in docs/anomaly.md) ----------

export function r6Message(member: string, L: Dec): Bilingual {
  const up = L.isPositive();
  return {
    zh: `整体宽严提示：${member} 的主观评分整体${up ? '偏高' : '偏低'}，平均${up ? '高于' : '低于'}其他专家中位数 ${pct(L)}% 满分。统一从宽或从严不影响排序，仅供参考。`,
    en: `Overall ${up ? 'leniency' : 'severity'}: ${member}'s subjective scores are on average ${pct(L)}% of the maximum ${up ? 'above' : 'below'} the other members' median. A uniformly ${up ? 'lenient' : 'strict'} member does not change the ranking; for information only.`,
  };
}

export function r7RangeMessage(f: Factor, supplier: string, lo: Dec, hi: Dec, max: Dec): Bilingual {
  const range = minus(hi, lo);
  const ratio = max.isZero() ? range : div(range, max);
  return {
    zh: `评分分歧提示：供应商${supplier}「${nameZh(f)}」各专家评分 ${plain(lo)}–${plain(hi)} 分，极差 ${plain(range)} 分，达该项满分 ${plain(max)} 的 ${pct(ratio)}%，评分标准可能存在理解差异。`,
    en: `Wide disagreement: members scored supplier ${supplier} ${plain(lo)}–${plain(hi)} points for “${nameEn(f)}”, a range of ${plain(range)} points, ${pct(ratio)}% of the maximum ${plain(max)}; the standard may be read differently.`,
  };
}

export function r7SameMessage(f: Factor, member: string, value: Dec, suppliers: number): Bilingual {
  return {
    zh: `区分度提示：${member} 对全部 ${suppliers} 家供应商的「${nameZh(f)}」均评 ${plain(value)} 分。`,
    en: `Low discrimination: ${member} gave all ${suppliers} suppliers ${plain(value)} points for “${nameEn(f)}”.`,
  };
}

// ---------- TOTAL30 (preset 地方·总分±30 %; no template in docs/anomaly.md) ----------

export function total30Message(supplier: string, x: Dec, mean: Dec, ratio: Dec, threshold: string, places: number): Bilingual {
  const limit = ratioAsPct(threshold);
  return {
    zh: `总分偏离提示（待复核）：您对供应商${supplier} 的总分 ${fixed(x, Math.max(places, x.decimalPlaces()))}，全体专家平均 ${fixed(mean, places)}，偏离 ${pctAt(ratio, 1)}%，达到 ${limit}%。请提交书面说明，本提示及处理结果将记入评审报告。`,
    en: `Total deviates (to review): your total for supplier ${supplier} is ${fixed(x, Math.max(places, x.decimalPlaces()))}, the mean of all members ${fixed(mean, places)}, a deviation of ${pctAt(ratio, 1)}%, at least ${limit}%. Give a written explanation; this notice and its outcome go into the evaluation report.`,
  };
}

// ---------- R8 ----------

/** Money as in the R8 template: thousands separators, decimals only when there are cents. */
export function money(v: Dec): string {
  const r = v.toDecimalPlaces(2, D.ROUND_HALF_UP);
  const [int, frac] = (r.isInteger() ? plain(r) : fixed(r, 2)).split('.');
  const neg = int.startsWith('-');
  const grouped = (neg ? int.slice(1) : int).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return (neg ? '-' : '') + grouped + (frac ? `.${frac}` : '');
}

export interface R8Part {
  of: 'mean' | 'second_lowest' | 'max_price';
  ratio: string;
  reference: Dec;
  threshold: Dec;
}

/** R8 `异常低价提示：供应商D 最终报价 430,000 元，低于次低报价 900,000 的 50%（450,000）、低于最高限价的 45%
 *  （495,000）。请要求其在规定时间内提交书面说明及证明材料，由评审委员会认定。` */
export function r8Message(supplier: string, quote: Dec, parts: R8Part[]): Bilingual {
  const zh = parts.map((p) => {
    const r = ratioAsPct(p.ratio);
    if (p.of === 'second_lowest') return `低于次低报价 ${money(p.reference)} 的 ${r}%（${money(p.threshold)}）`;
    if (p.of === 'max_price') return `低于最高限价的 ${r}%（${money(p.threshold)}）`;
    return `低于有效报价平均值 ${money(p.reference)} 的 ${r}%（${money(p.threshold)}）`;
  });
  const en = parts.map((p) => {
    const r = ratioAsPct(p.ratio);
    if (p.of === 'second_lowest') return `below ${r}% of the second-lowest quote ${money(p.reference)} (${money(p.threshold)})`;
    if (p.of === 'max_price') return `below ${r}% of the maximum price (${money(p.threshold)})`;
    return `below ${r}% of the mean responsive quote ${money(p.reference)} (${money(p.threshold)})`;
  });
  return {
    zh: `异常低价提示：供应商${supplier} 最终报价 ${money(quote)} 元，${zh.join('、')}。请要求其在规定时间内提交书面说明及证明材料，由评审委员会认定。`,
    en: `Abnormally low price: supplier ${supplier}'s final quote of ${money(quote)} yuan is ${en.join(' and ')}. Ask for a written explanation with evidence within the set time; the panel decides.`,
  };
}

// ---------- The same message for another reader (issue 17) ----------

/**
 * A flag's message as everyone but the flagged member reads it. The templates above speak to that
 * member (「您对供应商B…」, "you gave…", docs/anomaly.md "Messages"); the rest of the panel, the console
 * and the observer read it in the third person (「专家 2 对供应商B…」), and the instruction only that
 * member can follow (「请选择…」, 「请提交书面说明」) as what that member is to do.
 */
export function inThirdPerson(m: Bilingual, who: Bilingual): Bilingual {
  return {
    zh: m.zh
      .replace(/请选择「修改评分」或「维持并说明理由」/g, '由该专家选择「修改评分」或「维持并说明理由」')
      .replace(/请提交书面说明/g, '由该专家提交书面说明')
      .replace(/ 您的/g, ` ${who.zh} 的`)
      .replace(/您/g, `${who.zh} `),
    en: m.en
      .replace(/Choose “change the score” or “keep it and give a reason”\./g, `${who.en} chooses to change the score or to keep it with a reason.`)
      .replace(/Give a written explanation;/g, `${who.en} gives a written explanation;`)
      .replace(/\byour\b/g, `${who.en}'s`)
      .replace(/\byou\b/g, who.en),
  };
}

/** A flag's message once the panel has dealt with it (issue 17): no longer 「（待复核）」 "(to review)". */
export function settledMessage(m: Bilingual): Bilingual {
  return { zh: m.zh.replace(/（待复核）/g, ''), en: m.en.replace(/ \(to review\)/g, '') };
}
