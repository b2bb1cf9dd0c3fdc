import { describe, it, expect, afterEach } from 'vitest';
import type { WebsocketProvider } from 'y-websocket';
import { createHash } from 'node:crypto';
import { startServer, tokenOf, linkFor, cid, type TestServer } from '../helpers/server';
import { openRoom, driveTo, type Room } from '../helpers/room';
import { openWindow, plainSheet, PLAIN_QUOTES, quoteSignature } from '../helpers/steps/quotes';
import { publishChange } from '../helpers/steps/resubmission';

// Resubmission after a substantive change (issue 14; docs/rules.md §2.8; 003 Ch3 §2.4 L631): each supplier
// uploads the revised parts of its response or signs 「响应文件无需修改」; until then its final quote is
// refused, and the laptop is told why. The panel sees per supplier what came back.

let srv: TestServer | null = null;
let room: Room | null = null;
const providers: WebsocketProvider[] = [];
afterEach(async () => {
  for (const p of providers.splice(0)) p.destroy();
  room?.closeAll();
  room = null;
  if (srv) await srv.close(true);
  srv = null;
});

const PDF = Buffer.from('%PDF-1.4\n% 技术方案（修订）第 3 章 监测点位\n%%EOF\n');

async function overHttp(r: Room, personId: string, payload: Record<string, unknown>): Promise<any> {
  const res = await fetch(`${srv!.url}/api/sessions/${r.sessionId}/resubmission`, {
    method: 'POST',
    headers: { 'content-type': 'application/vnd.panelroom.command+json', authorization: `Bearer ${tokenOf(linkFor(r.links, personId))}` },
    body: JSON.stringify({ id: cid(), ...payload }),
  });
  return res.json();
}

async function synced(r: Room, id: string) {
  const c = await r.client(id);
  const seq = (await r.srv.store.read(r.sessionId)).length;
  await c.waitFor(() => c.seq >= seq);
  return c;
}

describe('resubmission after a substantive change', () => {
  it('a supplier that neither resubmits nor signs 「响应文件无需修改」 cannot submit its final quote; the panel sees what came back', async () => {
    srv = await startServer();
    room = await openRoom(srv);
    const r = room;
    await driveTo(r, 'consultation');
    const v = await publishChange(r, providers);
    for (const s of ['S1', 'S2', 'S3', 'S4']) await r.ok(s, 'requirements:sign', { version: v, signer: `代表${s}` });

    // S1: a revised part of its response, over HTTP, kept with its sha256.
    const up = await overHttp(r, 'S1', { version: v, signer: '周强', attachment: { name: '技术方案（修订）.pdf', mime: 'application/pdf', dataBase64: PDF.toString('base64') } });
    expect(up.ok, JSON.stringify(up)).toBe(true);
    const sha = createHash('sha256').update(PDF).digest('hex');
    expect(up.data.sha256).toBe(sha);
    // A renamed file that is not a PDF is refused; nothing is recorded.
    const fake = await r.act('S1', 'resubmission:file', { version: v, signer: '周强', attachment: { name: 'x.pdf', mime: 'application/pdf', dataBase64: Buffer.from('MZ not a pdf').toString('base64') } });
    expect(fake.error).toMatchObject({ code: 'validation', field: 'attachment' });
    // Having resubmitted, it cannot also declare that nothing changes.
    expect((await r.act('S1', 'resubmission:unchanged', { version: v, signer: '周强', confirmStatement: true })).error.code).toBe('conflict');
    // S2: signs that its response needs no change; then no file.
    await r.ok('S2', 'resubmission:unchanged', { version: v, signer: '吴婷', confirmStatement: true });
    expect((await r.act('S2', 'resubmission:file', { version: v, signer: '吴婷', attachment: { name: 'a.pdf', mime: 'application/pdf', dataBase64: PDF.toString('base64') } })).error.code).toBe('conflict');
    // Not a version sent to it.
    expect((await r.act('S4', 'resubmission:unchanged', { version: v + 1, signer: '陈静', confirmStatement: true })).error.code).toBe('not_found');
    expect((await r.act('M1', 'resubmission:unchanged', { version: v, signer: '李明', confirmStatement: true })).error.code).toBe('forbidden');

    // The panel sees per supplier what came back, and can download the file; another supplier cannot.
    const m1 = await synced(r, 'M1');
    const back = Object.fromEntries(m1.view.resubmission.versions[0].suppliers.map((x: any) => [x.supplierId, x]));
    expect(back.S1.files).toEqual([expect.objectContaining({ name: '技术方案（修订）.pdf', sha256: sha, size: PDF.length, signer: '周强' })]);
    expect(back.S2).toMatchObject({ files: [], unchanged: { signer: '吴婷' } });
    expect(back.S3).toMatchObject({ files: [], unchanged: null });
    const dl = await fetch(`${srv.url}${back.S1.files[0].url}`, { headers: { authorization: `Bearer ${tokenOf(linkFor(r.links, 'M1'))}` } });
    expect(dl.status).toBe(200);
    expect(createHash('sha256').update(Buffer.from(await dl.arrayBuffer())).digest('hex')).toBe(sha);
    const other = await fetch(`${srv.url}${back.S1.files[0].url}`, { headers: { authorization: `Bearer ${tokenOf(linkFor(r.links, 'S2'))}` } });
    expect(other.status).toBe(404);
    // The file is in the log (and so in the archive), and no other supplier's view names it.
    expect((await srv.store.read(r.sessionId)).filter((e) => e.type === 'resubmission:file_added')).toHaveLength(1);
    const s2 = await synced(r, 'S2');
    expect(JSON.stringify(s2.view)).not.toContain(sha);
    expect(s2.view.resubmission).toMatchObject({ pending: null, versions: [{ version: v, files: [], unchanged: { signer: '吴婷' } }] });
    // The wall learns nothing of it.
    expect((await synced(r, 'P1')).view.resubmission).toBeUndefined();

    await driveTo(r, 'final_quote');
    await openWindow(r, 600_000);
    // S3 has signed the change but neither resubmitted nor declared: refused, saying why, nothing recorded.
    const s3 = await synced(r, 'S3');
    expect(s3.view.resubmission.pending).toBe(v);
    expect(s3.view.quotes.mine.blockedBy.zh).toContain('响应文件无需修改');
    const before = (await srv.store.read(r.sessionId)).length;
    const refused = await r.act('S3', 'quotes:submit', { signature: quoteSignature('S3'), sheet: plainSheet(PLAIN_QUOTES[2]), missingItemsIncluded: true });
    expect(refused.ok).toBe(false);
    expect(refused.error.code).toBe('conflict');
    expect(refused.error.message).toContain(`第 ${v} 版实质性变动上传修改后的响应文件，或签署「响应文件无需修改」`);
    expect(refused.error.messageEn).toContain('revised parts');
    expect((await srv.store.read(r.sessionId)).length).toBe(before);
    // S1 (resubmitted) and S2 (declared) quote; S3 once it declares.
    await r.ok('S1', 'quotes:submit', { signature: quoteSignature('S1'), sheet: plainSheet(PLAIN_QUOTES[0]), missingItemsIncluded: true });
    await r.ok('S2', 'quotes:submit', { signature: quoteSignature('S2'), sheet: plainSheet(PLAIN_QUOTES[1]), missingItemsIncluded: true });
    await r.ok('S3', 'resubmission:unchanged', { version: v, signer: '王磊', confirmStatement: true });
    await r.ok('S3', 'quotes:submit', { signature: quoteSignature('S3'), sheet: plainSheet(PLAIN_QUOTES[2]), missingItemsIncluded: true });
  }, 60_000);
});
