import { describe, it, expect, afterEach } from 'vitest';
import { startServer, type TestServer } from '../helpers/server';
import { openRoom, driveTo, type Room } from '../helpers/room';
import { NO_POLICY, serverNow, quoteSignature } from '../helpers/steps/quotes';
import { amountToWords } from '../../shared/rules/money/words';

// 003 Ch3 §3.1 L651: an itemised final quote carries the supplier's statement that unlisted items are
// included and the quote is not adjusted; 003 Ch3 §4.2 L719: the view says where the 4.1.3 exemption
// may be recorded, so the tablet and console show the button only there.

let srv: TestServer | null = null;
let room: Room | null = null;
afterEach(async () => {
  room?.closeAll();
  room = null;
  if (srv) await srv.close(true);
  srv = null;
});

const sheet = (amount: string, lines = [{ item: '研究服务', unitPrice: amount, quantity: '1', total: amount }]) => ({ amount, amountInWords: amountToWords(amount), lines });

async function clockedRoom() {
  let shift = 0;
  srv = await startServer({ clock: () => Date.now() + shift });
  room = await openRoom(srv);
  return { r: room, forward: (ms: number) => (shift += ms) };
}

describe('the final-quote statement on unlisted items (003 Ch3 §3.1 L651)', () => {
  it('refuses an itemised quote without the statement, bilingually, appending nothing; records it when ticked', async () => {
    const { r } = await clockedRoom();
    await driveTo(r, 'final_quote');
    await r.ok('A1', 'quotes:open', { deadline: (await serverNow(r)) + 60_000 });
    const count = async () => (await r.srv.store.read(r.sessionId)).filter((e) => e.type === 'quotes:submitted').length;
    for (const payload of [
      { sheet: sheet('1300000.00'), policy: NO_POLICY, signature: quoteSignature('S1') },
      { sheet: sheet('1300000.00'), policy: NO_POLICY, signature: quoteSignature('S1'), missingItemsIncluded: false },
    ]) {
      const ack = await r.act('S1', 'quotes:submit', payload);
      expect(ack.ok).toBe(false);
      expect(ack.error.code).toBe('validation');
      expect(ack.error.field).toBe('missingItemsIncluded');
      expect(ack.error.message).toContain('分项报价表中未列明的项目，视为已包含在其他项目中，最后报价不作调整');
      expect(ack.error.messageEn).toMatch(/not listed/);
    }
    expect(await count()).toBe(0);
    // Not a boolean: the schema refuses it.
    expect((await r.act('S1', 'quotes:submit', { signature: quoteSignature('S1'), sheet: sheet('1300000.00'), policy: NO_POLICY, missingItemsIncluded: 'yes' })).error.code).toBe('validation');
    // A quote without lines needs no statement.
    await r.ok('S2', 'quotes:submit', { signature: quoteSignature('S2'), sheet: sheet('1250000.00', []), policy: NO_POLICY });
    await r.ok('S1', 'quotes:submit', { signature: quoteSignature('S1'), sheet: sheet('1300000.00'), policy: NO_POLICY, missingItemsIncluded: true });
    const log = (await r.srv.store.read(r.sessionId)).filter((e) => e.type === 'quotes:submitted');
    expect(log.map((e) => [(e.payload as any).supplierId, (e.payload as any).missingItemsIncluded])).toEqual([
      ['S2', false],
      ['S1', true],
    ]);
    const lap = await r.client('S1');
    await lap.waitFor((v) => !!v.quotes?.mine?.submission);
    expect(lap.view.quotes.mine.submission.missingItemsIncluded).toBe(true);
  }, 60_000);

  it('the view marks exactly the 4.1.3-alone review as exemptable, and no longer once recorded', async () => {
    const { r, forward } = await clockedRoom();
    await driveTo(r, 'final_quote');
    await r.ok('A1', 'quotes:open', { deadline: (await serverNow(r)) + 60_000 });
    const amounts = { S1: '680371.19', S2: '1200000.00', S3: '1300000.00', S4: '1350000.00' };
    for (const [s, a] of Object.entries(amounts)) await r.ok(s, 'quotes:submit', { signature: quoteSignature(s), sheet: sheet(a), policy: NO_POLICY, missingItemsIncluded: true });
    forward(61_000);
    await r.ok('A1', 'quotes:close');
    await r.ok('M2', 'quotes:review_open', { supplierId: 'S2', reason: '报价明显偏低' });
    const mod = await r.client('A1');
    const tab = await r.client('M1');
    const ex = (v: any) => Object.fromEntries((v.quotes?.reviews ?? []).map((x: any) => [x.supplierId, x.exemptable]));
    for (const c of [mod, tab]) await c.waitFor((v) => ex(v).S1 === true && ex(v).S2 === false);
    await r.ok('A1', 'quotes:review_exempt', { supplierId: 'S1', reason: '响应文件第 45 页已附成本测算说明' });
    for (const c of [mod, tab]) await c.waitFor((v) => ex(v).S1 === false && !!v.quotes.reviews.find((x: any) => x.supplierId === 'S1').exemption);
    expect(ex(mod.view)).toEqual({ S1: false, S2: false });
  }, 60_000);
});
