import { deviceRecord } from '../participants/devices';
import { inMethodEn, inMethodZh } from '../../shared/labels/terms';
import type { SessionState } from '../session/types';
import type { StoredEvent } from '../store/types';
import { scoredLeaves, allFactors, priceFactor } from '../../shared/domain/rubric/index';
import type { Factor } from '../../shared/domain/rubric/types';
import { bjDateTime, bjDateTimeEn, durationEn, isoToBj, money, yuan as yuanText, yuanWithWords, durationZh, personLabel, eventLabel, labelOf, METHOD_LABEL, RANK_KEY_LABEL, GROUND_LABEL, PRESET_LABEL, FLAG_RULE_LABEL, FLAG_SEVERITY_LABEL } from '../../shared/labels/index';
import { SIGNATURE_VIEWBOX } from '../../shared/protocol/report';
import { REOPEN_GROUND_LABEL } from '../../shared/protocol/report';
import { CHANGE_GROUND_LABEL } from '../../shared/protocol/scoring';
import { activeMembers } from '../participants/state';
import { standing, supplierIds } from '../suppliers/status';
import { signinOf } from '../signin/state';
import { reviewOf, checklistOf, type Phase } from '../review/state';
import { clarifyOf } from '../clarify/state';
import { reqOf } from '../requirements/state';
import { roundsOf } from '../rounds/state';
import { quotesOf, quoteLabel } from '../quotes/state';
import { reveal } from '../quotes/reveal';
import { roomEvaluation } from '../scoring/evaluation-file';
import { flagMessages, roomFlags, reviewPending } from '../scoring/flags';
import { scoringOf } from '../scoring/state';
import { reportOf, type Revision } from './state';
import { qrSvg } from './qr';
import { cite } from '../../shared/domain/rubric/citations';
import Decimal from 'decimal.js';
import { policyOf, policyTally, POLICY_LABEL, type PolicyClaim } from '../review/policy';
import { resubmissionOf } from '../requirements/resubmission';
import { NO_CHANGE_STATEMENT } from '../../shared/protocol/resubmission';
import { logOf } from '../session/events';
import { type StageEvents } from '../stage/machine';

// The report (评审报告 / 评标报告, docs/rules.md §2.22; 004 §5.2.5(1) L1235-1247) as one HTML document,
// generated from the session's fold and its events and nothing else. Every number comes from the
// same functions the room shows: the quotes concern's `reveal` (quote → correction → deduction →
// evaluated price → price score) and the scoring concern's `roomEvaluation` (totals, final scores,
// ranking, tie-breaks, candidates). Styled for A4 print; Chromium adds the running header (project
// number) and footer (page numbers, the log head and its QR code) when it prints (renderer.ts).

export interface ReportContext {
  revision: Revision;
  /** The log head the report is generated at (printed on every page), and its seq. */
  head: string;
  headSeq: number;
  /** Final: the signature page carries every signature; draft: a watermark and blank lines. */
  final: boolean;
  /** The filed report is Chinese; `en` renders its English twin (issue 13 item 1) for reading only. */
  lang?: 'zh' | 'en';
}

// The language of the report being rendered (reportHtml is synchronous: set for one call, then reset).
let LANG: 'zh' | 'en' = 'zh';
/** A line of the report in its language: the Chinese, or its English twin. */
const L = (zh: string, en: string): string => (LANG === 'en' ? en : zh);
/** What a person wrote or named (a name, a reason, the procurement document's own words): as written,
 *  in both versions; marked in the English one so that a check can tell it from the report's own words. */
// A tender's report is put in the tender's words (reportPage); what a person wrote is marked there too so
// that it is kept as written.
let MARK_WRITTEN = false;
const q = (v: unknown): string => (LANG === 'en' || MARK_WRITTEN ? `<span class="q">${esc(v)}</span>` : esc(v));
const dur = (ms: number): string => (LANG === 'en' ? durationEn(ms) : durationZh(ms));
/** Punctuation in the report's language: （…）, ：, ；, 、 in Chinese; ASCII in the English twin. */
const paren = (x: string): string => L(`（${x}）`, ` (${x})`);
const colon = (): string => L('：', ': ');
const semi = (): string => L('；', '; ');
const comma = (): string => L('、', ', ');

export const esc = (v: unknown): string =>
  String(v ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Beijing time (UTC+8), whatever the server's zone (docs/views.md), as a clerk writes it:
 *  2026年3月2日 9:30:05 (issue 13 item 1; shared/labels/format.ts). */
export const bj = (ms: number | null | undefined): string => (LANG === 'en' ? bjDateTimeEn(ms, true) : bjDateTime(ms, true));

const yuan = (v: string | null | undefined): string => (LANG === 'en' ? (v === null || v === undefined ? '—' : `${money(v)} yuan`) : yuanText(v));
/** An amount with its 大写 (the Chinese words are the amount as the document must state it: kept, marked). */
const yuanWords = (v: string | null | undefined): string => {
  if (LANG !== 'en' || v === null || v === undefined) return esc(yuanWithWords(v));
  const m = /（大写：(.*)）$/.exec(yuanWithWords(v));
  return `${esc(money(v))} yuan${m ? ` (in words: ${q(m[1])})` : ''}`;
};
/** A time written in the procurement document: an ISO time as Beijing time, other text as written. */
const docTime = (v: string | null | undefined): string => {
  if (!v) return '—';
  const ms = Date.parse(v);
  return /^\d{4}-\d{2}-\d{2}T/.test(v) && !Number.isNaN(ms) ? esc(LANG === 'en' ? bjDateTimeEn(ms) : isoToBj(v)) : LANG === 'en' ? q(v) : esc(v);
};
/** The n-th log entry. */
const entry = (seq: number | null | undefined): string => (seq ? L(`第 ${seq} 条`, `entry ${seq}`) : '—');
/** An engine explanation (a Text): the report's language. */
const tx = (t: { zh: string; en: string } | null | undefined, written: (string | null | undefined)[] = []): string => {
  let out = esc(t ? t[LANG] : '');
  // What a person wrote that the explanation quotes (an amount's 大写 as the supplier wrote it): marked.
  if (LANG === 'en') for (const w of written) if (w && /[\u3400-\u9fff]/.test(w)) out = out.split(esc(w)).join(q(w));
  return out;
};
/** 专家 n, or 采购人代表 (issue 13 item 7): never an expert number for the purchaser's representative. */
const memberLabel = (s: SessionState, id: string | null | undefined) => (id && s.people[id] ? personLabel(s.people[id], s.order.map((x) => s.people[x]))[LANG] : '—');
/** A factor's name is the procurement document's own words: kept as written (marked in the English twin). */
const factorName = (s: SessionState, id: string | null | undefined) => (id ? q(allFactors(s.rubric).find((f) => f.id === id)?.name_zh ?? id) : '—');
const personName = (s: SessionState, id: string | null | undefined) => (id && s.people[id] ? s.people[id].name : '—');
const supplierName = (s: SessionState, id: string | null | undefined) => (id && s.people[id] ? (s.people[id].org ?? s.people[id].name) : '—');
const none = (cols: number, text = L('无', 'None')) => `<tr><td colspan="${cols}" class="none">${text}</td></tr>`;

function table(head: string[], rows: string[][], cls = ''): string {
  const body = rows.length ? rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('') : none(head.length);
  return `<table class="${cls}"><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${body}</tbody></table>`;
}

const section = (id: string, title: string, body: string) => `<section id="${id}"><h2>${title}</h2>${body}</section>`;

const rankKey = (k: string): string => esc(RANK_KEY_LABEL[k]?.[LANG] ?? k);
const methodName = (m: string): string => (m in METHOD_LABEL ? METHOD_LABEL[m as keyof typeof METHOD_LABEL][LANG] : '—');

export function reportTitle(s: SessionState): string {
  return s.project.method === 'public_tender' ? L('评标报告', 'Bid evaluation report') : L('评审报告', 'Evaluation report');
}

/** The whole report as a printable HTML page. */
const CN_ORDINAL = ['', '一', '二', '三', '四', '五', '六', '七', '八', '九', '十', '十一', '十二', '十三', '十四', '十五', '十六', '十七', '十八', '十九', '二十'];

export function reportHtml(s: SessionState, events: StoredEvent[], ctx: ReportContext): string {
  LANG = ctx.lang ?? 'zh';
  MARK_WRITTEN = s.project.method === 'public_tender';
  try {
    return reportPage(s, events, ctx);
  } finally {
    LANG = 'zh';
    MARK_WRITTEN = false;
  }
}

function reportPage(s: SessionState, events: StoredEvent[], ctx: ReportContext): string {
  const hashOf = new Map(events.map((e) => [e.seq, e.hash]));
  const tender = s.project.method === 'public_tender';
  const parts = [
    cover(s, ctx),
    projectSection(s),
    openingSection(s, events),
    participantsSection(s),
    methodSection(s),
    reviewSection(s),
    clarifySection(s),
    // A tender has no consultation and no changes to the requirements (docs/tender.md "Report").
    ...(tender ? [] : [consultationSection(s), requirementsSection(s)]),
    standingSection(s),
    quotesSection(s),
    abnormalLowSection(s),
    memberScoresSection(s),
    resultsSection(s),
    changesSection(s),
    otherSection(s),
    anomalyAppendix(s, hashOf),
    signaturePage(s, ctx),
  ];
  let body = parts.join('\n');
  if (tender) {
    // A 评标报告 in the tender's words (shared/labels/terms.ts), its chapters numbered in order. What a
    // person wrote or named (marked by q()) is kept as written: a member's reason is never reworded.
    const words = LANG === 'en' ? inMethodEn : inMethodZh;
    body = body
      .split(/(<span class="q">[^<]*<\/span>)/)
      .map((part) => (part.startsWith('<span class="q">') ? part : words(s.project.method, part)))
      .join('');
    let n = 0;
    body = LANG === 'en' ? body.replace(/<h2>\d+\. /g, () => `<h2>${++n}. `) : body.replace(/<h2>[一二三四五六七八九十]+、/g, () => `<h2>${CN_ORDINAL[++n] ?? n}、`);
  }
  const css = LANG === 'en' ? CSS.replace('待签署稿 · 非最终报告', 'Draft for signing · not the final report').replace('letter-spacing: 0.3em', 'letter-spacing: 0.04em') : CSS;
  return `<!doctype html><html lang="${LANG === 'en' ? 'en' : 'zh-CN'}"><head><meta charset="utf-8"><title>${esc(reportTitle(s))} · ${esc(s.project.projectNumber ?? '')}</title><style>${css}</style></head><body class="${ctx.final ? 'final' : 'draft'}">${body}</body></html>`;
}

function cover(s: SessionState, ctx: ReportContext): string {
  const r = ctx.revision;
  const p = s.project;
  return `<header class="cover" id="sec-cover">
  <p class="kicker">${esc(p.method in METHOD_LABEL ? METHOD_LABEL[p.method as keyof typeof METHOD_LABEL][LANG] : '')}</p>
  <h1>${q(p.name)}<br>${esc(reportTitle(s))}</h1>
  <dl>
    <dt>${L('项目编号', 'Project number')}</dt><dd>${esc(p.projectNumber ?? '—')}</dd>
    <dt>${L('采购人', 'Purchaser')}</dt><dd>${p.purchaser ? q(p.purchaser) : '—'}</dd>
    <dt>${L('采购代理机构', 'Procurement agency')}</dt><dd>${p.agency ? q(p.agency) : '—'}</dd>
    <dt>${L('报告版本', 'Revision')}</dt><dd>${L(`第 ${r.n} 版`, `Revision ${r.n}`)}${r.reopen ? paren(`${L('依法重新评审：', 'lawful re-evaluation: ')}${esc(REOPEN_GROUND_LABEL[r.reopen.ground][LANG])}`) : ''}${ctx.final ? paren(L('定稿', 'final')) : paren(L('待签署稿', 'draft for signing'))}</dd>
    <dt>${L('生成依据', 'Source')}</dt><dd>${L(`本报告由评审过程事件日志自动生成，截至第 ${ctx.headSeq} 条事件`, `Generated from the evaluation's event log, up to entry ${ctx.headSeq}`)}</dd>
    <dt>${L('日志哈希', 'Log hash')}</dt><dd class="hash">${esc(ctx.head)}</dd>
  </dl>
  <div class="qr">${qrSvg(ctx.head, 30)}<p>${L('扫码核对事件日志哈希', 'Scan to check the event log hash')}</p></div>
  ${ctx.final ? '' : `<p class="watermark">${L('待签署稿 · 非最终报告', 'Draft for signing · not the final report')}</p>`}
</header>`;
}

function projectSection(s: SessionState): string {
  const p = s.project;
  const rp = s.rubric.project;
  const st = s.settings as Record<string, unknown>;
  const rows: [string, string][] = [
    [L('项目名称', 'Project name'), q(p.name)],
    [L('项目编号', 'Project number'), esc(p.projectNumber ?? '—')],
    [L('采购编号', 'Procurement number'), rp.tender_number ? q(rp.tender_number) : '—'],
    [L('采购方式', 'Procurement method'), esc(methodName(p.method))],
    [L('评审方法', 'Evaluation method'), rp.evaluation_method_zh ? q(rp.evaluation_method_zh) : L('综合评分法', 'Comprehensive scoring')],
    [L('采购人', 'Purchaser'), p.purchaser ? q(p.purchaser) : '—'],
    [L('采购代理机构', 'Procurement agency'), p.agency ? q(p.agency) : '—'],
    [L('采购预算', 'Budget'), esc(yuan(p.budget))],
    [L('最高限价', 'Maximum price'), esc(yuan(p.maxPrice))],
    [L('是否专门面向中小企业', 'Reserved for small and medium enterprises'), st.reservedForSme ? L('是', 'Yes') : L('否', 'No')],
    ...((p.method === 'public_tender'
      ? // 004 §5.2.5(1)①: the media the 招标公告 was published in, the date and place of the opening (docs/tender.md "Report").
        [
          [L('招标公告刊登媒体', 'Tender notice published in'), p.announcementMedia ? q(p.announcementMedia) : '—'],
          [L('开标时间', 'Bid opening'), docTime(p.scheduledAt ?? rp.opening_time)],
          [L('开标地点', 'Place of the bid opening'), p.openingPlace ? q(p.openingPlace) : '—'],
        ]
      : [[L('响应文件提交截止 / 开启时间', 'Deadline for responses / opening'), docTime(p.scheduledAt ?? rp.opening_time)]]) as [string, string][]),
  ];
  return section('sec-project', L('一、项目基本情况', '1. The project'), `<table class="kv">${rows.map(([k, v]) => `<tr><th>${k}</th><td>${v}</td></tr>`).join('')}</table>`);
}

function openingSection(s: SessionState, events: StoredEvent[]): string {
  const si = signinOf(s);
  const stages = logOf<StageEvents>()(events, 'stage:changed').map((e) => [e.ts, e.payload.to] as const);
  const at = (to: string) => stages.find((x) => x[1] === to)?.[0] ?? null;
  const order = si.override ?? si.arrival;
  const rows = order.map((id, i) => [String(i + 1), q(supplierName(s, id)), q(si.suppliers[id]?.representative ?? '—'), bj(si.suppliers[id]?.at)]);
  const absent = si.closed?.absent ?? [];
  return section(
    'sec-opening',
    L('二、公告、签到与开启情况', '2. Notice, sign-in and opening'),
    `${
      s.project.method === 'public_tender'
        ? `<p>${L('招标公告刊登媒体：', 'Tender notice published in: ')}${s.project.announcementMedia ? q(s.project.announcementMedia) : '—'}${L('。开标时间：', '. Bid opening: ')}${docTime(s.project.scheduledAt)}${semi()}${L('开标地点：', 'place: ')}${s.project.openingPlace ? q(s.project.openingPlace) : '—'}${L('。', '.')}</p>`
        : `<p>${L('公告媒介：中国政府采购网及省级以上财政部门指定媒介（以采购文件为准）。评审地点与时间：', 'Notice published on: the China Government Procurement website and the media designated by the finance departments at provincial level or above (as the procurement document states). Time of the evaluation: ')}${docTime(s.project.scheduledAt)}${L('。', '.')}</p>`
    }
<p>${L('签到开始：', 'Sign-in opened: ')}${bj(at('signin'))}${semi()}${L('签到截止：', 'sign-in closed: ')}${bj(si.closed?.at)}${semi()}${L('开启：', 'responses opened: ')}${bj(at('opening'))}${semi()}${L('资格与符合性审查开始：', 'qualification and compliance review began: ')}${bj(at('review'))}${L('。', '.')}</p>
<h3>${L('供应商签到记录（磋商顺序）', s.project.method === 'public_tender' ? 'Sign-in of the suppliers' : 'Sign-in of the suppliers (order of the sittings)')}</h3>${table([L('序号', 'No.'), L('供应商', 'Supplier'), L('授权代表', 'Authorised representative'), L('签到时间', 'Signed in')], rows)}
${absent.length ? `<p>${L('签到截止时未到：', 'Not present when sign-in closed: ')}${absent.map((id) => q(supplierName(s, id))).join(comma())}${L('。', '.')}</p>` : ''}
${si.reorders.map((r) => `<p>${L('磋商顺序调整', 'Order of the sittings changed')}${paren(bj(r.at))}${colon()}${r.order.map((id) => q(supplierName(s, id))).join(' → ')}${semi()}${L('理由：', 'reason: ')}${q(r.reason)}</p>`).join('')}`,
  );
}

function participantsSection(s: SessionState): string {
  const si = signinOf(s);
  const sups = supplierIds(s).map((id, i) => [String(i + 1), q(supplierName(s, id)), q(s.people[id].name), s.people[id].contact ? q(s.people[id].contact) : '—']);
  const members = s.order
    .map((id) => s.people[id])
    .filter((p) => p.role === 'expert' || p.role === 'purchaser_rep')
    .map((p) => {
      const m = si.members[p.id];
      const recuse = m?.recuseFrom?.length ? `${L('回避：', 'Recused from: ')}${m.recuseFrom.map((x) => q(supplierName(s, x))).join(comma())}${m.recusalNote ? paren(q(m.recusalNote)) : ''}` : L('无回避', 'None');
      const status = p.active ? L('在任', 'Serving') : L('已更换', 'Replaced');
      return [memberLabel(s, p.id), q(p.name), p.role === 'purchaser_rep' ? L('采购人代表', 'Purchaser representative') : L('评审专家', 'Expert'), p.leader ? L('组长', 'Leader') : '', bj(m?.at), recuse, status + (p.replaces ? paren(`${L('接替 ', 'replaces ')}${q(personName(s, p.replaces))}`) : '')];
    });
  const repl = si.replacements.map((r) => [q(personName(s, r.memberId)), q(personName(s, r.replacementId)), q(r.reason), bj(r.at)]);
  return section(
    'sec-participants',
    L('三、供应商与评审小组成员名单', '3. Suppliers and panel members'),
    `<h3>${L('参加评审的供应商', 'Suppliers in the evaluation')}</h3>${table([L('序号', 'No.'), L('供应商', 'Supplier'), L('代表', 'Representative'), L('联系方式', 'Contact')], sups)}
<h3>${L('评审小组成员', 'Members of the panel')}</h3>${table([L('编号', 'Member'), L('姓名', 'Name'), L('身份', 'Capacity'), L('职务', 'Role'), L('签到时间', 'Signed in'), L('回避', 'Recusals'), L('状态', 'Status')], members)}
<h3>${L('评审小组成员的更换', 'Replacement of members')}</h3>${table([L('原成员', 'Member'), L('替换成员', 'Replaced by'), L('原因', 'Reason'), L('时间', 'Time')], repl)}
<h3>${L('设备使用记录', 'Record of the devices used')}</h3>${table([L('时间', 'Time'), L('人员', 'Person'), L('事项', 'What happened')], deviceRecord(s).map((d) => [bj(d.at), q(personName(s, d.personId)), esc(d.what[LANG])]))}`,
  );
}

function factorCriteria(f: Factor): string {
  const bits: string[] = [];
  if (f.levels?.length) bits.push(f.levels.map((l) => `${esc(l.points)} ${L('分', 'points')}${colon()}${q(l.criterion_zh)}`).join(semi()));
  if (f.bands?.length) bits.push(f.bands.map((b) => `${esc(b.min)}–${esc(b.max)} ${L('分', 'points')}${colon()}${q(b.criterion_zh)}`).join(semi()));
  return bits.join('<br>');
}

function methodSection(s: SessionState): string {
  const r = s.rubric;
  const price = priceFactor(r);
  const rows = allFactors(r).map((f) => [
    q(f.seq_zh ?? f.id),
    q(f.group_zh ?? f.group),
    q(f.name_zh) + (f.kind === 'composite' ? L('（合计）', ' (subtotal)') : ''),
    esc(f.max_points),
    f.objective ? L('客观', 'objective') : L('主观', 'subjective'),
    `${q(f.rule_zh)}${factorCriteria(f) ? `<div class="crit">${factorCriteria(f)}</div>` : ''}`,
  ]);
  const groups = (r.groups ?? []).map((g) => `${q(g.name_zh)} ${esc(g.points)} ${L('分', 'points')}`).join(L('，', ', '));
  const per = esc(cite(r, 'criteria', s.project.method)[LANG]);
  const ranking = r.rules.ranking.map((k: string) => (RANK_KEY_LABEL[k as keyof typeof RANK_KEY_LABEL]?.[LANG] ?? k)).join(' → ');
  return section(
    'sec-method',
    L('四、评审方法与评审标准', '4. Evaluation method and criteria'),
    `<p>${L(
      `评审方法：${esc(r.project.evaluation_method_zh ?? '综合评分法')}（依据${per}），满分 ${esc(r.total_points)} 分（${groups}）。各成员独立评分，最终得分为各成员评分的算术平均值，保留 ${r.rules.rounding.places} 位小数（四舍五入）。价格分${price ? `（${esc(price.name_zh)}，${esc(r.rules.price.weight)} 分）` : ''}以满足要求的最低评审价为基准价计算。排序规则：${ranking}。评分标准配置哈希：`,
      `Evaluation method: ${q(r.project.evaluation_method_zh ?? '综合评分法')} (per ${per}), ${esc(r.total_points)} points in all (${groups}). Each member scores independently; the final score is the arithmetic mean of the members' scores, rounded half up to ${r.rules.rounding.places} decimal places. The price score${price ? ` (${q(price.name_zh)}, ${esc(r.rules.price.weight)} points)` : ''} takes the lowest evaluated price that meets the requirements as the base price. Ranking: ${ranking}. Hash of the rubric configuration: `,
    )}<span class="hash">${esc(s.rubricHash)}</span>${L('。', '.')}</p>
${table([L('序号', 'No.'), L('类别', 'Part'), L('评审因素', 'Factor'), L('分值', 'Points'), L('性质', 'Kind'), L('评分标准', 'Criteria (as in the procurement document)')], rows, 'rubric')}`,
  );
}

function reviewSection(s: SessionState): string {
  const rv = reviewOf(s);
  const phases: [Phase, string][] = [
    ['review', L('资格审查与符合性审查', 'Qualification and compliance review')],
    ['final_review', L('终审', 'Final review')],
  ];
  const out: string[] = [];
  for (const [phase, title] of phases) {
    const list = checklistOf(s, phase);
    if (!list.length && phase === 'final_review') continue;
    const rows = supplierIds(s)
      .filter((id) => rv.concluded[phase][id] || rv.votes[phase][id])
      .map((id) => {
        const c = rv.concluded[phase][id];
        const failed = c?.failed.map((f) => `${q(f.text)}${colon()}${f.reasons.map(q).join(semi())}`).join('<br>') ?? '';
        return [q(supplierName(s, id)), c ? (c.result === 'pass' ? L('通过', 'Passed') : L('不通过', 'Failed')) : L('未完成', 'Not finished'), failed || '—', bj(c?.at)];
      });
    out.push(`<h3>${title}${paren(L(`${list.length} 项，按少数服从多数`, `${list.length} items, by majority`))}</h3>${table([L('供应商', 'Supplier'), L('结论', 'Result'), L('未通过项及理由', 'Items failed and reasons'), L('时间', 'Time')], rows)}`);
  }
  out.push(policySection(s));
  for (const b of rv.belowMinimum)
    out.push(`<p>${L(`有效供应商不足（${b.count} 家）后继续评审：`, `Evaluation continued with too few responsive suppliers (${b.count}): `)}${q(b.exception)}${semi()}${L('理由：', 'reasons: ')}${q(b.justification)}${paren(bj(b.at))}${L('。', '.')}</p>`);
  return section('sec-review', L('五、评审过程：资格与符合性审查', '5. Qualification and compliance review'), out.join(''));
}

// 政策身份认定 (issue 14; docs/rules.md §2.5, §2.13): per supplier each status its response claims, the
// document that proves it, and the panel's determination by majority with every member's vote and the
// reasons; the price deductions (十) use only what was accepted (003 Ch3 §3.3.5 L683).
function claimedStatus(c: PolicyClaim): string {
  const label = POLICY_LABEL[c.kind][LANG];
  if (c.kind === 'small_micro') return label + paren(c.enterprise === 'micro' ? L('声明为微型企业', 'declared micro') : L('声明为小型企业', 'declared small'));
  if (c.share !== null) return label + paren(`${L('份额', 'share')} ${new Decimal(c.share).times(100).toString()}%`);
  return label;
}

function policySection(s: SessionState): string {
  const claims = (s.policy as ReturnType<typeof policyOf> | undefined)?.claims ?? {};
  const sitting = new Set(activeMembers(s).map((m) => m.id));
  const accepted = (yes: boolean) => (yes ? L('认定', 'accepted') : L('不予认定', 'not accepted'));
  const rows = supplierIds(s).flatMap((sid) =>
    Object.values(claims[sid] ?? {})
      .filter((c): c is PolicyClaim => !!c)
      .map((c) => {
        const d = c.determination;
        const t = policyTally(s, c);
        const outcome = d ? accepted(d.outcome === 'accepted') : L('未认定', 'not yet determined');
        const votes = Object.entries(c.votes)
          .filter(([m]) => sitting.has(m))
          .map(([m, v]) => `${esc(memberLabel(s, m))}${colon()}${accepted(v.accept)}${v.reason ? paren(q(v.reason)) : ''}`);
        const [yes, no] = [d ? d.accept : t.accept, d ? d.reject : t.reject];
        const count = L(`认定 ${yes} 票、不予认定 ${no} 票`, `${yes} accept, ${no} do not`);
        return [
          q(supplierName(s, sid)),
          esc(claimedStatus(c)),
          q(c.document),
          outcome,
          [count, ...votes].join('<br>'),
          d?.reasons.length ? d.reasons.map(q).join(semi()) : '—',
          bj(d?.at),
        ];
      }),
  );
  const head = [L('供应商', 'Supplier'), L('声明的政策身份', 'Status claimed'), L('证明文件', 'Proving document'), L('评审小组认定', 'Panel’s determination'), L('表决', 'Votes'), L('理由', 'Reasons'), L('认定时间', 'Determined at')];
  return `<h3 id="policy-status">${L('政策身份认定（按少数服从多数，价格扣除仅依认定结果）', 'Policy status determinations (by majority; price deductions follow only what was accepted)')}</h3>${rows.length ? table(head, rows, 'policy') : `<p class="none">${L('各供应商的响应文件均未声明政策身份。', 'No response claims a policy status.')}</p>`}`;
}

function clarifySection(s: SessionState): string {
  const c = clarifyOf(s);
  const rows = c.order
    .map((id) => c.items[id])
    .filter((x) => x.status !== 'draft' && x.status !== 'discarded')
    .map((x) => [
      esc(x.id),
      q(supplierName(s, x.supplierId)),
      q(x.question),
      bj(x.sentAt),
      x.answer
        ? `${q(x.answer.text)}${x.answer.attachment ? `<br>${L('附件：', 'Attachment: ')}${q(x.answer.attachment.name)}${paren(`sha256 ${esc(x.answer.attachment.sha256.slice(0, 16))}…`)}` : ''}<br>${L('签署：', 'Signed by: ')}${q(x.answer.signer)}`
        : x.status === 'lapsed'
          ? L('逾期未答复', 'Not answered in time')
          : L('未答复', 'Not answered'),
      bj(x.answer?.at ?? x.lapsedAt),
    ]);
  return section(
    'sec-clarify',
    L('六、澄清、说明或补正', '6. Clarifications, explanations and corrections'),
    table([L('编号', 'No.'), L('供应商', 'Supplier'), L('澄清问题', 'Question'), L('发出时间', 'Sent'), L('答复', 'Answer'), L('答复时间', 'Answered')], rows),
  );
}

// 七、磋商过程 and the minutes of each sitting (磋商记录, issue 13 item 3): the supplier, who was present,
// start and end by the server clock and the actual duration (the allotted time beside it), what was
// discussed, the documents exchanged with their sha256, and the signatures of the supplier's
// representative and of the panel members present.
function consultationSection(s: SessionState): string {
  if (s.project.method !== 'competitive_consultation') return '';
  const r = roundsOf(s);
  const people = s.order.map((x) => s.people[x]);
  const rows = r.sittings.map((x) => [
    L(`第 ${x.n} 次（第 ${x.round} 轮）`, `Sitting ${x.n} (round ${x.round})`),
    q(supplierName(s, x.supplierId)),
    bj(x.startedAt),
    bj(x.endedAt),
    x.endedAt !== null ? dur(x.endedAt - x.startedAt) : L('进行中', 'in progress'),
    `${dur(x.seconds * 1000)}${x.extensions.length ? L(`，延长 ${x.extensions.length} 次：`, `, extended ${x.extensions.length} time(s): `) + x.extensions.map((e) => `${dur(e.seconds * 1000)}${paren(q(e.reason))}`).join(semi()) : ''}${x.expired ? L(`；${bj(x.expired.at)} 时间届满，超时`, `; time ran out at ${bj(x.expired.at)}, overran`) : ''}`,
  ]);
  const minutes = r.sittings.map((x) => {
    const present = x.present.map((id) => `${esc(personLabel(s.people[id], people)[LANG])} ${q(personName(s, id))}`).join(comma()) || '—';
    const docs = x.documents.map((d) => [q(d.name), d.by === x.supplierId ? L('供应商提交', 'the supplier') : L('代理机构提交', 'the agency'), bj(d.at), `<span class="hash">${esc(d.sha256)}</span>`]);
    const signer = (id: string, role: string) => {
      const g = x.signatures[id];
      return `<tr><td>${role}</td><td>${q(id === x.supplierId ? (x.representative ?? personName(s, id)) : personName(s, id))}</td><td class="sigcell">${g ? signatureSvg(g.path) : ''}</td><td>${g ? q(g.name) : L('未签署', 'not signed')}</td><td>${g ? bj(g.at) : ''}</td></tr>`;
    };
    const sigs = [signer(x.supplierId, L(`${q(supplierName(s, x.supplierId))}授权代表`, `Authorised representative of ${q(supplierName(s, x.supplierId))}`)), ...x.present.map((id) => signer(id, esc(memberLabel(s, id))))];
    const held = L(
      `${bj(x.startedAt)} 至 ${bj(x.endedAt)}，实际时长 ${x.endedAt !== null ? dur(x.endedAt - x.startedAt) : '—'}（安排 ${dur(x.seconds * 1000)}）`,
      `${bj(x.startedAt)} to ${bj(x.endedAt)}, lasted ${x.endedAt !== null ? dur(x.endedAt - x.startedAt) : '—'} (${dur(x.seconds * 1000)} allotted)`,
    );
    return `<div class="minutes" id="minutes-${x.n}"><h3>${L(`磋商记录 第 ${x.n} 次：${q(supplierName(s, x.supplierId))}（第 ${x.round} 轮）`, `Minutes of sitting ${x.n}: ${q(supplierName(s, x.supplierId))} (round ${x.round})`)}</h3>
<table class="kv"><tr><th>${L('时间', 'Time')}</th><td>${held}</td></tr>
<tr><th>${L('出席的评审小组成员', 'Panel members present')}</th><td>${present}</td></tr>
<tr><th>${L('供应商授权代表', 'The supplier’s authorised representative')}</th><td>${x.representative ? q(x.representative) : '—'}</td></tr>
<tr><th>${L('磋商内容', 'What was discussed')}</th><td class="minutes-text">${x.minutes?.text.trim() ? q(x.minutes.text).replace(/\n/g, '<br>') : `<span class="none">${L('未记录', 'not recorded')}</span>`}</td></tr></table>
<h4>${L('磋商中交换的文件', 'Documents exchanged in the sitting')}</h4>${table([L('文件', 'File'), L('提交方', 'Submitted by'), L('时间', 'Time'), 'sha256'], docs)}
<h4>${L('签字', 'Signatures')}</h4><table class="signatures"><thead><tr><th>${L('身份', 'Capacity')}</th><th>${L('姓名', 'Name')}</th><th>${L('签名', 'Signature')}</th><th>${L('署名', 'Signed as')}</th><th>${L('签署时间', 'Signed at')}</th></tr></thead><tbody>${sigs.join('')}</tbody></table></div>`;
  });
  const head = [L('磋商', 'Sitting'), L('供应商', 'Supplier'), L('开始', 'Started'), L('结束', 'Ended'), L('实际时长', 'Lasted'), L('安排时间', 'Allotted')];
  return section('sec-consultation', L('七、磋商过程与磋商记录', '7. The consultation and its minutes'), `${table(head, rows)}${minutes.join('\n') || `<p class="none">${L('未进行磋商。', 'No sitting was held.')}</p>`}`);
}

function requirementsSection(s: SessionState): string {
  const rq = reqOf(s);
  const blocks = rq.versions.map((v) => {
    const rec = rq.receipts[v.version] ?? {};
    const rows = v.recipients.map((id) => {
      const r = rec[id];
      return [q(supplierName(s, id)), bj(r?.deliveredAt), r?.signedAt ? `${bj(r.signedAt)}${paren(q(r.signer ?? ''))}` : '—', r?.refusedAt ? `${bj(r.refusedAt)}${colon()}${q(r.refusal ?? '')}` : '—'];
    });
    const diff = v.diff
      .filter((d) => d.op !== '=')
      .map((d) => `<div class="diff">${d.op === '+' ? '＋' : '－'} ${q(d.text)}</div>`)
      .join('');
    return `<h3>${L(`第 ${v.version} 版（${bj(v.publishedAt)} 发布；采购人代表 ${esc(personName(s, v.confirmedBy))} 确认）`, `Version ${v.version} (published ${bj(v.publishedAt)}; confirmed by the purchaser representative ${q(personName(s, v.confirmedBy))})`)}</h3>
<p>${L('内容哈希 sha256：', 'Content hash, sha256: ')}<span class="hash">${esc(v.sha256)}</span></p>${diff ? `<div class="diffs">${diff}</div>` : ''}
${table([L('供应商', 'Supplier'), L('送达时间', 'Delivered'), L('签字确认时间', 'Signed'), L('不同意', 'Refused')], rows)}
<h4>${L('供应商重新提交的响应文件', 'Responses resubmitted by the suppliers')}</h4>${table([L('供应商', 'Supplier'), L('提交内容', 'What came back'), L('签署人', 'Signed by'), L('时间', 'Time')], resubmissionRows(s, v.version, v.recipients), 'resubmission')}`;
  });
  const base = rq.baseline ? `<p>${L('初始采购需求哈希 sha256：', 'Hash of the original requirements, sha256: ')}<span class="hash">${esc(rq.baseline.sha256)}</span></p>` : '';
  const cancelled = rq.cancelled.map((c) => `<p>${L(`撤回第 ${c.version} 版提议（${bj(c.at)}）：`, `Proposal for version ${c.version} withdrawn (${bj(c.at)}): `)}${q(c.reason)}</p>`).join('');
  return section(
    'sec-requirements',
    L('八、采购需求的实质性变动', '8. Substantive changes to the requirements'),
    base + (blocks.length ? blocks.join('') : `<p class="none">${L('磋商中未对采购需求作实质性变动。', 'The requirements were not substantively changed in the consultation.')}</p>`) + cancelled,
  );
}

// What each supplier sent back after a published change (issue 14; docs/rules.md §2.8; 003 Ch3 §2.4 L631):
// the revised parts of its response, each file with its sha256 and who signed for it, or the signed
// statement 「响应文件无需修改」.
function resubmissionRows(s: SessionState, version: number, recipients: string[]): string[][] {
  const byVersion = (s.resubmission as ReturnType<typeof resubmissionOf> | undefined)?.byVersion[version] ?? {};
  return recipients.flatMap((id) => {
    const r = byVersion[id];
    const name = q(supplierName(s, id));
    if (r?.unchanged) return [[name, L(`签署「${NO_CHANGE_STATEMENT.zh}」`, `Signed “${NO_CHANGE_STATEMENT.en}”`), q(r.unchanged.signer), bj(r.unchanged.at)]];
    if (r?.files.length) return r.files.map((f) => [name, `${L('修改后的响应文件：', 'Revised part of the response: ')}${q(f.name)}<br>sha256 <span class="hash">${esc(f.sha256)}</span>`, q(f.signer), bj(f.at)]);
    const st = standing(s, id).status;
    return [[name, st === 'active' ? L('未重新提交，亦未签署无需修改', 'Neither resubmitted nor signed that nothing changes') : L('已不在评审中', 'No longer in the evaluation'), '—', '—']];
  });
}

/** Why a supplier left: the label of the ground, or what it wrote when it withdrew (kept as written). */
function standingReason(st: ReturnType<typeof standing>): string {
  const t = st.reason ?? labelOf(GROUND_LABEL, st.ground);
  const own = /^withdrew: ([\s\S]*)$/.exec(t.en);
  if (LANG === 'en' && st.status === 'withdrawn' && own) return `Withdrew of its own accord: ${q(own[1])}`;
  return esc(t[LANG]);
}

function standingSection(s: SessionState): string {
  const rows = supplierIds(s)
    .map((id) => [id, standing(s, id)] as const)
    .filter(([, st]) => st.status !== 'active')
    .map(([id, st]) => [q(supplierName(s, id)), st.status === 'withdrawn' ? L('退出', 'Withdrew') : L('响应无效', 'Response invalid'), standingReason(st), bj(st.at), entry(st.seq)]);
  return section('sec-standing', L('九、退出与无效响应', '9. Withdrawals and invalid responses'), table([L('供应商', 'Supplier'), L('情形', 'What'), L('原因', 'Reason'), L('时间', 'Time'), L('日志序号', 'Log entry')], rows));
}

/** A tender's bidder absent at the opening confirmed its corrected price in writing; the agency recorded
 *  who signed, when and its note (docs/tender.md "Bid prices" 3). */
function writtenConfirmation(w: { signer: string; signedAt: string; note: string | null; at: number } | undefined): string {
  if (!w) return '';
  return L(
    `<br>投标人书面确认：${q(w.signer)} 签字，${q(w.signedAt)}${w.note ? `；${q(w.note)}` : ''}（代理机构于 ${bj(w.at)} 录入）`,
    `<br>Written confirmation of the bidder: signed by ${q(w.signer)}, ${q(w.signedAt)}${w.note ? `; ${q(w.note)}` : ''} (entered by the agency at ${bj(w.at)})`,
  );
}

function quotesSection(s: SessionState): string {
  const rv = reveal(s);
  const label = quoteLabel(s)[LANG];
  const qs = quotesOf(s);
  // The quote with its representative's signature beside it (issue 13 item 4).
  const signedBy = (id: string) => {
    // A tender's price was signed on the 开标一览表 and confirmed in the opening record (above).
    if (s.project.method === 'public_tender') return '';
    const g = qs.submissions[id]?.signature;
    return g
      ? `<div class="quote-sig">${signatureSvg(g.path)}<span class="words">${L('授权代表签字：', 'Signed by the authorised representative: ')}${q(g.name)}</span></div>`
      : `<span class="words">${L('授权代表未签字', 'Not signed by the authorised representative')}</span>`;
  };
  const rows = rv.rows.map((r) => [
    q(r.label),
    r.quote ? `${esc(r.quote.amount)} ${L('元', 'yuan')}<br><span class="words">${L('大写：', 'In words: ')}${q(r.quote.amountInWords)}</span>${signedBy(r.supplierId)}` : '—',
    r.correction
      ? `${r.correction.steps.map((x) => tx(x, [r.quote?.amountInWords, r.correction?.inWords])).join('<br>')}<br>${L('修正后：', 'Corrected: ')}${esc(r.correction.corrected)} ${L('元', 'yuan')}${paren(`${L('大写：', 'in words: ')}${q(r.correction.inWords)}`)}${writtenConfirmation(qs.results[r.supplierId]?.written)}`
      : '—',
    r.deduction ? r.deduction.lines.map((x) => tx(x)).join('<br>') : '—',
    r.deduction ? `${esc(r.deduction.evaluatedPrice)} ${L('元', 'yuan')}` : '—',
    r.priceScore ? `<b>${esc(r.priceScore.score)}</b><br><span class="expl">${tx(r.priceScore.explanation)}</span>` : r.status === 'active' ? '—' : `${L('无效：', 'Invalid: ')}${tx(r.reason)}`,
  ]);
  const win = qs.window
    ? `<p>${L(`${label}时间：`, `${label} window: `)}${L(`${bj(qs.window.openedAt)} 开始，截止 ${bj(qs.window.deadline)}`, `opened ${bj(qs.window.openedAt)}, deadline ${bj(qs.window.deadline)}`)}${qs.window.extensions.length ? paren(L(`延长 ${qs.window.extensions.length} 次`, `extended ${qs.window.extensions.length} time(s)`)) : ''}${semi()}${L('关闭：', 'closed: ')}${bj(qs.closedAt)}${L('。', '.')}</p>`
    : '';
  const late = qs.late.map((l) => `<p>${L('逾期提交被拒绝：', 'Late submission refused: ')}${q(supplierName(s, l.supplierId))}${paren(bj(l.at))}${L('。', '.')}</p>`).join('');
  const receipts = Object.entries(qs.submissions).map(([id, x]) => [q(supplierName(s, id)), L(`第 ${x.version} 次`, `No. ${x.version}`), bj(x.at), `<span class="hash">${esc(x.receipt)}</span>`]);
  if (s.project.method === 'public_tender') {
    // 开标记录 (docs/tender.md "Report" ④): each bidder's 开标一览表 as entered and its confirmation.
    const ANSWER: Record<string, { zh: string; en: string }> = {
      confirmed: { zh: '投标人代表确认', en: 'Confirmed by the bidder’s representative' },
      absent: { zh: '投标人未到场，视为认可', en: 'Bidder absent: deemed to accept' },
      disputed: { zh: '投标人提出异议', en: 'Disputed by the bidder' },
    };
    const opening = Object.entries(qs.opening).map(([id, o]) => {
      const sh = qs.submissions[id]?.sealed.sheet;
      return [
        q(supplierName(s, id)),
        sh ? `${esc(yuan(sh.summaryTotal ?? sh.amount))}${sh.summaryTotal && sh.summaryTotal !== sh.amount ? `<br><span class="words">${L('投标文件正文报价：', 'Price in the body of the bid: ')}${esc(sh.amount)} ${L('元', 'yuan')}</span>` : ''}` : '—',
        sh ? `<span class="words">${q(sh.amountInWords ?? '')}</span>` : '—',
        `${L(`第 ${o.version} 次录入`, `Entry no. ${o.version},`)} ${bj(o.enteredAt)}`,
        o.answer ? `${esc(ANSWER[o.answer]?.[LANG] ?? '')}${paren(bj(o.answeredAt))}${o.reason ? `${colon()}${q(o.reason)}` : ''}` : L('未答复', 'No answer'),
      ];
    });
    return section(
      'sec-quotes',
      L('十、开标记录、报价校核、价格扣除与价格分', '10. Opening record, price check, price deductions and price scores'),
      `<h3>${L('开标记录（开标一览表）', 'Opening record (bid form)')}</h3>${table([L('投标人', 'Bidder'), L('投标总价（小写）', 'Total bid price (figures)'), L('大写', 'In words'), L('录入', 'Entered'), L('确认', 'Confirmation')], opening, 'opening')}
<p>${L('开标记录确认完毕：', 'Opening record confirmed: ')}${bj(qs.closedAt)}${L('。', '.')}</p>
${table([L('投标人', 'Bidder'), label, L('报价校核（算术修正）', 'Price check (arithmetic correction)'), L('价格扣除', 'Price deduction'), L('评标价', 'Evaluated price'), L('价格分', 'Price score')], rows, 'quotes')}
<p>${L('评标基准价（满足招标文件要求的最低评标价）：', 'Base price (the lowest evaluated price meeting the tender document): ')}${rv.basePrice ? yuanWords(rv.basePrice) : '—'}${L('。', '.')}</p>`,
    );
  }
  return section(
    'sec-quotes',
    L(`十、${label}、算术修正、价格扣除与价格分`, `10. ${quoteLabel(s).en}s, arithmetic corrections, price deductions and price scores`),
    `${win}${late}${table([L('供应商', 'Supplier'), label, L('算术修正', 'Arithmetic correction'), L('价格扣除', 'Price deduction'), L('评审价', 'Evaluated price'), L('价格分', 'Price score')], rows, 'quotes')}
<p>${L('基准价（满足要求的最低评审价）：', 'Base price (the lowest evaluated price meeting the requirements): ')}${rv.basePrice ? yuanWords(rv.basePrice) : '—'}${L('。', '.')}</p>
<h3>${L(`${label}回执`, `Receipts of the ${label.toLowerCase()}s`)}</h3>${table([L('供应商', 'Supplier'), L('版本', 'Version'), L('提交时间', 'Submitted'), L('回执（sha256）', 'Receipt (sha256)')], receipts)}`,
  );
}

function abnormalLowSection(s: SessionState): string {
  const reviews = Object.values(quotesOf(s).reviews);
  const blocks = reviews.map((r) => {
    const hits = r.hits
      .map((h) => L(`第 ${esc(h.trigger)} 项：报价 ${esc(yuan(h.quote))}，参照值 ${esc(yuan(h.reference))} × ${esc(h.ratio)} = 阈值 ${esc(yuan(h.threshold))}`, `Condition ${esc(h.trigger)}: quote ${esc(yuan(h.quote))}, reference ${esc(yuan(h.reference))} × ${esc(h.ratio)} = threshold ${esc(yuan(h.threshold))}`))
      .join('<br>');
    const votes = Object.entries(r.votes).map(([m, v]) => [memberLabel(s, m), v.verdict === 'accept' ? L('合理', 'Reasonable') : L('不能证明合理，无效', 'Not proved reasonable: invalid'), q(v.reason), bj(v.at)]);
    const d = r.decision;
    const by = r.openedBy ? (s.people[r.openedBy]?.role === 'moderator' ? q(personName(s, r.openedBy)) : esc(memberLabel(s, r.openedBy))) : '';
    return `<h3>${q(supplierName(s, r.supplierId))}</h3>
<p>${L('启动：', 'Opened: ')}${r.openedBy ? L(`由 ${by} 提出`, `proposed by ${by}`) : L('触发评审标准的异常低价情形', 'the quote met the criteria’s abnormally-low condition')}${paren(bj(r.openedAt))}${L('。', '. ')}${tx(r.reason)}</p>
${hits ? `<p>${L('触发条件：', 'Conditions met: ')}<br>${hits}</p>` : ''}
<p>${L(`说明时限：${r.minutes} 分钟（截止 ${bj(r.endsAt)}）。供应商说明：`, `Time for the explanation: ${r.minutes} min (until ${bj(r.endsAt)}). The supplier’s explanation: `)}${r.explanation ? `${q(r.explanation.text)}${paren(bj(r.explanation.at))}` : L('未在时限内提交', 'none within the time')}</p>
${table([L('成员', 'Member'), L('意见', 'Opinion'), L('理由', 'Reasons'), L('时间', 'Time')], votes)}
<p>${L('结果：', 'Result: ')}${d ? `${d.outcome === 'accepted' ? L('报价合理，继续参加评审', 'price reasonable; stays in the evaluation') : L('不能证明其报价合理性，响应无效', 'could not prove its price reasonable; response invalid')}${paren(L(`合理 ${d.accept} 票，无效 ${d.invalid} 票，`, `${d.accept} reasonable, ${d.invalid} invalid, `) + bj(d.at))}` : L('未决', 'pending')}</p>`;
  });
  return section('sec-abnormal', L('十一、异常低价审查', '11. Abnormally low price review'), blocks.length ? blocks.join('') : `<p class="none">${L('无供应商报价触发异常低价审查，评审小组亦未启动审查。', 'No quote met the abnormally-low condition and the panel opened no review.')}</p>`);
}

function memberScoresSection(s: SessionState): string {
  const sc = scoringOf(s);
  const leaves = scoredLeaves(s.rubric);
  const ev = roomEvaluation(s);
  const outById = new Map((ev.detail?.output.suppliers ?? []).map((x) => [x.id, x]));
  const scored = supplierIds(s).filter((id) => Object.values(sc.entries).some((m) => m[id]));
  const blocks = s.order
    .map((id) => s.people[id])
    .filter((p) => (p.role === 'expert' || p.role === 'purchaser_rep') && sc.entries[p.id])
    .map((m) => {
      const rows = leaves.map((f) => [q(f.name_zh), esc(f.max_points), ...scored.map((sid) => esc(sc.entries[m.id]?.[sid]?.[f.id]?.points ?? '—'))]);
      rows.push([`<b>${L('合计（含价格分）', 'Total (with the price score)')}</b>`, esc(s.rubric.total_points), ...scored.map((sid) => `<b>${esc(outById.get(sid)?.memberTotals?.[m.id] ?? '—')}</b>`)]);
      return `<div class="member-sheet"><h3>${memberLabel(s, m.id)} ${q(m.name)}${m.active ? '' : paren(L('已更换', 'replaced'))}</h3>${table([L('评审因素', 'Factor'), L('满分', 'Max.'), ...scored.map((sid) => q(supplierName(s, sid)))], rows, 'scores')}</div>`;
    });
  return section('sec-member-scores', L('十二、各成员评分明细', '12. Each member’s scores'), blocks.length ? blocks.join('') : `<p class="none">${L('无评分记录。', 'No scores were recorded.')}</p>`);
}

function resultsSection(s: SessionState): string {
  const ev = roomEvaluation(s);
  if (!ev.detail) return section('sec-results', L('十三、评分汇总、排序与推荐', '13. Totals, ranking and recommendation'), `<p class="none">${L('评审结果无法计算：', 'The results cannot be computed: ')}${ev.error ? q(ev.error) : L('评分未完成', 'scoring is not finished')}</p>`);
  const out = ev.detail.output;
  const members = activeMembers(s);
  const sorted = [...out.suppliers].sort((a, b) => (a.rank ?? 999) - (b.rank ?? 999));
  const rows = sorted.map((r) => [
    r.rank === null ? '—' : String(r.rank),
    q(supplierName(s, r.id)),
    ...members.map((m) => esc(r.memberTotals?.[m.id] ?? '—')),
    esc(r.priceScore ?? '—'),
    `<b>${esc(r.finalScore ?? '—')}</b>`,
    r.status === 'responsive'
      ? r.candidate
        ? L('推荐', 'Recommended')
        : ''
      : standing(s, r.id).status === 'withdrawn'
        ? L('退出', 'Withdrew')
        : `${L('无效：', 'Invalid: ')}${esc(labelOf(GROUND_LABEL, r.invalidReason ?? standing(s, r.id).ground)[LANG])}`,
  ]);
  const ties = (ev.detail.ranking?.tieBreaks ?? []).map(
    (t) =>
      `<li>${L(
        `${q(supplierName(s, t.above))} 与 ${q(supplierName(s, t.below))} 最终得分相同，${t.key ? `按「${rankKey(t.key)}」排序` : '仍然相同，未能区分'}。`,
        `${q(supplierName(s, t.above))} and ${q(supplierName(s, t.below))} have the same final score; ${t.key ? `ranked by “${rankKey(t.key)}”` : 'still equal, not separated'}.`,
      )}</li>`,
  );
  const vote = scoringOf(s).ranking;
  const cands = sorted.filter((r) => r.candidate);
  return section(
    'sec-results',
    L('十三、评分汇总、排序与推荐', '13. Totals, ranking and recommendation'),
    `${table([L('排序', 'Rank'), L('供应商', 'Supplier'), ...members.map((m) => memberLabel(s, m.id)), L('价格分', 'Price score'), L('最终得分', 'Final score'), L('推荐', 'Recommendation')], rows, 'results')}
<h3>${L('得分相同的处理', 'Equal scores')}</h3>${ties.length ? `<ul>${ties.join('')}</ul>` : `<p class="none">${L('无得分相同的供应商。', 'No two suppliers have the same score.')}</p>`}
${vote.decided ? `<p>${L('评审小组表决排序：', 'Ranking voted by the panel: ')}${vote.decided.map((id) => q(supplierName(s, id))).join(' → ')}${paren(L(`${Object.keys(vote.votes).length} 票`, `${Object.keys(vote.votes).length} votes`))}${L('。', '.')}</p>` : ''}
<h3>${s.project.method === 'public_tender' ? L('推荐的中标候选供应商', 'Recommended winning candidates') : L('推荐的成交候选供应商', 'Recommended successful candidates')}</h3>
<ol class="cands">${cands.map((r) => `<li>${q(supplierName(s, r.id))}${paren(`${L('最终得分 ', 'final score ')}${esc(r.finalScore)}`)}</li>`).join('') || `<li>${L('无', 'None')}</li>`}</ol>
<p>${L('评审结论：', 'Conclusion: ')}${out.outcome.status === 'continue' ? L(`有效供应商 ${out.outcome.responsive} 家，评审有效。`, `${out.outcome.responsive} responsive suppliers; the evaluation is valid.`) : `${L('评审终止：', 'Evaluation terminated: ')}${q(out.outcome.reason ?? '')}`}</p>`,
  );
}

function changesSection(s: SessionState): string {
  const sc = scoringOf(s);
  const revs = sc.revisions.map((r) => [memberLabel(s, r.memberId), q(supplierName(s, r.supplierId)), factorName(s, r.factorId), `${esc(r.old.points)} → ${esc(r.new.points)}`, q(r.reason), r.ground ? esc(CHANGE_GROUND_LABEL[r.ground][LANG]) : L('异常复核', 'Review of a flag'), bj(r.at), entry(r.seq)]);
  const changes = sc.changes.map((c, i) => [
    String(i + 1),
    memberLabel(s, c.memberId),
    q(supplierName(s, c.supplierId)),
    factorName(s, c.factorId),
    esc(c.points),
    esc(CHANGE_GROUND_LABEL[c.ground][LANG]),
    q(c.reason),
    c.votes.map((v) => `${memberLabel(s, v.memberId)}${L(v.approve ? '同意' : '反对', v.approve ? ': for' : ': against')}`).join(L('，', ', ')),
    c.status === 'applied' ? L('已变更', 'Applied') : c.status === 'rejected' ? L('未通过', 'Rejected') : L('表决中', 'Being voted'),
  ]);
  return section(
    'sec-changes',
    L('十四、评分修改与结果变更记录', '14. Score revisions and changes to the result'),
    `<p>${L(
      `评审结果汇总后，除分值汇总计算错误、分项评分超出评分标准范围、评审小组成员对客观评审因素评分不一致、经评审小组认定评分畸高畸低四种情形外，任何人不得修改评审结果（依据${esc(cite(s.rubric, 'resultChange', s.project.method)[LANG])}）。报告签署前经复核发现上述情形的，评审小组当场修改并在本报告中记载；报告签署后发现的，由原评审小组重新评审，改变评审结果的书面报告本级财政部门。`,
      `Once the results are summed up, no one may change them except on four grounds: a miscalculated total, an item scored outside the criteria, members scoring an objective factor differently, or a score the panel determines to be abnormally high or low (per ${esc(cite(s.rubric, 'resultChange', s.project.method)[LANG])}). Found before the report is signed, the panel corrects it on the spot and this report records it; found after, the original panel re-evaluates, and a change to the result is reported in writing to the finance department at the same level.`,
    )}</p>
<p>${L('评分汇总锁定：', 'Scores summed up and locked: ')}${sc.locked ? `${bj(sc.locked.at)}${paren(L(`日志第 ${sc.locked.seq} 条`, `log entry ${sc.locked.seq}`))}` : L('尚未汇总', 'not yet')}${L('。', '. ')}${L(`汇总后结果变更 ${sc.changes.filter((c) => c.status === 'applied').length} 项`, `Changes to the result after that: ${sc.changes.filter((c) => c.status === 'applied').length}`)}${sc.changes.length ? paren(L(`提出 ${sc.changes.length} 项`, `${sc.changes.length} proposed`)) : ''}${L('。', '.')}</p>
<h3>${L('评分修改', 'Score revisions')}</h3>${table([L('成员', 'Member'), L('供应商', 'Supplier'), L('因素', 'Factor'), L('原分 → 新分', 'Old → new'), L('理由', 'Reason'), L('依据', 'Ground'), L('时间', 'Time'), L('日志序号', 'Log entry')], revs)}
<h3>${L('汇总后结果变更（法定情形）', 'Changes to the result after the summing-up (legal grounds)')}</h3>${table([L('编号', 'No.'), L('提出', 'Proposed by'), L('供应商', 'Supplier'), L('因素', 'Factor'), L('新分值', 'New score'), L('法定情形', 'Legal ground'), L('理由', 'Reason'), L('表决', 'Votes'), L('结果', 'Result')], changes)}`,
  );
}

function otherSection(s: SessionState): string {
  const rep = reportOf(s);
  const disputes = rep.disputes.map((d, i) => [
    String(i + 1),
    q(d.subject),
    q(d.proposal),
    d.votes.map((v) => `${memberLabel(s, v.memberId)}${colon()}${v.agree ? L('同意', 'agrees') : L('不同意', 'disagrees')}${v.reason ? paren(q(v.reason)) : ''}`).join('<br>'),
    d.result
      ? `${d.result.outcome === 'adopted' ? L('通过', 'Adopted') : L('未通过', 'Not adopted')}${paren(L(`同意 ${d.result.agree}，不同意 ${d.result.disagree}，共 ${d.result.of} 人`, `${d.result.agree} agree, ${d.result.disagree} disagree, of ${d.result.of}`))}`
      : L('表决中', 'Being voted'),
  ]);
  const revs = rep.revisions
    .filter((r) => r.reopen)
    .map((r) => {
      const o = r.reopen!;
      const byAgency = s.people[o.requestedBy]?.role === 'moderator';
      const agency = q(personName(s, byAgency ? o.requestedBy : o.confirmedBy));
      const leader = q(personName(s, byAgency ? o.confirmedBy : o.requestedBy));
      const ground = esc(REOPEN_GROUND_LABEL[o.ground][LANG]);
      return `<li>${L(
        `第 ${r.n} 版：依法重新评审（${ground}），理由：${q(o.reason)}；代理机构 ${agency} 与评审小组组长 ${leader} 共同提出（${bj(r.openedAt)}）。前一版定稿报告保留备查。`,
        `Revision ${r.n}: lawful re-evaluation (${ground}); reason: ${q(o.reason)}; proposed jointly by the agency’s ${agency} and the panel leader ${leader} (${bj(r.openedAt)}). The previous final report is kept on file.`,
      )}</li>`;
    });
  const prior = rep.revisions.filter((r) => r.final && r !== rep.revisions.at(-1)).map((r) => `<li>${L(`第 ${r.n} 版定稿 PDF sha256：`, `Final PDF of revision ${r.n}, sha256: `)}<span class="hash">${esc(r.final!.sha256)}</span></li>`);
  const voided = rep.revisions.flatMap((r) =>
    r.voided.map(
      (v) =>
        `<li>${L(
          `${memberLabel(s, v.memberId)} 于 ${bj(v.at)} 的${v.deemed ? '「视为同意」记录' : '签署'}因「${q(v.why)}」失效，须重新签署。`,
          `The ${v.deemed ? 'record “deemed to agree”' : 'signature'} of ${memberLabel(s, v.memberId)} at ${bj(v.at)} lapsed because “${q(v.why)}”; to be signed again.`,
        )}</li>`,
    ),
  );
  const term = s.termination ? `<p>${L('评审终止：', 'Evaluation terminated: ')}${q(s.termination.reason)}${paren(bj(s.termination.at))}${L('。', '.')}</p>` : '';
  return section(
    'sec-other',
    L('十五、其他事项', '15. Other matters'),
    `<h3>${L('争议事项的表决（少数服从多数）', 'Votes on disputed matters (by majority)')}</h3>${table([L('编号', 'No.'), L('争议事项', 'Matter'), L('拟表决意见', 'Proposal'), L('表决', 'Votes'), L('结果', 'Result')], disputes)}
${revs.length ? `<h3>${L('重新评审', 'Re-evaluation')}</h3><ul>${revs.join('')}</ul>` : ''}${prior.length ? `<ul>${prior.join('')}</ul>` : ''}
${voided.length ? `<h3>${L('签署失效记录', 'Lapsed signatures')}</h3><ul>${voided.join('')}</ul>` : ''}${term}`,
  );
}

function anomalyAppendix(s: SessionState, hashOf: Map<number, string>): string {
  const flags = roomFlags(s).filter((f) => f.severity !== 'info');
  // Each flag in words: the rule by what it checks, who and what it concerns, the message (which
  // states the numbers the rule looked at), the member's answer and the panel's determination.
  const rows = flags.map((f) => [
    esc(labelOf(FLAG_RULE_LABEL, f.rule)[LANG]),
    f.blocking ? L('阻断', 'Blocking') : esc(labelOf(FLAG_SEVERITY_LABEL, f.severity)[LANG]),
    `${f.member ? memberLabel(s, f.member) : L('评审小组', 'The panel')} / ${f.supplier ? q(supplierName(s, f.supplier)) : L('全部供应商', 'all suppliers')} / ${f.factor ? factorName(s, f.factor) : L('全部因素', 'all factors')}`,
    `${tx(flagMessages(s, f).others)}${f.threshold ? `<br>${L('阈值', 'Threshold')} ${esc(f.threshold)}` : ''}`,
    f.response
      ? `${f.response.kind === 'keep' ? L('维持', 'Kept') : L('修改', 'Revised')}${colon()}${q(f.response.reason)}${f.response.old !== null ? paren(`${esc(f.response.old)}${f.response.new !== null ? ` → ${esc(f.response.new)}` : ''}`) : ''}<br>${bj(f.response.at)} ${entry(f.response.seq)} <span class="hash">${esc(hashOf.get(f.response.seq)?.slice(0, 16) ?? '')}</span>`
      : '—',
    f.determination
      ? `${f.determination.result === 'abnormal' ? L('认定畸高畸低', 'Determined abnormal') : L('不认定', 'Not determined abnormal')}${paren(f.determination.votes.map((v) => `${memberLabel(s, v.memberId)}${v.verdict === 'abnormal' ? L('认定', ' abnormal') : L('不认定', ' not abnormal')}${colon()}${q(v.reason)}`).join(semi()))} ${entry(f.determination.seq)} <span class="hash">${esc(hashOf.get(f.determination.seq)?.slice(0, 16) ?? '')}</span>`
      : '—',
  ]);
  const record = scoringOf(s)
    .record.filter((r) => r.type !== 'score:submitted')
    .map((r) => [entry(r.seq), bj(r.at), esc(eventLabel(r.type)[LANG]), reviewDetail(s, r.type, r.payload), `<span class="hash">${esc(hashOf.get(r.seq) ?? '')}</span>`]);
  const pending = reviewPending(s);
  return section(
    'sec-anomaly',
    L('附录 评分复核记录', 'Appendix: review of the scores'),
    `<p>${L(
      `规则配置：${esc(labelOf(PRESET_LABEL, (s.settings as any).anomalyPreset ?? 'standard').zh)}预设；评分标准配置哈希 `,
      `Rules: the ${esc(labelOf(PRESET_LABEL, (s.settings as any).anomalyPreset ?? 'standard').en)} preset; hash of the rubric configuration `,
    )}<span class="hash">${esc(s.rubricHash)}</span>${L('。', '.')}</p>
${table([L('复核事项', 'What was checked'), L('级别', 'Level'), L('成员 / 供应商 / 因素', 'Member / supplier / factor'), L('提示', 'Message'), L('成员答复', 'Member’s answer'), L('评审小组处置', 'Panel’s determination')], rows, 'anomaly')}
<h3>${L('复核事件', 'Record of the review')}</h3>${table([L('日志序号', 'Log entry'), L('服务器时间', 'Server time'), L('事件', 'Event'), L('内容', 'Details'), L('哈希', 'Hash')], record)}
<p class="statement">${pending ? `${L('注意：签署时仍有未处置事项：', 'Note: at signing, matters remain open: ')}${tx(pending)}` : L('签署时无未解决的阻断项，亦无未处置的复核项。', 'At signing no blocking flag is unresolved and no flag awaits review.')}</p>`,
  );
}

/** What an entry of the review record says (docs/anomaly.md "Report content"): the member's answer and its
 *  reason, each vote with its reason, the panel's determination; kept after the flag itself is resolved. */
function reviewDetail(s: SessionState, type: string, payload: unknown): string {
  const p = (payload ?? {}) as { memberId?: string; reason?: string; verdict?: string; result?: string };
  const verdict = (v: string | undefined) => (v === 'abnormal' ? L('认定畸高畸低', 'abnormal') : L('不认定', 'not abnormal'));
  if (type === 'anomaly:kept') return `${memberLabel(s, p.memberId)}${L('维持评分', ' keeps the score')}${colon()}${q(p.reason ?? '')}`;
  if (type === 'anomaly:voted') return `${memberLabel(s, p.memberId)}${colon()}${verdict(p.verdict)}${p.reason ? paren(q(p.reason)) : ''}`;
  if (type === 'anomaly:determined') return `${L('评审小组认定：', 'The panel determines: ')}${verdict(p.result)}`;
  return '';
}

function signatureSvg(path: string): string {
  return `<svg class="sig" viewBox="0 0 ${SIGNATURE_VIEWBOX.width} ${SIGNATURE_VIEWBOX.height}" xmlns="http://www.w3.org/2000/svg"><path d="${esc(path)}" fill="none" stroke="#102040" stroke-width="4" stroke-linecap="round" stroke-linejoin="round"/></svg>`;
}

function signaturePage(s: SessionState, ctx: ReportContext): string {
  const r = ctx.revision;
  const members = activeMembers(s);
  const clause = cite(s.rubric, 'report', s.project.method)[LANG];
  const rows = members.map((m) => {
    const sig = r.signatures[m.id];
    const deemed = r.deemed?.[m.id];
    // A member who neither signed nor gave reasons: deemed to agree (docs/rules.md §2.22), with the clause.
    if (!sig && deemed)
      return `<tr class="deemed"><td>${memberLabel(s, m.id)}</td><td>${q(m.name)}${m.leader ? L('（组长）', ' (leader)') : ''}</td><td class="sigcell">${L('未签字', 'not signed')}</td><td>—</td><td>${L(`未签字且未说明理由，视为同意评审结论（依据${esc(clause)}）。记录：`, `Neither signed nor gave reasons: deemed to agree with the conclusions (per ${esc(clause)}). Record: `)}${q(deemed.note)}</td><td>${bj(deemed.at)}</td></tr>`;
    return `<tr><td>${memberLabel(s, m.id)}</td><td>${q(m.name)}${m.leader ? L('（组长）', ' (leader)') : ''}</td><td class="sigcell">${sig ? signatureSvg(sig.path) : ''}</td><td>${sig ? q(sig.name) : ''}</td><td>${sig ? (sig.dissent ? L('有不同意见（见下）', 'Dissents (see below)') : L('同意', 'Agrees')) : ''}</td><td>${sig ? bj(sig.at) : ''}</td></tr>`;
  });
  const dissents = members
    .filter((m) => r.signatures[m.id]?.dissent)
    .map((m) => {
      const d = r.signatures[m.id].dissent!;
      return `<div class="dissent"><h3>${L(`${memberLabel(s, m.id)} ${q(m.name)} 的不同意见`, `Dissent of ${memberLabel(s, m.id)} ${q(m.name)}`)}</h3><p><b>${L('事项：', 'Item: ')}</b>${q(d.item)}</p><p><b>${L('意见：', 'Position: ')}</b>${q(d.position)}</p><p><b>${L('理由：', 'Reasons: ')}</b>${q(d.reasons)}</p></div>`;
    });
  const award = s.project.method === 'public_tender';
  return section(
    'sec-signatures',
    L('评审小组成员签字', 'Signatures of the panel'),
    `<p>${L(
      `评审小组成员对评审报告有异议的，按照少数服从多数的原则推荐${award ? '中标' : '成交'}候选供应商；持不同意见的成员在报告上签署不同意见并说明理由，未签署不同意见且不说明理由的，视为同意（依据${esc(clause)}）。`,
      `Where members disagree with the report, the ${award ? 'winning' : 'successful'} candidates are recommended by majority; a dissenting member signs the dissent with reasons on the report; a member who signs no dissent and gives no reasons is deemed to agree (per ${esc(clause)}).`,
    )}</p>
<table class="signatures"><thead><tr><th>${L('编号', 'Member')}</th><th>${L('姓名', 'Name')}</th><th>${L('签名', 'Signature')}</th><th>${L('署名', 'Signed as')}</th><th>${L('意见', 'Opinion')}</th><th>${L('签署时间', 'Signed at')}</th></tr></thead><tbody>${rows.join('')}</tbody></table>
${dissents.length ? `<h3>${L('不同意见', 'Dissents')}</h3>${dissents.join('')}` : `<p>${L('无成员签署不同意见。', 'No member signed a dissent.')}</p>`}
<div class="foot-qr">${qrSvg(ctx.head, 22)}<p>${L(`本报告生成于事件日志第 ${ctx.headSeq} 条，日志哈希：`, `Generated at entry ${ctx.headSeq} of the event log; log hash: `)}<span class="hash">${esc(ctx.head)}</span></p></div>`,
  );
}

const CSS = `
@page { size: A4; margin: 18mm 14mm 26mm 14mm; }
* { box-sizing: border-box; }
body { font-family: "Noto Serif CJK SC", "Noto Sans CJK SC", "Source Han Serif SC", serif; font-size: 10.5pt; line-height: 1.55; color: #111; margin: 0 auto; max-width: 190mm; padding: 0 2mm; }
h1 { font-size: 19pt; text-align: center; margin: 30mm 0 14mm; line-height: 1.4; }
h2 { font-size: 14pt; border-bottom: 1.5pt solid #111; padding-bottom: 1mm; margin: 8mm 0 3mm; break-after: avoid; }
h3 { font-size: 11.5pt; margin: 4mm 0 2mm; break-after: avoid; }
p { margin: 1.5mm 0; }
table { width: 100%; border-collapse: collapse; margin: 2mm 0 3mm; font-size: 9pt; }
th, td { border: 0.6pt solid #333; padding: 1mm 1.5mm; vertical-align: top; text-align: left; word-break: break-all; }
th { background: #eee; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
table.kv th { width: 34%; }
td.none, p.none { color: #444; font-style: italic; text-align: center; }
.hash, .mono { font-family: "Noto Sans Mono CJK SC", monospace; font-size: 7.5pt; word-break: break-all; }
.cover { break-after: page; text-align: center; position: relative; }
.cover .kicker { margin-top: 20mm; font-size: 13pt; letter-spacing: 0.3em; }
.cover dl { display: grid; grid-template-columns: 34mm 1fr; gap: 2mm 4mm; text-align: left; max-width: 150mm; margin: 0 auto; }
.cover dt { font-weight: bold; }
.cover .qr { margin-top: 12mm; }
.watermark { margin-top: 10mm; font-size: 16pt; color: #a00; border: 2pt solid #a00; display: inline-block; padding: 2mm 6mm; }
.quotes td:nth-child(2), .quotes td:nth-child(5) { white-space: nowrap; }
.quotes .words { white-space: normal; }
.crit { font-size: 8pt; color: #333; margin-top: 1mm; }
.words, .expl { font-size: 8pt; color: #333; }
.member-sheet { break-inside: avoid; }
.diff { font-family: monospace; font-size: 8.5pt; }
.minutes { break-inside: auto; margin-bottom: 4mm; }
.minutes h4 { font-size: 10pt; margin: 2mm 0 1mm; }
.minutes-text { white-space: normal; }
#sec-anomaly { break-before: page; }
#sec-signatures { break-before: page; }
table.signatures td { height: 22mm; vertical-align: middle; }
table.signatures tr.deemed td { font-size: 8.5pt; }
td.sigcell { width: 55mm; }
.quote-sig svg.sig { width: 30mm; height: 10mm; }
svg.sig { width: 52mm; height: 17mm; display: block; }
.dissent { border: 1pt solid #333; padding: 2mm 4mm; margin: 3mm 0; break-inside: avoid; }
.foot-qr { display: flex; gap: 4mm; align-items: center; margin-top: 8mm; }
.statement { font-weight: bold; }
@media screen { body { padding: 6mm; background: #fff; } body.draft::before { content: "待签署稿 · 非最终报告"; display: block; text-align: center; color: #a00; font-weight: bold; } }
`;
