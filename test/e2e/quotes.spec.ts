import type { Page } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { test, expect, byId, shotPath, asOwnDevice, signQuote, type Link } from './fixtures';
import { expectProcurementWordsOn } from './words';

// Issue 6, quote side: three suppliers submit their final quotes from their laptops (one with words
// ≠ figures, corrected and confirmed), the wall shows the countdown and then the reveal. The earlier
// stages are driven over sockets by every concern's step helper (test/helpers/steps via driveTo), in
// a child process running the real server on the built client (Playwright's loader cannot import the
// server's JSON rubric templates, tsx can).

const CHILD = `
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApplication } from './server/app.ts';
import { SqliteEventStore } from './server/store/sqlite.ts';
import { DEMO_SESSION } from './server/demo/demo-session.ts';
import { openRoom, driveTo } from './test/helpers/room.ts';
import { determinePolicy } from './test/helpers/steps/policy.ts';
import { ADMIN } from './test/helpers/server.ts';
const dataDir = mkdtempSync(join(tmpdir(), 'panelroom-e2e-quotes-'));
const store = SqliteEventStore.open(dataDir);
const app = await createApplication({ store, adminToken: ADMIN, clientDir: process.env.CLIENT_DIR });
const port = await app.listen(0, '127.0.0.1');
const url = 'http://127.0.0.1:' + port;
const srv = { app, store, url, dataDir, async createSession(body) {
  const res = await fetch(url + '/api/sessions', { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer ' + ADMIN }, body: JSON.stringify(body) });
  const json = await res.json();
  if (!json.ok) throw new Error(JSON.stringify(json.error));
  return json.data;
} };
const room = await openRoom(srv, { ...DEMO_SESSION, suppliers: DEMO_SESSION.suppliers.slice(0, 3) });
// S2's response claims small-enterprise status; the panel accepts it in the compliance review (issue 14).
await driveTo(room, 'review');
await determinePolicy(room, 'S2', { kind: 'small_micro', enterprise: 'small' }, true);
await driveTo(room, 'final_quote');
room.closeAll();
console.log('READY ' + JSON.stringify({ url, links: room.links }));
`;

let child: ChildProcess | null = null;

function startRoom(): Promise<{ url: string; links: Link[] }> {
  child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CHILD], {
    cwd: resolve('.'),
    env: { ...process.env, CLIENT_DIR: resolve(process.env.CLIENT_DIR ?? 'dist') },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((res, rej) => {
    let out = '';
    child!.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /READY (.*)\n/.exec(out);
      if (m) res(JSON.parse(m[1]));
    });
    child!.on('exit', (code) => rej(new Error(`room process exited ${code}`)));
  });
}

test.afterAll(() => {
  if (child?.pid) process.kill(child.pid);
});

async function fillQuote(page: Page, figures: string, words: string | null) {
  await page.getByTestId('quote-figures').fill(figures);
  if (words === null) await page.getByRole('button', { name: '按小写生成大写' }).click();
  else await page.getByTestId('quote-words').fill(words);
}

test('final quotes from three laptops, one corrected and confirmed, then the reveal on the wall', async ({ browser }) => {
  test.setTimeout(180_000);
  const { url, links: raw } = await startRoom();
  const links = raw.map((l) => ({ ...l, url: l.url.replace(/^https?:\/\/[^/]+/, url) }));
  // One browser context per device (as openDevice in fixtures.ts), on this room's own server.
  const dev = async (id: string, viewport: { width: number; height: number }, hasTouch = false) => {
    const context = await browser.newContext({ viewport, hasTouch });
    await asOwnDevice(context, byId(links, id).url);
    const page = await context.newPage();
    page.on('pageerror', (e) => console.error(`[${id}] page error:`, e));
    await page.goto(byId(links, id).url);
    return { context, page };
  };
  const con = (await dev('A1', { width: 1440, height: 1000 })).page;
  const wall = (await dev('P1', { width: 1920, height: 1080 })).page;
  const tablet = (await dev('M1', { width: 1280, height: 800 }, true)).page;
  const lap = { S1: (await dev('S1', { width: 1366, height: 900 })).page, S2: (await dev('S2', { width: 1366, height: 900 })).page, S3: (await dev('S3', { width: 1366, height: 900 })).page };

  // The moderator opens the window on the panel's decision and puts the countdown on the wall.
  await expect(con.getByTestId('quotes-console')).toBeVisible();
  await con.getByTestId('quotes-minutes').fill('0.75');
  await con.getByTestId('quotes-open').click();
  await expect(con.getByTestId('quotes-deadline')).toContainText('剩余');
  await con.getByTestId('quotes-show-countdown').click();
  await expect(wall.getByTestId('screen-countdown')).toHaveText(/\d\d:\d\d/);

  // S1 types words that say 1,230,000 against figures 1,234,000.00: the laptop shows the difference
  // and will not submit without an explicit acknowledgement.
  await fillQuote(lap.S1, '1,234,000.00', '壹佰贰拾叁万元整');
  await expect(lap.S1.getByTestId('quote-words-differ')).toContainText('大写为 1,230,000.00 元');
  await expect(lap.S1.getByTestId('quote-submit')).toBeDisabled();
  await lap.S1.screenshot({ path: shotPath('quotes-laptop-words-differ'), fullPage: true });
  await lap.S1.getByTestId('quote-ack-differ').check();
  await signQuote(lap.S1, '王代表');
  await lap.S1.getByTestId('quote-submit').click();
  await expect(lap.S1.getByTestId('quotes-receipt-hash')).toHaveText(/^[0-9a-f]{64}$/);

  // S2: a small enterprise with its declaration, one itemised line; words written from the figures.
  await fillQuote(lap.S2, '1180000.00', null);
  await expect(lap.S2.getByTestId('quote-words')).toHaveValue('壹佰壹拾捌万元整');
  await expect(lap.S2.getByTestId('quote-words-match')).toBeVisible();
  await lap.S2.getByTestId('line-item-0').fill('道路扬尘研究服务');
  await lap.S2.getByTestId('line-unit-0').fill('1180000.00');
  await lap.S2.getByTestId('line-total-0').fill('1180000.00');
  // Its small-enterprise status is the panel's determination, shown read-only (issue 14).
  await expect(lap.S2.getByTestId('policy-claim-small_micro')).toHaveAttribute('data-outcome', 'accepted');
  await expect(lap.S2.getByTestId('policy-determined').locator('input, select')).toHaveCount(0);
  await expect(lap.S3.getByTestId('policy-none')).toBeVisible();
  // 003 Ch3 §3.1 L651: an itemised quote needs the statement on unlisted items before it can be sent.
  await expect(lap.S2.getByTestId('quote-submit')).toBeDisabled();
  await expect(lap.S2.getByTestId('quote-missing-items')).toBeVisible();
  await lap.S2.getByTestId('quote-missing-items').check();
  await signQuote(lap.S2, '李代表');
  await lap.S2.getByTestId('quote-submit').click();
  await expect(lap.S2.getByTestId('quotes-receipt')).toContainText('1,180,000.00');

  // Issue 13 item 4: no quote leaves the laptop without the authorised representative's signature.
  await fillQuote(lap.S3, '1300000.00', null);
  await expect(lap.S3.getByTestId('quote-submit')).toBeDisabled();
  await expect(lap.S3.getByTestId('quote-sign-needed')).toContainText('须由授权代表在上方签名');
  await signQuote(lap.S3, '赵代表');
  await expect(lap.S3.getByTestId('quote-sign-needed')).toHaveCount(0);
  await lap.S3.getByTestId('quote-submit').click();
  await expect(lap.S3.getByTestId('quotes-receipt')).toContainText('1,300,000.00');

  // The console and the wall know who has submitted, never how much.
  for (const id of ['S1', 'S2', 'S3']) await expect(con.getByTestId(`quotes-who-${id}`)).toHaveAttribute('data-submitted', 'yes');
  for (const id of ['S1', 'S2', 'S3']) await expect(wall.getByTestId(`screen-who-${id}`)).toContainText('已提交');
  for (const p of [con, wall, tablet, lap.S2, lap.S3]) {
    const text = await p.locator('body').innerText();
    expect(text).not.toContain('1,234,000');
    expect(text).not.toContain('壹佰贰拾叁万');
  }
  await expect(lap.S2.locator('body')).not.toContainText('1,300,000');
  // Issue 13 item 1: procurement words only on every screen, with the window open…
  const screens = { console: con, projector: wall, tablet, ...lap };
  await expectProcurementWordsOn(screens, 'quote window open');
  await wall.screenshot({ path: shotPath('quotes-screen-countdown') });
  await con.screenshot({ path: shotPath('quotes-console-open'), fullPage: true });

  // At the deadline (server clock) the window closes by itself (a timed event, issue 14).
  await expect(con.getByTestId('quotes-pending')).toContainText('北京清风环境科技有限公司', { timeout: 60_000 });

  // S1 sees the correction step by step and confirms it.
  await expect(lap.S1.getByTestId('correction-step-0')).toContainText('以大写为准，修正为1,230,000.00元');
  await expect(lap.S1.getByTestId('correction-result')).toHaveText('1,230,000.00 元');
  await lap.S1.screenshot({ path: shotPath('quotes-laptop-correction'), fullPage: true });
  await lap.S1.getByTestId('correction-confirm').click();
  await expect(lap.S1.getByTestId('quotes-correction')).toContainText('您已确认修正后的报价');

  // The reveal on the wall: quote → correction → deduction → evaluated price → price score.
  await con.getByTestId('quotes-show-reveal').click();
  await expect(wall.getByTestId('screen-reveal')).toBeVisible();
  await expect(wall.getByTestId('screen-reveal-S1')).toContainText('以大写为准');
  await expect(wall.getByTestId('screen-reveal-S2')).toContainText('小微企业价格扣除10%');
  await expect(wall.getByTestId('screen-reveal-S2')).toContainText('1,062,000.00');
  // 1,062,000 ÷ 1,230,000 × 10 = 8.634… → 8.63; ÷ 1,300,000 × 10 = 8.169… → 8.17.
  await expect(wall.getByTestId('screen-score-S2')).toContainText('10.00');
  await expect(wall.getByTestId('screen-score-S1')).toContainText('8.63');
  await expect(wall.getByTestId('screen-score-S3')).toContainText('8.17');
  // The wall fits: no scrolling, and the price score is at least 8 % of the screen height.
  const fits = await wall.evaluate(() => document.documentElement.scrollHeight <= window.innerHeight + 1);
  expect(fits).toBe(true);
  const scoreHeight = await wall.getByTestId('screen-score-S2').evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
  expect(scoreHeight).toBeGreaterThanOrEqual(1080 * 0.08);
  await wall.screenshot({ path: shotPath('quotes-screen-reveal') });
  // The explanation lines read from the back of the room too (issue 17): at least 3 % of the height,
  // and no supplier's column is cut off.
  for (const id of ['S1', 'S2', 'S3']) {
    const sizes = await wall.getByTestId(`screen-reveal-${id}`).locator('.small').evaluateAll((els) => els.map((el) => parseFloat(getComputedStyle(el).fontSize)));
    expect(sizes.length).toBeGreaterThan(0);
    for (const px of sizes) expect(px).toBeGreaterThanOrEqual(1080 * 0.03 - 0.5);
    const clipped = await wall.getByTestId(`screen-reveal-${id}`).evaluate((el) => el.scrollHeight > el.clientHeight + 1 || el.getBoundingClientRect().bottom > window.innerHeight);
    expect(clipped, `the reveal of ${id} is cut off`).toBe(false);
  }
  await expect(tablet.getByTestId('reveal-row-S1')).toContainText('1,230,000.00');
  await tablet.screenshot({ path: shotPath('quotes-tablet-reveal'), fullPage: true });
  // …and at the reveal.
  await expectProcurementWordsOn(screens, 'reveal');
  // A supplier still sees only its own.
  await expect(lap.S3.locator('body')).not.toContainText('1,180,000');
  await expect(con.getByTestId('blocked-by')).toHaveCount(0);
});
