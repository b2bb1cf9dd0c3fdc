import type { SessionState } from '../session/types';
import type { StoredEvent } from '../store/types';
import { reportHtml, reportTitle, esc, type ReportContext } from './html';
import { qrDataUrl } from './qr';
import type { RenderJob } from './renderer';

// What Chromium prints: the report's HTML, a running header with the project number and the
// revision, and a footer with the page numbers and the log head with its QR code on every page
// (issue 7). Chromium fills `pageNumber` / `totalPages`; header and footer templates take only
// inline styles and inline (data URL) images, and start at font-size 0 unless told otherwise.
export function pdfJob(s: SessionState, events: StoredEvent[], ctx: ReportContext): RenderJob {
  const font = `font-family:'Noto Sans CJK SC','Noto Serif CJK SC',sans-serif;`;
  const headerTemplate = `<div style="${font}font-size:8px;width:100%;margin:0 14mm;display:flex;justify-content:space-between;border-bottom:0.5px solid #999;padding-bottom:1mm;color:#222">
<span>项目编号：${esc(s.project.projectNumber ?? '—')}</span><span>${esc(s.project.name)} · ${esc(reportTitle(s))} · 第 ${ctx.revision.n} 版${ctx.final ? '（定稿）' : '（待签署稿）'}</span></div>`;
  const footerTemplate = `<div style="${font}font-size:7px;width:100%;margin:0 14mm;display:flex;align-items:center;gap:3mm;color:#222">
<img src="${qrDataUrl(ctx.head, 14)}" style="width:14mm;height:14mm"/>
<div style="flex:1;word-break:break-all">事件日志哈希（第 ${ctx.headSeq} 条）<br><span style="font-family:monospace">${esc(ctx.head)}</span></div>
<div style="font-size:9px;white-space:nowrap">第 <span class="pageNumber"></span> 页 / 共 <span class="totalPages"></span> 页</div></div>`;
  return { html: reportHtml(s, events, ctx), headerTemplate, footerTemplate, margin: { top: '18mm', bottom: '26mm', left: '14mm', right: '14mm' } };
}
