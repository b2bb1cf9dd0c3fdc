import { describe, it, expect } from 'vitest';
import { createHash } from 'node:crypto';
import { startServer, tokenOf, linkFor, cid, type TestServer } from '../helpers/server';
import { openRoom, driveTo, type Room } from '../helpers/room';
import { expectNothingOfOthers, framesText } from './signin-helpers';
import { SHORT_SESSION, voteAll } from './review-helpers';
import { closeAfterEach } from '../helpers/per-test';

let srv: TestServer | null = null;
let room: Room | null = null;
closeAfterEach(() => [room, srv]);

let now = Date.now();
async function atReview(): Promise<Room> {
  now = Date.now();
  srv = await startServer({ clock: () => now });
  room = await openRoom(srv, SHORT_SESSION);
  await driveTo(room, 'review');
  return room;
}

/** An answer with a file comes over HTTP (the socket keeps its 1 MB cap), as the same command. */
async function answerOverHttp(r: Room, personId: string, payload: Record<string, unknown>): Promise<any> {
  const res = await fetch(`${srv!.url}/api/sessions/${r.sessionId}/clarify-answer`, {
    method: 'POST',
    headers: { 'content-type': 'application/vnd.panelroom.command+json', authorization: `Bearer ${tokenOf(linkFor(r.links, personId))}` },
    body: JSON.stringify({ id: cid(), ...payload }),
  });
  return res.json();
}

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('fake png body for the test')]);
const QUESTION = '请说明技术参数表第 3 行与第 12 行采样频率不一致的原因';
const ANSWER = '第 12 行为笔误，应以第 3 行每 5 分钟一次为准';

describe('clarifications (澄清)', () => {
  it('a member drafts, the panel sees the draft, the moderator sends; only the addressed supplier receives it; its signed answer reaches every member at once', async () => {
    const r = await atReview();
    const laptops = Object.fromEntries(await Promise.all(['S1', 'S2', 'S3', 'S4'].map(async (id) => [id, await r.client(id)] as const)));
    const tablets = await Promise.all(['M1', 'M2', 'M3', 'M4', 'M5'].map((id) => r.client(id)));
    // Only clarifiable items may be sent as a clarification.
    const nope = await r.act('M3', 'clarify:draft', { supplierId: 'S2', question: QUESTION, minutes: 20, itemId: 'C2' });
    expect(nope).toMatchObject({ ok: false, error: { code: 'conflict', field: 'itemId' } });
    const d = await r.ok('M3', 'clarify:draft', { supplierId: 'S2', question: QUESTION, minutes: 20, itemId: 'C9' });
    const qid = d.data.clarificationId;
    const m1 = tablets[0];
    await m1.waitFor((v) => v.clarify?.items?.some((c: any) => c.id === qid && c.status === 'draft'));
    expect(m1.view.clarify.items[0]).toMatchObject({ supplierId: 'S2', question: QUESTION, authorLabel: '专家 3', itemId: 'C9' });
    // The item waits for the clarification, and the supplier's review cannot be concluded meanwhile.
    await m1.waitFor((v) => v.review.suppliers.find((s: any) => s.id === 'S2').items.C9.result === 'clarifying');
    await voteAll(r, 'S2');
    expect((await r.act('A1', 'review:conclude', { supplierId: 'S2' })).error.message).toContain('澄清尚未完成');
    // A draft reaches no supplier.
    expect(framesText(laptops.S2)).not.toContain(QUESTION);
    expect(await r.act('M3', 'clarify:send', { clarificationId: qid })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const sent = await r.ok('A1', 'clarify:send', { clarificationId: qid });
    expect(sent.data.deadline).toBe(now + 20 * 60_000);
    await laptops.S2.waitFor((v) => v.clarify?.items?.[0]?.question === QUESTION);
    expect(laptops.S2.view.clarify.items[0]).not.toHaveProperty('author');

    // Another supplier cannot answer it, and is told nothing about it.
    const foreign = await r.act('S1', 'clarify:answer', { clarificationId: qid, text: '我来答', signer: '代表S1', confirmStatement: true });
    expect(foreign).toMatchObject({ ok: false, error: { code: 'not_found' } });
    // Unsigned, or with a file that is not what it says, is refused.
    expect(await r.act('S2', 'clarify:answer', { clarificationId: qid, text: ANSWER, signer: '代表S2', confirmStatement: false })).toMatchObject({ ok: false, error: { code: 'validation' } });
    const fake = await answerOverHttp(r, 'S2', { clarificationId: qid, text: ANSWER, signer: '代表S2', confirmStatement: true, attachment: { name: 'a.pdf', mime: 'application/pdf', dataBase64: PNG.toString('base64') } });
    expect(fake).toMatchObject({ ok: false, error: { code: 'validation', field: 'attachment' } });
    const big = Buffer.alloc(2 * 1024 * 1024 + 1, 0xff);
    const tooBig = await answerOverHttp(r, 'S2', { clarificationId: qid, text: ANSWER, signer: '代表S2', confirmStatement: true, attachment: { name: 'b.jpg', mime: 'image/jpeg', dataBase64: big.toString('base64') } });
    expect(tooBig).toMatchObject({ ok: false, error: { code: 'validation' } });

    const seqBefore = (await srv!.store.read(r.sessionId)).length;
    // Over HTTP the command is authenticated by the token like on the socket: another supplier is refused.
    const stranger = await answerOverHttp(r, 'S1', { clarificationId: qid, text: ANSWER, signer: '代表S1', confirmStatement: true, attachment: { name: 'x.png', mime: 'image/png', dataBase64: PNG.toString('base64') } });
    expect(stranger).toMatchObject({ ok: false, error: { code: 'not_found' } });
    const ans = await answerOverHttp(r, 'S2', { clarificationId: qid, text: ANSWER, signer: '代表S2', confirmStatement: true, attachment: { name: '说明.png', mime: 'image/png', dataBase64: PNG.toString('base64') } });
    expect(ans.ok).toBe(true);
    const sha = createHash('sha256').update(PNG).digest('hex');
    expect(ans.data.sha256).toBe(sha);
    expect(await r.act('S2', 'clarify:answer', { clarificationId: qid, text: ANSWER, signer: '代表S2', confirmStatement: true })).toMatchObject({ ok: false, error: { code: 'conflict' } });
    // Folded once, broadcast: every member receives the answer in the patch of the same event.
    const seqOf = await Promise.all(
      tablets.map(async (t) => {
        await t.waitFor((v) => v.clarify.items.find((c: any) => c.id === qid)?.answer?.text === ANSWER);
        const f = t.frames.find((x: any) => x.event === 'view:patch' && JSON.stringify(x.data).includes(ANSWER)) as any;
        return f.data.seq;
      }),
    );
    expect(new Set(seqOf).size).toBe(1);
    expect(seqOf[0]).toBe(seqBefore + 1);
    const a = m1.view.clarify.items[0].answer;
    expect(a).toMatchObject({ signer: '代表S2', attachment: { name: '说明.png', mime: 'image/png', size: PNG.length, sha256: sha } });
    // The views carry the attachment's address, never its bytes.
    expect(framesText(m1)).not.toContain(PNG.toString('base64'));

    // The file: the panel may download it; another supplier may not; no token, no file.
    const url = `${srv!.url}${a.attachment.url}`;
    const asMember = await fetch(url, { headers: { authorization: `Bearer ${tokenOf(linkFor(r.links, 'M4'))}` } });
    expect(asMember.status).toBe(200);
    expect(Buffer.from(await asMember.arrayBuffer()).equals(PNG)).toBe(true);
    expect(asMember.headers.get('content-type')).toBe('image/png');
    expect((await fetch(url, { headers: { authorization: `Bearer ${tokenOf(linkFor(r.links, 'S2'))}` } })).status).toBe(200);
    expect((await fetch(url, { headers: { authorization: `Bearer ${tokenOf(linkFor(r.links, 'S1'))}` } })).status).toBe(404);
    expect((await fetch(url)).status).toBe(401);

    // Now the panel can decide the item and conclude.
    await r.ok('A1', 'review:conclude', { supplierId: 'S2' });
    for (const id of ['S1', 'S3', 'S4']) expectNothingOfOthers(laptops[id], id, [QUESTION, ANSWER, qid === 'Q1' ? '"Q1"' : qid]);
    expect(framesText(await r.client('P1'))).not.toContain(QUESTION);
  });

  it('a late answer is refused; the moderator sends the no-answer result to the review, which fails the item', async () => {
    const r = await atReview();
    const d = await r.ok('M2', 'clarify:draft', { supplierId: 'S3', question: QUESTION, minutes: 5, itemId: 'C9' });
    const qid = d.data.clarificationId;
    await r.ok('A1', 'clarify:send', { clarificationId: qid });
    expect(await r.act('A1', 'clarify:lapse', { clarificationId: qid })).toMatchObject({ ok: false, error: { code: 'conflict' } });
    now += 5 * 60_000 + 1;
    const late = await r.act('S3', 'clarify:answer', { clarificationId: qid, text: ANSWER, signer: '代表S3', confirmStatement: true });
    expect(late).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(late.error.message).toContain('已超过澄清截止时间');
    await r.ok('A1', 'clarify:lapse', { clarificationId: qid });
    const s3 = await r.client('S3');
    await s3.waitFor((v) => v.clarify.items[0].status === 'lapsed');
    await voteAll(r, 'S3');
    const ack = await r.ok('A1', 'review:conclude', { supplierId: 'S3' });
    expect(ack.data.result).toBe('fail');
    await s3.waitFor((v) => v.suppliers.standing.S3.status === 'invalid');
    expect(s3.view.suppliers.standing.S3.reason.zh).toContain('未在规定时间内作出澄清');
  });

  it('out of order and by the wrong people, clarification commands are refused saying why', async () => {
    srv = await startServer();
    room = await openRoom(srv, SHORT_SESSION);
    const early = await room.act('M1', 'clarify:draft', { supplierId: 'S1', question: QUESTION, minutes: 10 });
    expect(early).toMatchObject({ ok: false, error: { code: 'wrong_stage' } });
    expect(early.error.message).toContain('当前阶段为「签到」');
    expect(await room.act('S1', 'clarify:draft', { supplierId: 'S1', question: QUESTION, minutes: 10 })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    await driveTo(room, 'review');
    const d = await room.ok('M1', 'clarify:draft', { supplierId: 'S1', question: QUESTION, minutes: 10 });
    expect(await room.act('M2', 'clarify:discard', { clarificationId: d.data.clarificationId })).toMatchObject({ ok: false, error: { code: 'conflict' } });
    await room.ok('M1', 'clarify:discard', { clarificationId: d.data.clarificationId });
    expect(await room.act('A1', 'clarify:send', { clarificationId: d.data.clarificationId })).toMatchObject({ ok: false, error: { code: 'conflict' } });
    const s1 = await room.client('S1');
    expect(framesText(s1)).not.toContain(QUESTION);
  });
});
