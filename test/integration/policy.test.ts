import { describe, it, expect, afterEach } from 'vitest';
import { startServer, type TestServer } from '../helpers/server';
import { openRoom, driveTo, type Room } from '../helpers/room';
import { NO_POLICY, openWindow, closeAfter, settleAll, quoteSignature } from '../helpers/steps/quotes';
import { determinePolicy } from '../helpers/steps/policy';
import { amountToWords } from '../../shared/rules/money/words';
import { quoteInputs } from '../../server/quotes/inputs';

// Policy status in the compliance review (issue 14; docs/rules.md §2.13; server/review/policy.ts): the
// statuses the response claims are determined by the panel; only determined ones give a deduction,
// and the reveal says why a claimed one gave none.

let srv: TestServer | null = null;
let room: Room | null = null;
afterEach(async () => {
  room?.closeAll();
  room = null;
  if (srv) await srv.close(true);
  srv = null;
});

const sheet = (amount: string) => ({ amount, amountInWords: amountToWords(amount), lines: [] });
async function synced(r: Room, id: string) {
  const c = await r.client(id);
  const seq = (await r.srv.store.read(r.sessionId)).length;
  await c.waitFor(() => c.seq >= seq);
  return c;
}

describe('policy status in the compliance review', () => {
  it('a claimed SME status not accepted gets no deduction and the reveal says why; an accepted one gets 10 %', async () => {
    srv = await startServer();
    room = await openRoom(srv);
    await driveTo(room, 'review');
    const r = room;

    // Bad input is refused, bilingual, and changes nothing.
    const noSize = await r.act('M1', 'policy:claim', { supplierId: 'S2', kind: 'small_micro', enterprise: null, share: null, document: '中小企业声明函' });
    expect(noSize.ok).toBe(false);
    expect(noSize.error).toMatchObject({ code: 'validation', field: 'enterprise' });
    const notHere = await r.act('M1', 'policy:claim', { supplierId: 'S2', kind: 'domestic_share', enterprise: null, share: '0.9', document: '本国产品声明函' });
    expect(notHere.error).toMatchObject({ code: 'validation', field: 'kind' });
    expect(notHere.error.message).toContain('不对');
    const bySupplier = await r.act('S2', 'policy:claim', { supplierId: 'S2', kind: 'small_micro', enterprise: 'small', share: null, document: '中小企业声明函' });
    expect(bySupplier.error.code).toBe('forbidden');

    await r.ok('M1', 'policy:claim', { supplierId: 'S2', kind: 'small_micro', enterprise: 'micro', share: null, document: '中小企业声明函（响应文件第 35 页）' });
    // The review stage cannot be left while a claimed status is undetermined.
    await (await import('../helpers/steps/review')).passEveryone(r);
    const mod = await synced(r, 'A1');
    expect(mod.view.stage.next.blockedBy.zh).toMatch(/政策身份尚未认定/);
    // Not accepting needs a reason.
    const bare = await r.act('M1', 'policy:vote', { supplierId: 'S2', kind: 'small_micro', accept: false, reason: '' });
    expect(bare.error).toMatchObject({ code: 'validation', field: 'reason' });
    // 3 of 5 do not accept: not accepted, with their reason.
    for (const [m, accept] of [['M1', false], ['M2', false], ['M3', true], ['M4', false], ['M5', true]] as const)
      await r.ok(m, 'policy:vote', { supplierId: 'S2', kind: 'small_micro', accept, reason: accept ? '' : '声明函所填从业人员、营业收入与附件财务报表不符' });
    await determinePolicy(r, 'S1', { kind: 'small_micro', enterprise: 'small' }, true);

    const m1 = await synced(r, 'M1');
    const s2claim = m1.view.policy.suppliers.S2[0];
    expect(s2claim).toMatchObject({ kind: 'small_micro', determination: { outcome: 'not_accepted' }, tally: { accept: 2, reject: 3 } });
    expect(s2claim.votes).toHaveLength(5);
    // The supplier sees its own determination and reason, never a vote; the wall nothing.
    const s2 = await synced(r, 'S2');
    expect(s2.view.policy.claims).toEqual([
      expect.objectContaining({ kind: 'small_micro', determination: { outcome: 'not_accepted', reasons: ['声明函所填从业人员、营业收入与附件财务报表不符'] } }),
    ]);
    expect(JSON.stringify(s2.view.policy)).not.toContain('M1');
    expect(JSON.stringify(s2.frames)).not.toContain('"S1"');
    expect((await synced(r, 'P1')).view.policy).toBeUndefined();

    await driveTo(r, 'final_quote');
    const deadline = await openWindow(r, 1500);
    // The supplier cannot give itself a status the panel did not accept.
    const ticked = await r.act('S2', 'quotes:submit', { signature: quoteSignature('S2'), sheet: sheet('1200000.00'), policy: { ...NO_POLICY, enterprise: 'micro', smeDeclaration: true } });
    expect(ticked.ok).toBe(false);
    expect(ticked.error).toMatchObject({ code: 'validation', field: 'policy' });
    expect(ticked.error.message).toContain('评审小组');
    await r.ok('S2', 'quotes:submit', { signature: quoteSignature('S2'), sheet: sheet('1200000.00') });
    await r.ok('S1', 'quotes:submit', { signature: quoteSignature('S1'), sheet: sheet('1300000.00') });
    for (const s of ['S3', 'S4']) await r.ok(s, 'quotes:submit', { signature: quoteSignature(s), sheet: sheet('1350000.00') });
    await closeAfter(r, deadline);
    await settleAll(r);

    const mod2 = await synced(r, 'A1');
    const rows = Object.fromEntries(mod2.view.quotes.reveal.rows.map((x: any) => [x.supplierId, x]));
    expect(rows.S2.deduction.evaluatedPrice).toBe('1,200,000.00');
    expect(rows.S2.deduction.applied).toEqual([]);
    expect(rows.S2.deduction.notAccepted[0].zh).toBe(
      '声明的小微企业身份（中小企业声明函（响应文件第 35 页））未经评审小组认定（认定 2 票、不予认定 3 票）：声明函所填从业人员、营业收入与附件财务报表不符，不予价格扣除',
    );
    expect(rows.S2.deduction.lines[0]).toEqual(rows.S2.deduction.notAccepted[0]);
    expect(rows.S1.deduction.evaluatedPrice).toBe('1,170,000.00');
    expect(rows.S1.deduction.notAccepted).toEqual([]);
    // The evaluation file's statuses are the determined ones.
    const inputs = quoteInputs(srv.app.registry.get(r.sessionId)!.state);
    expect(inputs.find((x) => x.supplierId === 'S1')!.policy).toMatchObject({ enterprise: 'small', smeDeclaration: true });
    expect(inputs.find((x) => x.supplierId === 'S2')!.policy).toMatchObject({ enterprise: null, smeDeclaration: false });
  }, 60_000);

  it('refuses claims and votes outside the review, and a claim that already has votes cannot be rewritten', async () => {
    srv = await startServer();
    room = await openRoom(srv);
    const early = await room.act('M1', 'policy:claim', { supplierId: 'S1', kind: 'prison', enterprise: null, share: null, document: '证明文件' });
    expect(early.error.code).toBe('wrong_stage');
    await driveTo(room, 'review');
    await room.ok('A1', 'policy:claim', { supplierId: 'S1', kind: 'prison', enterprise: null, share: null, document: '监狱企业证明文件' });
    await room.ok('M1', 'policy:vote', { supplierId: 'S1', kind: 'prison', accept: true, reason: '' });
    const rewrite = await room.act('A1', 'policy:claim', { supplierId: 'S1', kind: 'prison', enterprise: null, share: null, document: '另一份文件' });
    expect(rewrite.error.code).toBe('conflict');
    const none = await room.act('M1', 'policy:vote', { supplierId: 'S2', kind: 'prison', accept: true, reason: '' });
    expect(none.error.code).toBe('not_found');
  });
});
