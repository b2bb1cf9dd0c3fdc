import type { Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { test, expect, E2E_ADMIN, openDevice, shotPath, drawSignature, type Link } from './fixtures';

// Issue 16 items 2–3: a seed-000 consultation (竞争性磋商 under 000's own rubric) through the devices.
// The agency creates it in /admin from the seed000 template and sets its people up on the console;
// the join cards give the links. On the screens: sign-in (laptops and tablets), one round per
// supplier, the final review (终审, 磋商文件第一章 19.3) voted on the tablets and concluded on the
// console, a final quote typed and signed on a laptop, the reveal with 说明1's deduction on the wall,
// the release of the results, signing on two tablets and a deemed agreement (说明6) recorded on the
// console, then the archived report. The initial review with the policy determinations, the other two
// final quotes and the members' scores are sent over sockets by seed000-drive.ts (their screens have
// their own specs). The figures on the wall and in the PDF are those `npm run evaluate` computes from
// the session's exported evaluation file. Screenshots: test-results/screens/seed000-*.png.
const OUT = 'test-results/seed000';
const MEMBERS = [
  { name: '李明', role: 'expert', leader: true },
  { name: '张华', role: 'expert' },
  { name: '赵敏', role: 'purchaser_rep' },
];
const SUPPLIERS = ['北京枢纽数据服务有限公司', '京华企业服务集团有限公司', '中关村平台运营有限公司'];
/** S1 is a small enterprise (accepted: 10% off); S2 claimed but not accepted; S3 claims nothing. */
const QUOTES: Record<string, string> = { S1: '38123456.78', S2: '39500000.00', S3: '40100000.10' };
const yuan = (x: string) => {
  const [i, f = '00'] = x.split('.');
  return `${i.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${f.padEnd(2, '0').slice(0, 2)}`;
};

function drive(baseURL: string, sessionId: string, links: Link[], phase: string, extra = '{}'): void {
  execFileSync('node_modules/.bin/tsx', ['test/e2e/seed000-drive.ts', baseURL, sessionId, JSON.stringify(links), phase, extra], { encoding: 'utf8', timeout: 120_000 });
}

test('a seed-000 consultation from /admin to the archived report, with 终审, 说明1 deductions and a deemed agreement', async ({ browser, baseURL }) => {
  test.setTimeout(420_000);
  mkdirSync(OUT, { recursive: true });
  const adminCtx = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
  const con = await adminCtx.newPage();
  con.on('pageerror', (e) => console.error('[admin] page error:', e));
  con.on('dialog', (d) => void d.accept());

  // ── /admin: a draft from the seed000 template ──
  await con.goto(`${baseURL}/admin`);
  await con.getByTestId('admin-key').fill(E2E_ADMIN);
  await con.getByTestId('admin-enter').click();
  await expect(con.getByTestId('template-seed000')).toBeVisible();
  await con.getByTestId('template-seed000').check();
  await con.getByTestId('moderator-name').fill('王主持');
  await con.getByTestId('moderator-org').fill('北京国际工程咨询有限公司');
  await con.screenshot({ path: shotPath('seed000-01-admin') });
  await con.getByTestId('create-draft').click();
  await expect(con).toHaveURL(/\/console$/);
  await expect(con.locator('.topbar')).toContainText('北京市中小企业公共服务平台网络市级枢纽平台运营项目');
  const cardsHref = (await con.getByTestId('to-cards').getAttribute('href'))!;
  const sessionId = new URL(cardsHref, baseURL).searchParams.get('cards')!;

  // The document's own review tables, with its final review (终审, 第一章 19.3).
  await con.getByTestId('tab-checklists').click();
  await expect(con.getByTestId('setup-editor')).toContainText('终审（4）');
  const values = await con.getByTestId('setup-editor').locator('input, textarea').evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value));
  expect(values).toContain('合同条款及服务需求的实质性要求');
  expect(values).toContain('近三年经营活动中无重大违法记录声明');
  expect(values).not.toContain('磋商报价未超预算');
  await con.screenshot({ path: shotPath('seed000-02-console-checklists'), fullPage: true });

  // People: three members (the leader first, the purchaser representative last) and three suppliers.
  await con.getByTestId('tab-people').click();
  for (const m of MEMBERS) {
    await con.getByTestId('add-role').selectOption(m.role);
    await con.getByTestId('add-name').fill(m.name);
    if (m.leader) await con.getByTestId('add-leader').check();
    await con.getByTestId('add-person').click();
    await expect(con.getByTestId('people-message')).toHaveText(`已添加：${m.name}`);
  }
  for (const [i, org] of SUPPLIERS.entries()) {
    await con.getByTestId('add-role').selectOption('supplier');
    await con.getByTestId('add-name').fill(`代表${i + 1}`);
    await con.getByTestId('add-org').fill(org);
    await con.getByTestId('add-person').click();
    await expect(con.getByTestId('people-message')).toHaveText(`已添加：代表${i + 1}`);
  }
  await expect(con.getByTestId('setup-ready')).toBeVisible();
  await con.getByTestId('advance').click();
  await expect(con.getByTestId('stage')).toContainText('签到');
  // The stage rail: this session has the consultation and the final review.
  await expect(con.getByTestId('rail-final_review')).toBeVisible();
  await expect(con.getByTestId('rail-consultation')).toBeVisible();

  // ── The join cards give each device its link ──
  // (The cards page is the agency's: it opens in the console's own tab, which holds the admin key.)
  const cards = con;
  await cards.goto(new URL(cardsHref, baseURL).href);
  await expect(cards.locator('article.jc')).toHaveCount(8);
  const links: Link[] = [];
  for (const [id, role, name] of [['A1', 'moderator', '王主持'], ['P1', 'screen', '投影'], ['M1', 'expert', '李明'], ['M2', 'expert', '张华'], ['M3', 'purchaser_rep', '赵敏'], ['S1', 'supplier', '代表1'], ['S2', 'supplier', '代表2'], ['S3', 'supplier', '代表3']] as const) {
    const url = (await cards.getByTestId(`card-${id}`).getByTestId('card-url').textContent({ timeout: 10_000 }))!.trim();
    links.push({ personId: id, role, name, url });
  }
  const link = (id: string) => links.find((l) => l.personId === id)!;
  // Back to the console, on the same device (the seat was taken when the draft was created).
  await con.goto(link('A1').url);
  await expect(con.getByTestId('stage')).toContainText('签到');
  const wall = (await openDevice(browser, link('P1'), { width: 1920, height: 1080 })).page;
  const tablets: Record<string, Page> = {};
  for (const id of ['M1', 'M2', 'M3']) tablets[id] = (await openDevice(browser, link(id), { width: 1280, height: 800 }, true)).page;
  const laptops: Record<string, Page> = {};
  for (const id of ['S1', 'S2', 'S3']) laptops[id] = (await openDevice(browser, link(id), { width: 1366, height: 900 })).page;
  const shootWall = (n: string) => wall.screenshot({ path: shotPath(`seed000-${n}-projector`) });

  // ── Sign-in on the laptops and tablets ──
  await con.getByRole('button', { name: '签到情况' }).click();
  for (const id of ['S1', 'S2', 'S3']) {
    const p = laptops[id];
    await p.getByTestId('rep-name').fill(`代表${id.slice(1)}`);
    await p.getByTestId('rep-authorised').check();
    await p.getByTestId('supplier-signin-submit').click();
    await expect(p.getByTestId('supplier-signed')).toBeVisible();
  }
  for (const id of ['M1', 'M2', 'M3']) {
    const p = tablets[id];
    for (const s of ['S1', 'S2', 'S3']) await p.getByTestId(`norecuse-${s}`).tap();
    await p.getByTestId('ack-discipline').check();
    await p.getByTestId('member-signin-submit').tap();
    await expect(p.getByTestId('member-signed')).toBeVisible();
  }
  await con.getByTestId('signin-close').click();
  await expect(con.getByTestId('signin-ready')).toBeVisible();
  await shootWall('03-signin');
  await laptops.S1.screenshot({ path: shotPath('seed000-03-laptop-signin') });
  await con.getByTestId('advance').click();
  await expect(con.getByTestId('stage')).toContainText('开启');
  await con.getByTestId('advance').click();
  await expect(con.getByTestId('stage')).toContainText('审查');
  await expect(tablets.M1.getByTestId('review-tablet')).toContainText('磋商保证金');
  await tablets.M1.screenshot({ path: shotPath('seed000-04-tablet-initial-review') });

  // ── The initial review (初审) with the policy determinations, over sockets ──
  drive(baseURL!, sessionId, links, 'review');
  for (const s of ['S1', 'S2', 'S3']) {
    await con.getByTestId(`conclude-${s}`).click();
    await expect(con.getByTestId(`review-row-${s}`)).toContainText('通过');
  }
  await con.screenshot({ path: shotPath('seed000-04-console-initial-review'), fullPage: true });
  await con.getByTestId('advance').click();
  await expect(con.getByTestId('stage')).toContainText('磋商');

  // ── One round per supplier, on the console and the wall ──
  await con.getByRole('button', { name: '磋商轮次' }).click();
  for (const [i, org] of SUPPLIERS.entries()) {
    await con.getByTestId('round-minutes').fill('10');
    await con.getByTestId('round-start').click();
    await expect(wall.getByTestId('screen-round-title')).toHaveText(`第 1 轮 · 磋商中：${org}`);
    await expect(laptops[`S${i + 1}`].getByTestId('laptop-round')).toContainText('磋商中');
    if (i === 0) await shootWall('05-round');
    await con.getByTestId('round-end').click();
  }
  await con.getByTestId('advance').click();

  // ── The final review (终审) on the tablets: every member passes every item; the console concludes ──
  await expect(con.getByTestId('stage')).toContainText('终审');
  const finalItems = ['F1', 'F2', 'F3', 'F4'];
  for (const id of ['M1', 'M2', 'M3']) {
    const p = tablets[id];
    await expect(p.getByTestId('review-tablet')).toContainText('合同条款及服务需求的实质性要求');
    for (const s of ['S1', 'S2', 'S3']) {
      await p.getByTestId(`review-tab-${s}`).tap();
      for (const it of finalItems) {
        await p.getByTestId(`pass-${it}`).tap();
        await expect(p.getByTestId(`pass-${it}`)).toHaveAttribute('aria-pressed', 'true');
      }
    }
  }
  await tablets.M2.screenshot({ path: shotPath('seed000-06-tablet-final-review') });
  for (const s of ['S1', 'S2', 'S3']) {
    await con.getByTestId(`conclude-${s}`).click();
    await expect(con.getByTestId(`review-row-${s}`)).toContainText('通过');
  }
  await con.screenshot({ path: shotPath('seed000-06-console-final-review'), fullPage: true });
  await con.getByTestId('advance').click();

  // ── Final quotes: S1 types and signs on its laptop; its status is the panel's determination ──
  await expect(con.getByTestId('quotes-console')).toBeVisible();
  await con.getByTestId('quotes-minutes').fill('0.5');
  await con.getByTestId('quotes-open').click();
  await expect(con.getByTestId('quotes-deadline')).toContainText('剩余');
  const s1 = laptops.S1;
  await expect(s1.getByTestId('policy-claim-small_micro')).toHaveAttribute('data-outcome', 'accepted');
  await expect(laptops.S2.getByTestId('policy-claim-small_micro')).toHaveAttribute('data-outcome', 'not_accepted');
  await s1.getByTestId('quote-figures').fill(QUOTES.S1);
  await s1.getByRole('button', { name: '按小写生成大写' }).click();
  await expect(s1.getByTestId('quote-words-match')).toBeVisible();
  const missing = s1.getByTestId('quote-missing-items');
  if (await missing.count()) await missing.check();
  await s1.getByTestId('quote-signer').fill('代表1');
  await drawSignature(s1, false);
  await s1.screenshot({ path: shotPath('seed000-07-laptop-final-quote'), fullPage: true });
  await s1.getByTestId('quote-submit').click();
  await expect(s1.getByTestId('quotes-receipt')).toContainText(yuan(QUOTES.S1));
  drive(baseURL!, sessionId, links, 'quotes', JSON.stringify({ S2: QUOTES.S2, S3: QUOTES.S3 }));
  // The window closes by itself at the deadline (server clock).
  await expect(con.getByTestId('quotes-show-reveal')).toBeEnabled({ timeout: 60_000 });
  await expect(con.getByTestId('blocked-by')).toHaveCount(0, { timeout: 60_000 });

  // ── The figures, as `npm run evaluate` computes them from the exported evaluation file ──
  const modToken = link('A1').url.split('#')[1];
  const evaluate = async (name: string) => {
    const res = await fetch(`${baseURL}/api/sessions/${sessionId}/evaluation-file`, { headers: { authorization: `Bearer ${modToken}` } });
    expect(res.status).toBe(200);
    const file = `${OUT}/${name}.json`;
    writeFileSync(file, Buffer.from(await res.arrayBuffer()));
    const out = execFileSync('npm', ['run', '--silent', 'evaluate', '--', file], { encoding: 'utf8' });
    return Object.fromEntries((JSON.parse(out).suppliers as any[]).map((s) => [s.id, s])) as Record<string, { evaluatedPrice: string; deductionRate: string | null; priceScore: string; finalScore: string | null; rank: number | null }>;
  };
  const atQuotes = await evaluate('evaluation-after-quotes');
  expect(atQuotes.S1.deductionRate).toBe('0.10');
  expect(atQuotes.S1.evaluatedPrice).toBe('34311111.10');

  // ── The reveal on the wall ──
  await con.getByTestId('quotes-show-reveal').click();
  await expect(wall.getByTestId('screen-reveal')).toBeVisible();
  await expect(wall.getByTestId('screen-reveal-S1')).toContainText('小微企业价格扣除10%');
  for (const id of ['S1', 'S2', 'S3']) {
    await expect(wall.getByTestId(`screen-reveal-${id}`)).toContainText(yuan(atQuotes[id].evaluatedPrice));
    await expect(wall.getByTestId(`screen-score-${id}`)).toContainText(atQuotes[id].priceScore);
  }
  await expect(wall.getByTestId('screen-reveal-S2')).not.toContainText('扣除10%');
  await shootWall('08-reveal');
  await con.getByTestId('advance').click();

  // ── Scoring over sockets; the console releases the results to the wall ──
  await expect(con.getByTestId('stage')).toContainText('评分');
  await tablets.M1.screenshot({ path: shotPath('seed000-09-tablet-scoring') });
  drive(baseURL!, sessionId, links, 'scores');
  await expect(con.getByTestId('blocked-by')).toHaveCount(0);
  await con.getByTestId('advance').click();
  await expect(con.getByTestId('results-table')).toBeVisible();
  await con.getByTestId('release-results').click();
  await con.getByRole('button', { name: /^评审结果 / }).click();
  await expect(wall.locator('main.screen')).toHaveAttribute('data-scene', 'results');
  const scored = await evaluate('evaluation');
  for (const id of ['S1', 'S2', 'S3']) await expect(wall.getByTestId(`screen-result-${id}`)).toContainText(scored[id].finalScore!);
  await shootWall('10-results');
  await con.getByTestId('advance').click();

  // ── Signing: two tablets sign; the third member neither signs nor gives reasons (说明6) ──
  await expect(con.getByTestId('report-console')).toBeVisible();
  await con.getByRole('button', { name: '投影：签署进度' }).click();
  await expect(wall.getByTestId('screen-signing-count')).toHaveText('已签署 0 / 3');
  await expect(tablets.M1.getByTestId('report-sign-form')).toContainText('依据磋商文件第一章 20.3 说明6视为同意');
  // 说明7 on the tablet: after the summary only the four grounds, with the document's clause.
  await expect(tablets.M1.getByTestId('change-rule')).toContainText('任何人不得修改评审结果');
  await expect(tablets.M1.getByTestId('change-rule')).toContainText('依据磋商文件第一章 20.3 说明7');
  for (const [i, id] of (['M1', 'M3'] as const).entries()) {
    const t = tablets[id];
    await expect(t.getByTestId('report-frame')).toBeVisible();
    await t.getByTestId('report-name').fill(MEMBERS[id === 'M1' ? 0 : 2].name);
    await drawSignature(t, i === 0);
    await t.getByTestId('report-sign').click();
    await expect(t.getByTestId('report-signed')).toBeVisible();
  }
  await expect(wall.getByTestId('screen-signing-count')).toHaveText('已签署 2 / 3');
  await con.getByTestId('deem-form').locator('summary').click();
  await expect(con.getByTestId('deem-form')).toContainText('依据磋商文件第一章 20.3 说明6');
  await con.getByTestId('deem-member').selectOption('M2');
  await con.getByTestId('deem-note').fill('经主持人两次提请，张华未签字，亦未签署不同意见及理由');
  await con.screenshot({ path: shotPath('seed000-11-console-deem'), fullPage: true });
  await con.getByTestId('deem-record').click();
  await expect(con.getByTestId('signing-member-M2')).toHaveAttribute('data-state', 'deemed');
  await expect(con.getByTestId('deemed-M2')).toContainText('两次提请');
  await expect(tablets.M2.getByTestId('report-deemed')).toContainText('视为同意评审结论');
  await expect(tablets.M2.getByTestId('report-sign-form')).toHaveCount(0);
  await expect(tablets.M2.getByTestId('viewer-to-sign')).toHaveCount(0);
  await tablets.M2.getByTestId('report-deemed').scrollIntoViewIfNeeded();
  await tablets.M2.screenshot({ path: shotPath('seed000-11-tablet-deemed') });
  await expect(wall.getByTestId('screen-signing-count')).toHaveText('已签署 2 / 3 · 视为同意 1');
  await expect(wall.getByTestId('screen-signing-member').nth(1)).toHaveAttribute('data-state', 'deemed');
  await expect(wall.getByTestId('screen-signing-deemed')).toContainText('依据磋商文件第一章 20.3 说明6');
  await expect(wall.getByTestId('screen-signing')).not.toContainText('张华');
  await expect(wall.getByTestId('screen-signing')).toContainText('报告定稿', { timeout: 90_000 });
  await shootWall('12-signing');

  // ── Archived; the final PDF carries the figures and the clauses ──
  await con.getByTestId('advance').click();
  await expect(con.getByTestId('stage')).toContainText('归档');
  await con.screenshot({ path: shotPath('seed000-13-console-archived'), fullPage: true });
  const pdfRes = await fetch(`${baseURL}/api/sessions/${sessionId}/report.pdf`, { headers: { authorization: `Bearer ${modToken}` } });
  expect(pdfRes.status).toBe(200);
  writeFileSync(`${OUT}/report.pdf`, Buffer.from(await pdfRes.arrayBuffer()));
  const text = execFileSync('pdftotext', ['-layout', `${OUT}/report.pdf`, '-'], { encoding: 'utf8' });
  const flat = text.replace(/\s+/g, '');
  expect(flat).toContain('（定稿）');
  for (const id of ['S1', 'S2', 'S3']) {
    expect(flat, `${id} evaluated price`).toContain(yuan(scored[id].evaluatedPrice));
    expect(flat, `${id} final score`).toContain(scored[id].finalScore!);
  }
  // The signature page: the rule with its clause, and the deemed member's row (its cells wrap across
  // the table's columns in the text layer, so the row is checked in parts).
  expect(flat).toContain('未签署不同意见且不说明理由的，视为同意（依据磋商文件第一章20.3说明6）');
  expect(flat).toContain('未签字且未说明理由，视为同意评审结论（依据磋商');
  expect(flat).toContain('记录：经主持人两次提');
  expect(flat).toContain('任何人不得修改评审结果（依据磋商文件第一章20.3说明7）');
  expect(flat).not.toMatch(/000说明|[（(]000[)）]/);
  execFileSync('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '1', `${OUT}/report.pdf`, `${OUT}/report-cover`]);
  const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [`${OUT}/report.pdf`], { encoding: 'utf8' }))![1]);
  execFileSync('pdftoppm', ['-png', '-r', '70', '-f', String(pages - 1), '-l', String(pages), `${OUT}/report.pdf`, `${OUT}/report-signatures`]);
});
