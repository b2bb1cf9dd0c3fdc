import type { Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, writeFileSync, statSync } from 'node:fs';
import { test, expect, openDevice, byId, shotPath, drawSignature, type Link } from './fixtures';
import { codeTokens } from '../helpers/identifiers';
import { expectProcurementWordsOn } from './words';

// Issue 7 in real Chromium: a fully scripted session (driven over sockets to `signing` by each
// concern's steps) renders its report to PDF in the server's render worker; pdftoppm turns pages into
// PNG to check the Chinese renders; five tablets read and sign by drawing (mouse and touch), one with
// a dissent; the wall shows who has signed and nothing of the dissent; the final PDF's sha256 is the
// one the log records.
const BODY = {
  rubric: 'seed003',
  settings: { governmentServices: true },
  moderator: { name: '王主持', org: '中钰招标有限公司' },
  members: [
    { name: '李明', role: 'expert', leader: true },
    { name: '张华', role: 'expert' },
    // Issue 13 item 7: the purchaser representative sits in the middle of the list; it takes no expert
    // number (the experts are 专家 1..4, never 专家 5).
    { name: '赵敏', role: 'purchaser_rep', org: '北京市石景山区生态环境局' },
    { name: '陈静', role: 'expert' },
    { name: '刘洋', role: 'expert' },
  ],
  suppliers: [
    { name: '周强', org: '北京清风环境科技有限公司' },
    { name: '吴婷', org: '中环绿源（北京）咨询有限公司' },
    { name: '郑凯', org: '京华生态研究院有限公司' },
    { name: '孙蕾', org: '蓝天数据技术（北京）有限公司' },
  ],
  observers: [{ name: '钱监督', org: '石景山区财政局' }],
};
const DISSENT = { item: '技术方案评分', position: '京华生态研究院的技术方案应列为第一档', reasons: '其方案覆盖全部敏感路段（E2E-DISSENT）' };
const OUT = 'test-results/report';
/** The report's required contents (docs/report.md; docs/rules.md §2.22), by their headings in the PDF. */
const REQUIRED_SECTIONS = ['项目基本情况', '公告、签到与开启情况', '供应商与评审小组成员名单', '评审方法与评审标准', '资格与符合性审查', '澄清、说明或补正', '磋商过程与磋商记录', '采购需求的实质性变动', '退出与无效响应', '算术修正、价格扣除与价格分', '异常低价审查', '各成员评分明细', '评分汇总、排序与推荐', '评分修改与结果变更记录', '其他事项', '评分复核记录', '评审小组成员签字'];
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const tokenOf = (l: Link) => l.url.split('#')[1];
const sessionOf = (l: Link) => new URL(l.url).searchParams.get('s');

async function api(baseURL: string, link: Link, path: string): Promise<Response> {
  return fetch(`${baseURL}/api/sessions/${sessionOf(link)}/${path}`, { headers: { authorization: `Bearer ${tokenOf(link)}` } });
}

function toPngs(pdf: Buffer, name: string): string[] {
  mkdirSync(OUT, { recursive: true });
  const file = `${OUT}/${name}.pdf`;
  writeFileSync(file, pdf);
  execFileSync('pdftoppm', ['-png', '-r', '70', file, `${OUT}/${name}`]);
  return readdirSync(OUT)
    .filter((f) => f.startsWith(name + '-') && f.endsWith('.png'))
    .sort()
    .map((f) => `${OUT}/${f}`);
}

const pages = (pdfFile: string) => Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [pdfFile], { encoding: 'utf8' }))![1]);
const pdfText = (pdfFile: string, page: number) => execFileSync('pdftotext', ['-f', String(page), '-l', String(page), '-layout', pdfFile, '-'], { encoding: 'utf8' });

test('the report renders to PDF in Chinese; five tablets sign, one with dissent; the wall shows progress; the final hash is in the log', async ({ browser, baseURL }) => {
  test.setTimeout(240_000);
  const links = JSON.parse(execFileSync('node_modules/.bin/tsx', ['test/e2e/live-b-drive.ts', baseURL!, 'signing', JSON.stringify(BODY), '', 'minutes'], { encoding: 'utf8', timeout: 150_000 })) as Link[];
  const mod = byId(links, 'A1');

  // ── The draft PDF, rendered by the server's worker, in Chinese ──
  const draftRes = await api(baseURL!, byId(links, 'M1'), 'report.pdf');
  expect(draftRes.status).toBe(200);
  const draft = Buffer.from(await draftRes.arrayBuffer());
  const pngs = toPngs(draft, 'draft');
  const n = pages(`${OUT}/draft.pdf`);
  expect(n).toBeGreaterThanOrEqual(6);
  expect(pngs).toHaveLength(n);
  for (const f of pngs) expect(statSync(f).size).toBeGreaterThan(5_000);
  // The text layer carries real Chinese (fonts embedded, no tofu) and the running header and footer.
  const p1 = pdfText(`${OUT}/draft.pdf`, 2);
  expect(p1).toContain('项目基本情况');
  expect(p1).toContain('项目编号：11010726210200018795-XM001');
  expect(p1).toMatch(/第 2 页 \/ 共 \d+ 页/);
  expect(p1).toContain('事件日志哈希');
  expect((await api(baseURL!, byId(links, 'S1'), 'report.pdf')).status).toBe(403);

  // ── Issue 13: the whole text is in the words of the procurement and holds every required section ──
  const all = execFileSync('pdftotext', ['-layout', `${OUT}/draft.pdf`, '-'], { encoding: 'utf8' });
  writeFileSync(`${OUT}/draft.txt`, all);
  expect(codeTokens(all)).toEqual([]);
  for (const heading of REQUIRED_SECTIONS) expect(all, heading).toContain(heading);
  expect(all).toMatch(/\d{4}年\d{1,2}月\d{1,2}日 \d{1,2}:\d{2}/);
  expect(all).toContain('采购人代表');
  for (const n of [1, 2, 3, 4]) expect(all).toContain(`专家 ${n}`);
  expect(all).not.toMatch(/专家 ?5/);
  expect(all).toContain('依据磋商文件第三章');
  expect(all).toMatch(/实际时长 \d+ 秒/);
  const joined = all.replace(/\s+/g, ''); // table cells wrap long text over lines
  expect(joined).toContain('MINUTES-CANARY');
  expect(joined).toContain('磋商补充说明.pdf');
  expect(all).not.toContain('003 第');
  // The minutes' page as a person sees it (kept under test-results/report/).
  const minutesPage = Array.from({ length: n }, (_, i) => i + 1).find((i) => pdfText(`${OUT}/draft.pdf`, i).includes('磋商记录 第'))!;
  expect(minutesPage).toBeGreaterThan(0);
  expect(statSync(pngs[minutesPage - 1]).size).toBeGreaterThan(20_000);

  // ── The wall on the signing scene, the console, five tablets ──
  const con = (await openDevice(browser, mod, { width: 1440, height: 1000 })).page;
  const wall = (await openDevice(browser, byId(links, 'P1'), { width: 1920, height: 1080 })).page;
  await expect(con.getByTestId('report-console')).toBeVisible();
  // Issue 17: in 报告签署 the signing card is the stage's work, in the first screen; the cards of the
  // earlier stages (scoring, results) are folded below it until opened.
  expect((await con.getByTestId('report-console').boundingBox())!.y).toBeLessThan(1000);
  const earlier = con.getByTestId('earlier-stages');
  await expect(earlier).toBeVisible();
  await expect(earlier.getByTestId('scoring-console')).toBeHidden();
  expect((await earlier.boundingBox())!.y).toBeGreaterThan((await con.getByTestId('report-console').boundingBox())!.y);
  await earlier.locator(':scope > summary').click();
  await expect(earlier.getByTestId('scoring-console')).toBeVisible();
  await earlier.locator(':scope > summary').click();
  // The reveal of four suppliers still reads from the back of the room and fits the wall (issue 17).
  con.once('dialog', (d) => void d.accept());
  await con.getByTestId('scene-reveal').click();
  await expect(wall.getByTestId('screen-reveal')).toBeVisible();
  await wall.screenshot({ path: shotPath('report-projector-reveal-four') });
  for (const id of ['S1', 'S2', 'S3', 'S4']) {
    const col = wall.getByTestId(`screen-reveal-${id}`);
    for (const px of await col.locator('.small').evaluateAll((els) => els.map((el) => parseFloat(getComputedStyle(el).fontSize)))) expect(px).toBeGreaterThanOrEqual(1080 * 0.03 - 0.5);
    expect(await col.evaluate((el) => el.scrollHeight > el.clientHeight + 1 || el.getBoundingClientRect().bottom > window.innerHeight), `the reveal of ${id} is cut off`).toBe(false);
  }
  await con.getByRole('button', { name: '投影：签署进度' }).click();
  await expect(wall.getByTestId('screen-signing-count')).toHaveText('已签署 0 / 5');

  const members = ['M1', 'M2', 'M3', 'M4', 'M5'];
  const tablets: Page[] = [];
  for (const [i, id] of members.entries()) tablets.push((await openDevice(browser, byId(links, id), { width: 1280, height: 800 }, i % 2 === 1)).page);
  // The wall names the members by role: 采购人代表 and 专家 1..4 (issue 13 item 7).
  await expect(wall.getByTestId('screen-signing')).toContainText('采购人代表');
  await expect(wall.getByTestId('screen-signing')).toContainText('专家 4');
  await expect(wall.getByTestId('screen-signing')).not.toContainText('专家 5');
  const observer = (await openDevice(browser, byId(links, 'O1'), { width: 1440, height: 900 })).page;
  await expect(observer.getByTestId('report-observer')).toBeVisible();
  // Issue 13 item 1: procurement words only on every screen of the signing stage.
  await expectProcurementWordsOn({ console: con, projector: wall, observer, 'tablet M1': tablets[0], 'tablet M3 (purchaser rep.)': tablets[2] }, 'signing');
  for (const [i, t] of tablets.entries()) {
    await expect(t.getByTestId('report-frame')).toBeVisible();
    // The tablet shows the whole report in its frame.
    await expect(t.frameLocator('[data-testid=report-frame]').locator('#sec-results')).toContainText('评分汇总');
    if (i === 0) {
      // Issue 13 item 6: read comfortably: the frame fills the screen's height, pages turn, the text
      // zooms, and one button jumps to the signature page.
      const box = (await t.getByTestId('report-frame').boundingBox())!;
      expect(box.height).toBeGreaterThan(600);
      await expect(t.getByTestId('viewer-page')).toHaveText(/^第 1 \/ (\d+) 页$/);
      const total = Number(/\/ (\d+)/.exec((await t.getByTestId('viewer-page').textContent())!)![1]);
      expect(total).toBeGreaterThanOrEqual(8);
      await t.getByTestId('viewer-next').click();
      await expect(t.getByTestId('viewer-page')).toHaveText(`第 2 / ${total} 页`);
      await t.getByTestId('viewer-zoom-in').click();
      await expect(t.getByTestId('viewer-zoom')).toHaveText('115%');
      await t.getByTestId('viewer-signatures').click();
      await expect(t.frameLocator('[data-testid=report-frame]').locator('#sec-signatures')).toBeInViewport();
      await expect(t.getByTestId('viewer-page')).not.toHaveText(`第 2 / ${total} 页`);
      await t.screenshot({ path: shotPath('report-tablet-viewer-signature-page') });
      await t.getByTestId('viewer-to-sign').click();
      await expect(t.getByTestId('report-sign-form')).toBeInViewport();
    }
    if (i === 3) {
      // Issue 13 item 1: in English the tablet shows the report's English twin to read, and says that
      // the signed (filed) report is the Chinese one; back in Chinese, the Chinese report returns.
      await t.getByTestId('lang-switch').click();
      await expect(t.getByTestId('report-english-note')).toHaveText('English version for reading; the signed report is the Chinese one.');
      const frame = t.frameLocator('[data-testid=report-frame]');
      await expect(frame.locator('#sec-results h2')).toHaveText('13. Totals, ranking and recommendation');
      await expect(frame.locator('#sec-signatures h2')).toHaveText('Signatures of the panel');
      await expect(frame.locator('html')).toHaveAttribute('lang', 'en');
      await t.screenshot({ path: shotPath('report-tablet-english-reading-copy') });
      await t.getByTestId('lang-switch').click();
      await expect(t.getByTestId('report-english-note')).toHaveCount(0);
      await expect(frame.locator('#sec-results')).toContainText('评分汇总');
    }
    await drawSignature(t, i % 2 === 1);
    if (members[i] === 'M5') {
      await t.getByTestId('report-dissent-toggle').check();
      await t.getByTestId('dissent-item').fill(DISSENT.item);
      await t.getByTestId('dissent-position').fill(DISSENT.position);
      await expect(t.getByTestId('report-sign')).toBeDisabled(); // reasons are required
      await t.getByTestId('dissent-reasons').fill(DISSENT.reasons);
      await t.getByTestId('report-sign-form').screenshot({ path: shotPath('report-tablet-dissent') });
    }
    if (i === 1) await t.screenshot({ path: shotPath('report-tablet-touch-signature') });
    await t.getByTestId('report-sign').click();
    await expect(t.getByTestId('report-signed')).toBeVisible();
    if (i === 2) {
      await expect(wall.getByTestId('screen-signing-count')).toHaveText('已签署 3 / 5');
      await wall.screenshot({ path: shotPath('report-projector-progress') });
    }
  }
  await expect(tablets[4].getByTestId('report-signed')).toContainText('附不同意见');
  await expect(wall.getByTestId('screen-signing-count')).toHaveText('已签署 5 / 5');
  await expect(wall.getByTestId('screen-signing')).toContainText('报告定稿', { timeout: 60_000 });
  await expect(wall.getByTestId('screen-signing')).not.toContainText('E2E-DISSENT');
  await expect(wall.getByTestId('screen-signing')).not.toContainText('李明');
  await wall.screenshot({ path: shotPath('report-projector-final') });
  await expect(con.getByTestId('report-console')).toContainText('附不同意见');
  await con.screenshot({ path: shotPath('report-console-final'), fullPage: true });
  await expectProcurementWordsOn({ console: con, projector: wall, observer, 'tablet M5 (dissent)': tablets[4] }, 'report final');

  // ── The final PDF: its sha256 is the one the log records; signatures and the dissent are in it ──
  const arch = await api(baseURL!, mod, 'archive.zip');
  expect(arch.status).toBe(200);
  const finalRes = await api(baseURL!, byId(links, 'O1'), 'report.pdf');
  const final = Buffer.from(await finalRes.arrayBuffer());
  expect(sha(final)).toBe(finalRes.headers.get('x-report-sha256'));
  const zip = Buffer.from(await arch.arrayBuffer());
  mkdirSync(OUT, { recursive: true });
  writeFileSync(`${OUT}/archive.zip`, zip);
  const verified = execFileSync('node_modules/.bin/tsx', ['server/store/verify-cli.ts', `${OUT}/archive.zip`], { encoding: 'utf8' });
  expect(verified).toContain(`sha256 ${sha(final)}`);
  const finalPngs = toPngs(final, 'final');
  const last = pages(`${OUT}/final.pdf`);
  const sigText = pdfText(`${OUT}/final.pdf`, last - 1) + pdfText(`${OUT}/final.pdf`, last);
  expect(sigText).toContain('评审小组成员签字');
  expect(sigText).toContain('E2E-DISSENT');
  expect(sigText).toContain('（定稿）');
  expect(finalPngs.length).toBe(last);
});
