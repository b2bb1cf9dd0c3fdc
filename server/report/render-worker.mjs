// The PDF render worker (worker_threads): one warm headless Chromium (Debian's, via playwright-core)
// that turns report HTML into PDF bytes away from the room's event loop (issue 7: "outside the request
// path so that the room stays responsive while it renders"). Plain JavaScript on purpose: it runs the
// same under tsx, vitest and node without a TypeScript loader in the worker.
import { parentPort, workerData } from 'node:worker_threads';
import { chromium } from 'playwright-core';

const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'];
let browserP = null;
let contextP = null;

function browser() {
  browserP ??= chromium.launch({ executablePath: workerData?.executablePath ?? '/usr/bin/chromium', args: ARGS, headless: true }).catch((e) => {
    browserP = null;
    throw e;
  });
  return browserP;
}

/** One warm context for every job (a fresh page each time): creating a context costs about a second. */
function context() {
  contextP ??= (async () => {
    const b = await browser();
    const ctx = await b.newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai', javaScriptEnabled: false, offline: true });
    // No network: the report is self-contained (inline SVG, system fonts).
    await ctx.route('**/*', (r) => (r.request().url().startsWith('data:') ? r.continue() : r.abort()));
    return ctx;
  })().catch((e) => {
    contextP = null;
    throw e;
  });
  return contextP;
}

async function render(job) {
  const ctx = await context();
  const page = await ctx.newPage();
  try {
    await page.setContent(job.html, { waitUntil: 'load' });
    const pdf = await page.pdf({
      format: 'A4',
      printBackground: true,
      displayHeaderFooter: true,
      headerTemplate: job.headerTemplate ?? '<span></span>',
      footerTemplate: job.footerTemplate ?? '<span></span>',
      margin: job.margin ?? { top: '18mm', bottom: '26mm', left: '14mm', right: '14mm' },
      preferCSSPageSize: false,
    });
    return pdf;
  } finally {
    await page.close().catch(() => {});
  }
}

parentPort.on('message', async (msg) => {
  if (msg.type === 'warm') {
    try {
      await context();
      parentPort.postMessage({ id: msg.id, ok: true });
    } catch (e) {
      parentPort.postMessage({ id: msg.id, ok: false, error: String(e?.message ?? e) });
    }
    return;
  }
  if (msg.type === 'close') {
    try {
      if (browserP) await (await browserP).close();
    } catch {}
    parentPort.postMessage({ id: msg.id, ok: true });
    return;
  }
  try {
    const pdf = await render(msg.job);
    const ab = pdf.buffer.slice(pdf.byteOffset, pdf.byteOffset + pdf.byteLength);
    parentPort.postMessage({ id: msg.id, ok: true, pdf: ab }, [ab]);
  } catch (e) {
    parentPort.postMessage({ id: msg.id, ok: false, error: String(e?.message ?? e) });
  }
});
