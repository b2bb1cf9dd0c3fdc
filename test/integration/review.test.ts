import { describe, it, expect } from 'vitest';
import { startServer, type TestServer } from '../helpers/server';
import { openRoom, advance, driveTo, stageOf, type Room } from '../helpers/room';
import { expectNothingOfOthers, framesText } from './signin-helpers';
import { SHORT_SESSION, SHORT_CHECKLISTS, voteAll, MEMBERS } from './review-helpers';
import { closeAfterEach } from '../helpers/per-test';

let srv: TestServer | null = null;
let room: Room | null = null;
closeAfterEach(() => [room, srv]);

async function atReview(body: unknown = SHORT_SESSION): Promise<Room> {
  srv = await startServer();
  room = await openRoom(srv, body);
  await driveTo(room, 'review');
  return room;
}

describe('qualification and compliance review', () => {
  it("a member's vote and reason are visible live to the panel, the majority per item is shown, and no supplier receives any of it", async () => {
    const r = await atReview();
    const suppliers = await Promise.all(['S1', 'S2', 'S3', 'S4'].map((id) => r.client(id)));
    const wall = await r.client('P1');
    expect(await r.act('M1', 'review:vote', { supplierId: 'S2', itemId: 'Q4', pass: false, reason: ' ' })).toMatchObject({ ok: false, error: { code: 'validation', field: 'reason' } });
    await r.ok('M1', 'review:vote', { supplierId: 'S2', itemId: 'Q4', pass: false, reason: '保证金回单金额不足两万元' });
    const m3 = await r.client('M3');
    const v = await m3.waitFor((x) => x.review?.suppliers?.find((s: any) => s.id === 'S2')?.items.Q4.votes.length === 1);
    const q4 = v.review.suppliers.find((s: any) => s.id === 'S2').items.Q4;
    expect(q4.votes[0]).toMatchObject({ memberId: 'M1', label: '专家 1', pass: false, reason: '保证金回单金额不足两万元' });
    expect(q4).toMatchObject({ pass: 0, fail: 1, members: 5, complete: false, result: 'pending' });
    for (const m of ['M2', 'M3']) await r.ok(m, 'review:vote', { supplierId: 'S2', itemId: 'Q4', pass: false, reason: '金额不足' });
    await m3.waitFor((x) => x.review.suppliers.find((s: any) => s.id === 'S2').items.Q4.result === 'fail');
    // A member can change its vote until the review is concluded.
    await r.ok('M3', 'review:vote', { supplierId: 'S2', itemId: 'Q4', pass: true, reason: '' });
    await m3.waitFor((x) => x.review.suppliers.find((s: any) => s.id === 'S2').items.Q4.fail === 2);
    for (const [i, c] of suppliers.entries()) {
      expectNothingOfOthers(c, `S${i + 1}`, ['保证金回单金额不足两万元', '金额不足']);
      expect(framesText(c)).not.toContain('"votes"');
    }
    expect(framesText(wall)).not.toContain('保证金回单金额不足两万元');
  });

  it("a vote reaches the panel as one small change of the panel's audience, not a personal copy of the whole review (issue 15)", async () => {
    const r = await atReview();
    const [m1, m2, m3] = await Promise.all(['M1', 'M2', 'M3'].map((id) => r.client(id)));
    for (const c of [m1, m2, m3]) await c.waitFor((x) => !!x.review?.suppliers && !!x.reviewSeat);
    // Only what differs per member is its own: whether it may conclude (M1 is the panel leader).
    expect(m1.view.reviewSeat).toEqual({ canConclude: true });
    expect(m2.view.reviewSeat).toEqual({ canConclude: false });
    expect(m2.view.review.canConclude).toBeUndefined();
    await new Promise((res) => setTimeout(res, 250)); // the arrivals' coalesced presence goes out first
    const before = new Map([m2, m3].map((c) => [c, c.frames.length]));
    const ack = await r.ok('M1', 'review:vote', { supplierId: 'S2', itemId: 'Q4', pass: false, reason: '保证金回单金额不足两万元' });
    const patches = async (c: typeof m2) => {
      await c.waitFor(() => c.seq >= ack.seq);
      return c.frames.slice(before.get(c)).filter((f) => f.event === 'view:patch' && (f.data as any).seq === ack.seq).map((f) => f.data as any);
    };
    const [p2, p3] = [await patches(m2), await patches(m3)];
    // One frame per audience: both members got the same patch of the panel's audience, none of their own.
    expect(p2.map((p) => p.ch)).toEqual(['role']);
    expect(p3).toEqual(p2);
    // The change inside the review section (path ops), not the ~whole section.
    expect(p2[0].set.review).toBeUndefined();
    expect(p2[0].ops.some((op: any) => op.p[0] === 'review' && op.p.includes('Q4'))).toBe(true);
    expect(JSON.stringify(p2[0]).length * 4).toBeLessThan(JSON.stringify(m2.view.review).length);
    expect(m2.view.review.suppliers.find((s: any) => s.id === 'S2').items.Q4.votes).toMatchObject([{ memberId: 'M1', pass: false, reason: '保证金回单金额不足两万元' }]);
  });

  it("the console and the observer get the panel's very review, and what only the staff see apart from it (issue 15: one copy per room)", async () => {
    const r = await atReview();
    await r.ok('M1', 'review:vote', { supplierId: 'S2', itemId: 'Q4', pass: false, reason: '保证金回单金额不足两万元' });
    const [m2, rep, mod, obs] = await Promise.all(['M2', 'M5', 'A1', 'O1'].map((id) => r.client(id)));
    const voted = (x: any) => x.review?.suppliers?.find((s: any) => s.id === 'S2')?.items.Q4.votes.length === 1;
    for (const c of [m2, rep, mod, obs]) await c.waitFor(voted);
    // The same section, byte for byte (M5 is the purchaser representative, the panel's other role):
    // the same digest in every audience's role channel.
    const digest = (c: typeof m2) => c.replica.resume()?.digests?.role?.review;
    expect(digest(m2)).toMatch(/^[\w-]{22}$/);
    for (const c of [rep, mod, obs]) expect(digest(c)).toBe(digest(m2));
    expect(mod.view.review).toEqual(m2.view.review);
    // The staff's part is its own section: the minimum check; the moderator may always conclude.
    expect(mod.view.reviewStaff).toMatchObject({ canConclude: true, minimum: { ok: true }, belowMinimum: [], remaining: 4 });
    expect(obs.view.reviewStaff).toMatchObject({ minimum: { ok: true }, belowMinimum: [], remaining: 4 });
    expect(obs.view.reviewStaff.canConclude).toBeUndefined();
    // Never the panel's, nor in the review any more.
    for (const c of [m2, rep]) {
      expect(c.view.reviewStaff).toBeUndefined();
      expect(framesText(c)).not.toContain('reviewStaff');
    }
    for (const c of [m2, rep, mod, obs]) for (const k of ['minimum', 'belowMinimum', 'remaining', 'canConclude']) expect(c.view.review[k]).toBeUndefined();
  });

  it('concluding needs every vote; only the moderator or the leader concludes; a failed supplier is invalid, told why, and the minimum check appears', async () => {
    const r = await atReview();
    const s2 = await r.client('S2');
    const s1 = await r.client('S1');
    const early = await r.act('A1', 'review:conclude', { supplierId: 'S2' });
    expect(early).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(early.error.message).toContain('尚有 4 项未由全体成员表决');
    await voteAll(r, 'S2', { C2: ['M1', 'M2', 'M4'] });
    expect(await r.act('M2', 'review:conclude', { supplierId: 'S2' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const ack = await r.ok('M1', 'review:conclude', { supplierId: 'S2' }); // M1 is the panel leader
    expect(ack.data.result).toBe('fail');
    expect(ack.data.failed.map((f: any) => f.itemId)).toEqual(['C2']);
    const log = await srv!.store.read(r.sessionId);
    const inv = log.find((e) => e.type === 'supplier:invalidated')!;
    expect(inv.payload).toMatchObject({ supplierId: 'S2', ground: 'review_failed' });
    expect((inv.payload as any).reason.zh).toContain('符合性审查「响应有效期」未通过');
    // The laptop shows the reason; nobody else's laptop hears of it.
    await s2.waitFor((v) => v.suppliers.standing.S2.status === 'invalid');
    expect(s2.view.suppliers.standing.S2.reason.zh).toContain('响应有效期');
    expect(s2.view.review.result.review).toBe('fail');
    expect(await r.act('M3', 'review:vote', { supplierId: 'S2', itemId: 'Q1', pass: true, reason: '' })).toMatchObject({ ok: false, error: { code: 'conflict' } });

    // After each elimination the console shows the minimum check: 3 left of a minimum of 3 is fine …
    const mod = await r.client('A1');
    await mod.waitFor((v) => v.reviewStaff.minimum.ok === true && v.suppliers.active === 3);
    await voteAll(r, 'S3', { Q1: ['M1', 'M2', 'M3', 'M4', 'M5'] });
    await r.ok('A1', 'review:conclude', { supplierId: 'S3' });
    // … 2 left is not: the legal options are offered (seed 003 is a government-services project).
    await mod.waitFor((v) => v.reviewStaff.minimum.ok === false);
    const opts = mod.view.reviewStaff.minimum.options;
    expect(opts.at(-1).action).toBe('terminate');
    expect(opts.find((o: any) => o.exception === 'government_services_two_suppliers')).toMatchObject({ action: 'continue_under_exception', declared: true });
    expect(mod.view.reviewStaff.minimum.reason.zh).toContain('2 家，少于 3 家');

    for (const id of ['S1', 'S4']) {
      await voteAll(r, id);
      await r.ok('A1', 'review:conclude', { supplierId: id });
    }
    const blocked = await r.act('A1', 'stage:advance', { to: 'consultation' });
    expect(blocked.error.message).toContain('请按例外情形继续');
    expect(await r.act('A1', 'review:continue_below_minimum', { exception: 'supervisor_approval', justification: '理由' })).toMatchObject({ ok: false, error: { field: 'exception' } });
    await r.ok('A1', 'review:continue_below_minimum', { exception: 'government_services_two_suppliers', justification: '政府购买服务项目，符合要求的供应商只有两家（003 Ch3 §2.7）' });
    expect(await advance(r)).toBe('consultation');
    await s1.waitFor((v) => v.review.result.review === 'pass');
    expectNothingOfOthers(s1, 'S1', ['响应有效期', '营业执照']);
    expectNothingOfOthers(s2, 'S2', []);
  });

  it('the review cannot be left while a supplier is not concluded, and votes are refused outside the review', async () => {
    srv = await startServer();
    room = await openRoom(srv, SHORT_SESSION);
    const r = room;
    const early = await r.act('M1', 'review:vote', { supplierId: 'S1', itemId: 'Q1', pass: true, reason: '' });
    expect(early).toMatchObject({ ok: false, error: { code: 'wrong_stage' } });
    expect(early.error.message).toContain('当前阶段为「签到」');
    await driveTo(r, 'review');
    await voteAll(r, 'S1');
    await r.ok('A1', 'review:conclude', { supplierId: 'S1' });
    const blocked = await r.act('A1', 'stage:advance', { to: 'consultation' });
    expect(blocked.error.message).toContain('还有 3 家供应商的资格与符合性审查尚未完成');
    expect(await r.act('A1', 'review:conclude', { supplierId: 'S1' })).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(await r.act('M1', 'review:vote', { supplierId: 'S2', itemId: 'X9', pass: true, reason: '' })).toMatchObject({ ok: false, error: { code: 'not_found', field: 'itemId' } });
  });

  it('「本家全部符合」 passes every item a member has not voted on, one logged vote per item, each still changeable; it is refused where a vote would be', async () => {
    const r = await atReview();
    const m2 = await r.client('M2');
    // M1 first fails Q4 with a reason; the batch keeps that vote and passes the other three.
    await r.ok('M1', 'review:vote', { supplierId: 'S2', itemId: 'Q4', pass: false, reason: '保证金回单金额不足两万元' });
    const before = (await srv!.store.read(r.sessionId)).length;
    const ack = await r.ok('M1', 'review:pass_all', { supplierId: 'S2' });
    expect(ack.data).toEqual({ passed: ['Q1', 'C2', 'C9'], kept: ['Q4'], clarifying: [] });
    const added = (await srv!.store.read(r.sessionId)).slice(before);
    expect(added.map((e) => [e.type, (e.payload as any).itemId, (e.payload as any).pass, e.actor?.personId])).toEqual([
      ['review:voted', 'Q1', true, 'M1'],
      ['review:voted', 'C2', true, 'M1'],
      ['review:voted', 'C9', true, 'M1'],
    ]);
    const v = await m2.waitFor((x) => x.review?.suppliers?.find((s: any) => s.id === 'S2')?.items.C9.pass === 1);
    const s2 = v.review.suppliers.find((s: any) => s.id === 'S2');
    expect(s2.items.Q4).toMatchObject({ pass: 0, fail: 1 });
    // Nothing left to pass: refused, nothing appended.
    const again = await r.act('M1', 'review:pass_all', { supplierId: 'S2' });
    expect(again).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(again.error.message).toContain('均已表决');
    // Every item stays changeable one by one.
    await r.ok('M1', 'review:vote', { supplierId: 'S2', itemId: 'C2', pass: false, reason: '响应有效期不足 90 日' });
    await m2.waitFor((x) => x.review.suppliers.find((s: any) => s.id === 'S2').items.C2.fail === 1);
    // The same guards as a single vote: an unknown supplier, a moderator, a concluded supplier.
    expect(await r.act('M1', 'review:pass_all', { supplierId: 'S9' })).toMatchObject({ ok: false, error: { code: 'not_found', field: 'supplierId' } });
    expect(await r.act('A1', 'review:pass_all', { supplierId: 'S1' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    for (const m of MEMBERS) await r.ok(m, 'review:pass_all', { supplierId: 'S1' });
    await r.ok('M1', 'review:conclude', { supplierId: 'S1' });
    expect(await r.act('M2', 'review:pass_all', { supplierId: 'S1' })).toMatchObject({ ok: false, error: { code: 'conflict' } });
  });

  it('a tie among an even panel must be voted again', async () => {
    srv = await startServer();
    room = await openRoom(srv, { ...SHORT_SESSION, members: SHORT_SESSION.members.slice(0, 4) });
    await driveTo(room, 'review');
    await voteAll(room, 'S1', { Q1: ['M1', 'M2'] }, undefined, MEMBERS.slice(0, 4));
    const tied = await room.act('A1', 'review:conclude', { supplierId: 'S1' });
    expect(tied.error.message).toContain('票数相同');
  });

  it('the final review (终审) reuses the mechanism with the final checklist', async () => {
    srv = await startServer();
    const checklists = { ...SHORT_CHECKLISTS, final: [{ id: 'F1', text_zh: '合同条款及技术部分实质性响应', clarificationAllowed: false }] };
    room = await openRoom(srv, { ...SHORT_SESSION, checklists });
    await driveTo(room, 'final_review');
    const mod = await room.client('A1');
    await mod.waitFor((v) => v.review?.phase === 'final_review');
    expect(mod.view.review.items.map((i: any) => i.id)).toEqual(['F1']);
    const active = mod.view.review.suppliers.filter((s: any) => s.status === 'active').map((s: any) => s.id);
    await voteAll(room, active[0], { F1: ['M1', 'M2', 'M3'] }, ['F1']);
    const ack = await room.ok('A1', 'review:conclude', { supplierId: active[0] });
    expect(ack.data.result).toBe('fail');
    const inv = (await srv.store.read(room.sessionId)).filter((e) => e.type === 'supplier:invalidated').pop()!;
    expect((inv.payload as any).reason.zh).toContain('终审「合同条款及技术部分实质性响应」未通过');
    expect(await stageOf(room)).toBe('final_review');
  });
});
