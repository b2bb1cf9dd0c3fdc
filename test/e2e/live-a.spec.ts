import type { Page } from '@playwright/test';
import { test, expect, createSession, openDevice, byId, shotPath } from './fixtures';
import { expectProcurementWordsOn } from './words';

// Issue 5 (sign-in, review, clarifications, withdrawal) across the moderator console, the projector,
// three tablets and three laptops, in real Chromium. The purchaser representative is the second
// member: the experts around it are 专家 1 and 专家 2, it is 采购人代表 (issue 13 item 7). At each scene
// every screen (console, projector, tablets, laptops, observer) shows procurement words only (issue 13
// item 1; test/e2e/words.ts).
const BODY = {
  rubric: 'seed003',
  settings: { governmentServices: true },
  moderator: { name: '王主持', org: '中钰招标有限公司' },
  members: [
    { name: '李明', role: 'expert', leader: true },
    { name: '赵敏', role: 'purchaser_rep', org: '北京市石景山区生态环境局' },
    { name: '张华', role: 'expert' },
  ],
  suppliers: [
    { name: '周强', org: '北京清风环境科技有限公司' },
    { name: '吴婷', org: '中环绿源（北京）咨询有限公司' },
    { name: '郑凯', org: '京华生态研究院有限公司' },
  ],
  observers: [{ name: '钱监督', org: '石景山区财政局' }],
  checklists: {
    qualification: [
      { id: 'Q1', text_zh: '营业执照等证明文件', clarificationAllowed: false },
      { id: 'Q4', text_zh: '磋商保证金', clarificationAllowed: false },
    ],
    compliance: [
      { id: 'C2', text_zh: '响应有效期 ≥ 90 个日历日', clarificationAllowed: false },
      { id: 'C9', text_zh: '技术参数表述一致', clarificationAllowed: true },
    ],
    final: [],
  },
};
const ITEMS = ['Q1', 'Q4', 'C2', 'C9'];
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

test('sign-in → review with a clarification answered from a laptop → a withdrawal', async ({ browser, baseURL }) => {
  test.setTimeout(180_000);
  const { links } = await createSession(baseURL!, BODY);
  const con = (await openDevice(browser, byId(links, 'A1'), { width: 1440, height: 1000 })).page;
  const wall = (await openDevice(browser, byId(links, 'P1'), { width: 1920, height: 1080 })).page;
  const tablets: Record<string, Page> = {};
  for (const id of ['M1', 'M2', 'M3']) tablets[id] = (await openDevice(browser, byId(links, id), { width: 1280, height: 800 }, true)).page;
  const laptops: Record<string, Page> = {};
  for (const id of ['S1', 'S2', 'S3']) laptops[id] = (await openDevice(browser, byId(links, id), { width: 1366, height: 768 })).page;
  const observer = (await openDevice(browser, byId(links, 'O1'), { width: 1440, height: 900 })).page;
  const shoot = async (name: string) => {
    await wall.screenshot({ path: shotPath(`live-a-${name}-projector`) });
    await con.screenshot({ path: shotPath(`live-a-${name}-console`), fullPage: true });
    await expectProcurementWordsOn({ console: con, projector: wall, observer, ...tablets, ...laptops }, name);
  };

  // ── Sign-in ──
  await expect(con.getByTestId('connection')).toContainText('已连接');
  await con.getByRole('button', { name: '签到情况' }).click();
  await expect(wall.locator('main.screen')).toHaveAttribute('data-scene', 'signin');
  for (const id of ['S2', 'S1', 'S3']) {
    const p = laptops[id];
    await p.getByTestId('rep-name').fill(`代表${id}`);
    await p.getByTestId('rep-authorised').check();
    await p.getByTestId('supplier-signin-submit').click();
    await expect(p.getByTestId('supplier-signed')).toContainText(`代表${id}`);
  }
  // The wall lists suppliers in arrival order.
  await expect(wall.getByTestId('screen-signin').locator('ol li')).toHaveText([/中环绿源/, /北京清风/, /京华生态/]);
  // A laptop never shows another supplier.
  await expect(laptops.S1.locator('body')).not.toContainText('中环绿源');
  await expect(con.getByTestId('blocked-by')).toContainText('3 名专家尚未签到');
  // The discipline carries its own numbering (一、二、…; 1. 2. … in English): the list adds none (issue 17).
  const discipline = tablets.M1.getByTestId('discipline').locator('li');
  await expect(discipline.first()).toHaveText(/^一、评审小组依法独立履行职责/);
  expect(await discipline.evaluateAll((els) => els.map((e) => getComputedStyle(e).listStyleType))).toEqual(['none', 'none', 'none', 'none']);
  await tablets.M1.getByTestId('member-signin').screenshot({ path: shotPath('live-a-tablet-discipline') });
  // Issue 17: the recusal column shows each member's declaration, and every column has a header.
  await expect(con.getByTestId('quorum-board').locator('thead th')).toHaveText(['成员', '签到', '纪律确认', '回避声明', '更换']);
  await expect(con.getByTestId('recusal-M1')).toHaveText('尚未声明');
  for (const id of ['M1', 'M2', 'M3']) {
    const p = tablets[id];
    for (const s of ['S1', 'S2', 'S3']) await p.getByTestId(`norecuse-${s}`).tap();
    await p.getByTestId('ack-discipline').check();
    await p.getByTestId('member-signin-submit').tap();
    await expect(p.getByTestId('member-signed')).toBeVisible();
  }
  // Issue 13 item 7: the purchaser representative is 采购人代表, never 专家 n, and takes no expert
  // number: the expert after it is 专家 2 — on the wall and on the console.
  await expect(wall.getByTestId('screen-member-M2')).toContainText('采购人代表');
  await expect(wall.getByTestId('screen-member-M2')).not.toContainText('专家');
  await expect(wall.getByTestId('screen-member-M3')).toContainText('专家 2');
  for (const id of ['M1', 'M2', 'M3']) await expect(con.getByTestId(`recusal-${id}`)).toHaveText('已声明：与各供应商均无利害关系');
  // The event log speaks procurement words, never the event type names (issue 17).
  await expect(con.getByTestId('event-log')).toContainText('评审小组成员签到');
  await expect(con.getByTestId('event-log')).not.toContainText(/[a-z_]+:[a-z_]+/);
  await expect(wall.getByTestId('screen-member-M3')).toContainText('已签到');
  await expect(wall.getByTestId('screen-signin')).not.toContainText('专家 3');
  await expect(con.getByTestId('member-row-M2')).toContainText('采购人代表 · 赵敏');
  await expect(con.getByTestId('member-row-M2')).not.toContainText('专家');
  await expect(con.getByTestId('member-row-M3')).toContainText('专家 2 · 张华');
  await expect(wall.locator('body')).not.toContainText('李明');
  await expect(con.getByTestId('blocked-by')).toContainText('供应商签到尚未截止');
  await con.getByTestId('signin-close').click();
  await expect(con.getByTestId('signin-ready')).toBeVisible();
  await shoot('1-signin');

  // ── Opening ──
  await con.getByTestId('advance').click();
  await expect(con.getByTestId('stage')).toContainText('开启');
  await expect(con.getByTestId('opening-check')).toContainText('满足开启要求');
  await shoot('2-opening');
  await con.getByTestId('advance').click();
  await expect(con.getByTestId('stage')).toContainText('审查');

  // ── Review, with one clarification on S2's clarifiable item ──
  const m2 = tablets.M2;
  await m2.getByTestId('review-tab-S2').tap();
  await m2.getByTestId('clarify-C9').tap();
  await m2.getByTestId('clarify-question').fill('请说明技术参数表第 3 行与第 12 行采样频率不一致的原因');
  await m2.getByTestId('clarify-draft').tap();
  // The panel sees the draft; the moderator sends it.
  await expect(tablets.M1.getByTestId('clarification-Q1')).toContainText('草稿');
  await con.getByTestId('send-Q1').click();
  await expect(con.getByTestId('deadline-Q1')).toContainText('剩余');
  // Only S2's laptop receives it.
  const s2 = laptops.S2;
  await expect(s2.getByTestId('laptop-clarification-Q1')).toContainText('采样频率');
  await expect(laptops.S1.locator('body')).not.toContainText('采样频率');
  await expect(laptops.S3.locator('body')).not.toContainText('采样频率');
  await s2.getByTestId('answer-text').fill('第 12 行为笔误，应以第 3 行每 5 分钟一次为准。');
  await s2.getByTestId('answer-file').setInputFiles({ name: '说明.png', mimeType: 'image/png', buffer: PNG });
  await s2.getByTestId('answer-signer').fill('代表S2');
  await s2.getByTestId('answer-confirm').check();
  await s2.screenshot({ path: shotPath('live-a-3-laptop-clarification') });
  await s2.getByTestId('answer-submit').click();
  await expect(s2.getByTestId('laptop-clarification-Q1')).toContainText('已提交答复');
  for (const id of ['M1', 'M2', 'M3']) await expect(tablets[id].getByTestId('answer-Q1')).toContainText('笔误');
  await expect(tablets.M3.getByTestId('attachment-Q1')).toContainText('说明.png');

  // Everyone votes; M3 fails S3 on the deposit, with a reason, and so does M1: S3 fails by majority.
  // 「本家全部符合」 (issue 17) passes the rest in one tap: 4 taps per member instead of 12; a fail
  // already given stays, and every item can still be changed one by one.
  for (const id of ['M1', 'M2', 'M3']) {
    const p = tablets[id];
    for (const s of ['S1', 'S2', 'S3']) {
      await p.getByTestId(`review-tab-${s}`).tap();
      if (s === 'S3' && id !== 'M2') {
        await p.getByTestId('fail-Q4').tap();
        await expect(p.getByRole('alert')).toContainText('须填写理由');
        await p.getByTestId('reason-Q4').fill('未按要求提交磋商保证金');
        await p.getByTestId('fail-Q4').tap();
        await expect(p.getByTestId('fail-Q4')).toHaveAttribute('aria-pressed', 'true');
        await expect(p.getByTestId('pass-all-hint')).toContainText('已表决的项目保持不变');
      }
      await p.getByTestId('pass-all').tap();
      for (const it of ITEMS) await expect(p.getByTestId(s === 'S3' && it === 'Q4' && id !== 'M2' ? 'fail-Q4' : `pass-${it}`)).toHaveAttribute('aria-pressed', 'true');
      await expect(p.getByTestId('pass-all')).toBeDisabled();
    }
  }
  // Still changeable one by one after the batch: M2 fails C2 of S1, then passes it again.
  await tablets.M2.getByTestId('review-tab-S1').tap();
  await tablets.M2.getByTestId('reason-C2').fill('有效期表述不清');
  await tablets.M2.getByTestId('fail-C2').tap();
  await expect(tablets.M2.getByTestId('tally-C2')).toContainText('不通过 1');
  await tablets.M2.getByTestId('pass-C2').tap();
  await expect(tablets.M2.getByTestId('pass-C2')).toHaveAttribute('aria-pressed', 'true');
  await expect(tablets.M2.getByTestId('tally-C2')).toContainText('不通过 0');
  // The live majority and the votes are on every tablet.
  await tablets.M2.getByTestId('review-tab-S3').tap();
  await expect(tablets.M2.getByTestId('tally-Q4')).toContainText('多数：不通过');
  await expect(tablets.M2.getByTestId('review-item-Q4')).toContainText('未按要求提交磋商保证金');
  // The votes on the tablet: 专家 1, 采购人代表, 专家 2 (issue 13 item 7).
  await expect(tablets.M2.getByTestId('review-item-Q4')).toContainText('采购人代表：✓ 通过');
  await expect(tablets.M2.getByTestId('review-item-Q4')).toContainText('专家 2：✗ 不通过');
  await expect(tablets.M2.getByTestId('review-item-Q4')).not.toContainText('专家 3');
  await tablets.M2.screenshot({ path: shotPath('live-a-4-tablet-review') });
  for (const s of ['S1', 'S2', 'S3']) {
    await expect(con.getByTestId(`conclude-${s}`)).toBeEnabled();
    await con.getByTestId(`conclude-${s}`).click();
    await expect(con.getByTestId(`review-row-${s}`)).toContainText(s === 'S3' ? '不通过' : '通过');
  }
  // S3's laptop is told why; the minimum check offers the legal options.
  await expect(laptops.S3.getByTestId('invalid-reason')).toContainText('磋商保证金');
  await expect(laptops.S1.locator('body')).not.toContainText('磋商保证金」未通过');
  await expect(con.getByTestId('minimum-check')).toContainText('少于 3 家');
  await expect(con.getByTestId('minimum-check')).toContainText('政府购买服务');
  await shoot('3-review');
  await con.getByLabel(/政府购买服务项目符合要求的供应商只有 2 家/).check();
  await con.locator('[data-testid="minimum-check"] textarea').fill('政府购买服务项目，符合要求的供应商只有两家，依 003 第三章 2.7 继续');
  await con.getByRole('button', { name: '按此例外继续' }).click();
  await expect(con.getByTestId('blocked-by')).toHaveCount(0);
  await con.getByTestId('advance').click();
  await expect(con.getByTestId('stage')).toContainText('磋商');

  // ── Withdrawal ──
  const s1 = laptops.S1;
  await s1.getByTestId('withdraw-open').click();
  await s1.getByTestId('withdraw-reason').fill('公司经营调整，决定退出本项目磋商');
  await s1.getByTestId('withdraw-confirm').click();
  await expect(s1.getByTestId('withdrawn')).toContainText('公司经营调整');
  await expect(con.getByTestId('minimum-check')).toContainText('1 家');
  await expect(laptops.S2.locator('body')).not.toContainText('公司经营调整');
  await shoot('4-withdrawal');
});
