import { deviceRecord } from '../participants/devices';
import { inMethodZh } from '../../shared/labels/terms';
import type { SessionState } from '../session/types';
import type { StoredEvent } from '../store/types';
import { scoredLeaves, allFactors, priceFactor } from '../../shared/domain/rubric/index';
import type { Factor } from '../../shared/domain/rubric/types';
import { bjDateTime, bjDateTimeEn, durationEn, isoToBj, yuan as yuanText, yuanWithWords, durationZh, personLabel, eventLabel, labelOf, METHOD_LABEL, RANK_KEY_LABEL, GROUND_LABEL, PRESET_LABEL, FLAG_RULE_LABEL, FLAG_SEVERITY_LABEL } from '../../shared/labels/index';
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

const yuan = yuanText;
/** 专家 n, or 采购人代表 (issue 13 item 7): never an expert number for the purchaser's representative. */
const memberLabel = (s: SessionState, id: string | null | undefined) => (id && s.people[id] ? personLabel(s.people[id], s.order.map((x) => s.people[x]))[LANG] : '—');
const factorName = (s: SessionState, id: string | null | undefined) => (id ? (allFactors(s.rubric).find((f) => f.id === id)?.name_zh ?? id) : '—');
const personName = (s: SessionState, id: string | null | undefined) => (id && s.people[id] ? s.people[id].name : '—');
const supplierName = (s: SessionState, id: string | null | undefined) => (id && s.people[id] ? (s.people[id].org ?? s.people[id].name) : '—');
const none = (cols: number, text = L('无', 'None')) => `<tr><td colspan="${cols}" class="none">${text}</td></tr>`;

function table(head: string[], rows: string[][], cls = ''): string {
  const body = rows.length ? rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('') : none(head.length);
  return `<table class="${cls}"><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${body}</tbody></table>`;
}

const section = (id: string, title: string, body: string) => `<section id="${id}"><h2>${title}</h2>${body}</section>`;

const RANK_KEY: Record<string, string> = Object.fromEntries(Object.entries(RANK_KEY_LABEL).map(([k, v]) => [k, v.zh]));
const METHOD: Record<string, string> = Object.fromEntries(Object.entries(METHOD_LABEL).map(([k, v]) => [k, v.zh]));

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
  if (tender && LANG === 'zh') {
    // A 评标报告 in the tender's words (shared/labels/terms.ts), its chapters numbered in order. What a
    // person wrote or named (marked by q()) is kept as written: a member's reason is never reworded.
    body = body
      .split(/(<span class="q">[^<]*<\/span>)/)
      .map((part) => (part.startsWith('<span class="q">') ? part : inMethodZh(s.project.method, part)))
      .join('');
    let n = 0;
    body = body.replace(/<h2>[一二三四五六七八九十]+、/g, () => `<h2>${CN_ORDINAL[++n] ?? n}、`);
  }
  return `<!doctype html><html lang="${LANG === 'en' ? 'en' : 'zh-CN'}"><head><meta charset="utf-8"><title>${esc(reportTitle(s))} · ${esc(s.project.projectNumber ?? '')}</title><style>${CSS}</style></head><body class="${ctx.final ? 'final' : 'draft'}">${body}</body></html>`;
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
    ['项目名称', esc(p.name)],
    ['项目编号', esc(p.projectNumber ?? '—')],
    ['采购编号', esc(rp.tender_number ?? '—')],
    ['采购方式', esc(METHOD[p.method] ?? '—')],
    ['评审方法', esc(rp.evaluation_method_zh ?? '综合评分法')],
    ['采购人', esc(p.purchaser ?? '—')],
    ['采购代理机构', esc(p.agency ?? '—')],
    ['采购预算', yuan(p.budget)],
    ['最高限价', yuan(p.maxPrice)],
    ['是否专门面向中小企业', st.reservedForSme ? '是' : '否'],
    ...((p.method === 'public_tender'
      ? // 004 §5.2.5(1)①: the media the 招标公告 was published in, the date and place of the opening (docs/tender.md "Report").
        [
          ['招标公告刊登媒体', (p.announcementMedia ? q(p.announcementMedia) : '—')],
          ['开标时间', esc(isoToBj(p.scheduledAt ?? rp.opening_time))],
          ['开标地点', (p.openingPlace ? q(p.openingPlace) : '—')],
        ]
      : [['响应文件提交截止 / 开启时间', esc(isoToBj(p.scheduledAt ?? rp.opening_time))]]) as [string, string][]),
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
        ? `<p>招标公告刊登媒体：${(s.project.announcementMedia ? q(s.project.announcementMedia) : '—')}。开标时间：${esc(isoToBj(s.project.scheduledAt))}；开标地点：${(s.project.openingPlace ? q(s.project.openingPlace) : '—')}。</p>`
        : `<p>公告媒介：中国政府采购网及省级以上财政部门指定媒介（以采购文件为准）。评审地点与时间：${esc(isoToBj(s.project.scheduledAt))}。</p>`
    }
<p>签到开始：${bj(at('signin'))}；签到截止：${bj(si.closed?.at)}；开启：${bj(at('opening'))}；资格与符合性审查开始：${bj(at('review'))}。</p>
<h3>供应商签到记录（磋商顺序）</h3>${table(['序号', '供应商', '授权代表', '签到时间'], rows)}
${absent.length ? `<p>签到截止时未到：${absent.map((id) => q(supplierName(s, id))).join('、')}。</p>` : ''}
${si.reorders.map((r) => `<p>磋商顺序调整（${bj(r.at)}）：${r.order.map((id) => q(supplierName(s, id))).join(' → ')}；理由：${q(r.reason)}</p>`).join('')}`,
  );
}

function participantsSection(s: SessionState): string {
  const si = signinOf(s);
  const sups = supplierIds(s).map((id, i) => [String(i + 1), q(supplierName(s, id)), q(s.people[id].name), esc(s.people[id].contact ?? '—')]);
  const members = s.order
    .map((id) => s.people[id])
    .filter((p) => p.role === 'expert' || p.role === 'purchaser_rep')
    .map((p) => {
      const m = si.members[p.id];
      const recuse = m?.recuseFrom?.length ? `回避：${m.recuseFrom.map((x) => q(supplierName(s, x))).join('、')}${m.recusalNote ? `（${q(m.recusalNote)}）` : ''}` : '无回避';
      const status = p.active ? '在任' : '已更换';
      return [memberLabel(s, p.id), esc(p.name), p.role === 'purchaser_rep' ? '采购人代表' : '评审专家', p.leader ? '组长' : '', bj(m?.at), recuse, status + (p.replaces ? `（接替 ${esc(personName(s, p.replaces))}）` : '')];
    });
  const repl = si.replacements.map((r) => [esc(personName(s, r.memberId)), esc(personName(s, r.replacementId)), q(r.reason), bj(r.at)]);
  return section(
    'sec-participants',
    L('三、供应商与评审小组成员名单', '3. Suppliers and panel members'),
    `<h3>参加评审的供应商</h3>${table(['序号', '供应商', '代表', '联系方式'], sups)}
<h3>评审小组成员</h3>${table(['编号', '姓名', '身份', '职务', '签到时间', '回避', '状态'], members)}
<h3>评审小组成员的更换</h3>${table(['原成员', '替换成员', '原因', '时间'], repl)}
<h3>设备使用记录</h3>${table(['时间', '人员', '事项'], deviceRecord(s).map((d) => [bj(d.at), esc(personName(s, d.personId)), d.what]))}`,
  );
}

function factorCriteria(f: Factor): string {
  const bits: string[] = [];
  if (f.levels?.length) bits.push(f.levels.map((l) => `${esc(l.points)} 分：${esc(l.criterion_zh)}`).join('；'));
  if (f.bands?.length) bits.push(f.bands.map((b) => `${esc(b.min)}–${esc(b.max)} 分：${esc(b.criterion_zh)}`).join('；'));
  return bits.join('<br>');
}

function methodSection(s: SessionState): string {
  const r = s.rubric;
  const price = priceFactor(r);
  const rows = allFactors(r).map((f) => [
    esc(f.seq_zh ?? f.id),
    esc(f.group_zh ?? f.group),
    esc(f.name_zh) + (f.kind === 'composite' ? L('（合计）', ' (subtotal)') : ''),
    esc(f.max_points),
    f.objective ? L('客观', 'objective') : L('主观', 'subjective'),
    `${esc(f.rule_zh)}${factorCriteria(f) ? `<div class="crit">${factorCriteria(f)}</div>` : ''}`,
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
    ['review', '资格审查与符合性审查'],
    ['final_review', '终审'],
  ];
  const out: string[] = [];
  for (const [phase, title] of phases) {
    const list = checklistOf(s, phase);
    if (!list.length && phase === 'final_review') continue;
    const rows = supplierIds(s)
      .filter((id) => rv.concluded[phase][id] || rv.votes[phase][id])
      .map((id) => {
        const c = rv.concluded[phase][id];
        const failed = c?.failed.map((f) => `${esc(f.text)}：${f.reasons.map(esc).join('；')}`).join('<br>') ?? '';
        return [q(supplierName(s, id)), c ? (c.result === 'pass' ? '通过' : '不通过') : '未完成', failed || '—', bj(c?.at)];
      });
    out.push(`<h3>${title}（${list.length} 项，按少数服从多数）</h3>${table(['供应商', '结论', '未通过项及理由', '时间'], rows)}`);
  }
  out.push(policySection(s));
  for (const b of rv.belowMinimum)
    out.push(`<p>有效供应商不足（${b.count} 家）后继续评审：${esc(b.exception)}；理由：${esc(b.justification)}（${bj(b.at)}）。</p>`);
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
      esc(x.question),
      bj(x.sentAt),
      x.answer ? `${esc(x.answer.text)}${x.answer.attachment ? `<br>附件：${esc(x.answer.attachment.name)}（sha256 ${esc(x.answer.attachment.sha256.slice(0, 16))}…）` : ''}<br>签署：${esc(x.answer.signer)}` : x.status === 'lapsed' ? '逾期未答复' : '未答复',
      bj(x.answer?.at ?? x.lapsedAt),
    ]);
  return section('sec-clarify', L('六、澄清、说明或补正', '6. Clarifications, explanations and corrections'), table(['编号', '供应商', '澄清问题', '发出时间', '答复', '答复时间'], rows));
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

function standingSection(s: SessionState): string {
  const rows = supplierIds(s)
    .map((id) => [id, standing(s, id)] as const)
    .filter(([, st]) => st.status !== 'active')
    .map(([id, st]) => [q(supplierName(s, id)), st.status === 'withdrawn' ? '退出' : '响应无效', esc(st.reason?.zh ?? labelOf(GROUND_LABEL, st.ground).zh), bj(st.at), st.seq ? `第 ${st.seq} 条` : '—']);
  return section('sec-standing', L('九、退出与无效响应', '9. Withdrawals and invalid responses'), table(['供应商', '情形', '原因', '时间', '日志序号'], rows));
}

/** A tender's bidder absent at the opening confirmed its corrected price in writing; the agency recorded
 *  who signed, when and its note (docs/tender.md "Bid prices" 3). */
function writtenConfirmation(w: { signer: string; signedAt: string; note: string | null; at: number } | undefined): string {
  if (!w) return '';
  return `<br>投标人书面确认：${q(w.signer)} 签字，${q(w.signedAt)}${w.note ? `；${q(w.note)}` : ''}（代理机构于 ${bj(w.at)} 录入）`;
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
    r.correction ? `${r.correction.steps.map((x) => esc(x.zh)).join('<br>')}<br>修正后：${esc(r.correction.corrected)} 元（大写：${esc(r.correction.inWords)}）${writtenConfirmation(qs.results[r.supplierId]?.written)}` : '—',
    r.deduction ? r.deduction.lines.map((x) => esc(x.zh)).join('<br>') : '—',
    r.deduction ? `${esc(r.deduction.evaluatedPrice)} 元` : '—',
    r.priceScore ? `<b>${esc(r.priceScore.score)}</b><br><span class="expl">${esc(r.priceScore.explanation.zh)}</span>` : r.status === 'active' ? '—' : `无效：${esc(r.reason?.zh ?? '')}`,
  ]);
  const win = qs.window ? `<p>${label}时间：${bj(qs.window.openedAt)} 开始，截止 ${bj(qs.window.deadline)}${qs.window.extensions.length ? `（延长 ${qs.window.extensions.length} 次）` : ''}；关闭：${bj(qs.closedAt)}。</p>` : '';
  const late = qs.late.map((l) => `<p>逾期提交被拒绝：${q(supplierName(s, l.supplierId))}（${bj(l.at)}）。</p>`).join('');
  const receipts = Object.entries(qs.submissions).map(([id, x]) => [q(supplierName(s, id)), L(`第 ${x.version} 次`, `No. ${x.version}`), bj(x.at), `<span class="hash">${esc(x.receipt)}</span>`]);
  if (s.project.method === 'public_tender') {
    // 开标记录 (docs/tender.md "Report" ④): each bidder's 开标一览表 as entered and its confirmation.
    const ANSWER: Record<string, string> = { confirmed: '投标人代表确认', absent: '投标人未到场，视为认可', disputed: '投标人提出异议' };
    const opening = Object.entries(qs.opening).map(([id, o]) => {
      const sh = qs.submissions[id]?.sealed.sheet;
      return [
        q(supplierName(s, id)),
        sh ? `${esc(yuanText(sh.summaryTotal ?? sh.amount))}${sh.summaryTotal && sh.summaryTotal !== sh.amount ? `<br><span class="words">投标文件正文报价：${esc(sh.amount)} 元</span>` : ''}` : '—',
        sh ? `<span class="words">${esc(sh.amountInWords ?? '')}</span>` : '—',
        `第 ${o.version} 次录入 ${bj(o.enteredAt)}`,
        o.answer ? `${ANSWER[o.answer]}（${bj(o.answeredAt)}）${o.reason ? `：${q(o.reason)}` : ''}` : '未答复',
      ];
    });
    return section(
      'sec-quotes',
      '十、开标记录、报价校核、价格扣除与价格分',
      `<h3>开标记录（开标一览表）</h3>${table(['投标人', '投标总价（小写）', '大写', '录入', '确认'], opening, 'opening')}
<p>开标记录确认完毕：${bj(qs.closedAt)}。</p>
${table(['投标人', label, '报价校核（算术修正）', '价格扣除', '评标价', '价格分'], rows, 'quotes')}
<p>评标基准价（满足招标文件要求的最低评标价）：${rv.basePrice ? esc(yuanWithWords(rv.basePrice)) : '—'}。</p>`,
    );
  }
  return section(
    'sec-quotes',
    L(`十、${label}、算术修正、价格扣除与价格分`, `10. ${quoteLabel(s).en}s, arithmetic corrections, price deductions and price scores`),
    `${win}${late}${table([L('供应商', 'Supplier'), label, L('算术修正', 'Arithmetic correction'), L('价格扣除', 'Price deduction'), L('评审价', 'Evaluated price'), L('价格分', 'Price score')], rows, 'quotes')}
<p>基准价（满足要求的最低评审价）：${rv.basePrice ? esc(yuanWithWords(rv.basePrice)) : '—'}。</p>
<h3>${L(`${label}回执`, `Receipts of the ${label.toLowerCase()}s`)}</h3>${table([L('供应商', 'Supplier'), L('版本', 'Version'), L('提交时间', 'Submitted'), L('回执（sha256）', 'Receipt (sha256)')], receipts)}`,
  );
}

function abnormalLowSection(s: SessionState): string {
  const reviews = Object.values(quotesOf(s).reviews);
  const blocks = reviews.map((r) => {
    const hits = r.hits.map((h) => `第 ${esc(h.trigger)} 项：报价 ${esc(yuan(h.quote))}，参照值 ${esc(yuan(h.reference))} × ${esc(h.ratio)} = 阈值 ${esc(yuan(h.threshold))}`).join('<br>');
    const votes = Object.entries(r.votes).map(([m, v]) => [memberLabel(s, m), v.verdict === 'accept' ? '合理' : '不能证明合理，无效', esc(v.reason), bj(v.at)]);
    const d = r.decision;
    return `<h3>${q(supplierName(s, r.supplierId))}</h3>
<p>启动：${r.openedBy ? `由 ${esc(r.openedBy.startsWith('M') ? memberLabel(s, r.openedBy) : personName(s, r.openedBy))} 提出` : '触发评审标准的异常低价情形'}（${bj(r.openedAt)}）。${esc(r.reason.zh)}</p>
${hits ? `<p>触发条件：<br>${hits}</p>` : ''}
<p>说明时限：${r.minutes} 分钟（截止 ${bj(r.endsAt)}）。供应商说明：${r.explanation ? `${esc(r.explanation.text)}（${bj(r.explanation.at)}）` : '未在时限内提交'}</p>
${table(['成员', '意见', '理由', '时间'], votes)}
<p>结果：${d ? `${d.outcome === 'accepted' ? '报价合理，继续参加评审' : '不能证明其报价合理性，响应无效'}（合理 ${d.accept} 票，无效 ${d.invalid} 票，${bj(d.at)}）` : '未决'}</p>`;
  });
  return section('sec-abnormal', L('十一、异常低价审查', '11. Abnormally low price review'), blocks.length ? blocks.join('') : '<p class="none">无供应商报价触发异常低价审查，评审小组亦未启动审查。</p>');
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
      const rows = leaves.map((f) => [esc(f.name_zh), esc(f.max_points), ...scored.map((sid) => esc(sc.entries[m.id]?.[sid]?.[f.id]?.points ?? '—'))]);
      rows.push(['<b>合计（含价格分）</b>', esc(s.rubric.total_points), ...scored.map((sid) => `<b>${esc(outById.get(sid)?.memberTotals?.[m.id] ?? '—')}</b>`)]);
      return `<div class="member-sheet"><h3>${memberLabel(s, m.id)} ${q(m.name)}${m.active ? '' : '（已更换）'}</h3>${table(['评审因素', '满分', ...scored.map((sid) => q(supplierName(s, sid)))], rows, 'scores')}</div>`;
    });
  return section('sec-member-scores', L('十二、各成员评分明细', '12. Each member’s scores'), blocks.length ? blocks.join('') : '<p class="none">无评分记录。</p>');
}

function resultsSection(s: SessionState): string {
  const ev = roomEvaluation(s);
  if (!ev.detail) return section('sec-results', L('十三、评分汇总、排序与推荐', '13. Totals, ranking and recommendation'), `<p class="none">评审结果无法计算：${esc(ev.error ?? '评分未完成')}</p>`);
  const out = ev.detail.output;
  const members = activeMembers(s);
  const sorted = [...out.suppliers].sort((a, b) => (a.rank ?? 999) - (b.rank ?? 999));
  const rows = sorted.map((r) => [
    r.rank === null ? '—' : String(r.rank),
    q(supplierName(s, r.id)),
    ...members.map((m) => esc(r.memberTotals?.[m.id] ?? '—')),
    esc(r.priceScore ?? '—'),
    `<b>${esc(r.finalScore ?? '—')}</b>`,
    r.status === 'responsive' ? (r.candidate ? '推荐' : '') : `无效：${esc(r.invalidReason ?? '')}`,
  ]);
  const ties = (ev.detail.ranking?.tieBreaks ?? []).map((t) => `<li>${q(supplierName(s, t.above))} 与 ${q(supplierName(s, t.below))} 最终得分相同，${t.key ? `按「${RANK_KEY[t.key] ?? t.key}」排序` : '仍然相同，未能区分'}。</li>`);
  const vote = scoringOf(s).ranking;
  const cands = sorted.filter((r) => r.candidate);
  return section(
    'sec-results',
    L('十三、评分汇总、排序与推荐', '13. Totals, ranking and recommendation'),
    `${table(['排序', '供应商', ...members.map((m) => memberLabel(s, m.id)), '价格分', '最终得分', '推荐'], rows, 'results')}
<h3>得分相同的处理</h3>${ties.length ? `<ul>${ties.join('')}</ul>` : '<p class="none">无得分相同的供应商。</p>'}
${vote.decided ? `<p>评审小组表决排序：${vote.decided.map((id) => q(supplierName(s, id))).join(' → ')}（${Object.keys(vote.votes).length} 票）。</p>` : ''}
<h3>推荐的${s.project.method === 'public_tender' ? '中标' : '成交'}候选供应商</h3>
<ol class="cands">${cands.map((r) => `<li>${q(supplierName(s, r.id))}（最终得分 ${esc(r.finalScore)}）</li>`).join('') || '<li>无</li>'}</ol>
<p>评审结论：${out.outcome.status === 'continue' ? `有效供应商 ${out.outcome.responsive} 家，评审有效。` : `评审终止：${esc(out.outcome.reason ?? '')}`}</p>`,
  );
}

function changesSection(s: SessionState): string {
  const sc = scoringOf(s);
  const revs = sc.revisions.map((r) => [memberLabel(s, r.memberId), q(supplierName(s, r.supplierId)), esc(factorName(s, r.factorId)), `${esc(r.old.points)} → ${esc(r.new.points)}`, q(r.reason), r.ground ? esc(CHANGE_GROUND_LABEL[r.ground].zh) : '异常复核', bj(r.at), `第 ${r.seq} 条`]);
  const changes = sc.changes.map((c, i) => [String(i + 1), memberLabel(s, c.memberId), q(supplierName(s, c.supplierId)), esc(factorName(s, c.factorId)), esc(c.points), esc(CHANGE_GROUND_LABEL[c.ground].zh), q(c.reason), c.votes.map((v) => `${memberLabel(s, v.memberId)}${v.approve ? '同意' : '反对'}`).join('，'), c.status === 'applied' ? '已变更' : c.status === 'rejected' ? '未通过' : '表决中']);
  return section(
    'sec-changes',
    L('十四、评分修改与结果变更记录', '14. Score revisions and changes to the result'),
    `<p>评审结果汇总后，除分值汇总计算错误、分项评分超出评分标准范围、评审小组成员对客观评审因素评分不一致、经评审小组认定评分畸高畸低四种情形外，任何人不得修改评审结果（依据${esc(cite(s.rubric, 'resultChange', s.project.method)[LANG])}）。报告签署前经复核发现上述情形的，评审小组当场修改并在本报告中记载；报告签署后发现的，由原评审小组重新评审，改变评审结果的书面报告本级财政部门。</p>
<p>评分汇总锁定：${sc.locked ? `${bj(sc.locked.at)}（日志第 ${sc.locked.seq} 条）` : '尚未汇总'}。汇总后结果变更 ${sc.changes.filter((c) => c.status === 'applied').length} 项${sc.changes.length ? `（提出 ${sc.changes.length} 项）` : ''}。</p>
<h3>评分修改</h3>${table(['成员', '供应商', '因素', '原分 → 新分', '理由', '依据', '时间', '日志序号'], revs)}
<h3>汇总后结果变更（法定情形）</h3>${table(['编号', '提出', '供应商', '因素', '新分值', '法定情形', '理由', '表决', '结果'], changes)}`,
  );
}

function otherSection(s: SessionState): string {
  const rep = reportOf(s);
  const disputes = rep.disputes.map((d, i) => [
    String(i + 1),
    esc(d.subject),
    esc(d.proposal),
    d.votes.map((v) => `${memberLabel(s, v.memberId)}：${v.agree ? '同意' : '不同意'}${v.reason ? `（${esc(v.reason)}）` : ''}`).join('<br>'),
    d.result ? `${d.result.outcome === 'adopted' ? '通过' : '未通过'}（同意 ${d.result.agree}，不同意 ${d.result.disagree}，共 ${d.result.of} 人）` : '表决中',
  ]);
  const revs = rep.revisions
    .filter((r) => r.reopen)
    .map((r) => `<li>第 ${r.n} 版：依法重新评审（${esc(REOPEN_GROUND_LABEL[r.reopen!.ground].zh)}），理由：${esc(r.reopen!.reason)}；代理机构 ${esc(personName(s, s.people[r.reopen!.requestedBy]?.role === 'moderator' ? r.reopen!.requestedBy : r.reopen!.confirmedBy))} 与评审小组组长 ${esc(personName(s, s.people[r.reopen!.requestedBy]?.role === 'moderator' ? r.reopen!.confirmedBy : r.reopen!.requestedBy))} 共同提出（${bj(r.openedAt)}）。前一版定稿报告保留备查。</li>`);
  const prior = rep.revisions.filter((r) => r.final && r !== rep.revisions.at(-1)).map((r) => `<li>第 ${r.n} 版定稿 PDF sha256：<span class="hash">${esc(r.final!.sha256)}</span></li>`);
  const voided = rep.revisions.flatMap((r) => r.voided.map((v) => `<li>${memberLabel(s, v.memberId)} 于 ${bj(v.at)} 的${v.deemed ? '「视为同意」记录' : '签署'}因「${esc(v.why)}」失效，须重新签署。</li>`));
  const term = s.termination ? `<p>评审终止：${esc(s.termination.reason)}（${bj(s.termination.at)}）。</p>` : '';
  return section(
    'sec-other',
    L('十五、其他事项', '15. Other matters'),
    `<h3>争议事项的表决（少数服从多数）</h3>${table(['编号', '争议事项', '拟表决意见', '表决', '结果'], disputes)}
${revs.length ? `<h3>重新评审</h3><ul>${revs.join('')}</ul>` : ''}${prior.length ? `<ul>${prior.join('')}</ul>` : ''}
${voided.length ? `<h3>签署失效记录</h3><ul>${voided.join('')}</ul>` : ''}${term}`,
  );
}

function anomalyAppendix(s: SessionState, hashOf: Map<number, string>): string {
  const flags = roomFlags(s).filter((f) => f.severity !== 'info');
  // Each flag in words: the rule by what it checks, who and what it concerns, the message (which
  // states the numbers the rule looked at), the member's answer and the panel's determination.
  const rows = flags.map((f) => [
    esc(labelOf(FLAG_RULE_LABEL, f.rule).zh),
    f.blocking ? '阻断' : esc(labelOf(FLAG_SEVERITY_LABEL, f.severity).zh),
    `${f.member ? memberLabel(s, f.member) : '评审小组'} / ${f.supplier ? q(supplierName(s, f.supplier)) : '全部供应商'} / ${f.factor ? esc(factorName(s, f.factor)) : '全部因素'}`,
    `${esc(flagMessages(s, f).others.zh)}${f.threshold ? `<br>阈值 ${esc(f.threshold)}` : ''}`,
    f.response ? `${f.response.kind === 'keep' ? '维持' : '修改'}：${esc(f.response.reason)}${f.response.old !== null ? `（${esc(f.response.old)}${f.response.new !== null ? ` → ${esc(f.response.new)}` : ''}）` : ''}<br>${bj(f.response.at)} 第 ${f.response.seq} 条 <span class="hash">${esc(hashOf.get(f.response.seq)?.slice(0, 16) ?? '')}</span>` : '—',
    f.determination ? `${f.determination.result === 'abnormal' ? '认定畸高畸低' : '不认定'}（${f.determination.votes.map((v) => `${memberLabel(s, v.memberId)}${v.verdict === 'abnormal' ? '认定' : '不认定'}：${esc(v.reason)}`).join('；')}）第 ${f.determination.seq} 条 <span class="hash">${esc(hashOf.get(f.determination.seq)?.slice(0, 16) ?? '')}</span>` : '—',
  ]);
  const record = scoringOf(s)
    .record.filter((r) => r.type !== 'score:submitted')
    .map((r) => [`第 ${r.seq} 条`, bj(r.at), esc(eventLabel(r.type).zh), `<span class="hash">${esc(hashOf.get(r.seq) ?? '')}</span>`]);
  const pending = reviewPending(s);
  return section(
    'sec-anomaly',
    L('附录 评分复核记录', 'Appendix: review of the scores'),
    `<p>规则配置：${esc(labelOf(PRESET_LABEL, (s.settings as any).anomalyPreset ?? 'standard').zh)}预设；评分标准配置哈希 <span class="hash">${esc(s.rubricHash)}</span>。</p>
${table(['复核事项', '级别', '成员 / 供应商 / 因素', '提示', '成员答复', '评审小组处置'], rows, 'anomaly')}
<h3>复核事件</h3>${table(['日志序号', '服务器时间', '事件', '哈希'], record)}
<p class="statement">${pending ? `注意：签署时仍有未处置事项：${esc(pending.zh)}` : '签署时无未解决的阻断项，亦无未处置的复核项。'}</p>`,
  );
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
