import { test, expect, createSession, openDevice, byId, shotPath } from './fixtures';
import { DEMO_SESSION } from '../../server/demo/demo-session';

// Issue 12 item 2: one device per seat. A second browser context opening a supplier's link waits for
// the moderator; refused, it stays out and nothing of the supplier reaches it; admitted, the first
// context is signed out with a message and the second works.
test('a second device waits for the moderator, who refuses one and admits another', async ({ browser, baseURL }) => {
  const { links } = await createSession(baseURL!, DEMO_SESSION);
  const org = DEMO_SESSION.suppliers[0].org!;
  const con = (await openDevice(browser, byId(links, 'A1'), { width: 1440, height: 1000 })).page;
  const first = (await openDevice(browser, byId(links, 'S1'))).page;
  await expect(first.getByTestId('supplier-org')).toHaveText(org);

  // Another device (its own storage, its own key) opens the same link: it waits and sees nothing.
  const second = await openDevice(browser, byId(links, 'S1'), undefined, false, true);
  const frames: string[] = [];
  second.page.on('websocket', (ws) => ws.on('framereceived', (f) => frames.push(String(f.payload))));
  await expect(second.page.getByTestId('device-waiting')).toContainText('等待主持人确认');
  await expect(con.getByTestId('device-request-S1')).toContainText(org);
  await expect(con.getByTestId('device-request-S1')).toContainText('请求时间');
  await con.screenshot({ path: shotPath('devices-console-waiting') });

  // Refused: it stays out, told why.
  await con.getByTestId('device-refuse-S1').click();
  await expect(second.page.getByTestId('refused')).toContainText('未允许本设备');
  await expect(con.getByTestId('device-requests')).toHaveCount(0);
  await expect(second.page.locator('body')).not.toContainText(org);
  expect(frames.join('\n')).not.toContain(org);
  expect(frames.join('\n')).not.toContain('view:snapshot');
  // The first device still works.
  await expect(first.getByTestId('supplier-org')).toHaveText(org);

  // A third device asks; the moderator admits it: the first is signed out with a message, the third works.
  const third = await openDevice(browser, byId(links, 'S1'), undefined, false, true);
  await expect(third.page.getByTestId('device-waiting')).toBeVisible();
  await con.getByTestId('device-admit-S1').click();
  await expect(first.getByTestId('refused')).toContainText('另一台设备');
  await expect(third.page.getByTestId('supplier-org')).toHaveText(org);
  // A reload on the admitted device keeps its key: it stays in.
  await third.page.reload();
  await expect(third.page.getByTestId('supplier-org')).toHaveText(org);
  await first.screenshot({ path: shotPath('devices-signed-out') });
});
