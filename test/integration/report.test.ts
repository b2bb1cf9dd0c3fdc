import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yazl from 'yazl';
import { readXlsx, unzipAll } from '../helpers/xlsx';
import { startServer, tokenOf, linkFor, type TestServer, type TestClient } from '../helpers/server';
import { openRoom, driveTo, advance, stageOf, type Room } from '../helpers/room';
import { signaturePath, signAll } from '../helpers/steps/report';
import { codeTokens, visibleText } from '../helpers/identifiers';
import { minutedSitting, SITTING_PDF, SITTING_MINUTES } from '../helpers/steps/minutes';

// Issue 7, report concern: the report generated from the log with the room's numbers, read by the
// panel, the moderator and the observer only; signed on the tablets with one dissent; a dispute
// decided by majority; the final PDF's sha256 in the log; the archive and its offline check; the
// reopening that needs the moderator and the panel leader and a legal ground, keeping revision 1.

let srv: TestServer;
let room: Room;
const MEMBERS = ['M1', 'M2', 'M3', 'M4', 'M5'];
const SUPPLIERS = ['S1', 'S2', 'S3', 'S4'];
const DISSENT = { item: '第二名供应商的技术方案评分', position: '本人认为京华生态研究院的技术方案应列为一档', reasons: '其调查方案覆盖全部敏感路段，评审小组多数意见未予采纳（DISSENT-CANARY）' };
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const tok = (id: string) => tokenOf(linkFor(room.links, id));
const get = (path: string, id: string | null) => fetch(`${srv.url}/api/sessions/${room.sessionId}${path}`, { headers: id ? { authorization: `Bearer ${tok(id)}` } : {} });
let clients: Record<string, TestClient> = {};
let sitting: { supplierId: string; sitting: number; sha256: string };

beforeAll(async () => {
  srv = await startServer();
  room = await openRoom(srv);
  for (const id of [...MEMBERS, ...SUPPLIERS, 'A1', 'O1', 'P1']) clients[id] = await room.client(id);
  // A whole meeting: one sitting kept in full (minutes, a document from the laptop, signatures).
  await driveTo(room, 'consultation');
  sitting = await minutedSitting(room);
  await driveTo(room, 'signing');
  await room.ok('A1', 'screen:scene', { scene: 'signing' });
}, 120_000);

afterAll(async () => {
  room?.closeAll();
  await srv?.close(true);
});

async function synced(id = 'A1'): Promise<TestClient> {
  const c = clients[id];
  const seq = (await srv.store.read(room.sessionId)).length;
  await c.waitFor(() => c.seq >= seq);
  return c;
}

const unzip = unzipAll;

async function rezip(files: Map<string, Buffer>): Promise<Buffer> {
  const z = new yazl.ZipFile();
  for (const [n, d] of files) z.addBuffer(d, n);
  z.end();
  const ch: Buffer[] = [];
  for await (const c of z.outputStream as AsyncIterable<Buffer>) ch.push(c);
  return Buffer.concat(ch);
}

function verify(buf: Buffer): { code: number; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'panelroom-archive-'));
  const file = join(dir, 'archive.zip');
  writeFileSync(file, buf);
  try {
    return { code: 0, out: execFileSync(process.execPath, ['--import', 'tsx', 'server/store/verify-cli.ts', file], { encoding: 'utf8' }) };
  } catch (e: any) {
    return { code: e.status, out: String(e.stdout) + String(e.stderr) };
  }
}

describe('the report', () => {
  it('is generated from the log with every required section and the room’s numbers', async () => {
    const mod = await synced();
    const res = await get('/report.html', 'M1');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await res.text();
    for (const id of ['cover', 'project', 'opening', 'participants', 'method', 'review', 'clarify', 'consultation', 'requirements', 'standing', 'quotes', 'abnormal', 'member-scores', 'results', 'changes', 'other', 'anomaly', 'signatures'])
      expect(html, `section ${id}`).toContain(`id="sec-${id}"`);
    expect(html).toContain('11010726210200018795-XM001');
    expect(html).toContain('附录 评分复核记录');
    expect(html).toContain('签署时无未解决的阻断项');
    // The flags' messages in the third person: the report speaks to nobody as 「您」 (issue 17).
    const anomaly = html.slice(html.indexOf('id="sec-anomaly"'));
    expect(anomaly).toMatch(/提示/);
    expect(anomaly).not.toContain('您');
    expect(html).toContain(mod.view.log.head); // the log head it was generated at
    // The results exactly as the room shows them (scoring concern's roomEvaluation).
    const rows = mod.view.scoring.results.rows as { label: string; finalScore: string; priceScore: string; evaluatedPrice: string; memberTotals: Record<string, string> }[];
    expect(rows.length).toBe(4);
    for (const r of rows) {
      expect(html).toContain(r.label);
      expect(html).toContain(`<b>${r.finalScore}</b>`);
      expect(html).toContain(r.priceScore);
      for (const v of Object.values(r.memberTotals)) expect(html).toContain(v);
    }
    // The reveal's explanation of the price scores, in words (quotes concern's reveal).
    const reveal = mod.view.quotes.reveal;
    expect(reveal.rows).toHaveLength(4);
    for (const r of reveal.rows) {
      expect(html).toContain(r.priceScore.explanation.zh);
      expect(html).toContain(`${r.deduction.evaluatedPrice} 元`);
    }
    for (const name of ['李明', '张华', '陈静', '刘洋', '赵敏']) expect(html).toContain(name);
  });

  it('speaks the words of the procurement: no code identifier, JSON or ISO time; dates as 2026年3月2日; the purchaser representative by its role', async () => {
    const html = await (await get('/report.html', 'A1')).text();
    const text = visibleText(html);
    expect(codeTokens(text)).toEqual([]);
    expect(text).toMatch(/\d{4}年\d{1,2}月\d{1,2}日 \d{1,2}:\d{2}/);
    expect(text).toContain('采购人代表');
    expect(text).not.toMatch(/专家 5\b/); // 赵敏 (M5) is the purchaser representative, not an expert
    expect(text).toMatch(/大写：[壹贰叁肆伍陆柒捌玖]/);
    expect(text).toMatch(/\d{1,3}(,\d{3})+\.\d{2} 元/);
  });

  it('prints the minutes of each sitting: present, actual duration, what was discussed, documents with sha256, signatures', async () => {
    const html = await (await get('/report.html', 'O1')).text();
    expect(html).toContain(`磋商记录 第 ${sitting.sitting} 次`);
    expect(html).toContain(SITTING_MINUTES);
    expect(html).toContain(sitting.sha256);
    expect(html).toContain('磋商补充说明.pdf');
    // The actual duration (a scripted sitting lasts seconds), not the 15 minutes allotted.
    expect(html).toMatch(/实际时长 \d+ 秒（安排 15 分）/);
    const block = html.slice(html.indexOf(`id="minutes-${sitting.sitting}"`), html.indexOf('</section>', html.indexOf(`id="minutes-${sitting.sitting}"`)));
    expect(block.match(/<svg class="sig"/g)).toHaveLength(6); // the representative and the five members
    expect(block).toContain('采购人代表');
  });

  it('shows each final quote with its representative’s signature beside it', async () => {
    const html = await (await get('/report.html', 'O1')).text();
    const quotes = html.slice(html.indexOf('id="sec-quotes"'), html.indexOf('</section>', html.indexOf('id="sec-quotes"')));
    for (const id of SUPPLIERS) expect(quotes).toContain(`授权代表签字：代表${id}`);
    expect(quotes.match(/<svg class="sig"/g)).toHaveLength(4);
  });

  it('is served to the panel, the moderator and the observer, never to a supplier or the wall', async () => {
    for (const id of ['M3', 'A1', 'O1']) expect((await get('/report.html', id)).status).toBe(200);
    for (const id of ['S1', 'S4', 'P1']) {
      expect((await get('/report.html', id)).status).toBe(403);
      expect((await get('/report.pdf', id)).status).toBe(403);
      expect((await get('/archive.zip', id)).status).toBe(403);
    }
    expect((await get('/report.html', null)).status).toBe(401);
    // A member may read but not download the archive (it holds the whole log).
    expect((await get('/archive.zip', 'M1')).status).toBe(403);
  });

  it('refuses bad signatures and changes nothing', async () => {
    const before = (await srv.store.read(room.sessionId)).length;
    const noReasons = await room.act('M1', 'report:sign', { revision: 1, name: '李明', signature: signaturePath(), dissent: { item: '排序', position: '不同意', reasons: '' } });
    expect(noReasons).toMatchObject({ ok: false, error: { code: 'validation' } });
    expect(noReasons.error.field).toContain('dissent');
    const blank = await room.act('M1', 'report:sign', { revision: 1, name: '李明', signature: 'M1 1' });
    expect(blank).toMatchObject({ ok: false, error: { code: 'validation', field: 'signature' } });
    const script = await room.act('M1', 'report:sign', { revision: 1, name: '李明', signature: 'M1 1 L2 2 L3 3 L4 4"/><script>' });
    expect(script.ok).toBe(false);
    expect(await room.act('M1', 'report:sign', { revision: 2, name: '李明', signature: signaturePath() })).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(await room.act('S1', 'report:sign', { revision: 1, name: '周强', signature: signaturePath() })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await room.act('A1', 'report:sign', { revision: 1, name: '王主持', signature: signaturePath() })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect((await srv.store.read(room.sessionId)).length).toBe(before);
    const mod = await synced();
    expect(mod.view.stage.next.blockedBy.zh).toContain('5 名评审小组成员未签署');
  });

  it('decides a disputed joint determination by majority, with the votes recorded', async () => {
    const d = await room.ok('M2', 'report:dispute', { subject: '供应商排序的表述', proposal: '报告中注明第二、三名得分接近' });
    const id = d.data.disputeId;
    // Nobody signs while a dispute is being voted on.
    expect(await room.act('M3', 'report:sign', { revision: 1, name: '陈静', signature: signaturePath() })).toMatchObject({ ok: false, error: { code: 'conflict' } });
    await room.ok('M1', 'report:dispute_vote', { disputeId: id, agree: true });
    await room.ok('M2', 'report:dispute_vote', { disputeId: id, agree: true });
    expect(await room.act('M2', 'report:dispute_vote', { disputeId: id, agree: false })).toMatchObject({ ok: false });
    await room.ok('M4', 'report:dispute_vote', { disputeId: id, agree: false, reason: '无必要' });
    await room.ok('M3', 'report:dispute_vote', { disputeId: id, agree: true, reason: '同意' });
    const m1 = await synced('M1');
    const disp = m1.view.report.disputes.find((x: any) => x.id === id);
    expect(disp.result).toMatchObject({ outcome: 'adopted', agree: 3, disagree: 1, of: 5 });
    const html = await (await get('/report.html', 'O1')).text();
    expect(html).toContain('供应商排序的表述');
    expect(html).toContain('通过（同意 3，不同意 1，共 5 人）');
  });

  it('five members sign, one with dissent; the final PDF’s sha256 is the one in the log', async () => {
    await signAll(room, { M5: DISSENT });
    const mod = await synced();
    const fin = mod.view.report.final;
    expect(fin.sha256).toMatch(/^[0-9a-f]{64}$/);
    const events = await srv.store.read(room.sessionId);
    const rec = events.filter((e) => e.type === 'report:finalized');
    expect(rec).toHaveLength(1);
    expect((rec[0].payload as any).sha256).toBe(fin.sha256);
    expect(rec[0].actor).toBeNull();
    // The head printed on the PDF is a real event of the chain: the last signature.
    const p = rec[0].payload as any;
    expect(events[p.headSeq - 1].hash).toBe(p.head);
    expect(events[p.headSeq - 1].type).toBe('report:signed');
    const signed = events.filter((e) => e.type === 'report:signed');
    expect(signed).toHaveLength(5);
    expect(signed.filter((e) => (e.payload as any).dissent)).toHaveLength(1);
    expect((signed.find((e) => (e.payload as any).memberId === 'M5')!.payload as any).dissent).toEqual(DISSENT);

    const res = await get('/report.pdf', 'M2');
    expect(res.status).toBe(200);
    const pdf = Buffer.from(await res.arrayBuffer());
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(sha(pdf)).toBe(fin.sha256);

    // Everyone who reads the report sees who signed and the dissent; agreement is recorded as such.
    const m1 = await synced('M1');
    expect(m1.view.report.members.every((m: any) => m.signed)).toBe(true);
    expect(m1.view.report.signatures.find((x: any) => x.memberId === 'M5').dissent).toEqual(DISSENT);
    // The wall: who has signed as 专家 n, never a name, never the dissent.
    const wall = await synced('P1');
    expect(wall.view.report).toMatchObject({ signed: 5, of: 5, final: true });
    expect(wall.view.report.members.map((m: any) => m.label)).toEqual(['专家 1', '专家 2', '专家 3', '专家 4', '采购人代表']);
    const wallFrames = JSON.stringify(wall.frames);
    expect(wallFrames).not.toContain('DISSENT-CANARY');
    expect(wallFrames).not.toContain(DISSENT.item);
    expect(wallFrames).not.toContain(signaturePath(0));
    // Suppliers receive nothing of the report in any frame.
    for (const sid of SUPPLIERS) {
      const c = await synced(sid);
      const all = JSON.stringify(c.frames);
      expect(c.view.report).toBeUndefined();
      expect(all).not.toContain('DISSENT-CANARY');
      expect(all).not.toContain('report:');
      expect(all).not.toContain(fin.sha256);
      expect(all).not.toContain(signaturePath(0));
    }
    // A final revision takes no more signatures.
    expect(await room.act('M1', 'report:sign', { revision: 1, name: '李明', signature: signaturePath() })).toMatchObject({ ok: false, error: { code: 'conflict' } });
  }, 90_000);

  it('archives everything in one zip that verifies offline, and verify names a changed byte', async () => {
    const res = await get('/archive.zip', 'A1');
    expect(res.status).toBe(200);
    const zip = Buffer.from(await res.arrayBuffer());
    const files = await unzip(zip);
    expect([...files.keys()].filter((n) => !n.startsWith('sittings/')).sort()).toEqual(['evaluation-file.json', 'events.jsonl', 'manifest.json', 'report.pdf', 'scores.xlsx']);
    const manifest = JSON.parse(files.get('manifest.json')!.toString());
    for (const f of manifest.files) expect(sha(files.get(f.name)!)).toBe(f.sha256);
    const mod = await synced();
    expect(sha(files.get('report.pdf')!)).toBe(mod.view.report.final.sha256);
    expect(files.get('events.jsonl')!.toString().trim().split('\n')).toHaveLength((await srv.store.read(room.sessionId)).length);
    const evalFile = JSON.parse(files.get('evaluation-file.json')!.toString());
    expect(evalFile.members).toHaveLength(5);
    const book = await readXlsx(files.get('scores.xlsx')!);
    expect(book.map((w) => w.name)).toEqual(['汇总', '专家 1', '专家 2', '专家 3', '专家 4', '采购人代表']);
    const top = (mod.view.scoring.results.rows as any[]).find((r) => r.rank === 1);
    expect(book[0].rows[0].slice(0, 2)).toEqual(['排序', '供应商']);
    expect(book[0].boldRows).toEqual([0]);
    expect(book[0].rows[1][0]).toBe('1');
    expect(book[0].rows[1]).toContain(top.finalScore);
    // A member's sheet: one row per scored factor plus the header and the total.
    expect(book[1].rows[0][0]).toBe('评审因素');
    expect(book[1].rows.at(-1)![0]).toBe('合计（含价格分）');

    // The document handed in during the sitting is in the archive, byte for byte.
    const docName = [...files.keys()].find((n) => n.startsWith(`sittings/sitting-${sitting.sitting}-`))!;
    expect(docName).toBeDefined();
    expect(files.get(docName)!.equals(SITTING_PDF)).toBe(true);
    expect(manifest.files.map((f: any) => f.name)).toContain(docName);

    const ok = verify(zip);
    expect(ok.code, ok.out).toBe(0);
    expect(ok.out).toContain('✓');

    // verify checks the document against the sha256 the log recorded when it was handed in (even
    // with the manifest's sum forged to match).
    const doc = Buffer.from(files.get(docName)!);
    doc[doc.length >> 1] ^= 0x01;
    const forged = { ...manifest, files: manifest.files.map((f: any) => (f.name === docName ? { ...f, sha256: sha(doc) } : f)) };
    const badDoc = verify(await rezip(new Map([...files, [docName, doc], ['manifest.json', Buffer.from(JSON.stringify(forged))]])));
    expect(badDoc.code).toBe(1);
    expect(badDoc.out).toContain('磋商补充说明.pdf');
    expect(badDoc.out).toContain('文件被改动');
    const missing = new Map(files);
    missing.delete(docName);
    const badMissing = verify(await rezip(new Map([...missing, ['manifest.json', Buffer.from(JSON.stringify({ ...manifest, files: manifest.files.filter((f: any) => f.name !== docName) }))]])));
    expect(badMissing.code).toBe(1);
    expect(badMissing.out).toContain('缺少第');

    // One changed byte in the log: an ASCII digit inside a payload ("代表S1" → "代表S2").
    const log = Buffer.from(files.get('events.jsonl')!);
    const at = log.indexOf(Buffer.from('代表S1')) + Buffer.from('代表S').length;
    log[at] = '2'.charCodeAt(0);
    const badLog = verify(await rezip(new Map([...files, ['events.jsonl', log]])));
    expect(badLog.code).toBe(1);
    expect(badLog.out).toMatch(/事件 \d+（signin:supplier_signed）内容被改动/);

    // One changed byte in the middle of the report PDF.
    const pdf = Buffer.from(files.get('report.pdf')!);
    pdf[pdf.length >> 1] ^= 0x01;
    const badPdf = verify(await rezip(new Map([...files, ['report.pdf', pdf]])));
    expect(badPdf.code).toBe(1);
    expect(badPdf.out).toContain('报告被改动');

    // One changed byte in the spreadsheet: the manifest's sum.
    const xl = Buffer.from(files.get('scores.xlsx')!);
    xl[xl.length - 30] ^= 0x01;
    const badXl = verify(await rezip(new Map([...files, ['scores.xlsx', xl]])));
    expect(badXl.code).toBe(1);
    expect(badXl.out).toContain('scores.xlsx');
  }, 60_000);

  it('reopening needs the moderator and the panel leader and a legal ground, and keeps revision 1', async () => {
    const first = (await synced()).view.report.final.sha256 as string;
    expect(await room.act('M2', 'report:reopen', { ground: 'summing_error', reason: '汇总有误' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await room.act('A1', 'report:reopen', { ground: 'other', reason: '想改' })).toMatchObject({ ok: false, error: { code: 'validation', field: 'ground' } });
    expect(await room.act('A1', 'report:reopen', { ground: 'summing_error', reason: '' })).toMatchObject({ ok: false, error: { code: 'validation', field: 'reason' } });
    expect(await room.act('S1', 'report:reopen', { ground: 'summing_error', reason: '汇总有误' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    await room.ok('A1', 'report:reopen', { ground: 'summing_error', reason: '复核发现分值汇总计算错误' });
    // One side alone does not reopen; the stage cannot be left while it waits.
    expect(await room.act('A1', 'report:reopen', { ground: 'summing_error', reason: '再次申请' })).toMatchObject({ ok: false, error: { code: 'conflict' } });
    let mod = await synced();
    expect(mod.view.report.revision).toBe(1);
    expect(mod.view.stage.next.blockedBy.zh).toContain('重新评审的申请尚待确认');
    expect(await room.act('M1', 'report:reopen', { ground: 'out_of_range', reason: '同意' })).toMatchObject({ ok: false, error: { code: 'conflict', field: 'ground' } });
    await room.ok('M1', 'report:reopen', { ground: 'summing_error', reason: '评审小组组长确认' });
    mod = await synced();
    expect(mod.view.report.revision).toBe(2);
    expect(mod.view.report.final).toBeNull();
    expect(mod.view.report.revisions.map((r: any) => [r.n, r.final?.sha256 ?? null])).toEqual([
      [1, first],
      [2, null],
    ]);
    expect(mod.view.report.members.every((m: any) => !m.signed)).toBe(true);
    // Revision 1 stays downloadable, byte for byte.
    const old = await get('/report.pdf?revision=1', 'O1');
    expect(sha(Buffer.from(await old.arrayBuffer()))).toBe(first);
    const html = await (await get('/report.html', 'M1')).text();
    expect(html).toContain('第 2 版');
    expect(html).toContain('依法重新评审（分值汇总计算错误）');
    expect(mod.view.stage.next.blockedBy.zh).toContain('未签署');

    await signAll(room);
    mod = await synced();
    expect(mod.view.report.final.sha256).not.toBe(first);
    const files = await unzip(Buffer.from(await (await get('/archive.zip', 'O1')).arrayBuffer()));
    expect(sha(files.get('revisions/report-r1.pdf')!)).toBe(first);
    expect(sha(files.get('report.pdf')!)).toBe(mod.view.report.final.sha256);
    await advance(room);
    expect(await stageOf(room)).toBe('archived');
  }, 120_000);
});
