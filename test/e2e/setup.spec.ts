import { execFileSync } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import { test, expect, E2E_ADMIN, openDevice, shotPath, freshServer } from './fixtures';

// Issue 4: the agency sets a session up in the browser from an empty database: a draft from a
// template, one factor edited and one invalid edit refused, 5 members and 4 suppliers, the join cards
// printed to PDF, and two people joining from the printed links.
test('the agency sets up a session in the browser, prints the join cards and two people join', async ({ browser }) => {
  test.setTimeout(150_000);
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('[admin] page error:', e));
  page.on('dialog', (d) => void d.accept());
  // An empty database of its own: other spec files create sessions on the shared server.
  const fresh = await freshServer();
  test.info().attach('server', { body: fresh.url });

  // The admin key, once; the list of sessions is empty.
  await page.goto(`${fresh.url}/admin`);
  await page.getByTestId('admin-key').fill(E2E_ADMIN);
  await page.getByTestId('admin-enter').click();
  await expect(page.getByRole('heading', { name: '进行中的会话' })).toBeVisible();
  await expect(page.getByTestId('session-row')).toHaveCount(0);

  // A draft from template seed003.
  await page.getByTestId('template-seed003').check();
  await page.getByTestId('moderator-name').fill('王主持');
  await page.getByTestId('moderator-org').fill('中钰招标有限公司');
  await page.getByTestId('create-draft').click();
  await expect(page).toHaveURL(/\/console$/);
  await expect(page.getByTestId('setup-editor')).toBeVisible();
  await expect(page.getByTestId('stage')).toContainText('准备');
  await expect(page.getByTestId('blocked-by')).toContainText('准备工作未完成');
  const cardsHref = (await page.getByTestId('to-cards').getAttribute('href'))!;

  // Project data.
  await page.getByTestId('project-name').fill('石景山区道路扬尘敏感路段研究（演练）');
  await page.getByTestId('project-scheduledAt').fill('2025-06-12 09:30');
  await page.getByTestId('project-save').click();
  await expect(page.getByTestId('project-message')).toHaveText('项目信息已保存。');
  await expect(page.locator('.topbar')).toContainText('石景山区道路扬尘敏感路段研究（演练）');

  // The rubric: one factor's rule text edited and saved.
  await page.getByTestId('tab-rubric').click();
  await expect(page.getByTestId('rubric-state')).toContainText('已保存且有效');
  await page.getByTestId('expand-3').click();
  await page.getByTestId('rule-3').fill('评审小组根据项目理解的深度和针对性评分（演练修订）。');
  await expect(page.getByTestId('rubric-state')).toContainText('有未保存的修改');
  await page.getByTestId('rubric-save').click();
  await expect(page.getByTestId('rubric-message')).toContainText('评分标准已保存');
  await expect(page.getByTestId('rubric-state')).toContainText('已保存且有效');
  await page.getByTestId('expand-3').click();

  // An invalid edit: factor 4 worth 3 points breaks the sums; refused next to the field, not saved.
  await page.getByTestId('max-4').fill('3');
  await expect(page.getByTestId('max-4')).toHaveAttribute('aria-invalid', 'false');
  await expect(page.getByTestId('factor-problems-4')).toContainText('“是”的分值 2 不等于满分 3');
  await expect(page.getByTestId('factor-4')).toContainText('⚠');
  await expect(page.getByTestId('rubric-sum-error').first()).toContainText('不等于总分 100');
  await expect(page.getByTestId('rubric-save')).toBeDisabled();
  await expect(page.getByTestId('rubric-state')).toContainText('不能保存');
  await page.getByTestId('factor-problems-4').scrollIntoViewIfNeeded();
  await page.screenshot({ path: shotPath('setup-rubric-invalid'), fullPage: false });
  await page.getByTestId('rubric-discard').click();
  await expect(page.getByTestId('max-4')).toHaveValue('2');
  await expect(page.getByTestId('rubric-state')).toContainText('已保存且有效');
  // The saved edit is what the server sent back (the draft follows the saved rubric again).
  await page.getByTestId('expand-3').click();
  await expect(page.getByTestId('rule-3')).toHaveValue('评审小组根据项目理解的深度和针对性评分（演练修订）。');

  // People: 5 members (the last one the purchaser representative, the first the leader), 4 suppliers.
  await page.getByTestId('tab-people').click();
  const members = ['李明', '张华', '陈静', '刘洋', '赵敏'];
  for (const [i, name] of members.entries()) {
    await page.getByTestId('add-role').selectOption(i === 4 ? 'purchaser_rep' : 'expert');
    await page.getByTestId('add-name').fill(name);
    if (i === 0) await page.getByTestId('add-leader').check();
    await page.getByTestId('add-person').click();
    await expect(page.getByTestId('people-message')).toHaveText(`已添加：${name}`);
  }
  const suppliers = ['北京清风环境科技有限公司', '中环绿源（北京）咨询有限公司', '京华生态研究院有限公司', '蓝天数据技术（北京）有限公司'];
  for (const [i, org] of suppliers.entries()) {
    await page.getByTestId('add-role').selectOption('supplier');
    await page.getByTestId('add-name').fill(`代表${i + 1}`);
    await page.getByTestId('add-org').fill(org);
    await page.getByTestId('add-contact').fill(`010-6666000${i + 1}`);
    await page.getByTestId('add-person').click();
    await expect(page.getByTestId('people-message')).toHaveText(`已添加：代表${i + 1}`);
  }
  await expect(page.getByTestId('setup-person-M5')).toBeVisible();
  await expect(page.getByTestId('setup-person-S4')).toBeVisible();
  await expect(page.getByTestId('setup-ready')).toBeVisible();
  await expect(page.getByTestId('advance')).toBeEnabled();
  await page.screenshot({ path: shotPath('setup-console-people') });

  // Open sign-in: the setup is frozen.
  await page.getByTestId('advance').click();
  await expect(page.getByTestId('stage')).toContainText('签到');
  // The record of what was frozen is a past stage's card: folded below the sign-in work (issue 17).
  await expect(page.getByTestId('setup-frozen')).toBeHidden();
  await page.getByTestId('earlier-stages').locator(':scope > summary').click();
  await expect(page.getByTestId('setup-frozen')).toBeVisible();
  await expect(page.getByTestId('setup-editor')).toHaveCount(0);

  // The join cards: one per participant, printed to an A4 PDF.
  await page.goto(new URL(cardsHref!, fresh.url).href);
  await expect(page.locator('[data-testid^="card-"][data-testid$="1"], [data-testid^="card-"]').first()).toBeVisible();
  const cards = page.locator('article.jc');
  await expect(cards).toHaveCount(11);
  await expect(page.getByTestId('card-S2')).toContainText('中环绿源（北京）咨询有限公司');
  await expect(page.getByTestId('card-M1')).toContainText('李明');
  await expect(page.getByTestId('card-M1')).toContainText('组长');
  await expect(page.getByTestId('card-M1').locator('svg')).toBeVisible();
  await page.screenshot({ path: shotPath('setup-cards'), fullPage: true });
  await page.emulateMedia({ media: 'print' });
  mkdirSync('test-results/screens', { recursive: true });
  const pdf = 'test-results/screens/setup-join-cards.pdf';
  await page.pdf({ path: pdf, format: 'A4', printBackground: true, preferCSSPageSize: true });
  expect(statSync(pdf).size).toBeGreaterThan(10_000);
  const pages = execFileSync('pdfinfo', [pdf]).toString();
  expect(pages).toMatch(/Pages:\s+2/);
  expect(pages).toMatch(/pts \(A4\)/);
  execFileSync('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '1', pdf, 'test-results/screens/setup-join-cards']);
  await page.emulateMedia({ media: 'screen' });
  const m1Url = (await page.getByTestId('card-M1').getByTestId('card-url').textContent())!;
  const s3Url = (await page.getByTestId('card-S3').getByTestId('card-url').textContent())!;

  // Every card carries its own 8-character check-in code.
  await expect(page.getByTestId('card-M1').getByTestId('card-code')).toHaveText(/^[A-Z2-9]{4}-[A-Z2-9]{4}$/);

  // The poster for the wall: the session's one check-in code, no person's link (issue 12).
  await page.goto(new URL(cardsHref!, fresh.url).href.replace('cards=', 'wall='));
  await expect(page.getByTestId('supplier-wall').locator('figure')).toHaveCount(1);
  await expect(page.getByTestId('wall-checkin')).toBeVisible();
  await expect(page.getByTestId('supplier-wall')).not.toContainText('李明');
  await expect(page.getByTestId('supplier-wall')).not.toContainText('#');
  await page.setViewportSize({ width: 1920, height: 1080 });
  await page.screenshot({ path: shotPath('setup-supplier-wall') });

  // Two people join from the printed links.
  const tablet = await openDevice(browser, { personId: 'M1', role: 'expert', name: '李明', url: m1Url }, { width: 1280, height: 800 }, true);
  await expect(tablet.page.getByTestId('me')).toContainText('李明');
  await expect(tablet.page.getByTestId('stage')).toContainText('签到');
  const laptop = await openDevice(browser, { personId: 'S3', role: 'supplier', name: '代表3', url: s3Url }, { width: 1366, height: 768 });
  await expect(laptop.page.getByTestId('supplier-org')).toHaveText('京华生态研究院有限公司');
  await expect(laptop.page.getByTestId('me')).toContainText('代表3');
  await expect(laptop.page.locator('body')).not.toContainText('中环绿源');

  // The session list shows it in sign-in; duplicating makes a new draft.
  await page.setViewportSize({ width: 1600, height: 1000 });
  await page.goto(`${fresh.url}/admin`);
  await expect(page.getByTestId('session-row')).toHaveCount(1);
  await expect(page.getByTestId('session-stage')).toHaveText('签到');
  await page.getByTestId('duplicate').click();
  await expect(page.getByTestId('session-row')).toHaveCount(2);
  await expect(page.getByTestId('sessions-open')).toContainText('（副本）');
  await page.screenshot({ path: shotPath('setup-admin-list') });

  for (const c of [tablet.context, laptop.context, context]) await c.close();
  fresh.stop();
});
