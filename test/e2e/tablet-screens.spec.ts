import type { Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { test, expect, openDevice, byId, shotPath, type Link } from './fixtures';
import { DEMO_SESSION } from '../../server/demo/demo-session';

// Issue 17 (the panel tablet as a person sees it) and issue 16 (the scoring page's length): a member's
// tablet in the scoring stage at 1280×800 and 1024×768, by touch, in Chinese and in English.

function drive(baseURL: string, stage: string): Link[] {
  const out = execFileSync('node_modules/.bin/tsx', ['test/e2e/live-b-drive.ts', baseURL, stage, JSON.stringify(DEMO_SESSION)], { encoding: 'utf8', timeout: 120_000 });
  return JSON.parse(out.trim().split('\n').pop()!) as Link[];
}

function errorsOf(p: Page): string[] {
  const errors: string[] = [];
  p.on('pageerror', (e) => errors.push(e.message));
  return errors;
}

/** A finger held on an element for 0.8 s, through Chromium's own touch input (not synthetic DOM events). */
async function holdTouch(p: Page, testid: string): Promise<void> {
  const el = p.getByTestId(testid);
  await el.scrollIntoViewIfNeeded();
  const b = (await el.boundingBox())!;
  const point = { x: Math.round(b.x + b.width / 2), y: Math.round(b.y + b.height / 2) };
  const cdp = await p.context().newCDPSession(p);
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [point] });
  await p.waitForTimeout(800);
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  await cdp.detach();
}

/** Every factor, scrolled to the top and to the bottom of the window, is clear of both sticky bars. */
async function clearOfStickyBars(p: Page): Promise<void> {
  const hidden = await p.evaluate(() => {
    const head = document.querySelector('[data-testid="scoring-head"]')!;
    const bar = document.querySelector('[data-testid="scoring-submit-bar"]');
    const bad: string[] = [];
    for (const f of document.querySelectorAll<HTMLElement>('[data-testid^="factor-"][data-points]')) {
      f.scrollIntoView({ block: 'start' });
      const top = f.getBoundingClientRect().top;
      if (top < head.getBoundingClientRect().bottom - 1) bad.push(`${f.dataset.testid} under the 上一家/下一家 bar`);
      f.scrollIntoView({ block: 'end' });
      const bottom = f.getBoundingClientRect().bottom;
      if (bar && bottom > bar.getBoundingClientRect().top + 1) bad.push(`${f.dataset.testid} under the submit bar`);
    }
    return bad;
  });
  expect(hidden).toEqual([]);
}

test('the scoring tablet: compact, criteria readable by touch without choosing, nothing under the sticky bars; the header on one row', async ({ browser, baseURL }) => {
  test.setTimeout(180_000);
  const links = drive(baseURL!, 'scoring');
  // A member per size: each starts from an empty sheet.
  for (const [member, vp] of [['M2', { width: 1280, height: 800 }], ['M3', { width: 1024, height: 768 }]] as const) {
    const { page: p } = await openDevice(browser, byId(links, member), vp, true);
    const errors = errorsOf(p);
    await expect(p.getByTestId('scoring-tablet')).toBeVisible();
    await expect(p.getByTestId('factor-3')).toBeVisible();

    // Issue 16: the whole supplier fits in about three screens, not five (it was ~4,100 px at 1280).
    const height = await p.evaluate(() => document.documentElement.scrollHeight);
    expect(height).toBeLessThan(vp.height * 3.5);

    // The header stays on one row: the language button beside the title, the project number whole.
    const bar = (await p.locator('header.topbar').boundingBox())!;
    const lang = (await p.getByTestId('lang-switch').boundingBox())!;
    expect(lang.y + lang.height).toBeLessThanOrEqual(bar.y + bar.height);
    expect(bar.height).toBeLessThan(72);
    const number = p.getByTestId('project-number');
    await expect(number).toHaveText(/^\S+XM001$/);
    const lines = await number.evaluate((el) => el.getBoundingClientRect().height / parseFloat(getComputedStyle(el).lineHeight));
    expect(lines).toBeLessThan(1.5);

    // A level's criterion is cut on its button; the member reads it in full by touch, and reading
    // chooses nothing.
    const full = (await p.getByTestId('level-3-10').getAttribute('title'))!;
    expect(full.length).toBeGreaterThan(20);
    await p.getByTestId('rule-toggle-3').tap();
    await expect(p.getByTestId('rule-3')).toContainText(full);
    await expect(p.getByTestId('factor-3')).toHaveAttribute('data-points', '');
    await p.screenshot({ path: shotPath(`tablet-scoring-criteria-${vp.width}`) });
    await p.getByTestId('rule-toggle-3').tap();
    await expect(p.getByTestId('rule-3')).toHaveCount(0);
    // Or tap-and-hold the level itself (a real touch held for 0.8 s): the criterion shows, nothing is chosen.
    await holdTouch(p, 'level-3-7');
    const seven = (await p.getByTestId('level-3-7').getAttribute('title'))!;
    await expect(p.getByTestId('held-3')).toContainText(seven);
    await expect(p.getByTestId('factor-3')).toHaveAttribute('data-points', '');
    // A plain tap still chooses.
    await p.getByTestId('level-3-7').tap();
    await expect(p.getByTestId('factor-3')).toHaveAttribute('data-points', '7');

    // Nothing ever sits under the sticky bars; a tap on the last factor's level lands on it.
    await clearOfStickyBars(p);
    await p.getByTestId('level-12-4').tap();
    await expect(p.getByTestId('factor-12')).toHaveAttribute('data-points', '4');
    await p.evaluate(() => window.scrollTo(0, 0));
    await p.screenshot({ path: shotPath(`tablet-scoring-${vp.width}`) });
    await p.screenshot({ path: shotPath(`tablet-scoring-${vp.width}-full`), fullPage: true });

    // Supplier contact names never break in the middle.
    await p.getByTestId('tablet-people').locator('summary').tap();
    const broken = await p.locator('.people .who').evaluateAll((els) => els.filter((e) => e.getClientRects().length > 1).map((e) => e.textContent));
    expect(broken).toEqual([]);
    await expect(p.getByTestId('person-S1')).toContainText('周强');
    expect(errors).toEqual([]);
  }
});

test('English mode on the tablet reads as English: labels, punctuation, the member’s own line', async ({ browser, baseURL }) => {
  test.setTimeout(120_000);
  const links = drive(baseURL!, 'review');
  const { page: p } = await openDevice(browser, byId(links, 'M1'), { width: 1024, height: 768 }, true);
  const errors = errorsOf(p);
  await expect(p.getByTestId('review-tablet')).toBeVisible();
  await p.getByTestId('pass-all').tap();
  await p.getByTestId('lang-switch').tap();
  await expect(p.getByTestId('stage')).toHaveText(/^Stage: \S/);
  // The leader's own line: 「Name · Evaluation expert · Leader」, spaced on both sides.
  await expect(p.getByTestId('me')).toHaveText('李明 · Evaluation expert · Leader');
  await expect(p.locator('[data-testid^="review-item-"]').first()).toContainText('Expert 1: ✓ pass');
  await p.getByTestId('tablet-people').locator('summary').tap();
  await expect(p.getByTestId('tablet-people').locator('summary')).toHaveText(/^People in the room \(\d+\/\d+ online\)$/);
  await expect(p.getByTestId('person-M2')).toContainText('张华 (Expert 2)');
  // No Chinese ordinal label and no full-width punctuation written by the tablet itself (names,
  // suppliers and the rubric's own text are the procurement documents' words and stay Chinese).
  const text = await p.locator('main.tablet').innerText();
  expect(text).not.toMatch(/专家 \d/);
  const header = await p.locator('header.topbar').innerText();
  expect(header).not.toMatch(/[：（）]/);
  await p.screenshot({ path: shotPath('tablet-english-review'), fullPage: true });
  expect(errors).toEqual([]);
});

test("the review tablet: only the panel leader's tablet offers to conclude a supplier (its own reviewSeat, issue 15)", async ({ browser, baseURL }) => {
  test.setTimeout(180_000);
  const links = drive(baseURL!, 'review');
  const conclude = '结束对该供应商的审查';
  const { page: leader } = await openDevice(browser, byId(links, 'M1'), { width: 1280, height: 800 }, true);
  const { page: member } = await openDevice(browser, byId(links, 'M2'), { width: 1280, height: 800 }, true);
  for (const p of [leader, member]) await expect(p.getByText('表决', { exact: false }).first()).toBeVisible();
  await expect(leader.getByRole('button', { name: conclude })).toBeVisible();
  await leader.getByRole('button', { name: conclude }).scrollIntoViewIfNeeded();
  await leader.screenshot({ path: shotPath('review-tablet-leader') });
  await expect(member.getByRole('button', { name: conclude })).toHaveCount(0);
  await member.screenshot({ path: shotPath('review-tablet-member') });
});
