import { describe, it, expect, afterEach } from 'vitest';
import { startServer, connect, tokenOf, linkFor, cid, type TestServer } from '../helpers/server';
import { openRoom, driveTo, stageOf, advance, type Room } from '../helpers/room';
import { NO_POLICY, plainSheet, openWindow, closeAfter, serverNow, settleAll, quoteSignature } from '../helpers/steps/quotes';
import { determinePolicy } from '../helpers/steps/policy';
import { amountToWords } from '../../shared/rules/money/words';
import { canonicalJson, sha256 } from '../../server/store/canonical';
import { quoteInputs } from '../../server/quotes/inputs';
import { evaluate } from '../../shared/rules/evaluate';
import { loadTemplate } from '../../shared/domain/rubric/templates';

// The final-quote window (docs/rules.md §2.11-2.15; 003 Ch3 §2.6-§5 L641-741), through a real server.

let srv: TestServer | null = null;
let room: Room | null = null;
afterEach(async () => {
  room?.closeAll();
  room = null;
  if (srv) await srv.close(true);
  srv = null;
});

/** A server whose clock the test moves forward (late quotes, explanation timers). */
async function clockedRoom() {
  let shift = 0;
  srv = await startServer({ clock: () => Date.now() + shift });
  room = await openRoom(srv);
  return { room, forward: (ms: number) => (shift += ms) };
}

const everyone = ['A1', 'P1', 'M1', 'M2', 'M3', 'M4', 'M5', 'S1', 'S2', 'S3', 'S4', 'O1'];

async function synced(r: Room, id: string) {
  const c = await r.client(id);
  const seq = (await r.srv.store.read(r.sessionId)).length;
  await c.waitFor(() => c.seq >= seq);
  return c;
}

async function events(r: Room, type: string) {
  return (await r.srv.store.read(r.sessionId)).filter((e) => e.type === type);
}

const sheet = (amount: string, words = amountToWords(amount), lines = [{ item: '研究服务', unitPrice: amount, quantity: '1', total: amount }]) => ({ amount, amountInWords: words, lines });

describe('sealed quotes', () => {
  it('no role but the submitting supplier receives any amount before closing, on any frame', async () => {
    srv = await startServer();
    room = await openRoom(srv);
    // Every device is connected from the start, so that every frame it is ever sent is scanned.
    for (const id of everyone) await room.client(id);
    await driveTo(room, 'final_quote');
    const deadline = await openWindow(room);
    // Unique canaries: the total, a line's unit price and its words, per supplier.
    const canary: Record<string, string[]> = {
      S1: ['1234567.89', '1,234,567.89', amountToWords('1234567.89'), '617283.945'],
      S2: ['1198765.43', '1,198,765.43', amountToWords('1198765.43')],
      S3: ['1287654.32', '1,287,654.32', amountToWords('1287654.32')],
      S4: ['1376543.21', '1,376,543.21', amountToWords('1376543.21')],
    };
    const s1 = await room.ok('S1', 'quotes:submit', { signature: quoteSignature('S1'), missingItemsIncluded: true,
      sheet: sheet('1234567.89', amountToWords('1234567.89'), [{ item: '研究服务', unitPrice: '617283.945', quantity: '2', total: '1234567.89' }]),
      policy: NO_POLICY,
    });
    // The supplier's own ack carries its own quote back, with the receipt.
    expect(s1.data.sheet.amount).toBe('1234567.89');
    expect(s1.data.receipt).toMatch(/^[0-9a-f]{64}$/);
    await room.ok('S2', 'quotes:submit', { signature: quoteSignature('S2'), missingItemsIncluded: true, sheet: sheet('1198765.43'), policy: NO_POLICY });
    await room.ok('S3', 'quotes:submit', { signature: quoteSignature('S3'), missingItemsIncluded: true, sheet: sheet('1287654.32'), policy: NO_POLICY });
    // A replacement: the first figure must not leak either.
    await room.ok('S4', 'quotes:submit', { signature: quoteSignature('S4'), missingItemsIncluded: true, sheet: sheet('1399999.99'), policy: NO_POLICY });
    await room.ok('S4', 'quotes:submit', { signature: quoteSignature('S4'), missingItemsIncluded: true, sheet: sheet('1376543.21'), policy: NO_POLICY });
    canary.S4.push('1399999.99', '1,399,999.99');

    const mod = await synced(room, 'A1');
    expect(mod.view.quotes.submitted.map((x: any) => [x.supplierId, x.submitted])).toEqual([
      ['S1', true], ['S2', true], ['S3', true], ['S4', true],
    ]);
    expect(mod.view.quotes.submitted.every((x: any) => x.receipt === null)).toBe(true);
    for (const id of everyone) await synced(room, id);

    const leaks: string[] = [];
    for (const id of everyone) {
      const frames = JSON.stringify((await room.client(id)).frames);
      for (const [owner, words] of Object.entries(canary)) {
        for (const w of words) {
          const mayHave = id === owner;
          if (!mayHave && frames.includes(w)) leaks.push(`${id} received ${owner}'s ${w}`);
        }
      }
      // Nor the receipts of others (a receipt is bound to the sealed content).
      for (const s of ['S1', 'S2', 'S3']) {
        const receipt = (await events(room, 'quotes:submitted')).find((e) => (e.payload as any).supplierId === s)!;
        if (id !== s && frames.includes((receipt.payload as any).receipt)) leaks.push(`${id} received ${s}'s receipt`);
      }
    }
    expect(leaks).toEqual([]);
    // The scan would have seen them: each supplier did receive its own figures.
    expect(JSON.stringify((await room.client('S1')).frames)).toContain('1234567.89');
    expect(JSON.stringify((await room.client('S4')).frames)).toContain('1376543.21');

    // After closing, the panel and the wall receive the reveal.
    await closeAfter(room, deadline);
    const wall = await synced(room, 'P1');
    await wall.waitFor((v) => !!v.quotes?.reveal);
    expect(JSON.stringify(wall.view.quotes.reveal)).toContain('1,234,567.89');
    // Other suppliers still never do.
    const s2 = await synced(room, 'S2');
    expect(JSON.stringify(s2.frames)).not.toContain('1,234,567.89');
    expect(s2.view.quotes.reveal).toBeUndefined();
  }, 30_000);

  it('the receipt is the sha256 of the sealed content, and the log keeps the sealed quote', async () => {
    srv = await startServer();
    room = await openRoom(srv);
    await driveTo(room, 'final_quote');
    await openWindow(room, 60_000);
    const ack = await room.ok('S2', 'quotes:submit', { signature: quoteSignature('S2'), missingItemsIncluded: true, sheet: sheet('1300000.00'), policy: NO_POLICY });
    const [e] = await events(room, 'quotes:submitted');
    const p = e.payload as any;
    expect(p.receipt).toBe(ack.data.receipt);
    expect(sha256(canonicalJson(p.sealed))).toBe(p.receipt);
    expect(p.sealed).toMatchObject({ supplierId: 'S2', version: 1, sessionId: room.sessionId, sheet: { amount: '1300000.00' } });
    expect(p.sealed.nonce).toMatch(/^[0-9a-f]{32}$/);
    // Any change of the content changes the hash.
    expect(sha256(canonicalJson({ ...p.sealed, sheet: { ...p.sealed.sheet, amount: '1300000.01' } }))).not.toBe(p.receipt);
    // The supplier's laptop shows the same receipt.
    const s2 = await synced(room, 'S2');
    expect(s2.view.quotes.mine.submission.receipt).toBe(p.receipt);
  });
});

describe('the window', () => {
  it('refuses a late quote and records it without the amount; no quote in time makes the response invalid', async () => {
    const { room: r, forward } = await clockedRoom();
    await driveTo(r, 'final_quote');
    const deadline = (await serverNow(r)) + 60_000;
    await r.ok('A1', 'quotes:open', { deadline });
    for (const s of ['S1', 'S3', 'S4']) await r.ok(s, 'quotes:submit', { signature: quoteSignature(s), missingItemsIncluded: true, sheet: sheet('1300000.00'), policy: NO_POLICY });
    // Closing before the deadline is refused: suppliers may still submit.
    const early = await r.act('A1', 'quotes:close');
    expect(early.error.code).toBe('conflict');
    forward(60_001);
    const late = await r.act('S2', 'quotes:submit', { signature: quoteSignature('S2'), missingItemsIncluded: true, id: 'late-quote-0001', sheet: sheet('1111111.11'), policy: NO_POLICY });
    expect(late.ok).toBe(false);
    expect(late.error.message).toMatch(/截止时间.*已过.*拒收/);
    expect(late.error.messageEn).toMatch(/refused/);
    // The retry of the same command is refused the same way, and recorded once.
    const again = await (await r.client('S2')).send('quotes:submit', { signature: quoteSignature('S2'), missingItemsIncluded: true, id: 'late-quote-0001', sheet: sheet('1111111.11'), policy: NO_POLICY });
    expect(again).toMatchObject({ ok: false, error: { code: 'conflict' } });
    const recs = await events(r, 'quotes:late_refused');
    expect(recs).toHaveLength(1);
    expect(recs[0].payload).toEqual({ supplierId: 'S2', deadline });
    expect(JSON.stringify(recs)).not.toContain('1111111');
    expect((await events(r, 'quotes:submitted')).map((e) => (e.payload as any).supplierId)).toEqual(['S1', 'S3', 'S4']);
    const mod = await synced(r, 'A1');
    expect(mod.view.quotes.late).toMatchObject([{ supplierId: 'S2' }]);
    // No extension after the deadline.
    expect((await r.act('A1', 'quotes:extend', { deadline: deadline + 600_000, reason: '延长' })).error.code).toBe('conflict');

    await r.ok('A1', 'quotes:close');
    const s2 = await synced(r, 'S2');
    expect(s2.view.suppliers.standing.S2).toMatchObject({ status: 'invalid', ground: 'late_quote' });
    expect(s2.view.suppliers.standing.S2.reason.zh).toMatch(/5\.3/);
  });

  it('the last quote before the deadline counts; an extension with a reason keeps the window open', async () => {
    const { room: r, forward } = await clockedRoom();
    await driveTo(r, 'final_quote');
    const deadline = (await serverNow(r)) + 60_000;
    await r.ok('A1', 'quotes:open', { deadline });
    const first = await r.ok('S1', 'quotes:submit', { signature: quoteSignature('S1'), missingItemsIncluded: true, sheet: sheet('1300000.00'), policy: NO_POLICY });
    const second = await r.ok('S1', 'quotes:submit', { signature: quoteSignature('S1'), missingItemsIncluded: true, sheet: sheet('1290000.00'), policy: NO_POLICY });
    expect(second.data.version).toBe(2);
    expect(second.data.receipt).not.toBe(first.data.receipt);
    for (const s of ['S2', 'S3', 'S4']) await r.ok(s, 'quotes:submit', { signature: quoteSignature(s), missingItemsIncluded: true, sheet: sheet('1350000.00'), policy: NO_POLICY });
    const noReason = await r.act('A1', 'quotes:extend', { deadline: deadline + 60_000, reason: '' });
    expect(noReason.error.code).toBe('validation');
    await r.ok('A1', 'quotes:extend', { deadline: deadline + 60_000, reason: '供应商网络故障，磋商小组决定延长' });
    forward(90_000);
    const third = await r.ok('S1', 'quotes:submit', { signature: quoteSignature('S1'), missingItemsIncluded: true, sheet: sheet('1280000.00') });
    expect(third.data.version).toBe(3);
    forward(40_000);
    await r.ok('A1', 'quotes:close');
    const mod = await synced(r, 'A1');
    const row = mod.view.quotes.reveal.rows.find((x: any) => x.supplierId === 'S1');
    expect(row.quote.amount).toBe('1,280,000.00');
    expect(row.quote.receipt).toBe(third.data.receipt);
    expect(mod.view.quotes.window.extensions).toMatchObject([{ reason: '供应商网络故障，磋商小组决定延长' }]);
    // The evaluation input carries the last sheet and the statuses determined in review (none here).
    const inputs = quoteInputs(r.srv.app.registry.get(r.sessionId)!.state);
    expect(inputs.find((x) => x.supplierId === 'S1')).toMatchObject({ finalQuote: '1280000.00', quoteSheet: { amount: '1280000.00' }, policy: { enterprise: null, smeDeclaration: false } });
  });

  it('refuses bad figures and an unsigned quote with the field named, before the window opens and from a non-supplier', async () => {
    srv = await startServer();
    room = await openRoom(srv);
    await driveTo(room, 'final_quote');
    const notOpen = await room.act('S1', 'quotes:submit', { signature: quoteSignature('S1'), missingItemsIncluded: true, sheet: sheet('1300000.00'), policy: NO_POLICY });
    expect(notOpen.error.code).toBe('wrong_stage');
    expect((await room.act('M1', 'quotes:submit', { signature: quoteSignature('M1'), missingItemsIncluded: true, sheet: sheet('1300000.00'), policy: NO_POLICY })).error.code).toBe('forbidden');
    expect((await room.act('M1', 'quotes:open', { deadline: Date.now() + 60_000 })).error.code).toBe('forbidden');
    expect((await room.act('A1', 'quotes:open', { deadline: Date.now() - 1 })).error.field).toBe('deadline');
    await openWindow(room, 60_000);
    const bad = await room.act('S1', 'quotes:submit', { signature: quoteSignature('S1'), missingItemsIncluded: true, sheet: { amount: '1,300,000.005', amountInWords: '壹佰叁拾万元整', lines: [] }, policy: NO_POLICY });
    expect(bad.error).toMatchObject({ code: 'validation', field: 'sheet.amount' });
    expect(bad.error.message).toMatch(/两位小数/);
    const words = await room.act('S1', 'quotes:submit', { signature: quoteSignature('S1'), missingItemsIncluded: true, sheet: sheet('1300000.00', '一百三十万块'), policy: NO_POLICY });
    expect(words.error.field).toBe('sheet.amountInWords');
    const share = await room.act('S1', 'quotes:submit', { signature: quoteSignature('S1'), missingItemsIncluded: true, sheet: sheet('1300000.00'), policy: { ...NO_POLICY, smallMicroShare: '1.5' } });
    expect(share.error.field).toBe('policy.smallMicroShare');
    const zero = await room.act('S1', 'quotes:submit', { signature: quoteSignature('S1'), missingItemsIncluded: true, sheet: sheet('0.00'), policy: NO_POLICY });
    expect(zero.error.field).toBe('sheet.amount');
    // Issue 13 item 4: the consultation's final quote carries the authorised representative's signature;
    // without it (or with an unsigned pad) the quote is refused bilingually and nothing is recorded.
    const unsigned = await room.act('S1', 'quotes:submit', { missingItemsIncluded: true, sheet: sheet('1300000.00'), policy: NO_POLICY });
    expect(unsigned.error).toMatchObject({ code: 'validation', field: 'signature' });
    expect(unsigned.error.message).toContain('最后报价须由授权代表签字');
    expect(unsigned.error.messageEn).toContain('must be signed by the authorised representative');
    const blank = await room.act('S1', 'quotes:submit', { signature: { name: '王代表', path: 'M10 10' }, missingItemsIncluded: true, sheet: sheet('1300000.00'), policy: NO_POLICY });
    expect(blank.error).toMatchObject({ code: 'validation', field: 'signature.path' });
    const nameless = await room.act('S1', 'quotes:submit', { signature: { name: ' ', path: quoteSignature('S1').path }, missingItemsIncluded: true, sheet: sheet('1300000.00'), policy: NO_POLICY });
    expect(nameless.error).toMatchObject({ code: 'validation', field: 'signature.name' });
    expect(await events(room, 'quotes:submitted')).toHaveLength(0);
    const signed = await room.ok('S1', 'quotes:submit', { signature: quoteSignature('S1'), missingItemsIncluded: true, sheet: sheet('1300000.00'), policy: NO_POLICY });
    expect(signed.data.version).toBe(1);
    const [e] = await events(room, 'quotes:submitted');
    expect((e.payload as any).signature).toEqual(quoteSignature('S1'));
  });
});

describe('closing: correction, budget, review', () => {
  it('a refused correction makes the response invalid; a confirmed one binds; over budget is invalid; the stage waits for answers', async () => {
    const { room: r, forward } = await clockedRoom();
    await driveTo(r, 'final_quote');
    await r.ok('A1', 'quotes:open', { deadline: (await serverNow(r)) + 60_000 });
    // S1: words 壹佰贰拾叁万元整 (1,230,000) against figures 1,234,000.00: the words govern.
    const s1 = await r.ok('S1', 'quotes:submit', { signature: quoteSignature('S1'), missingItemsIncluded: true, sheet: sheet('1234000.00', '壹佰贰拾叁万元整', []), policy: NO_POLICY, acknowledgedMismatch: true });
    expect(s1.data.wordsDiffer).toBe(true);
    // S2: a line total that does not match unit × quantity: the unit price governs.
    await r.ok('S2', 'quotes:submit', { signature: quoteSignature('S2'), missingItemsIncluded: true,
      sheet: { amount: '1300000.00', amountInWords: '壹佰叁拾万元整', lines: [{ item: '调研', unitPrice: '650000.00', quantity: '2', total: '1310000.00' }] },
      policy: NO_POLICY,
    });
    // S3: one fen over the maximum price 1,511,936.00; S4 exactly at it.
    await r.ok('S3', 'quotes:submit', { signature: quoteSignature('S3'), missingItemsIncluded: true, sheet: sheet('1511936.01'), policy: NO_POLICY });
    await r.ok('S4', 'quotes:submit', { signature: quoteSignature('S4'), missingItemsIncluded: true, sheet: sheet('1511936.00'), policy: NO_POLICY });
    forward(61_000);
    await r.ok('A1', 'quotes:close');

    const mod = await synced(r, 'A1');
    expect(mod.view.suppliers.standing.S3).toMatchObject({ status: 'invalid', ground: 'over_budget' });
    expect(mod.view.suppliers.standing.S4.status).toBe('active');
    expect(mod.view.quotes.pending.map((p: any) => p.supplierId)).toEqual(['S1', 'S2']);
    expect(mod.view.stage.next.blockedBy.zh).toMatch(/尚未确认修正后的报价/);

    // The supplier sees each step before answering.
    const lap1 = await synced(r, 'S1');
    expect(lap1.view.quotes.mine.correction.steps[0].zh).toMatch(/大写金额壹佰贰拾叁万元整与小写金额1,234,000.00元不一致，以大写为准/);
    expect(lap1.view.quotes.mine.correction.corrected).toBe('1,230,000.00');
    await r.ok('S1', 'quotes:correction_respond', { accept: false, reason: '我方不同意' });
    const lap2 = await synced(r, 'S2');
    expect(lap2.view.quotes.mine.correction.steps.map((x: any) => x.zh).join('\n')).toMatch(/以单价计算结果为准[\s\S]*总价修正为1,300,000.00元/);
    await r.ok('S2', 'quotes:correction_respond', { accept: true });
    // A second answer is refused.
    expect((await r.act('S2', 'quotes:correction_respond', { accept: false })).error.code).toBe('conflict');

    const after = await synced(r, 'A1');
    expect(after.view.suppliers.standing.S1).toMatchObject({ status: 'invalid', ground: 'correction_refused' });
    expect(after.view.quotes.pricesSettled).toBe(true);
    const rows = Object.fromEntries(after.view.quotes.reveal.rows.map((x: any) => [x.supplierId, x]));
    expect(rows.S2.correction).toMatchObject({ corrected: '1,300,000.00', response: 'confirmed' });
    expect(rows.S3.reason.zh).toMatch(/超过最高限价 1,511,936.00 元/);
    // Price scores over the responsive suppliers S2 and S4.
    expect(after.view.quotes.final).toBe(true);
    expect(rows.S2.priceScore.score).toBe('10.00');
    expect(rows.S4.priceScore.explanation.zh).toBe('价格分 = 评审基准价 1,300,000.00 ÷ 评审价 1,511,936.00 × 10 = 8.60');
    expect(rows.S1.priceScore).toBeNull();
    // The minimum of 3 final quotes is not met (government services: 2 may continue).
    const ev = await events(r, 'supplier:invalidated');
    expect(ev.map((e) => [(e.payload as any).supplierId, (e.payload as any).ground])).toEqual([
      ['S3', 'over_budget'],
      ['S1', 'correction_refused'],
    ]);
    const inputs = quoteInputs(r.srv.app.registry.get(r.sessionId)!.state);
    expect(inputs.map((x) => x.finalQuote)).toEqual([null, '1300000.00', '1511936.01', '1511936.00']);
  });

  it('opens the abnormal-low review with seed 003 numbers (680,371.20), and decides it by the panel’s vote', async () => {
    const { room: r, forward } = await clockedRoom();
    await driveTo(r, 'final_quote');
    await r.ok('A1', 'quotes:open', { deadline: (await serverNow(r)) + 60_000 });
    // 45 % × 1,511,936.00 = 680,371.20 (003 Ch3 §4.1.3 L715): one fen below triggers; at it, not.
    await r.ok('S1', 'quotes:submit', { signature: quoteSignature('S1'), missingItemsIncluded: true, sheet: sheet('680371.19'), policy: NO_POLICY });
    await r.ok('S2', 'quotes:submit', { signature: quoteSignature('S2'), missingItemsIncluded: true, sheet: sheet('680371.20'), policy: NO_POLICY });
    await r.ok('S3', 'quotes:submit', { signature: quoteSignature('S3'), missingItemsIncluded: true, sheet: sheet('1300000.00'), policy: NO_POLICY });
    await r.ok('S4', 'quotes:submit', { signature: quoteSignature('S4'), missingItemsIncluded: true, sheet: sheet('1350000.00'), policy: NO_POLICY });
    forward(61_000);
    await r.ok('A1', 'quotes:close');

    const [settled] = await events(r, 'quotes:prices_settled');
    expect((settled.payload as any).hits.S1).toEqual([
      { trigger: '4.1.3', of: 'max_price', ratio: '0.45', reference: '1511936', threshold: '680371.2', quote: '680371.19' },
    ]);
    expect((settled.payload as any).hits.S2).toEqual([]);
    const m1 = await synced(r, 'M1');
    const [rev] = m1.view.quotes.reviews;
    expect(rev).toMatchObject({ supplierId: 'S1', byTriggers: true, minutes: 30, minimumMinutes: 30 });
    expect(rev.reason.zh).toMatch(/低于最高限价 1,511,936.00 的 45%（680,371.20）/);
    expect(m1.view.stage).toBeDefined();
    const mod = await synced(r, 'A1');
    expect(mod.view.stage.next.blockedBy.zh).toMatch(/异常低价审查尚未作出结论/);
    // Price scores wait for the review.
    expect(mod.view.quotes.final).toBe(false);
    expect(mod.view.quotes.reveal.rows.every((x: any) => x.priceScore === null)).toBe(true);

    // The supplier sees its timer and the condition, never the others' figures.
    const lap = await synced(r, 'S1');
    expect(lap.view.quotes.mine.review.endsAt - lap.view.quotes.mine.review.openedAt).toBe(30 * 60_000);
    expect(lap.view.quotes.mine.review.reasons[0].zh).toMatch(/最高限价/);
    const seen = JSON.stringify(lap.frames);
    for (const other of ['1,300,000', '1300000', '1,350,000', '1350000', amountToWords('680371.20'), amountToWords('1300000.00')]) expect(seen).not.toContain(other);

    // Shortening the time needs a recorded reason.
    const short = await r.act('A1', 'quotes:review_timer', { supplierId: 'S1', minutes: 20 });
    expect(short.error).toMatchObject({ code: 'validation', field: 'reason' });
    await r.ok('A1', 'quotes:review_timer', { supplierId: 'S1', minutes: 20, reason: '供应商表示说明材料已备齐' });
    // The panel reads the answer before voting.
    expect((await r.act('M1', 'quotes:review_vote', { supplierId: 'S1', verdict: 'invalid', reason: '未见说明' })).error.code).toBe('conflict');
    await r.ok('S1', 'quotes:explain', { text: '我方人工成本按每人每月8000元测算，共6人10个月，合计48万元，另设备与差旅20万元。' });
    const votes: [string, 'accept' | 'invalid'][] = [['M1', 'invalid'], ['M2', 'invalid'], ['M3', 'accept'], ['M4', 'invalid'], ['M5', 'accept']];
    for (const [m, verdict] of votes.slice(0, 4)) await r.ok(m, 'quotes:review_vote', { supplierId: 'S1', verdict, reason: verdict === 'invalid' ? '测算未覆盖全部成本' : '测算合理' });
    // Before the decision a member sees only its own vote.
    const m3 = await synced(r, 'M3');
    const v3 = m3.view.quotes.reviews[0].votes;
    expect(v3.find((v: any) => v.memberId === 'M3').verdict).toBe('accept');
    expect(v3.find((v: any) => v.memberId === 'M1')).toMatchObject({ voted: true, verdict: null, reason: null });
    await r.ok('M5', 'quotes:review_vote', { supplierId: 'S1', verdict: 'accept', reason: '测算合理' });

    const after = await synced(r, 'A1');
    expect(after.view.quotes.reviews[0].decision).toMatchObject({ outcome: 'invalid', accept: 2, invalid: 3 });
    expect(after.view.suppliers.standing.S1).toMatchObject({ status: 'invalid', ground: 'abnormal_low' });
    expect(after.view.quotes.reviews[0].votes.find((v: any) => v.memberId === 'M1').reason).toBe('测算未覆盖全部成本');
    expect((await r.act('M1', 'quotes:review_vote', { supplierId: 'S1', verdict: 'accept', reason: '改变主意' })).error.code).toBe('conflict');

    // The panel opens a review on its own judgement (4.1.4) for S2; without an answer in time it decides anyway.
    const open = await r.ok('M2', 'quotes:review_open', { supplierId: 'S2', reason: '报价接近异常低价界限' });
    expect(open.ok).toBe(true);
    expect((await r.act('S2', 'quotes:review_open', { supplierId: 'S2', reason: 'x' })).error.code).toBe('forbidden');
    forward(30 * 60_000);
    expect((await r.act('S2', 'quotes:explain', { text: '迟到的说明，迟到的说明。' })).error.code).toBe('conflict');
    for (const m of ['M1', 'M2', 'M3', 'M4', 'M5']) await r.ok(m, 'quotes:review_vote', { supplierId: 'S2', verdict: 'accept', reason: '报价未低于任何触发条件，价格可信' });
    const done = await synced(r, 'A1');
    expect(done.view.quotes.reviews.find((x: any) => x.supplierId === 'S2').decision.outcome).toBe('accepted');
    expect(done.view.quotes.final).toBe(true);
    const rows = Object.fromEntries(done.view.quotes.reveal.rows.map((x: any) => [x.supplierId, x]));
    expect(rows.S2.priceScore.score).toBe('10.00');
    expect(rows.S1.priceScore).toBeNull();
    // S2, S3, S4 remain: three final quotes, the stage can be left.
    expect(done.view.stage.next.blockedBy).toBeNull();
    await advance(r);
    expect(await stageOf(r)).toBe('scoring');
  }, 30_000);

  it('4.1.3 alone: the panel may record that the explanation in the response stands, and vote without waiting (003 Ch3 §4.2 L719)', async () => {
    const { room: r, forward } = await clockedRoom();
    await driveTo(r, 'final_quote');
    await r.ok('A1', 'quotes:open', { deadline: (await serverNow(r)) + 60_000 });
    await r.ok('S1', 'quotes:submit', { signature: quoteSignature('S1'), missingItemsIncluded: true, sheet: sheet('680371.19'), policy: NO_POLICY });
    await r.ok('S2', 'quotes:submit', { signature: quoteSignature('S2'), missingItemsIncluded: true, sheet: sheet('1200000.00'), policy: NO_POLICY });
    await r.ok('S3', 'quotes:submit', { signature: quoteSignature('S3'), missingItemsIncluded: true, sheet: sheet('1300000.00'), policy: NO_POLICY });
    await r.ok('S4', 'quotes:submit', { signature: quoteSignature('S4'), missingItemsIncluded: true, sheet: sheet('1350000.00'), policy: NO_POLICY });
    forward(61_000);
    await r.ok('A1', 'quotes:close');
    // Before the record, the panel waits for the on-site explanation.
    expect((await r.act('M1', 'quotes:review_vote', { supplierId: 'S1', verdict: 'accept', reason: '响应文件已附说明' })).error.code).toBe('conflict');
    expect((await r.act('S1', 'quotes:review_exempt', { supplierId: 'S1', reason: '我方已在响应文件中说明' })).error.code).toBe('forbidden');
    expect((await r.act('M1', 'quotes:review_exempt', { supplierId: 'S1', reason: '' })).error.code).toBe('validation');
    // Any other trigger (here the panel's own judgement, 4.1.4) needs the on-site explanation (docs/rules.md §5 decision 3).
    await r.ok('M2', 'quotes:review_open', { supplierId: 'S2', reason: '报价明显偏低' });
    const refused = await r.act('M1', 'quotes:review_exempt', { supplierId: 'S2', reason: '响应文件第 45 页已附成本测算' });
    expect(refused.error.code).toBe('conflict');
    expect(refused.error.message).toContain('4.1.3');

    await r.ok('M1', 'quotes:review_exempt', { supplierId: 'S1', reason: '响应文件第 45 页已附成本测算说明' });
    const log = (await r.srv.store.read(r.sessionId)).filter((e) => e.type === 'quotes:review_exempted');
    expect(log.map((e) => e.payload)).toEqual([{ supplierId: 'S1', reason: '响应文件第 45 页已附成本测算说明', by: 'M1' }]);
    expect((await r.act('M2', 'quotes:review_exempt', { supplierId: 'S1', reason: '再次记录' })).error.code).toBe('conflict');
    expect((await r.act('S1', 'quotes:explain', { text: '我方人工成本按每人每月8000元测算，合计48万元。' })).error.code).toBe('conflict');
    const lap = await synced(r, 'S1');
    expect(lap.view.quotes.mine.review.exemption.reason).toContain('第 45 页');
    // The panel votes at once, without waiting for the 30 minutes.
    for (const m of ['M1', 'M2', 'M3', 'M4', 'M5']) await r.ok(m, 'quotes:review_vote', { supplierId: 'S1', verdict: 'accept', reason: '响应文件中的测算合理' });
    const mod = await synced(r, 'A1');
    const rev = mod.view.quotes.reviews.find((x: any) => x.supplierId === 'S1');
    expect(rev.decision.outcome).toBe('accepted');
    expect(rev.exemption).toMatchObject({ reason: '响应文件第 45 页已附成本测算说明' });
  }, 30_000);

  it('the reveal agrees with the evaluation engine on the room’s own inputs (deductions, price scores)', async () => {
    srv = await startServer();
    room = await openRoom(srv);
    // The statuses come from the compliance review (issue 14): S1 small, accepted; S3 small, not
    // accepted; S4 a prison enterprise, accepted.
    await driveTo(room, 'review');
    await determinePolicy(room, 'S1', { kind: 'small_micro', enterprise: 'small' }, true);
    await determinePolicy(room, 'S3', { kind: 'small_micro', enterprise: 'small' }, false, '未提供《中小企业声明函》原件');
    await determinePolicy(room, 'S4', { kind: 'prison', document: '省监狱管理局出具的监狱企业证明文件' }, true);
    await driveTo(room, 'final_quote');
    const deadline = await openWindow(room);
    await room.ok('S1', 'quotes:submit', { signature: quoteSignature('S1'), missingItemsIncluded: true, sheet: sheet('1200000.00') });
    await room.ok('S2', 'quotes:submit', { signature: quoteSignature('S2'), missingItemsIncluded: true, sheet: sheet('1100000.00'), policy: NO_POLICY });
    await room.ok('S3', 'quotes:submit', { signature: quoteSignature('S3'), missingItemsIncluded: true, sheet: sheet('1250000.00') });
    await room.ok('S4', 'quotes:submit', { signature: quoteSignature('S4'), missingItemsIncluded: true, sheet: sheet('1333333.33'), policy: { ...NO_POLICY, prisonEnterprise: true } });
    await closeAfter(room, deadline);
    await settleAll(room);
    const wall = await synced(room, 'P1');
    const rows = Object.fromEntries(wall.view.quotes.reveal.rows.map((x: any) => [x.supplierId, x]));
    expect(rows.S1.deduction.evaluatedPrice).toBe('1,080,000.00');
    expect(rows.S1.deduction.lines[0].zh).toMatch(/小微企业价格扣除10%：1,200,000.00 × 10% = 120,000.00 元（依据磋商文件第三章 3.3.1）/);
    expect(rows.S3.deduction.lines[0].zh).toMatch(/声明的小微企业身份.*未经评审小组认定.*未提供《中小企业声明函》原件，不予价格扣除/);
    expect(rows.S3.deduction.evaluatedPrice).toBe('1,250,000.00');
    // The wall receives no review detail and no member's anything.
    expect(wall.view.quotes.reviews).toBeUndefined();
    const st = room.srv.app.registry.get(room.sessionId)!.state;
    const out = evaluate(
      {
        settings: st.settings,
        members: [],
        suppliers: quoteInputs(st).map((x) => ({ id: x.supplierId, status: 'responsive', invalidReason: null, finalQuote: x.finalQuote, quoteSheet: x.quoteSheet, policy: x.policy })),
        scores: null,
      },
      loadTemplate('seed003'),
    );
    for (const o of out.suppliers) {
      expect(rows[o.id].priceScore.score).toBe(o.priceScore);
      expect(rows[o.id].deduction.evaluatedPrice.replace(/,/g, '')).toBe(o.evaluatedPrice);
    }
  }, 30_000);
});

describe('durability', () => {
  it('a pending correction and the sealed quotes survive a restart (replay of the log)', async () => {
    let shift = 0;
    const clock = () => Date.now() + shift;
    srv = await startServer({ clock });
    room = await openRoom(srv);
    await driveTo(room, 'final_quote');
    await room.ok('A1', 'quotes:open', { deadline: (await serverNow(room)) + 60_000 });
    const s1 = await room.ok('S1', 'quotes:submit', { signature: quoteSignature('S1'), missingItemsIncluded: true, sheet: sheet('1234000.00', '壹佰贰拾叁万元整', []), policy: NO_POLICY, acknowledgedMismatch: true });
    for (const s of ['S2', 'S3', 'S4']) await room.ok(s, 'quotes:submit', { signature: quoteSignature(s), missingItemsIncluded: true, sheet: sheet('1300000.00'), policy: NO_POLICY });
    shift += 61_000;
    await room.ok('A1', 'quotes:close');
    const links = room.links;
    room.closeAll();
    room = null;
    const dataDir = srv.dataDir;
    await srv.close();
    srv = await startServer({ dataDir, clock });
    const lap = await connect(srv.url, tokenOf(linkFor(links, 'S1')));
    try {
      expect(lap.view.quotes.mine.submission.receipt).toBe(s1.data.receipt);
      expect(lap.view.quotes.mine.correction).toMatchObject({ corrected: '1,230,000.00', response: null });
      const ack = await lap.send('quotes:correction_respond', { id: cid(), accept: true });
      expect(ack.ok).toBe(true);
      await lap.waitFor((v) => v.quotes.mine.correction.response === 'confirmed');
      const st = srv.app.registry.get((await srv.store.listSessionIds())[0])!.state;
      expect(quoteInputs(st).find((x) => x.supplierId === 'S1')!.finalQuote).toBe('1230000.00');
    } finally {
      lap.close();
    }
  }, 30_000);
});

describe('driving through the stage', () => {
  it('the step helper lets other concerns’ tests reach scoring; the stage refuses to be left before the window closes', async () => {
    srv = await startServer();
    room = await openRoom(srv);
    await driveTo(room, 'final_quote');
    const mod = await synced(room, 'A1');
    expect(mod.view.stage.next.blockedBy.zh).toMatch(/最后报价窗口尚未开启/);
    const refused = await room.act('A1', 'stage:advance', { to: 'scoring' });
    expect(refused.error.code).toBe('wrong_stage');
    await driveTo(room, 'scoring');
    expect(await stageOf(room)).toBe('scoring');
    expect(quoteInputs(room.srv.app.registry.get(room.sessionId)!.state).every((x) => x.finalQuote !== null)).toBe(true);
  }, 30_000);

  it('labels the stage 投标报价 in a public tender', async () => {
    srv = await startServer();
    room = await openRoom(srv, { rubric: 'seed004', moderator: { name: '主持' }, members: [{ name: '甲', role: 'expert', leader: true }, { name: '乙', role: 'expert' }, { name: '丙', role: 'expert' }, { name: '丁', role: 'expert' }, { name: '戊', role: 'purchaser_rep' }], suppliers: [{ name: 'a', org: '甲公司' }, { name: 'b', org: '乙公司' }, { name: 'c', org: '丙公司' }] });
    await driveTo(room, 'final_quote');
    const lap = await synced(room, 'S1');
    expect(lap.view.quotes.label.zh).toBe('投标报价');
    expect(lap.view.quotes.mine.blockedBy.zh).toBe('投标报价尚未开始');
  }, 30_000);
});
