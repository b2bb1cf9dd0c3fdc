import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PdfRenderer } from '../../server/report/renderer';
import { esc } from '../../server/report/html';
import { qrDataUrl } from '../../server/report/qr';
import { stats, ms, ratio, type BenchSection } from './lib';

// Issue 7: "a 30-page report renders in a warm browser in under 2 s and the room's event-loop delay
// stays under 20 ms meanwhile". The render runs in the render worker (server/report/renderer.ts), as
// in the room; this process stands for the room and its event-loop delay p99 is measured while the
// PDFs are produced. Floors from the same run: the same warm renderer printing a one-line page, and
// the event-loop delay of this process idle for as long.

const RUNS = 6;

/** About 30 A4 pages of what a report is made of: Chinese headings and score tables. */
function bigReport(sheets: number): string {
  const row = (i: number) => `<tr><td>评审因素 ${i}：项目团队配备与技术方案</td><td>10</td><td>8.50</td><td>7.00</td><td>9.00</td><td>6.50</td></tr>`;
  const sheet = (k: number) =>
    `<h3>专家 ${(k % 5) + 1} · 供应商 ${k}</h3><table><thead><tr><th>评审因素</th><th>满分</th><th>北京清风环境科技有限公司</th><th>中环绿源（北京）咨询有限公司</th><th>京华生态研究院有限公司</th><th>蓝天数据技术（北京）有限公司</th></tr></thead><tbody>${Array.from({ length: 14 }, (_, i) => row(i + 1)).join('')}</tbody></table>`;
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><style>@page{size:A4;margin:18mm 14mm 26mm}body{font-family:"Noto Serif CJK SC",serif;font-size:10.5pt}table{width:100%;border-collapse:collapse;font-size:9pt}td,th{border:.6pt solid #333;padding:1mm}.s{break-inside:avoid}</style></head><body><h1>评审报告（基准）</h1>${Array.from({ length: sheets }, (_, k) => `<div class="s">${sheet(k)}</div>`).join('')}</body></html>`;
}

const footer = (head: string) =>
  `<div style="font-size:7px;width:100%;margin:0 14mm;display:flex;gap:3mm;align-items:center"><img src="${qrDataUrl(head, 14)}" style="width:14mm;height:14mm"/><span style="flex:1">${esc(head)}</span><span>第 <span class="pageNumber"></span> 页 / 共 <span class="totalPages"></span> 页</span></div>`;

function pageCount(pdf: Buffer): number {
  const dir = mkdtempSync(join(tmpdir(), 'panelroom-bench-'));
  writeFileSync(join(dir, 'r.pdf'), pdf);
  try {
    return Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [join(dir, 'r.pdf')], { encoding: 'utf8' }))?.[1] ?? NaN);
  } catch {
    return NaN;
  }
}

/** Runs fn, returning its durations and the event-loop delay p99 (ms) of this process meanwhile. */
async function measured(fn: () => Promise<unknown>, runs: number): Promise<{ times: number[]; loopP99: number; loopMax: number }> {
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  h.disable();
  return { times, loopP99: h.percentile(99) / 1e6, loopMax: h.max / 1e6 };
}

export async function reportBench(): Promise<BenchSection> {
  const r = new PdfRenderer();
  try {
    await r.warm();
    const head = 'c4b86b918ef02ff48f716357822d604481c283b844e9f95ae8d76048ea77ac09';
    const trivial = { html: '<!doctype html><html lang="zh-CN"><meta charset="utf-8"><body>评审报告</body></html>', footerTemplate: footer(head), headerTemplate: '<span></span>' };
    const big = { html: bigReport(30), footerTemplate: footer(head), headerTemplate: '<div style="font-size:8px;margin:0 14mm">项目编号：11010726210200018795-XM001</div>' };
    // Warm-up (discarded): the first page of a context and the CJK fonts' first load.
    await r.render(trivial);
    const pages = pageCount(await r.render(big));

    const floor = await measured(() => r.render(trivial), RUNS);
    const report = await measured(() => r.render(big), RUNS);
    const idleMs = report.times.reduce((a, b) => a + b, 0);
    const idle = await measured(() => new Promise((res) => setTimeout(res, idleMs / RUNS)), RUNS);
    const f = stats(floor.times);
    const b = stats(report.times);
    const rows = [
      '| | p50 ms | p99 ms | ratio to floor (p50) | event-loop delay p99 ms (max) |',
      '|---|---|---|---|---|',
      `| floor: one-line page, warm browser | ${ms(f.p50)} | ${ms(f.p99)} | 1.0× | ${ms(floor.loopP99)} (${ms(floor.loopMax)}) |`,
      `| report: ${pages} A4 pages of Chinese tables, header, footer with QR and page numbers | ${ms(b.p50)} | ${ms(b.p99)} | ${ratio(b.p50, f.p50)} | ${ms(report.loopP99)} (${ms(report.loopMax)}) |`,
      `| floor: this process idle as long | — | — | — | ${ms(idle.loopP99)} (${ms(idle.loopMax)}) |`,
    ];
    const verdict = `Target: under 2000 ms in a warm browser and an event-loop delay p99 under 20 ms — ${b.p99 < 2000 ? 'met' : 'NOT met'} (${ms(b.p99)} ms), ${report.loopP99 < 20 ? 'met' : 'NOT met'} (${ms(report.loopP99)} ms).`;
    return {
      title: 'Report PDF (issue 7): render worker with a warm Chromium',
      markdown: [`${RUNS} runs each after warm-up; Chromium in a worker thread (server/report/render-worker.mjs), this process standing for the room.`, '', ...rows, '', verdict].join('\n'),
    };
  } finally {
    await r.close();
  }
}
