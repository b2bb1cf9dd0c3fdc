import type { Page } from '@playwright/test';
import { expect } from './fixtures';
import { codeTokensInContext } from '../helpers/identifiers';

// Issue 13 item 1 on every screen: every word a person reads is a procurement word. Reads what the page
// shows (`innerText` of its body: visible text only, not attributes, not inputs' values) and fails on any
// identifier-looking token by the report's own rule (test/helpers/identifiers.ts): snake_case, `a:b`
// event names, JSON braces, ISO timestamps, camelCase.

/** Fails, naming the screen and each token in its context, if `page` shows a code identifier. */
export async function expectProcurementWords(page: Page, screen: string): Promise<void> {
  const text = await page.locator('body').innerText();
  expect(text.trim().length, `${screen} shows something`).toBeGreaterThan(0);
  expect(codeTokensInContext(text), `code identifiers on ${screen}`).toEqual([]);
}

/** The same on several screens at once: `{ console: con, projector: wall, ... }`. */
export async function expectProcurementWordsOn(screens: Record<string, Page>, when: string): Promise<void> {
  for (const [name, page] of Object.entries(screens)) await expectProcurementWords(page, `${name} (${when})`);
}
