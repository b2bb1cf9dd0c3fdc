import type { SessionRegistry } from '../session/registry';
import type { SessionRuntime } from '../session/runtime';
import type { SessionState } from '../session/types';
import type { EventStore, StoredEvent } from '../store/types';
import { PdfRenderer } from './renderer';
import { reportFiles, type ReportFiles } from './files';
import { currentRevision, readyToFinalize, reportEvent } from './state';
import { pdfJob } from './pdf-job';
import { reportHtml, type ReportContext } from './html';
import { extend } from '../../shared/extend';

// The report's work outside the command path: when every sitting member has signed, the final PDF
// is rendered in the render worker (never inside a handler: handlers are pure and synchronous),
// stored by its sha256 and recorded by a system event `report:finalized` (docs/rules.md §2.22). The same
// check runs at start, so a render interrupted by a restart is done again.

export class ReportService {
  readonly files: ReportFiles;
  private readonly inFlight = new Map<string, Promise<void>>();
  private closed = false;

  constructor(
    private readonly registry: SessionRegistry,
    private readonly store: EventStore,
    readonly renderer = new PdfRenderer(),
  ) {
    this.files = reportFiles(store);
    registry.onChange((s) => {
      if (readyToFinalize(s)) void this.finalize(s.id);
    });
    // Every session once replayed (issue 15: the replay may run in the background).
    const finalizeAll = () => {
      for (const rt of registry.all()) if (readyToFinalize(rt.state)) void this.finalize(rt.id);
    };
    if (registry.isReady) finalizeAll();
    else registry.ready.then(finalizeAll, () => undefined);
  }

  /** The session's state and its events, read so that they agree (the log may move while reading). */
  async snapshot(rt: SessionRuntime): Promise<{ state: SessionState; events: StoredEvent[] }> {
    for (let i = 0; i < 5; i++) {
      const events = await this.store.read(rt.id);
      if (events.length === rt.state.seq) return { state: rt.state, events };
    }
    return { state: rt.state, events: await this.store.read(rt.id) };
  }

  context(state: SessionState, final: boolean): ReportContext {
    return { revision: currentRevision(state)!, head: state.head, headSeq: state.seq, final };
  }

  /** The current revision as HTML; `en` is its English twin, for reading (the filed PDF is Chinese). */
  async html(rt: SessionRuntime, lang: 'zh' | 'en' = 'zh'): Promise<string> {
    const { state, events } = await this.snapshot(rt);
    return reportHtml(state, events, extend(this.context(state, false), { lang }));
  }

  /** The current revision as a draft PDF (rendered now, not recorded). */
  async draftPdf(rt: SessionRuntime): Promise<Buffer> {
    const { state, events } = await this.snapshot(rt);
    return this.renderer.render(pdfJob(state, events, this.context(state, false)));
  }

  /** Renders, stores and records the final PDF of the current revision, once. */
  finalize(sessionId: string): Promise<void> {
    const running = this.inFlight.get(sessionId);
    if (running) return running;
    const p = this.finalizeNow(sessionId)
      .catch((e) => console.error(`[report ${sessionId}] final render failed:`, e))
      .finally(() => this.inFlight.delete(sessionId));
    this.inFlight.set(sessionId, p);
    return p;
  }

  private async finalizeNow(sessionId: string): Promise<void> {
    const rt = this.registry.get(sessionId);
    if (!rt || this.closed || !readyToFinalize(rt.state)) return;
    const { state, events } = await this.snapshot(rt);
    const ctx = this.context(state, true);
    // The HTML is built now, synchronously, from this state: later events cannot leak into the PDF.
    const job = pdfJob(state, events, ctx);
    const pdf = await this.renderer.render(job);
    const sha256 = await this.files.put(pdf);
    if (this.closed || !readyToFinalize(rt.state) || currentRevision(rt.state)?.n !== ctx.revision.n) return;
    await rt.appendSystem([reportEvent('report:finalized', { revision: ctx.revision.n, sha256, size: pdf.length, head: ctx.head, headSeq: ctx.headSeq })]);
    // The content changed while rendering (a signature voided…): the check above runs again on the next change.
  }

  async idle(): Promise<void> {
    await Promise.all([...this.inFlight.values()]);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.idle();
    await this.renderer.close();
  }
}
