import { describe, it, expect, afterEach } from 'vitest';
import { startServer, connect, tokenOf, linkFor, cid, ADMIN, type TestServer, type TestClient } from '../helpers/server';
import { openRoom, driveTo, type Room } from '../helpers/room';
import { serverNow, NO_POLICY, quoteSignature } from '../helpers/steps/quotes';
import { amountToWords } from '../../shared/rules/money/words';

// One device per seat (issue 12 item 2–3): the first device to open a join link claims the seat; a
// second device waits for the moderator, who admits it (the first is signed out and told why) or
// refuses it; acts that bind a supplier are taken only from the seat's bound device; every step is
// an event in the log and a line of the report.

let srv: TestServer | null = null;
let room: Room | null = null;
const extra: TestClient[] = [];
afterEach(async () => {
  for (const c of extra.splice(0)) c.close();
  room?.closeAll();
  room = null;
  if (srv) await srv.close(true);
  srv = null;
});

const DEVICE_A = 'first-device-key-aaaaaaaaaaaaaaaaa';
const DEVICE_B = 'second-device-key-bbbbbbbbbbbbbbbb';
const DEVICE_C = 'third-device-key-cccccccccccccccccc';

async function device(r: Room, personId: string, key: string, waiting = true): Promise<TestClient> {
  const c = await connect(r.srv.url, tokenOf(linkFor(r.links, personId)), { device: key, waiting });
  extra.push(c);
  return c;
}
const types = async (r: Room) => (await r.srv.store.read(r.sessionId)).map((e) => e.type);
const eventsOf = async (r: Room, type: string) => (await r.srv.store.read(r.sessionId)).filter((e) => e.type === type);
const closed = (c: TestClient) => new Promise<void>((res) => (c.socket.connected ? c.socket.once('disconnect', () => res()) : res()));

describe('one device per seat', () => {
  it('lets the first device claim the seat; a second device waits and learns nothing; the moderator refuses it, then admits another', async () => {
    srv = await startServer();
    room = await openRoom(srv);
    const r = room;
    const first = await device(r, 'S1', DEVICE_A, false);
    const claims = await eventsOf(r, 'device:claimed');
    expect(claims.map((e) => (e.payload as any).personId)).toContain('S1');
    // Only a hash of the device key is recorded, never the key.
    expect(JSON.stringify(await r.srv.store.read(r.sessionId))).not.toContain(DEVICE_B);

    const mod = await r.client('A1');
    const second = await device(r, 'S1', DEVICE_B);
    expect(second.frames.map((f) => f.event)).toEqual(['device:waiting']);
    expect((second.frames[0].data as any).message).toContain('等待主持人确认');
    const requested = await eventsOf(r, 'device:requested');
    expect(requested).toHaveLength(1);
    expect((requested[0].payload as any).personId).toBe('S1');

    // Whatever it sends is refused and changes nothing (issue 12 item 3: acts only from the bound device).
    const before = (await r.srv.store.read(r.sessionId)).length;
    for (const [event, payload] of [
      ['signin:supplier', { representative: '冒名者', authorised: true }],
      ['supplier:withdraw', { reason: '冒名退出本次磋商' }],
      ['session:resync', { lastSeq: 0 }],
    ] as const) {
      const ack = await second.send(event, { id: cid(), ...payload });
      expect(ack, event).toMatchObject({ ok: false, error: { code: 'device_pending' } });
    }
    expect((await r.srv.store.read(r.sessionId)).length).toBe(before);

    // The console shows which seat it asks for, and since when; never the device's hash.
    const w = await mod.waitFor((v) => v.devices?.waiting?.length === 1);
    expect(w.devices.waiting[0]).toMatchObject({ personId: 'S1', since: requested[0].ts });
    expect(Object.keys(w.devices.waiting[0]).sort()).toEqual(['personId', 'requestId', 'since']);
    // The same device asking again is the same request, not a new one.
    const again = await device(r, 'S1', DEVICE_B);
    expect(await eventsOf(r, 'device:requested')).toHaveLength(1);
    again.close();

    // Refused: it is told and dropped; nothing of the supplier ever reached it.
    const refusedAt = closed(second);
    expect(await r.act('A1', 'device:refuse', { requestId: w.devices.waiting[0].requestId })).toMatchObject({ ok: true, data: { personId: 'S1' } });
    await refusedAt;
    const revoked = second.frames.find((f) => f.event === 'session:revoked');
    expect((revoked?.data as any)?.message).toContain('未允许本设备');
    expect(second.frames.map((f) => f.event)).not.toContain('view:snapshot');
    expect(second.frames.map((f) => f.event)).not.toContain('view:patch');
    expect(JSON.stringify(second.frames)).not.toContain('supplier-org');
    expect(await eventsOf(r, 'device:refused')).toHaveLength(1);
    await mod.waitFor((v) => v.devices?.waiting?.length === 0);
    // A refusal that was already answered is refused with a clear error.
    expect(await r.act('A1', 'device:refuse', { requestId: w.devices.waiting[0].requestId })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    // Suppliers may not admit devices.
    expect(await r.act('S2', 'device:admit', { requestId: w.devices.waiting[0].requestId })).toMatchObject({ ok: false, error: { code: 'forbidden' } });

    // The first device still holds the seat and works.
    expect(await first.send('signin:supplier', { id: cid(), representative: '王五', authorised: true })).toMatchObject({ ok: true });

    // A third device asks; the moderator admits it: the first is signed out and told why, the third works.
    // (The third is the device the room's helpers use for S1, so that the session can be driven on.)
    const third = await connect(r.srv.url, tokenOf(linkFor(r.links, 'S1')), { waiting: true });
    extra.push(third);
    const w2 = await mod.waitFor((v) => v.devices?.waiting?.length === 1);
    const firstGone = closed(first);
    expect(await r.act('A1', 'device:admit', { requestId: w2.devices.waiting[0].requestId })).toMatchObject({ ok: true });
    await firstGone;
    const out = first.frames.find((f) => f.event === 'session:revoked');
    expect((out?.data as any)?.message).toContain('另一台设备');
    await third.waitFor((v) => v.me?.id === 'S1');
    expect(third.frames.map((f) => f.event)).toContain('device:admitted');
    expect(third.view.signin.me.representative).toBe('王五');
    expect(await third.send('session:resync', { lastSeq: 0 })).toMatchObject({ ok: true });

    // The first device, coming back, now waits in its turn.
    const back = await connect(r.srv.url, tokenOf(linkFor(r.links, 'S1')), { device: DEVICE_A, waiting: true });
    extra.push(back);
    expect(back.frames.map((f) => f.event)).toEqual(['device:waiting']);

    const log = await types(r);
    expect(log.filter((t) => t.startsWith('device:'))).toEqual(expect.arrayContaining(['device:claimed', 'device:requested', 'device:refused', 'device:admitted']));

    // The report's attendance section records every claim, request, admission and refusal.
    back.close();
    await driveTo(r, 'signing');
    const html = await (await fetch(`${r.srv.url}/api/sessions/${r.sessionId}/report.html`, { headers: { authorization: `Bearer ${tokenOf(linkFor(r.links, 'A1'))}` } })).text();
    expect(html).toContain('设备使用记录');
    expect(html).toContain('主持人拒绝另一台设备使用该席位');
    expect(html).toContain('主持人允许另一台设备接替，原设备已退出');
    expect(html).toContain('另一台设备请求使用该席位');
  }, 120_000);

  it('frees the seat when the card is reissued: the new card claims it on any device', async () => {
    srv = await startServer();
    room = await openRoom(srv);
    const r = room;
    await r.client('M1');
    const ack = await r.ok('A1', 'participant:reissue', { personId: 'M1' });
    const fresh = await connect(r.srv.url, ack.data.token, { device: DEVICE_C });
    extra.push(fresh);
    expect(fresh.view.me.id).toBe('M1');
    const claims = (await eventsOf(r, 'device:claimed')).filter((e) => (e.payload as any).personId === 'M1');
    expect(claims).toHaveLength(2);
  });

  it('takes a final quote only from the seat’s bound device', async () => {
    srv = await startServer();
    room = await openRoom(srv);
    const r = room;
    await driveTo(r, 'final_quote');
    await r.ok('A1', 'quotes:open', { deadline: (await serverNow(r)) + 600_000 });
    const other = await device(r, 'S2', DEVICE_B);
    const sheet = { amount: '1200000.00', amountInWords: amountToWords('1200000.00'), lines: [{ item: '研究服务', unitPrice: '1200000.00', quantity: '1', total: '1200000.00' }] };
    const before = (await r.srv.store.read(r.sessionId)).length;
    const ack = await other.send('quotes:submit', { id: cid(), signature: quoteSignature('S2'), sheet, policy: NO_POLICY, missingItemsIncluded: true });
    expect(ack).toMatchObject({ ok: false, error: { code: 'device_pending' } });
    expect(ack.error.messageEn).toMatch(/moderator/);
    expect((await r.srv.store.read(r.sessionId)).length).toBe(before);
    // From the bound device it is taken.
    expect(await r.act('S2', 'quotes:submit', { signature: quoteSignature('S2'), sheet, policy: NO_POLICY, missingItemsIncluded: true })).toMatchObject({ ok: true });
  }, 60_000);

  it('refuses a malformed device key with a clear error', async () => {
    srv = await startServer();
    const { links } = await srv.createSession();
    await expect(connect(srv.url, tokenOf(linkFor(links, 'S1')), { device: 'short' })).rejects.toMatchObject({ data: { code: 'validation', field: 'device' } });
  });
});

describe('admin key', () => {
  it('is not a join token: it opens no seat', async () => {
    srv = await startServer();
    await srv.createSession();
    await expect(connect(srv.url, ADMIN)).rejects.toMatchObject({ data: { code: 'unauthenticated' } });
  });
});
