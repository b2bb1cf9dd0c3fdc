import type { Page } from '@playwright/test';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createInterface } from 'node:readline';
import { checkinCode } from '../../server/participants/checkin';
import { decodeQr } from './qr';
import { test, expect, asOwnDevice, watchCsp, cspViolations, byId, shotPath, E2E_ADMIN, type Link } from './fixtures';

// Issue 12, item 1 ("Tests that must fail when it breaks"): nothing that lets someone act as someone
// else ever reaches a shared screen. A whole demo session is driven over sockets (wall-drive.ts, a
// tsx child: Playwright's loader cannot import the server's rubric templates) while the projector
// (/screen) and the observer (/observer) are open in Chromium. Every WebSocket frame those two pages
// receive is recorded; at every scene the moderator switches to, in every stage, every QR code on
// either page is decoded as a phone would read it. No frame and no code may carry a join token, its
// hash (server/session/create.ts tokenHash, and a bare sha256 of it), a check-in code
// (server/participants/checkin.ts, with or without its dash) or the admin key.

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

function secretsOf(links: Link[]): { what: string; value: string }[] {
  const out = [{ what: 'admin key', value: E2E_ADMIN }];
  for (const l of links) {
    const token = decodeURIComponent(l.url.split('#')[1] ?? '');
    expect(token, `${l.personId} has a token`).not.toBe('');
    const code = checkinCode(token);
    out.push(
      { what: `${l.personId} join token`, value: token },
      { what: `${l.personId} token hash`, value: sha256('join-token:' + token) },
      { what: `${l.personId} token sha256`, value: sha256(token) },
      { what: `${l.personId} check-in code`, value: code },
      { what: `${l.personId} check-in code (no dash)`, value: code.replace('-', '') },
    );
  }
  return out;
}

/** Every frame a page's WebSockets receive, as text (a binary frame as UTF-8 and as hex). */
function recordFrames(page: Page, frames: string[]): void {
  page.on('websocket', (ws) => {
    ws.on('framereceived', ({ payload }) => {
      if (typeof payload === 'string') frames.push(payload);
      else frames.push(payload.toString('utf8'), payload.toString('hex'));
    });
  });
}

test('no join token, token hash, check-in code or admin key reaches the projector or the observer, in any frame or QR code, through a whole session', async ({ browser, baseURL }) => {
  test.setTimeout(420_000);
  const child = spawn('node_modules/.bin/tsx', ['test/e2e/wall-drive.ts', baseURL!], { stdio: ['pipe', 'pipe', 'inherit'] });
  const out = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const nextLine = async (): Promise<string> => {
    const r = await out.next();
    if (r.done) throw new Error('the driver ended early');
    return r.value;
  };
  try {
    const first = await nextLine();
    expect(first.startsWith('LINKS ')).toBe(true);
    const links = JSON.parse(first.slice('LINKS '.length)) as Link[];
    const secrets = secretsOf(links);
    expect(links.map((l) => l.personId)).toEqual(expect.arrayContaining(['A1', 'P1', 'O1', 'S1', 'M1']));

    const frames: Record<string, string[]> = { projector: [], observer: [] };
    const pages: Record<string, Page> = {};
    for (const [who, id] of [['projector', 'P1'], ['observer', 'O1']] as const) {
      const ctx = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
      await asOwnDevice(ctx, byId(links, id).url);
      const p = await ctx.newPage();
      watchCsp(p, id);
      recordFrames(p, frames[who]);
      await p.goto(byId(links, id).url);
      pages[who] = p;
    }
    await expect(pages.projector.locator('main.screen')).toBeVisible();

    const decodedBy: Record<string, string[]> = {};
    const seen: string[] = [];
    child.stdin!.write('go\n');
    for (;;) {
      const line = await nextLine();
      if (line === 'END') break;
      const [, stage, scene] = line.split(' ');
      await expect(pages.projector.locator('main.screen')).toHaveAttribute('data-scene', scene);
      seen.push(`${stage}:${scene}`);
      for (const [who, page] of Object.entries(pages)) {
        const codes = page.locator('[data-testid="screen-qr-code"], .qr');
        const n = await codes.count();
        for (let i = 0; i < n; i++) {
          const decoded = await decodeQr(browser, await codes.nth(i).screenshot());
          expect(decoded, `${who} QR ${i} at ${stage}/${scene} can be read`).not.toBeNull();
          (decodedBy[`${stage}:${scene}`] ??= []).push(decoded!);
          for (const s of secrets) expect(decoded, `${who} QR at ${stage}/${scene} carries the ${s.what}`).not.toContain(s.value);
        }
      }
      if (stage === 'signin' && scene === 'welcome') await pages.projector.screenshot({ path: shotPath('wall-credentials-welcome') });
      child.stdin!.write('next\n');
    }

    // It looked at something: the session went through to the archive, the welcome scene's check-in QR
    // was decoded (the session's own /join page), and both pages received frames.
    expect(seen).toEqual(expect.arrayContaining(['signin:welcome', 'consultation:round', 'final_quote-open:quotes', 'final_quote:reveal', 'archived:welcome']));
    expect(seen.some((s) => s.endsWith(':results')), 'the results were shown').toBe(true);
    expect(seen.some((s) => s.endsWith(':signing')), 'the signing progress was shown').toBe(true);
    const sessionId = new URL(byId(links, 'A1').url).searchParams.get('s')!;
    expect(decodedBy['signin:welcome']).toContain(`${new URL(byId(links, 'A1').url).origin}/join?s=${sessionId}`);
    for (const [who, list] of Object.entries(frames)) {
      expect(list.length, `${who} received frames`).toBeGreaterThan(10);
      const all = list.join('\n');
      for (const s of secrets) expect(all.includes(s.value), `${who} received the ${s.what}`).toBe(false);
    }
    expect(cspViolations).toEqual([]);
  } finally {
    child.kill('SIGTERM');
  }
});
