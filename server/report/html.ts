import { deviceRecord } from '../participants/devices';
import type { SessionState } from '../session/types';
import type { StoredEvent } from '../store/types';
import { scoredLeaves, allFactors, priceFactor } from '../../shared/domain/rubric/index';
import type { Factor } from '../../shared/domain/rubric/types';
import { bjDateTime, isoToBj, yuan as yuanText, yuanWithWords, durationZh, personLabel, eventLabel, labelOf, METHOD_LABEL, RANK_KEY_LABEL, GROUND_LABEL, PRESET_LABEL, FLAG_RULE_LABEL, FLAG_SEVERITY_LABEL } from '../../shared/labels/index';
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
import { roomFlags, reviewPending } from '../scoring/flags';
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
}

export const esc = (v: unknown): string =>
  String(v ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Beijing time (UTC+8), whatever the server's zone (docs/views.md), as a clerk writes it:
 *  2026年3月2日 9:30:05 (issue 13 item 1; shared/labels/format.ts). */
export const bj = (ms: number | null | undefined): string => bjDateTime(ms, true);

const yuan = yuanText;
/** 专家 n, or 采购人代表 (issue 13 item 7): never an expert number for the purchaser's representative. */
const memberLabel = (s: SessionState, id: string | null | undefined) => (id && s.people[id] ? personLabel(s.people[id], s.order.map((x) => s.people[x])).zh : '—');
const factorName = (s: SessionState, id: string | null | undefined) => (id ? (allFactors(s.rubric).find((f) => f.id === id)?.name_zh ?? id) : '—');
const personName = (s: SessionState, id: string | null | undefined) => (id && s.people[id] ? s.people[id].name : '—');
const supplierName = (s: SessionState, id: string | null | undefined) => (id && s.people[id] ? (s.people[id].org ?? s.people[id].name) : '—');
const none = (cols: number, text = '无') => `<tr><td colspan="${cols}" class="none">${text}</td></tr>`;

function table(head: string[], rows: string[][], cls = ''): string {
  const body = rows.length ? rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('') : none(head.length);
  return `<table class="${cls}"><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${body}</tbody></table>`;
}

const section = (id: string, title: string, body: string) => `<section id="${id}"><h2>${title}</h2>${body}</section>`;

const RANK_KEY: Record<string, string> = Object.fromEntries(Object.entries(RANK_KEY_LABEL).map(([k, v]) => [k, v.zh]));
const METHOD: Record<string, string> = Object.fromEntries(Object.entries(METHOD_LABEL).map(([k, v]) => [k, v.zh]));

export function reportTitle(s: SessionState): string {
  return s.project.method === 'public_tender' ? '评标报告' : '评审报告';
}

/** The whole report as a printable HTML page. */
export function reportHtml(s: SessionState, events: StoredEvent[], ctx: ReportContext): string {
  const hashOf = new Map(events.map((e) => [e.seq, e.hash]));
  const parts = [
    cover(s, ctx),
    projectSection(s),
    openingSection(s, events),
    participantsSection(s),
    methodSection(s),
    reviewSection(s),
    clarifySection(s),
    consultationSection(s),
    requirementsSection(s),
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
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>${esc(reportTitle(s))} · ${esc(s.project.projectNumber ?? '')}</title><style>${CSS}</style></head><body class="${ctx.final ? 'final' : 'draft'}">${parts.join('\n')}</body></html>`;
}

function cover(s: SessionState, ctx: ReportContext): string {
  const r = ctx.revision;
  const p = s.project;
  return `<header class="cover" id="sec-cover">
  <p class="kicker">${esc(METHOD[p.method] ?? '')}</p>
  <h1>${esc(p.name)}<br>${esc(reportTitle(s))}</h1>
  <dl>
    <dt>项目编号</dt><dd>${esc(p.projectNumber ?? '—')}</dd>
    <dt>采购人</dt><dd>${esc(p.purchaser ?? '—')}</dd>
    <dt>采购代理机构</dt><dd>${esc(p.agency ?? '—')}</dd>
    <dt>报告版本</dt><dd>第 ${r.n} 版${r.reopen ? `（依法重新评审：${esc(REOPEN_GROUND_LABEL[r.reopen.ground].zh)}）` : ''}${ctx.final ? '（定稿）' : '（待签署稿）'}</dd>
    <dt>生成依据</dt><dd>本报告由评审过程事件日志自动生成，截至第 ${ctx.headSeq} 条事件</dd>
    <dt>日志哈希</dt><dd class="hash">${esc(ctx.head)}</dd>
  </dl>
  <div class="qr">${qrSvg(ctx.head, 30)}<p>扫码核对事件日志哈希</p></div>
  ${ctx.final ? '' : '<p class="watermark">待签署稿 · 非最终报告</p>'}
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
    ['响应文件提交截止 / 开启时间', esc(isoToBj(p.scheduledAt ?? rp.opening_time))],
  ];
  return section('sec-project', '一、项目基本情况', `<table class="kv">${rows.map(([k, v]) => `<tr><th>${k}</th><td>${v}</td></tr>`).join('')}</table>`);
}

function openingSection(s: SessionState, events: StoredEvent[]): string {
  const si = signinOf(s);
  const stages = logOf<StageEvents>()(events, 'stage:changed').map((e) => [e.ts, e.payload.to] as const);
  const at = (to: string) => stages.find((x) => x[1] === to)?.[0] ?? null;
  const order = si.override ?? si.arrival;
  const rows = order.map((id, i) => [String(i + 1), esc(supplierName(s, id)), esc(si.suppliers[id]?.representative ?? '—'), bj(si.suppliers[id]?.at)]);
  const absent = si.closed?.absent ?? [];
  return section(
    'sec-opening',
    '二、公告、签到与开启情况',
    `<p>公告媒介：中国政府采购网及省级以上财政部门指定媒介（以采购文件为准）。评审地点与时间：${esc(isoToBj(s.project.scheduledAt))}。</p>
<p>签到开始：${bj(at('signin'))}；签到截止：${bj(si.closed?.at)}；开启：${bj(at('opening'))}；资格与符合性审查开始：${bj(at('review'))}。</p>
<h3>供应商签到记录（磋商顺序）</h3>${table(['序号', '供应商', '授权代表', '签到时间'], rows)}
${absent.length ? `<p>签到截止时未到：${absent.map((id) => esc(supplierName(s, id))).join('、')}。</p>` : ''}
${si.reorders.map((r) => `<p>磋商顺序调整（${bj(r.at)}）：${r.order.map((id) => esc(supplierName(s, id))).join(' → ')}；理由：${esc(r.reason)}</p>`).join('')}`,
  );
}

function participantsSection(s: SessionState): string {
  const si = signinOf(s);
  const sups = supplierIds(s).map((id, i) => [String(i + 1), esc(supplierName(s, id)), esc(s.people[id].name), esc(s.people[id].contact ?? '—')]);
  const members = s.order
    .map((id) => s.people[id])
    .filter((p) => p.role === 'expert' || p.role === 'purchaser_rep')
    .map((p) => {
      const m = si.members[p.id];
      const recuse = m?.recuseFrom?.length ? `回避：${m.recuseFrom.map((x) => esc(supplierName(s, x))).join('、')}${m.recusalNote ? `（${esc(m.recusalNote)}）` : ''}` : '无回避';
      const status = p.active ? '在任' : '已更换';
      return [memberLabel(s, p.id), esc(p.name), p.role === 'purchaser_rep' ? '采购人代表' : '评审专家', p.leader ? '组长' : '', bj(m?.at), recuse, status + (p.replaces ? `（接替 ${esc(personName(s, p.replaces))}）` : '')];
    });
  const repl = si.replacements.map((r) => [esc(personName(s, r.memberId)), esc(personName(s, r.replacementId)), esc(r.reason), bj(r.at)]);
  return section(
    'sec-participants',
    '三、供应商与评审小组成员名单',
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
    esc(f.name_zh) + (f.kind === 'composite' ? '（合计）' : ''),
    esc(f.max_points),
    f.objective ? '客观' : '主观',
    `${esc(f.rule_zh)}${factorCriteria(f) ? `<div class="crit">${factorCriteria(f)}</div>` : ''}`,
  ]);
  const groups = (r.groups ?? []).map((g) => `${esc(g.name_zh)} ${esc(g.points)} 分`).join('，');
  return section(
    'sec-method',
    '四、评审方法与评审标准',
    `<p>评审方法：${esc(r.project.evaluation_method_zh ?? '综合评分法')}（依据${esc(cite(r, 'criteria', s.project.method).zh)}），满分 ${esc(r.total_points)} 分（${groups}）。各成员独立评分，最终得分为各成员评分的算术平均值，保留 ${r.rules.rounding.places} 位小数（四舍五入）。价格分${price ? `（${esc(price.name_zh)}，${esc(r.rules.price.weight)} 分）` : ''}以满足要求的最低评审价为基准价计算。排序规则：${r.rules.ranking.map((k: string) => RANK_KEY[k] ?? k).join(' → ')}。评分标准配置哈希：<span class="hash">${esc(s.rubricHash)}</span>。</p>
${table(['序号', '类别', '评审因素', '分值', '性质', '评分标准'], rows, 'rubric')}`,
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
        return [esc(supplierName(s, id)), c ? (c.result === 'pass' ? '通过' : '不通过') : '未完成', failed || '—', bj(c?.at)];
      });
    out.push(`<h3>${title}（${list.length} 项，按少数服从多数）</h3>${table(['供应商', '结论', '未通过项及理由', '时间'], rows)}`);
  }
  out.push(policySection(s));
  for (const b of rv.belowMinimum)
    out.push(`<p>有效供应商不足（${b.count} 家）后继续评审：${esc(b.exception)}；理由：${esc(b.justification)}（${bj(b.at)}）。</p>`);
  return section('sec-review', '五、评审过程：资格与符合性审查', out.join(''));
}

// 政策身份认定 (issue 14; docs/rules.md §2.5, §2.13): per supplier each status its response claims, the
// document that proves it, and the panel's determination by majority with every member's vote and the
// reasons; the price deductions (十) use only what was accepted (003 Ch3 §3.3.5 L683).
function claimedStatus(c: PolicyClaim): string {
  const label = POLICY_LABEL[c.kind].zh;
  if (c.kind === 'small_micro') return `${label}（声明为${c.enterprise === 'micro' ? '微型企业' : '小型企业'}）`;
  if (c.share !== null) return `${label}（份额 ${new Decimal(c.share).times(100).toString()}%）`;
  return label;
}

function policySection(s: SessionState): string {
  const claims = (s.policy as ReturnType<typeof policyOf> | undefined)?.claims ?? {};
  const sitting = new Set(activeMembers(s).map((m) => m.id));
  const rows = supplierIds(s).flatMap((sid) =>
    Object.values(claims[sid] ?? {})
      .filter((c): c is PolicyClaim => !!c)
      .map((c) => {
        const d = c.determination;
        const t = policyTally(s, c);
        const outcome = d ? (d.outcome === 'accepted' ? '认定' : '不予认定') : '未认定';
        const votes = Object.entries(c.votes)
          .filter(([m]) => sitting.has(m))
          .map(([m, v]) => `${esc(memberLabel(s, m))}：${v.accept ? '认定' : '不予认定'}${v.reason ? `（${esc(v.reason)}）` : ''}`);
        const count = `认定 ${d ? d.accept : t.accept} 票、不予认定 ${d ? d.reject : t.reject} 票`;
        return [
          esc(supplierName(s, sid)),
          esc(claimedStatus(c)),
          esc(c.document),
          outcome,
          [count, ...votes].join('<br>'),
          d?.reasons.length ? d.reasons.map(esc).join('；') : '—',
          bj(d?.at),
        ];
      }),
  );
  return `<h3 id="policy-status">政策身份认定（按少数服从多数，价格扣除仅依认定结果）</h3>${rows.length ? table(['供应商', '声明的政策身份', '证明文件', '评审小组认定', '表决', '理由', '认定时间'], rows, 'policy') : '<p class="none">各供应商的响应文件均未声明政策身份。</p>'}`;
}

function clarifySection(s: SessionState): string {
  const c = clarifyOf(s);
  const rows = c.order
    .map((id) => c.items[id])
    .filter((x) => x.status !== 'draft' && x.status !== 'discarded')
    .map((x) => [
      esc(x.id),
      esc(supplierName(s, x.supplierId)),
      esc(x.question),
      bj(x.sentAt),
      x.answer ? `${esc(x.answer.text)}${x.answer.attachment ? `<br>附件：${esc(x.answer.attachment.name)}（sha256 ${esc(x.answer.attachment.sha256.slice(0, 16))}…）` : ''}<br>签署：${esc(x.answer.signer)}` : x.status === 'lapsed' ? '逾期未答复' : '未答复',
      bj(x.answer?.at ?? x.lapsedAt),
    ]);
  return section('sec-clarify', '六、澄清、说明或补正', table(['编号', '供应商', '澄清问题', '发出时间', '答复', '答复时间'], rows));
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
    `第 ${x.n} 次（第 ${x.round} 轮）`,
    esc(supplierName(s, x.supplierId)),
    bj(x.startedAt),
    bj(x.endedAt),
    x.endedAt !== null ? durationZh(x.endedAt - x.startedAt) : '进行中',
    `${durationZh(x.seconds * 1000)}${x.extensions.length ? `，延长 ${x.extensions.length} 次：${x.extensions.map((e) => `${durationZh(e.seconds * 1000)}（${esc(e.reason)}）`).join('；')}` : ''}${x.expired ? `；${bj(x.expired.at)} 时间届满，超时` : ''}`,
  ]);
  const minutes = r.sittings.map((x) => {
    const present = x.present.map((id) => `${esc(personLabel(s.people[id], people).zh)} ${esc(personName(s, id))}`).join('、') || '—';
    const docs = x.documents.map((d) => [esc(d.name), d.by === x.supplierId ? '供应商提交' : '代理机构提交', bj(d.at), `<span class="hash">${esc(d.sha256)}</span>`]);
    const signer = (id: string, role: string) => {
      const g = x.signatures[id];
      return `<tr><td>${role}</td><td>${esc(id === x.supplierId ? (x.representative ?? personName(s, id)) : personName(s, id))}</td><td class="sigcell">${g ? signatureSvg(g.path) : ''}</td><td>${g ? esc(g.name) : '未签署'}</td><td>${g ? bj(g.at) : ''}</td></tr>`;
    };
    const sigs = [signer(x.supplierId, `${esc(supplierName(s, x.supplierId))}授权代表`), ...x.present.map((id) => signer(id, esc(memberLabel(s, id))))];
    return `<div class="minutes" id="minutes-${x.n}"><h3>磋商记录 第 ${x.n} 次：${esc(supplierName(s, x.supplierId))}（第 ${x.round} 轮）</h3>
<table class="kv"><tr><th>时间</th><td>${bj(x.startedAt)} 至 ${bj(x.endedAt)}，实际时长 ${x.endedAt !== null ? durationZh(x.endedAt - x.startedAt) : '—'}（安排 ${durationZh(x.seconds * 1000)}）</td></tr>
<tr><th>出席的评审小组成员</th><td>${present}</td></tr>
<tr><th>供应商授权代表</th><td>${esc(x.representative ?? '—')}</td></tr>
<tr><th>磋商内容</th><td class="minutes-text">${x.minutes?.text.trim() ? esc(x.minutes.text).replace(/\n/g, '<br>') : '<span class="none">未记录</span>'}</td></tr></table>
<h4>磋商中交换的文件</h4>${table(['文件', '提交方', '时间', 'sha256'], docs)}
<h4>签字</h4><table class="signatures"><thead><tr><th>身份</th><th>姓名</th><th>签名</th><th>署名</th><th>签署时间</th></tr></thead><tbody>${sigs.join('')}</tbody></table></div>`;
  });
  return section('sec-consultation', '七、磋商过程与磋商记录', `${table(['磋商', '供应商', '开始', '结束', '实际时长', '安排时间'], rows)}${minutes.join('\n') || '<p class="none">未进行磋商。</p>'}`);
}

function requirementsSection(s: SessionState): string {
  const rq = reqOf(s);
  const blocks = rq.versions.map((v) => {
    const rec = rq.receipts[v.version] ?? {};
    const rows = v.recipients.map((id) => {
      const r = rec[id];
      return [esc(supplierName(s, id)), bj(r?.deliveredAt), r?.signedAt ? `${bj(r.signedAt)}（${esc(r.signer ?? '')}）` : '—', r?.refusedAt ? `${bj(r.refusedAt)}：${esc(r.refusal ?? '')}` : '—'];
    });
    const diff = v.diff
      .filter((d) => d.op !== '=')
      .map((d) => `<div class="diff">${d.op === '+' ? '＋' : '－'} ${esc(d.text)}</div>`)
      .join('');
    return `<h3>第 ${v.version} 版（${bj(v.publishedAt)} 发布；采购人代表 ${esc(personName(s, v.confirmedBy))} 确认）</h3>
<p>内容哈希 sha256：<span class="hash">${esc(v.sha256)}</span></p>${diff ? `<div class="diffs">${diff}</div>` : ''}
${table(['供应商', '送达时间', '签字确认时间', '不同意'], rows)}
<h4>供应商重新提交的响应文件</h4>${table(['供应商', '提交内容', '签署人', '时间'], resubmissionRows(s, v.version, v.recipients), 'resubmission')}`;
  });
  const base = rq.baseline ? `<p>初始采购需求哈希 sha256：<span class="hash">${esc(rq.baseline.sha256)}</span></p>` : '';
  const cancelled = rq.cancelled.map((c) => `<p>撤回第 ${c.version} 版提议（${bj(c.at)}）：${esc(c.reason)}</p>`).join('');
  return section('sec-requirements', '八、采购需求的实质性变动', base + (blocks.length ? blocks.join('') : '<p class="none">磋商中未对采购需求作实质性变动。</p>') + cancelled);
}

// What each supplier sent back after a published change (issue 14; docs/rules.md §2.8; 003 Ch3 §2.4 L631):
// the revised parts of its response, each file with its sha256 and who signed for it, or the signed
// statement 「响应文件无需修改」.
function resubmissionRows(s: SessionState, version: number, recipients: string[]): string[][] {
  const byVersion = (s.resubmission as ReturnType<typeof resubmissionOf> | undefined)?.byVersion[version] ?? {};
  return recipients.flatMap((id) => {
    const r = byVersion[id];
    const name = esc(supplierName(s, id));
    if (r?.unchanged) return [[name, `签署「${NO_CHANGE_STATEMENT.zh}」`, esc(r.unchanged.signer), bj(r.unchanged.at)]];
    if (r?.files.length) return r.files.map((f) => [name, `修改后的响应文件：${esc(f.name)}<br>sha256 <span class="hash">${esc(f.sha256)}</span>`, esc(f.signer), bj(f.at)]);
    const st = standing(s, id).status;
    return [[name, st === 'active' ? '未重新提交，亦未签署无需修改' : '已不在评审中', '—', '—']];
  });
}

function standingSection(s: SessionState): string {
  const rows = supplierIds(s)
    .map((id) => [id, standing(s, id)] as const)
    .filter(([, st]) => st.status !== 'active')
    .map(([id, st]) => [esc(supplierName(s, id)), st.status === 'withdrawn' ? '退出' : '响应无效', esc(st.reason?.zh ?? labelOf(GROUND_LABEL, st.ground).zh), bj(st.at), st.seq ? `第 ${st.seq} 条` : '—']);
  return section('sec-standing', '九、退出与无效响应', table(['供应商', '情形', '原因', '时间', '日志序号'], rows));
}

function quotesSection(s: SessionState): string {
  const rv = reveal(s);
  const label = quoteLabel(s).zh;
  const q = quotesOf(s);
  // The quote with its representative's signature beside it (issue 13 item 4).
  const signedBy = (id: string) => {
    const g = q.submissions[id]?.signature;
    return g ? `<div class="quote-sig">${signatureSvg(g.path)}<span class="words">授权代表签字：${esc(g.name)}</span></div>` : '<span class="words">授权代表未签字</span>';
  };
  const rows = rv.rows.map((r) => [
    esc(r.label),
    r.quote ? `${esc(r.quote.amount)} 元<br><span class="words">大写：${esc(r.quote.amountInWords)}</span>${signedBy(r.supplierId)}` : '—',
    r.correction ? `${r.correction.steps.map((x) => esc(x.zh)).join('<br>')}<br>修正后：${esc(r.correction.corrected)} 元（大写：${esc(r.correction.inWords)}）` : '—',
    r.deduction ? r.deduction.lines.map((x) => esc(x.zh)).join('<br>') : '—',
    r.deduction ? `${esc(r.deduction.evaluatedPrice)} 元` : '—',
    r.priceScore ? `<b>${esc(r.priceScore.score)}</b><br><span class="expl">${esc(r.priceScore.explanation.zh)}</span>` : r.status === 'active' ? '—' : `无效：${esc(r.reason?.zh ?? '')}`,
  ]);
  const win = q.window ? `<p>${label}时间：${bj(q.window.openedAt)} 开始，截止 ${bj(q.window.deadline)}${q.window.extensions.length ? `（延长 ${q.window.extensions.length} 次）` : ''}；关闭：${bj(q.closedAt)}。</p>` : '';
  const late = q.late.map((l) => `<p>逾期提交被拒绝：${esc(supplierName(s, l.supplierId))}（${bj(l.at)}）。</p>`).join('');
  const receipts = Object.entries(q.submissions).map(([id, x]) => [esc(supplierName(s, id)), `第 ${x.version} 次`, bj(x.at), `<span class="hash">${esc(x.receipt)}</span>`]);
  return section(
    'sec-quotes',
    `十、${label}、算术修正、价格扣除与价格分`,
    `${win}${late}${table([`供应商`, label, '算术修正', '价格扣除', '评审价', '价格分'], rows, 'quotes')}
<p>基准价（满足要求的最低评审价）：${rv.basePrice ? esc(yuanWithWords(rv.basePrice)) : '—'}。</p>
<h3>${label}回执</h3>${table(['供应商', '版本', '提交时间', '回执（sha256）'], receipts)}`,
  );
}

function abnormalLowSection(s: SessionState): string {
  const reviews = Object.values(quotesOf(s).reviews);
  const blocks = reviews.map((r) => {
    const hits = r.hits.map((h) => `第 ${esc(h.trigger)} 项：报价 ${esc(yuan(h.quote))}，参照值 ${esc(yuan(h.reference))} × ${esc(h.ratio)} = 阈值 ${esc(yuan(h.threshold))}`).join('<br>');
    const votes = Object.entries(r.votes).map(([m, v]) => [memberLabel(s, m), v.verdict === 'accept' ? '合理' : '不能证明合理，无效', esc(v.reason), bj(v.at)]);
    const d = r.decision;
    return `<h3>${esc(supplierName(s, r.supplierId))}</h3>
<p>启动：${r.openedBy ? `由 ${esc(r.openedBy.startsWith('M') ? memberLabel(s, r.openedBy) : personName(s, r.openedBy))} 提出` : '触发评审标准的异常低价情形'}（${bj(r.openedAt)}）。${esc(r.reason.zh)}</p>
${hits ? `<p>触发条件：<br>${hits}</p>` : ''}
<p>说明时限：${r.minutes} 分钟（截止 ${bj(r.endsAt)}）。供应商说明：${r.explanation ? `${esc(r.explanation.text)}（${bj(r.explanation.at)}）` : '未在时限内提交'}</p>
${table(['成员', '意见', '理由', '时间'], votes)}
<p>结果：${d ? `${d.outcome === 'accepted' ? '报价合理，继续参加评审' : '不能证明其报价合理性，响应无效'}（合理 ${d.accept} 票，无效 ${d.invalid} 票，${bj(d.at)}）` : '未决'}</p>`;
  });
  return section('sec-abnormal', '十一、异常低价审查', blocks.length ? blocks.join('') : '<p class="none">无供应商报价触发异常低价审查，评审小组亦未启动审查。</p>');
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
      return `<div class="member-sheet"><h3>${memberLabel(s, m.id)} ${esc(m.name)}${m.active ? '' : '（已更换）'}</h3>${table(['评审因素', '满分', ...scored.map((sid) => esc(supplierName(s, sid)))], rows, 'scores')}</div>`;
    });
  return section('sec-member-scores', '十二、各成员评分明细', blocks.length ? blocks.join('') : '<p class="none">无评分记录。</p>');
}

function resultsSection(s: SessionState): string {
  const ev = roomEvaluation(s);
  if (!ev.detail) return section('sec-results', '十三、评分汇总、排序与推荐', `<p class="none">评审结果无法计算：${esc(ev.error ?? '评分未完成')}</p>`);
  const out = ev.detail.output;
  const members = activeMembers(s);
  const sorted = [...out.suppliers].sort((a, b) => (a.rank ?? 999) - (b.rank ?? 999));
  const rows = sorted.map((r) => [
    r.rank === null ? '—' : String(r.rank),
    esc(supplierName(s, r.id)),
    ...members.map((m) => esc(r.memberTotals?.[m.id] ?? '—')),
    esc(r.priceScore ?? '—'),
    `<b>${esc(r.finalScore ?? '—')}</b>`,
    r.status === 'responsive' ? (r.candidate ? '推荐' : '') : `无效：${esc(r.invalidReason ?? '')}`,
  ]);
  const ties = (ev.detail.ranking?.tieBreaks ?? []).map((t) => `<li>${esc(supplierName(s, t.above))} 与 ${esc(supplierName(s, t.below))} 最终得分相同，${t.key ? `按「${RANK_KEY[t.key] ?? t.key}」排序` : '仍然相同，未能区分'}。</li>`);
  const vote = scoringOf(s).ranking;
  const cands = sorted.filter((r) => r.candidate);
  return section(
    'sec-results',
    '十三、评分汇总、排序与推荐',
    `${table(['排序', '供应商', ...members.map((m) => memberLabel(s, m.id)), '价格分', '最终得分', '推荐'], rows, 'results')}
<h3>得分相同的处理</h3>${ties.length ? `<ul>${ties.join('')}</ul>` : '<p class="none">无得分相同的供应商。</p>'}
${vote.decided ? `<p>评审小组表决排序：${vote.decided.map((id) => esc(supplierName(s, id))).join(' → ')}（${Object.keys(vote.votes).length} 票）。</p>` : ''}
<h3>推荐的${s.project.method === 'public_tender' ? '中标' : '成交'}候选供应商</h3>
<ol class="cands">${cands.map((r) => `<li>${esc(supplierName(s, r.id))}（最终得分 ${esc(r.finalScore)}）</li>`).join('') || '<li>无</li>'}</ol>
<p>评审结论：${out.outcome.status === 'continue' ? `有效供应商 ${out.outcome.responsive} 家，评审有效。` : `评审终止：${esc(out.outcome.reason ?? '')}`}</p>`,
  );
}

function changesSection(s: SessionState): string {
  const sc = scoringOf(s);
  const revs = sc.revisions.map((r) => [memberLabel(s, r.memberId), esc(supplierName(s, r.supplierId)), esc(factorName(s, r.factorId)), `${esc(r.old.points)} → ${esc(r.new.points)}`, esc(r.reason), r.ground ? esc(CHANGE_GROUND_LABEL[r.ground].zh) : '异常复核', bj(r.at), `第 ${r.seq} 条`]);
  const changes = sc.changes.map((c, i) => [String(i + 1), memberLabel(s, c.memberId), esc(supplierName(s, c.supplierId)), esc(factorName(s, c.factorId)), esc(c.points), esc(CHANGE_GROUND_LABEL[c.ground].zh), esc(c.reason), c.votes.map((v) => `${memberLabel(s, v.memberId)}${v.approve ? '同意' : '反对'}`).join('，'), c.status === 'applied' ? '已变更' : c.status === 'rejected' ? '未通过' : '表决中']);
  return section(
    'sec-changes',
    '十四、评分修改与结果变更记录',
    `<p>评审结果汇总后，除分值汇总计算错误、分项评分超出评分标准范围、评审小组成员对客观评审因素评分不一致、经评审小组认定评分畸高畸低四种情形外，任何人不得修改评审结果。</p>
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
  const voided = rep.revisions.flatMap((r) => r.voided.map((v) => `<li>${memberLabel(s, v.memberId)} 于 ${bj(v.at)} 的签署因「${esc(v.why)}」失效，须重新签署。</li>`));
  const term = s.termination ? `<p>评审终止：${esc(s.termination.reason)}（${bj(s.termination.at)}）。</p>` : '';
  return section(
    'sec-other',
    '十五、其他事项',
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
    `${f.member ? memberLabel(s, f.member) : '评审小组'} / ${f.supplier ? esc(supplierName(s, f.supplier)) : '全部供应商'} / ${f.factor ? esc(factorName(s, f.factor)) : '全部因素'}`,
    `${esc(f.message.zh)}${f.threshold ? `<br>阈值 ${esc(f.threshold)}` : ''}`,
    f.response ? `${f.response.kind === 'keep' ? '维持' : '修改'}：${esc(f.response.reason)}${f.response.old !== null ? `（${esc(f.response.old)}${f.response.new !== null ? ` → ${esc(f.response.new)}` : ''}）` : ''}<br>${bj(f.response.at)} 第 ${f.response.seq} 条 <span class="hash">${esc(hashOf.get(f.response.seq)?.slice(0, 16) ?? '')}</span>` : '—',
    f.determination ? `${f.determination.result === 'abnormal' ? '认定畸高畸低' : '不认定'}（${f.determination.votes.map((v) => `${memberLabel(s, v.memberId)}${v.verdict === 'abnormal' ? '认定' : '不认定'}：${esc(v.reason)}`).join('；')}）第 ${f.determination.seq} 条 <span class="hash">${esc(hashOf.get(f.determination.seq)?.slice(0, 16) ?? '')}</span>` : '—',
  ]);
  const record = scoringOf(s)
    .record.filter((r) => r.type !== 'score:submitted')
    .map((r) => [`第 ${r.seq} 条`, bj(r.at), esc(eventLabel(r.type).zh), `<span class="hash">${esc(hashOf.get(r.seq) ?? '')}</span>`]);
  const pending = reviewPending(s);
  return section(
    'sec-anomaly',
    '附录 评分复核记录',
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
  const rows = members.map((m) => {
    const sig = r.signatures[m.id];
    return `<tr><td>${memberLabel(s, m.id)}</td><td>${esc(m.name)}${m.leader ? '（组长）' : ''}</td><td class="sigcell">${sig ? signatureSvg(sig.path) : ''}</td><td>${sig ? esc(sig.name) : ''}</td><td>${sig ? (sig.dissent ? '有不同意见（见下）' : '同意') : ''}</td><td>${sig ? bj(sig.at) : ''}</td></tr>`;
  });
  const dissents = members
    .filter((m) => r.signatures[m.id]?.dissent)
    .map((m) => {
      const d = r.signatures[m.id].dissent!;
      return `<div class="dissent"><h3>${memberLabel(s, m.id)} ${esc(m.name)} 的不同意见</h3><p><b>事项：</b>${esc(d.item)}</p><p><b>意见：</b>${esc(d.position)}</p><p><b>理由：</b>${esc(d.reasons)}</p></div>`;
    });
  return section(
    'sec-signatures',
    '评审小组成员签字',
    `<p>评审小组成员对评审报告有异议的，按照少数服从多数的原则推荐${s.project.method === 'public_tender' ? '中标' : '成交'}候选供应商；持不同意见的成员在报告上签署不同意见并说明理由，未签署不同意见且不说明理由的，视为同意。</p>
<table class="signatures"><thead><tr><th>编号</th><th>姓名</th><th>签名</th><th>署名</th><th>意见</th><th>签署时间</th></tr></thead><tbody>${rows.join('')}</tbody></table>
${dissents.length ? `<h3>不同意见</h3>${dissents.join('')}` : '<p>无成员签署不同意见。</p>'}
<div class="foot-qr">${qrSvg(ctx.head, 22)}<p>本报告生成于事件日志第 ${ctx.headSeq} 条，日志哈希：<span class="hash">${esc(ctx.head)}</span></p></div>`,
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
td.sigcell { width: 55mm; }
.quote-sig svg.sig { width: 30mm; height: 10mm; }
svg.sig { width: 52mm; height: 17mm; display: block; }
.dissent { border: 1pt solid #333; padding: 2mm 4mm; margin: 3mm 0; break-inside: avoid; }
.foot-qr { display: flex; gap: 4mm; align-items: center; margin-top: 8mm; }
.statement { font-weight: bold; }
@media screen { body { padding: 6mm; background: #fff; } body.draft::before { content: "待签署稿 · 非最终报告"; display: block; text-align: center; color: #a00; font-weight: bold; } }
`;
