import { Worker } from 'node:worker_threads';
import { extend } from '../../shared/extend';

// The room's handle on the render worker (render-worker.mjs): jobs go out as messages, PDF bytes come
// back as a transferred buffer, so neither Chromium nor the PDF encoding runs on the room's event loop.
// The browser is launched once and kept warm; the worker is started on first use and unref'd so that
// an idle renderer never keeps a process alive.

export interface RenderJob {
  html: string;
  headerTemplate?: string;
  footerTemplate?: string;
  margin?: { top: string; bottom: string; left: string; right: string };
}

type Pending = { resolve: (v: any) => void; reject: (e: Error) => void };

export class PdfRenderer {
  private worker: Worker | null = null;
  private seq = 0;
  private readonly pending = new Map<number, Pending>();

  constructor(private readonly executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium') {}

  private start(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(new URL('./render-worker.mjs', import.meta.url), { workerData: { executablePath: this.executablePath } });
    w.unref();
    w.on('message', (m: { id: number; ok: boolean; pdf?: ArrayBuffer; error?: string }) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.ok) p.resolve(m.pdf ? Buffer.from(m.pdf) : null);
      else p.reject(new Error(m.error ?? 'render failed'));
    });
    const fail = (e: Error) => {
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
      this.worker = null;
    };
    w.on('error', fail);
    w.on('exit', (code) => fail(new Error(`render worker exited (${code})`)));
    this.worker = w;
    return w;
  }

  private call<T>(msg: Record<string, unknown>): Promise<T> {
    const w = this.start();
    const id = ++this.seq;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      // Keep the process alive while a job is under way, not while idle.
      w.ref();
      w.postMessage(extend(msg, { id }));
    }).finally(() => {
      if (this.pending.size === 0) this.worker?.unref();
    });
  }

  /** Launches the browser now, so that the first report renders warm. */
  warm(): Promise<void> {
    return this.call<void>({ type: 'warm' });
  }

  render(job: RenderJob): Promise<Buffer> {
    return this.call<Buffer>({ type: 'render', job });
  }

  async close(): Promise<void> {
    const w = this.worker;
    if (!w) return;
    await Promise.race([this.call({ type: 'close' }).catch(() => undefined), new Promise((r) => setTimeout(r, 3000))]);
    this.worker = null;
    await w.terminate();
  }
}
