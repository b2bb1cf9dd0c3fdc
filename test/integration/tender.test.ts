import { describe, it, expect, afterEach } from 'vitest';
import { startServer, tokenOf, linkFor, type TestServer } from '../helpers/server';
import { openRoom, driveTo, stageOf, type Room } from '../helpers/room';
import { TENDER_SESSION as TENDER } from '../helpers/tender';
import { amountToWords } from '../../shared/rules/money/words';
import { evaluate } from '../../shared/rules/evaluate';
import { loadTemplate } from '../../shared/domain/rubric/templates';
import { evaluationFile } from '../../server/scoring/evaluation-file';

// A public tender's bid prices (docs/tender.md "Bid prices"; server/quotes/opening.ts): the agency
// enters each bidder's 开标一览表 as read at the opening, the bidder confirms it (or, absent, is deemed
// to accept it), nobody submits or replaces a price, the document's corrections follow with the
// bidder's confirmation, and the price scores under weight 30 come out of the corrected prices.

let srv: TestServer | null = null;
let room: Room | null = null;
afterEach(async () => {
  room?.closeAll();
  room = null;
  if (srv) await srv.close(true);
  srv = null;
});


async function synced(r: Room, id: string) {
  const c = await r.client(id);
  const seq = (await r.srv.store.read(r.sessionId)).length;
  await c.waitFor(() => c.seq >= seq);
  return c;
}

const record = (supplierId: string, amount: string, extra: Record<string, unknown> = {}) => ({
  supplierId,
  amount,
  amountInWords: amountToWords(amount),
  lines: [],
  ...extra,
});

describe('a tender’s opening record (开标一览表)', () => {
  it('entered by the agency, confirmed by each bidder or marked absent, corrected per the document, scored under weight 30', async () => {
    srv = await startServer();
    room = await openRoom(srv, TENDER);
    const [a, s1, s2, s3] = ['A1', 'S1', 'S2', 'S3'];

    // Not in the right stage: nothing is entered before the bid-price stage.
    await driveTo(room, 'review');
    const early = await room.act(a, 'quotes:opening_record', record(s1, '498000.00'));
    expect(early.ok).toBe(false);
    expect(early.error.code).toBe('wrong_stage');
    expect(early.error.message).toContain('当前不是投标报价阶段');

    await driveTo(room, 'final_quote');
    const mod = await synced(room, a);
    expect(mod.view.quotes.mode).toBe('opening');
    expect(mod.view.stage.next.blockedBy.zh).toContain('尚未录入开标一览表');

    // A bidder cannot submit (or replace) a price after the opening, and no window opens.
    const submit = await room.act(s1, 'quotes:submit', { sheet: { amount: '480000.00', amountInWords: amountToWords('480000.00'), lines: [] } });
    expect(submit.ok).toBe(false);
    expect(submit.error.code).toBe('conflict');
    expect(submit.error.message).toContain('开标后投标人不能提交或更换报价');
    expect(submit.error.message).toContain('招标文件第三章 3.5.2');
    expect(submit.error.messageEn ?? submit.error.en ?? JSON.stringify(submit.error)).toMatch(/cannot submit or replace a price/);
    const open = await room.act(a, 'quotes:open', { deadline: Date.now() + 60_000 });
    expect(open.ok).toBe(false);
    expect(open.error.message).toContain('开标一览表为准');

    // Wrong role: a bidder cannot enter a record, a member cannot mark a bidder absent.
    expect((await room.act(s1, 'quotes:opening_record', record(s1, '1.00'))).error.code).toBe('forbidden');
    expect((await room.act('M1', 'quotes:opening_absent', { supplierId: s1 })).error.code).toBe('forbidden');
    expect((await room.act(a, 'quotes:opening_confirm', { accept: true })).error.code).toBe('forbidden');

    // Bad input: an unreadable figure or words change nothing.
    const bad = await room.act(a, 'quotes:opening_record', { supplierId: s1, amount: '四十万', amountInWords: '肆拾玖万捌仟元整', lines: [] });
    expect(bad.ok).toBe(false);
    expect(bad.error.code).toBe('validation');
    const before = (await room.srv.store.read(room.sessionId)).length;

    // S1: the agency first types 489,000 in the 一览表; the bidder says it read 498,000.
    await room.ok(a, 'quotes:opening_record', record(s1, '489000.00'));
    const noConfirmYet = await room.act(s1, 'quotes:opening_confirm', { accept: false });
    expect(noConfirmYet.error.code).toBe('validation');
    await room.ok(s1, 'quotes:opening_confirm', { accept: false, reason: '唱标为肆拾玖万捌仟元整' });
    // Entered again after checking: the 一览表 reads 498,000; the bid document's body says 489,000.
    await room.ok(a, 'quotes:opening_record', record(s1, '498000.00', { bodyAmount: '489000.00' }));
    await room.ok(s1, 'quotes:opening_confirm', { accept: true });
    const again = await room.act(a, 'quotes:opening_record', record(s1, '400000.00'));
    expect(again.error.code).toBe('conflict');
    expect(again.error.message).toContain('已经投标人确认，不能再更改');
    expect((await room.srv.store.read(room.sessionId)).length).toBe(before + 4);

    // S2: 小写 and 大写 agree; its lines add up.
    await room.ok(a, 'quotes:opening_record', record(s2, '520000.00', { lines: [{ item: '分拣外包服务', unitPrice: '520000.00', quantity: '1', total: '520000.00' }] }));
    // S3: the figures say 56,000.00, the words 伍拾陆万元整: the words govern (corrected at closing).
    await room.ok(a, 'quotes:opening_record', { supplierId: s3, amount: '56000.00', amountInWords: amountToWords('560000.00'), lines: [] });

    // Each bidder sees only its own record.
    const lap2 = await synced(room, s2);
    expect(lap2.view.quotes.mine.opening.amountText).toBe('520,000.00');
    expect(lap2.view.quotes.opening).toBeUndefined();
    // Another bidder's amount in any form (not bare digits: a timestamp may hold them).
    for (const other of ['498000', '498,000', '肆拾玖万捌仟']) expect(JSON.stringify(lap2.view)).not.toContain(other);
    expect(JSON.stringify(lap2.view)).not.toContain('伍拾陆万');
    // The console sees every bidder's, read in public, with the answers.
    const m2 = await synced(room, a);
    expect(m2.view.quotes.opening.map((o: any) => [o.supplierId, o.amountText, o.answer])).toEqual([
      [s1, '498,000.00', 'confirmed'],
      [s2, '520,000.00', null],
      [s3, '56,000.00', null],
    ]);
    expect(m2.view.quotes.opening[0].bodyAmountText).toBe('489,000.00');

    // Closing before every bidder answered is refused with the names.
    const early2 = await room.act(a, 'quotes:close');
    expect(early2.error.code).toBe('conflict');
    expect(early2.error.message).toContain('甘肃乙人力资源有限公司');
    await room.ok(s2, 'quotes:opening_confirm', { accept: true });
    // S3's representative is absent: deemed to accept (未到场视为认可).
    await room.ok(a, 'quotes:opening_absent', { supplierId: s3 });
    expect((await room.act(s3, 'quotes:opening_confirm', { accept: true })).error.message).toContain('已确认');

    await room.ok(a, 'quotes:close');
    const m3 = await synced(room, a);
    // The corrections: S1's 一览表 governs its body, S3's words govern its figures; both await the bidder.
    expect(m3.view.quotes.pending.map((p: any) => p.supplierId)).toEqual([s1, s3]);
    const lap1 = await synced(room, s1);
    expect(lap1.view.quotes.mine.correction.steps[0].zh).toContain('以开标一览表为准');
    expect(lap1.view.quotes.mine.correction.corrected).toBe('498,000.00');
    const lap3 = await synced(room, s3);
    expect(lap3.view.quotes.mine.correction.steps[0].zh).toContain('以大写为准');
    expect(lap3.view.quotes.mine.correction.corrected).toBe('560,000.00');
    expect(m3.view.stage.next.blockedBy.zh).toContain('尚未确认修正后的报价');
    await room.ok(s1, 'quotes:correction_respond', { accept: true });
    await room.ok(s3, 'quotes:correction_respond', { accept: true });

    await driveTo(room, 'recheck');
    expect(await stageOf(room)).toBe('recheck');
    const st = room.srv.app.registry.get(room.sessionId)!.state;
    const out = evaluate(evaluationFile(st) as any, loadTemplate('seed004'));
    const score = Object.fromEntries(out.suppliers.map((x) => [x.id, [x.finalQuote, x.priceScore]]));
    expect(score).toEqual({ S1: ['498000.00', '30.00'], S2: ['520000.00', '28.73'], S3: ['560000.00', '26.68'] });
    // The room's own results show the same.
    const m4 = await synced(room, a);
    const rows = Object.fromEntries(m4.view.scoring.results.rows.map((r: any) => [r.id, r.priceScore?.score ?? r.priceScore]));
    expect(rows).toEqual({ S1: '30.00', S2: '28.73', S3: '26.68' });

    await driveTo(room, 'signing');
    // The 评标报告 speaks the tender's words, but what a person wrote or named stays as written: a bidder
    // whose name holds 「供应商」 keeps it (docs/tender.md "Report").
    const html = await (await fetch(`${room.srv.url}/api/sessions/${room.sessionId}/report.html`, { headers: { authorization: `Bearer ${tokenOf(linkFor(room.links, 'A1'))}` } })).text();
    expect(html).toContain('投标人');
    expect(html).toContain('兰州丙物资供应商服务有限公司');
    expect(html).not.toContain('兰州丙物资投标人服务有限公司');
  }, 60_000);

  it('the agency enters the announcement media and the place of the opening (tender only, bounded); the 评标报告 states them in its first section', async () => {
    srv = await startServer();
    // A consultation refuses them (they are a 评标报告's, docs/tender.md "Report" ①) and changes nothing.
    const cons = await openRoom(srv, { ...TENDER, rubric: 'seed003', openForSignin: false });
    const refused = await cons.act('A1', 'setup:project', { project: { announcementMedia: '中国政府采购网' } });
    expect(refused).toMatchObject({ ok: false, error: { code: 'validation', field: 'project.announcementMedia' } });
    expect(refused.error.message).toContain('只用于公开招标项目');
    expect(refused.error.messageEn).toContain('public tender');
    expect(srv.app.registry.get(cons.sessionId)!.state.project.announcementMedia).toBeUndefined();
    cons.closeAll();

    room = await openRoom(srv, { ...TENDER, openForSignin: false });
    const a = 'A1';
    const long = await room.act(a, 'setup:project', { project: { openingPlace: '开'.repeat(201) } });
    expect(long).toMatchObject({ ok: false, error: { code: 'validation' } });
    expect((await srv.store.read(room.sessionId)).some((e: any) => e.type === 'setup:project_changed')).toBe(false);
    const media = '中国政府采购网、甘肃省政府采购网';
    const place = '白银市公共资源交易中心第二开标室';
    await room.ok(a, 'setup:project', { project: { announcementMedia: ` ${media} `, openingPlace: place, scheduledAt: '2022-06-20 09:30' } });
    const mod = await synced(room, a);
    expect(mod.view.setup.project).toMatchObject({ announcementMedia: media, openingPlace: place });
    // Cleared with an empty value, set again.
    await room.ok(a, 'setup:project', { project: { openingPlace: '' } });
    expect((await synced(room, a)).view.setup.project.openingPlace).toBeNull();
    await room.ok(a, 'setup:project', { project: { openingPlace: place } });

    await driveTo(room, 'signing');
    const html = await (await fetch(`${srv.url}/api/sessions/${room.sessionId}/report.html`, { headers: { authorization: `Bearer ${tokenOf(linkFor(room.links, a))}` } })).text();
    const first = html.slice(html.indexOf('id="sec-project"'), html.indexOf('id="sec-opening"'));
    expect(first).toContain('招标公告刊登媒体');
    expect(first).toContain(media);
    expect(first).toContain("开标时间</th><td>2022-06-20 09:30");
    expect(first).toContain('开标地点');
    expect(first).toContain(place);
    expect(first).not.toContain('响应文件');
  }, 60_000);

  it('an absent bidder’s written confirmation of its corrected price is recorded by the agency (only for a bidder marked absent, only while its correction awaits), logged and reported', async () => {
    srv = await startServer();
    room = await openRoom(srv, TENDER);
    const [a, s1, s2, s3] = ['A1', 'S1', 'S2', 'S3'];
    await driveTo(room, 'final_quote');
    const written = { supplierId: s3, signer: '王五', signedAt: '2022-06-20 11:05', note: '投标人授权代表未到场，书面确认函经传真发回，原件存档' };
    await room.ok(a, 'quotes:opening_record', record(s1, '498000.00'));
    await room.ok(s1, 'quotes:opening_confirm', { accept: true });
    // S2: 小写 52,000.00, 大写 伍拾贰万元整 — a correction its representative confirms on the laptop.
    await room.ok(a, 'quotes:opening_record', { ...record(s2, '52000.00'), amountInWords: '伍拾贰万元整' });
    await room.ok(s2, 'quotes:opening_confirm', { accept: true });
    // S3: 小写 56,000.00, 大写 伍拾陆万元整; its representative is absent.
    await room.ok(a, 'quotes:opening_record', { ...record(s3, '56000.00'), amountInWords: '伍拾陆万元整' });
    await room.ok(a, 'quotes:opening_absent', { supplierId: s3 });

    // Before the record is closed there is no correction to confirm.
    const early = await room.act(a, 'quotes:correction_written', written);
    expect(early).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(early.error.message).toContain('没有待确认的报价修正');
    await room.ok(a, 'quotes:close', {});

    // Only the agency; only for a bidder marked absent (S2 was present and confirms on its laptop).
    expect((await room.act(s3, 'quotes:correction_written', written)).error.code).toBe('forbidden');
    expect((await room.act('M1', 'quotes:correction_written', written)).error.code).toBe('forbidden');
    const present = await room.act(a, 'quotes:correction_written', { ...written, supplierId: s2 });
    expect(present).toMatchObject({ ok: false, error: { code: 'conflict', field: 'supplierId' } });
    expect(present.error.message).toContain('只有开标时标记为未到场的投标人');
    expect(present.error.messageEn).toContain('marked absent');
    // Bad input: no signer, an overlong note.
    expect((await room.act(a, 'quotes:correction_written', { ...written, signer: '  ' })).error.code).toBe('validation');
    expect((await room.act(a, 'quotes:correction_written', { ...written, note: '注'.repeat(2001) })).error.code).toBe('validation');
    expect((await srv.store.read(room.sessionId)).some((e: any) => e.type === 'quotes:correction_confirmed_in_writing')).toBe(false);
    const mod = await synced(room, a);
    expect(mod.view.stage.next.blockedBy.zh).toContain('尚未确认修正后的报价');

    const ack = await room.ok(a, 'quotes:correction_written', written);
    expect(ack.data).toMatchObject({ response: 'confirmed', corrected: '560000.00' });
    const logged = (await srv.store.read(room.sessionId)).filter((e: any) => e.type === 'quotes:correction_confirmed_in_writing');
    expect(logged).toHaveLength(1);
    expect(logged[0].payload).toMatchObject({ supplierId: s3, signer: '王五', signedAt: '2022-06-20 11:05', note: written.note, recordedBy: a, corrected: '560000.00' });
    const st = srv.app.registry.get(room.sessionId)!.state;
    expect((st.quotes as any).results[s3]).toMatchObject({ response: 'confirmed', written: { signer: '王五', signedAt: '2022-06-20 11:05', recordedBy: a } });
    // Once recorded, not again; S1 needed no correction.
    const again = await room.act(a, 'quotes:correction_written', written);
    expect(again.error.message).toContain('已答复过修正结果');
    await room.ok(s2, 'quotes:correction_respond', { accept: true });
    expect((await synced(room, a)).view.stage.next.blockedBy ?? null).toBeNull();

    await driveTo(room, 'signing');
    const html = await (await fetch(`${srv.url}/api/sessions/${room.sessionId}/report.html`, { headers: { authorization: `Bearer ${tokenOf(linkFor(room.links, a))}` } })).text();
    expect(html).toMatch(/投标人书面确认：<span class="q">王五<\/span> 签字，<span class="q">2022-06-20 11:05<\/span>；<span class="q">投标人授权代表未到场，书面确认函经传真发回，原件存档<\/span>（代理机构于 .+ 录入）/);
  }, 60_000);
});
