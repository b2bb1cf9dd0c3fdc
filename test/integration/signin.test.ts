import { describe, it, expect } from 'vitest';
import { startServer, connect, type TestServer } from '../helpers/server';
import { openRoom, advance, driveTo, stageOf, type Room } from '../helpers/room';
import { DISCIPLINE } from '../../shared/protocol/signin';
import { DEMO_SESSION } from '../../server/demo/demo-session';
import { expectNothingOfOthers } from './signin-helpers';
import { closeAfterEach } from '../helpers/per-test';

let srv: TestServer | null = null;
let room: Room | null = null;
closeAfterEach(() => [room, srv]);

const noRecusal = (r: Room) => r.ids('supplier').map((id) => ({ supplierId: id, recuse: false }));
const memberSignin = (r: Room, extra: Record<string, unknown> = {}) => ({ recusals: noRecusal(r), acknowledged: true, disciplineVersion: DISCIPLINE.version, ...extra });

async function setup(body: unknown = DEMO_SESSION): Promise<Room> {
  srv = await startServer();
  room = await openRoom(srv, body);
  return room;
}

describe('suppliers sign in from their laptops', () => {
  it('records the representative and the server time; arrival order is the consultation order; nothing of another supplier reaches a laptop', async () => {
    const r = await setup();
    const laptops = await Promise.all(['S1', 'S2', 'S3', 'S4'].map((id) => r.client(id)));
    const before = Date.now();
    for (const id of ['S3', 'S1', 'S4', 'S2']) {
      const ack = await r.ok(id, 'signin:supplier', { representative: `代表${id}`, authorised: true });
      expect(ack.data.at).toBeGreaterThanOrEqual(before);
    }
    // Authorisation must be confirmed; a second sign-in is refused.
    const noAuth = await r.act('S1', 'signin:supplier', { representative: '某人', authorised: false });
    expect(noAuth).toMatchObject({ ok: false, error: { code: 'validation' } });
    const again = await r.act('S1', 'signin:supplier', { representative: '代表S1', authorised: true });
    expect(again).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(again.error.message).toContain('已签到');

    const mod = await r.client('A1');
    await mod.waitFor((v) => v.signin?.suppliers?.filter((s: any) => s.signedIn).length === 4);
    expect(mod.view.signin.order).toEqual(['S3', 'S1', 'S4', 'S2']);
    const s3 = mod.view.signin.suppliers.find((s: any) => s.id === 'S3');
    expect(s3).toMatchObject({ representative: '代表S3', signedIn: true });
    expect(s3.at).toBeGreaterThanOrEqual(before);

    // The wall: suppliers in arrival order, members as 专家 n, never their names.
    const wall = await r.client('P1');
    await wall.waitFor((v) => v.signin?.suppliers?.length === 4);
    expect(wall.view.signin.suppliers.map((s: any) => s.id)).toEqual(['S3', 'S1', 'S4', 'S2']);
    expect(wall.view.signin.members.map((m: any) => m.label)).toEqual(['专家 1', '专家 2', '专家 3', '专家 4', '采购人代表']);
    expect(JSON.stringify(wall.view.signin)).not.toContain('李明');

    // A laptop sees its own sign-in only.
    await laptops[0].waitFor((v) => v.signin?.me?.representative === '代表S1');
    for (const [i, c] of laptops.entries()) expectNothingOfOthers(c, `S${i + 1}`);
  });

  it('a member acts only as a member, a supplier only for itself, and a closed sign-in takes no one', async () => {
    const r = await setup();
    expect(await r.act('M1', 'signin:supplier', { representative: '李明', authorised: true })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await r.act('S1', 'signin:close')).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    await r.ok('S1', 'signin:supplier', { representative: '代表S1', authorised: true });
    await r.ok('A1', 'signin:close');
    const late = await r.act('S2', 'signin:supplier', { representative: '代表S2', authorised: true });
    expect(late).toMatchObject({ ok: false });
    // Absentees are recorded as not signed in, with the reason on their own laptop.
    const s2 = await r.client('S2');
    await s2.waitFor((v) => v.suppliers?.standing?.S2?.status === 'invalid');
    expect(s2.view.suppliers.standing.S2.ground).toBe('not_signed_in');
    expect(s2.view.suppliers.standing.S2.reason.zh).toContain('未在签到截止前签到');
  });
});

describe('members sign in, declare recusals and acknowledge the discipline', () => {
  it('blocks advancing with the reason until the panel is complete and the suppliers are closed', async () => {
    const r = await setup();
    const mod = await r.client('A1');
    const blocked = await r.act('A1', 'stage:advance', { to: 'opening' });
    expect(blocked).toMatchObject({ ok: false, error: { code: 'wrong_stage' } });
    expect(blocked.error.message).toContain('5 名专家尚未签到');
    for (const m of ['M1', 'M2', 'M3']) await r.ok(m, 'signin:member', memberSignin(r));
    await mod.waitFor((v) => v.stage?.next?.blockedBy?.zh?.includes('2 名专家尚未签到'));
    expect(mod.view.stage.next.blockedBy.zh).toContain('专家 4、采购人代表');
    // Acknowledgement is required and must be of the current text; every supplier must be declared.
    expect(await r.act('M4', 'signin:member', { ...memberSignin(r), acknowledged: false })).toMatchObject({ ok: false, error: { code: 'validation' } });
    expect(await r.act('M4', 'signin:member', { ...memberSignin(r), disciplineVersion: 'old' })).toMatchObject({ ok: false, error: { code: 'validation', field: 'disciplineVersion' } });
    const partial = await r.act('M4', 'signin:member', { ...memberSignin(r), recusals: [{ supplierId: 'S1', recuse: false }] });
    expect(partial).toMatchObject({ ok: false, error: { code: 'validation', field: 'recusals' } });
    for (const m of ['M4', 'M5']) await r.ok(m, 'signin:member', memberSignin(r));
    const notClosed = await r.act('A1', 'stage:advance', { to: 'opening' });
    expect(notClosed.error.message).toContain('供应商签到尚未截止');
    for (const s of ['S1', 'S2', 'S3']) await r.ok(s, 'signin:supplier', { representative: `代表${s}`, authorised: true });
    await r.ok('A1', 'signin:close');
    expect(await advance(r)).toBe('opening');
    // The discipline text the members acknowledged is recorded with its version.
    const ev = (await srv!.store.read(r.sessionId)).filter((e) => e.type === 'signin:member_signed');
    expect(ev).toHaveLength(5);
    expect(ev.every((e) => (e.payload as any).disciplineVersion === DISCIPLINE.version && (e.payload as any).acknowledged === true)).toBe(true);
  });

  it("a member's own sign-in is its own section; the panel's sign-in is one section for the whole panel (issue 15)", async () => {
    const r = await setup();
    const [m1, m2, m5] = await Promise.all(['M1', 'M2', 'M5'].map((id) => r.client(id)));
    await r.ok('M1', 'signin:member', memberSignin(r));
    await m1.waitFor((v) => !!v.signinSeat?.me);
    for (const c of [m2, m5]) await c.waitFor((v) => v.signin?.members?.find((m: any) => m.id === 'M1')?.signedIn === true);
    expect(m1.view.signinSeat.me).toMatchObject({ acknowledged: true, disciplineVersion: DISCIPLINE.version, recuseFrom: [] });
    expect(m2.view.signinSeat).toEqual({ me: null });
    // Not in the panel's section, which is the same for every member of either role (one digest).
    for (const c of [m1, m2, m5]) expect(c.view.signin.me).toBeUndefined();
    const digest = (c: typeof m1) => c.replica.resume()?.digests?.role?.signin;
    expect(digest(m1)).toMatch(/^[\w-]{22}$/);
    for (const c of [m2, m5]) expect(digest(c)).toBe(digest(m1));
    // The own section travels in the member's own channel only.
    expect(m2.replica.resume()?.digests?.own?.signinSeat).toBeDefined();
    expect(m2.replica.resume()?.digests?.role?.signinSeat).toBeUndefined();
  });

  it('a member who recuses is replaced by a new person with a new card; the old card stops working; the replacement is recorded', async () => {
    const r = await setup();
    const m2 = await r.client('M2');
    await r.ok('M2', 'signin:member', { ...memberSignin(r), recusals: noRecusal(r).map((x) => ({ ...x, recuse: x.supplierId === 'S3' })), recusalNote: '曾为该公司提供咨询' });
    for (const m of ['M1', 'M3', 'M4', 'M5']) await r.ok(m, 'signin:member', memberSignin(r));
    for (const s of r.ids('supplier')) await r.ok(s, 'signin:supplier', { representative: `代表${s}`, authorised: true });
    await r.ok('A1', 'signin:close');
    const blocked = await r.act('A1', 'stage:advance', { to: 'opening' });
    expect(blocked.error.message).toContain('专家 2 声明须回避');
    expect(blocked.error.message).toContain('京华生态研究院有限公司');

    // A member without a recusal can be replaced only with a reason.
    expect(await r.act('A1', 'signin:replace', { memberId: 'M3', name: '某人' })).toMatchObject({ ok: false, error: { field: 'reason' } });
    const ack = await r.ok('A1', 'signin:replace', { memberId: 'M2', name: '孙替补' });
    expect(ack.data).toMatchObject({ personId: 'M6', role: 'expert' });
    expect(ack.data.path).toBe(`/tablet#${ack.data.token}`);
    expect(ack.data.token.length).toBeGreaterThanOrEqual(22);

    // The old card is revoked at once; the new one works.
    await new Promise<void>((res) => (m2.socket.connected ? m2.socket.once('disconnect', () => res()) : res()));
    await expect(connect(srv!.url, r.links.find((l) => l.personId === 'M2')!.url.split('#')[1])).rejects.toThrow();
    const m6 = await connect(srv!.url, ack.data.token);
    expect(m6.view.me).toMatchObject({ id: 'M6', role: 'expert', name: '孙替补' });
    const mod = await r.client('A1');
    await mod.waitFor((v) => v.stage?.next?.blockedBy?.zh?.includes('1 名专家尚未签到（专家 5）'));
    const { cid } = await import('../helpers/server');
    expect(await m6.send('signin:member', { id: cid(), ...memberSignin(r) })).toMatchObject({ ok: true });
    await mod.waitFor((v) => v.stage?.next?.blockedBy === null);
    m6.close();

    // Recorded for the report: the log holds the new person with `replaces`, the deactivation, and the reason.
    const log = await srv!.store.read(r.sessionId);
    const added = log.find((e) => e.type === 'person:added' && (e.payload as any).id === 'M6')!;
    expect((added.payload as any).replaces).toBe('M2');
    expect(log.some((e) => e.type === 'person:deactivated' && (e.payload as any).personId === 'M2')).toBe(true);
    const rep = log.find((e) => e.type === 'signin:member_replaced')!;
    expect(rep.payload).toMatchObject({ memberId: 'M2', replacementId: 'M6' });
    expect((rep.payload as any).reason).toContain('声明回避');
    expect(mod.view.signin.replacements).toHaveLength(1);
    expect(mod.view.signin.members.find((m: any) => m.id === 'M2')).toMatchObject({ active: false, replacedBy: 'M6' });
    // The wall lists the sitting panel only.
    const wall = await r.client('P1');
    // The replacement takes the next expert number (专家 5: the purchaser representative takes none, issue 13 item 7).
    expect(wall.view.signin.members.map((m: any) => m.label)).toEqual(['专家 1', '专家 3', '专家 4', '采购人代表', '专家 5']);
    expect(await advance(r)).toBe('opening');
  });

  it('checks the panel against rules.panel (seed 004: 5+, odd, experts ≥ 2/3)', async () => {
    const body = { ...DEMO_SESSION, rubric: 'seed004', project: { method: 'public_tender' } };
    const r = await setup(body);
    await r.ok('M4', 'signin:member', memberSignin(r));
    // Replacing an expert by a purchaser representative leaves 3 experts out of 5.
    await r.ok('A1', 'signin:replace', { memberId: 'M4', name: '钱代表', role: 'purchaser_rep', reason: '专家 4 因病缺席' });
    const mod = await r.client('A1');
    await mod.waitFor((v) => v.signin?.panel?.ok === false);
    expect(mod.view.signin.panel.reasons[0].zh).toContain('专家 3 人，不足成员总数 5 人的 2/3');
    expect(mod.view.signin.blockers.map((b: any) => b.zh).join('|')).toContain('2/3');
  });

  it('the moderator may change the consultation order only with a reason, and only to a permutation', async () => {
    const r = await setup();
    for (const s of ['S2', 'S1', 'S3', 'S4']) await r.ok(s, 'signin:supplier', { representative: `代表${s}`, authorised: true });
    expect(await r.act('A1', 'signin:reorder', { order: ['S1', 'S2', 'S3', 'S4'] })).toMatchObject({ ok: false, error: { code: 'validation', field: 'reason' } });
    expect(await r.act('A1', 'signin:reorder', { order: ['S1', 'S2', 'S3'], reason: '原因说明' })).toMatchObject({ ok: false, error: { field: 'order' } });
    expect(await r.act('A1', 'signin:reorder', { order: ['S2', 'S1', 'S3', 'S4'], reason: '原因说明' })).toMatchObject({ ok: false, error: { code: 'conflict' } });
    await r.ok('A1', 'signin:reorder', { order: ['S1', 'S2', 'S3', 'S4'], reason: 'S2 代表需临时离场' });
    const mod = await r.client('A1');
    await mod.waitFor((v) => v.signin.order[0] === 'S1');
    expect(mod.view.signin.reorders[0]).toMatchObject({ reason: 'S2 代表需临时离场', by: 'A1' });
    const { consultationOrder } = await import('../../server/signin/order');
    expect(consultationOrder(srv!.app.registry.get(r.sessionId)!.state)).toEqual(['S1', 'S2', 'S3', 'S4']);
  });
});

describe('opening', () => {
  it('with fewer suppliers than rules.minimumSuppliers.open the session cannot proceed and may be terminated with a reason', async () => {
    const r = await setup();
    for (const m of r.ids('panel')) await r.ok(m, 'signin:member', memberSignin(r));
    for (const s of ['S1', 'S2']) await r.ok(s, 'signin:supplier', { representative: `代表${s}`, authorised: true });
    await r.ok('A1', 'signin:close');
    expect(await advance(r)).toBe('opening');
    const blocked = await r.act('A1', 'stage:advance', { to: 'review' });
    expect(blocked).toMatchObject({ ok: false, error: { code: 'wrong_stage' } });
    expect(blocked.error.message).toContain('少于 3 家');
    const mod = await r.client('A1');
    await mod.waitFor((v) => v.signin?.openingCheck?.ok === false);
    expect(mod.view.signin.openingCheck.options.map((o: any) => o.action)).toEqual(['terminate']);
    await r.ok('A1', 'session:terminate', { ground: 'fewer_than_minimum', reason: '开启时有效供应商不足 3 家' });
    expect(await stageOf(r)).toBe('terminated');
  });
});

describe('withdrawal (退出)', () => {
  it('a supplier withdraws with its reason recorded; it cannot act again; the minimum check follows', async () => {
    const r = await setup();
    await driveTo(r, 'review');
    const s4 = await r.client('S4');
    const short = await r.act('S4', 'supplier:withdraw', { reason: '' });
    expect(short).toMatchObject({ ok: false, error: { code: 'validation', field: 'reason' } });
    await r.ok('S4', 'supplier:withdraw', { reason: '公司经营调整' });
    await s4.waitFor((v) => v.suppliers.standing.S4.status === 'withdrawn');
    expect(s4.view.signin.canWithdraw).toBe(false);
    expect(await r.act('S4', 'supplier:withdraw', { reason: '再次退出' })).toMatchObject({ ok: false, error: { code: 'conflict' } });
    const ev = (await srv!.store.read(r.sessionId)).find((e) => e.type === 'supplier:withdrew')!;
    expect(ev.payload).toMatchObject({ supplierId: 'S4', statement: '公司经营调整' });
    const mod = await r.client('A1');
    await mod.waitFor((v) => v.suppliers.active === 3);
    expect(mod.view.suppliers.standing.S4.reason.zh).toContain('公司经营调整');
    // Out of order: a sign-in during the review is refused, naming the stage.
    const late = await r.act('S1', 'signin:supplier', { representative: '代表S1', authorised: true });
    expect(late).toMatchObject({ ok: false, error: { code: 'wrong_stage' } });
    expect(late.error.message).toContain('资格与符合性审查');
    for (const id of ['S1', 'S2', 'S3']) expectNothingOfOthers(await r.client(id), id, ['公司经营调整']);
  });
});
