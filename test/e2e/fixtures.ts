import { test as base, expect } from '@playwright/test';
import type { Browser, BrowserContext, Locator, Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { spawn, type ChildProcess } from 'node:child_process';
import { testDeviceKey } from '../helpers/device';

/** An error a test provokes on purpose, with the reason it is expected (issue 17, item 7). */
export interface AllowedError {
  pattern: RegExp;
  reason: string;
}

/**
 * Playwright's `test`, which
 * - fails a test on any uncaught page error or console error in any device it opened (issue 17: a
 *   person never sees the console, so an error there is a regression nobody notices otherwise). Every
 *   browser context the test creates, through `openDevice`, `browser.newContext` or the `page`
 *   fixture, is watched; a test that provokes an error on purpose lists it with `allowErrors`, each with
 *   a reason;
 * - closes every device (browser context) a test opened when it ends, passed or failed: the browser is
 *   shared by the worker's tests, and a device left open keeps its socket, clock and countdown running
 *   through every later test.
 */
export const test = base.extend<{ closeDevices: void; allowErrors: (...allowed: AllowedError[]) => void }>({
  allowErrors: [
    async ({ browser }, use) => {
      const errors: string[] = [];
      const allowed: AllowedError[] = [];
      const where = (p: Page | null | undefined) => {
        try {
          const u = p ? new URL(p.url()) : null;
          return u ? u.pathname + u.search : '?';
        } catch {
          return '?';
        }
      };
      const watch = (ctx: BrowserContext) => {
        ctx.on('weberror', (e) => errors.push(`[${where(e.page())}] uncaught page error: ${e.error().stack ?? e.error().message}`));
        ctx.on('console', (m) => {
          if (m.type() === 'error') errors.push(`[${where(m.page())}] console error: ${m.text()} (${m.location().url}:${m.location().lineNumber})`);
        });
      };
      const newContext = browser.newContext;
      browser.newContext = async (...args: Parameters<Browser['newContext']>) => {
        const ctx = await newContext.apply(browser, args);
        watch(ctx);
        return ctx;
      };
      await use((...a) => void allowed.push(...a));
      browser.newContext = newContext;
      const unexpected = errors.filter((e) => !allowed.some((a) => a.pattern.test(e)));
      expect(unexpected, 'uncaught page errors or console errors in a device the test opened').toEqual([]);
    },
    { auto: true },
  ],
  closeDevices: [
    async ({ browser }, use) => {
      await use();
      await Promise.all(browser.contexts().map((c) => c.close().catch(() => undefined)));
    },
    { auto: true },
  ],
});
export { expect };

export const E2E_ADMIN = 'e2e-admin-key-0123456789abcdef';

export interface Link {
  personId: string;
  role: string;
  name: string;
  url: string;
}

export async function createSession(baseURL: string, body: unknown): Promise<{ sessionId: string; links: Link[] }> {
  const res = await fetch(`${baseURL}/api/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${E2E_ADMIN}` },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as any;
  if (!json.ok) throw new Error(JSON.stringify(json.error));
  return json.data;
}

/**
 * Makes a browser context the person's own device (issue 12: one device per seat): its device key is
 * the one the socket drivers (test/helpers/server.ts connect) used for that join link, so a session
 * driven over sockets and then opened in the browser is on one device throughout. A reload keeps it.
 */
export async function asOwnDevice(context: BrowserContext, url: string): Promise<void> {
  const token = decodeURIComponent(url.split('#')[1] ?? '');
  if (!token) return;
  await context.addInitScript((k: string) => {
    try {
      localStorage.setItem('panelroom.device', k);
    } catch {
      /* a sandboxed frame (the report's preview) has no storage */
    }
  }, testDeviceKey(token));
}

/**
 * One browser context per device: its own storage, as a separate tablet or laptop would have. By
 * default the person's own device (asOwnDevice); `other` opens the link on another device.
 */
export async function openDevice(browser: Browser, link: Link, viewport = { width: 1280, height: 800 }, touch = false, other = false): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport, hasTouch: touch, isMobile: false });
  if (!other) await asOwnDevice(context, link.url);
  const page = await context.newPage();
  watchCsp(page, link.personId);
  await page.goto(link.url);
  return { context, page };
}

/**
 * Every Content-Security-Policy violation a page reports (issue 12, item 10: the built client must work
 * under server/http/headers.ts's policy). Specs assert this stays empty.
 */
export const cspViolations: string[] = [];
export function watchCsp(page: Page, who: string): void {
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) cspViolations.push(`[${who}] ${m.text()}`);
  });
}

export const byId = (links: Link[], id: string): Link => {
  const l = links.find((x) => x.personId === id);
  if (!l) throw new Error('no link ' + id);
  return l;
};

export function shotPath(name: string): string {
  mkdirSync('test-results/screens', { recursive: true });
  return `test-results/screens/${name}.png`;
}

/**
 * A server of its own on a fresh, empty database (for a test that needs an empty one, whatever other
 * spec files did on the shared server). Kill it with `stop()` at the end.
 */
export function freshServer(): Promise<{ url: string; stop: () => void }> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'test/e2e/serve.ts'], {
    env: { ...process.env, E2E_PORT: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /E2E_URL (\S+)/.exec(out);
      if (m) resolve({ url: m[1], stop: () => child.kill('SIGTERM') });
    });
    child.once('exit', (code) => reject(new Error(`fresh server exited ${code}`)));
  });
}

/** Draws a zig-zag signature on the canvas (the one inside `within`, if given), with the mouse or with
 *  touch pointer events. */
export async function drawSignature(p: Page, touch = false, within?: Locator): Promise<void> {
  const canvas = (within ?? p).getByTestId('signature-canvas');
  await canvas.scrollIntoViewIfNeeded();
  const box = (await canvas.boundingBox())!;
  const pts = [0.1, 0.25, 0.4, 0.55, 0.7, 0.85].map((fx, i) => [box.x + box.width * fx, box.y + box.height * (i % 2 ? 0.25 : 0.75)]);
  if (!touch) {
    await p.mouse.move(pts[0][0], pts[0][1]);
    await p.mouse.down();
    for (const [x, y] of pts.slice(1)) await p.mouse.move(x, y, { steps: 6 });
    await p.mouse.up();
    return;
  }
  const ev = (type: string, x: number, y: number) => canvas.dispatchEvent(type, { pointerId: 7, pointerType: 'touch', isPrimary: true, clientX: x, clientY: y, bubbles: true });
  await ev('pointerdown', pts[0][0], pts[0][1]);
  for (let i = 1; i < pts.length; i++)
    for (let k = 1; k <= 5; k++) await ev('pointermove', pts[i - 1][0] + ((pts[i][0] - pts[i - 1][0]) * k) / 5, pts[i - 1][1] + ((pts[i][1] - pts[i - 1][1]) * k) / 5);
  await ev('pointerup', pts.at(-1)![0], pts.at(-1)![1]);
}

/** The authorised representative signs the final quote on the laptop (issue 13 item 4): draws on the
 *  quote's own pad and gives the name; the server refuses a consultation quote without it. */
export async function signQuote(p: Page, name: string): Promise<void> {
  const box = p.getByTestId('quote-sign');
  await drawSignature(p, false, box);
  await p.getByTestId('quote-signer').fill(name);
}
