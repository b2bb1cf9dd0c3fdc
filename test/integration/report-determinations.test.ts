import { describe, it, expect, afterEach } from 'vitest';
import type { WebsocketProvider } from 'y-websocket';
import { createHash } from 'node:crypto';
import { startServer, tokenOf, linkFor, type TestServer } from '../helpers/server';
import { openRoom, driveTo, type Room } from '../helpers/room';
import { determinePolicy } from '../helpers/steps/policy';
import { publishChange } from '../helpers/steps/resubmission';
import { codeTokens, visibleText } from '../helpers/identifiers';
import { minutedSitting } from '../helpers/steps/minutes';

// The report states what issue 14 added to the meeting (docs/report.md items 6 and 9): in 五, per supplier each
// claimed policy status, its proving document and the panel's determination with the votes and reasons;
// in 八, per published change and per supplier, what came back (the revised parts with file name and
// sha256, or the signed 「响应文件无需修改」 with who signed and when). In procurement words only.

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
const REJECTED = '声明函所填从业人员与附件社保缴纳证明不符';

describe('the report records the policy determinations and the resubmissions', () => {
  it('prints each claimed status with its document, the determination, votes and reasons, and what each supplier sent back after a change; the English twin reads in English', async () => {
    srv = await startServer();
    room = await openRoom(srv);
    const r = room;
    await driveTo(r, 'review');
    await determinePolicy(r, 'S1', { kind: 'small_micro', enterprise: 'small', document: '中小企业声明函（响应文件第 35 页）' }, true);
    await determinePolicy(r, 'S2', { kind: 'small_micro', enterprise: 'micro', document: '中小企业声明函（响应文件第 41 页）' }, false, REJECTED);

    await driveTo(r, 'consultation');
    await minutedSitting(r);
    const v = await publishChange(r, providers);
    for (const s of ['S1', 'S2', 'S3', 'S4']) await r.ok(s, 'requirements:sign', { version: v, signer: `代表${s}` });
    await r.ok('S1', 'resubmission:file', { version: v, signer: '周强', attachment: { name: '技术方案（修订）.pdf', mime: 'application/pdf', dataBase64: PDF.toString('base64') } });
    await r.ok('S2', 'resubmission:unchanged', { version: v, signer: '吴婷', confirmStatement: true });
    for (const s of ['S3', 'S4']) await r.ok(s, 'resubmission:unchanged', { version: v, signer: `代表${s}`, confirmStatement: true });
    await driveTo(r, 'signing');

    const res = await fetch(`${srv.url}/api/sessions/${r.sessionId}/report.html`, { headers: { authorization: `Bearer ${tokenOf(linkFor(r.links, 'O1'))}` } });
    expect(res.status).toBe(200);
    const html = await res.text();
    const text = visibleText(html).replace(/\s+/g, ' ');
    const people = srv.app.registry.get(r.sessionId)!.state.people;
    const org = (id: string) => people[id]?.org ?? people[id]?.name;
    expect(org('S1')).toBeTruthy();

    // 五: the determinations, inside the review section.
    const review = visibleText(html.slice(html.indexOf('id="sec-review"'), html.indexOf('id="sec-clarify"'))).replace(/\s+/g, ' ');
    expect(review).toContain('政策身份认定');
    const row = (sid: string) => review.slice(review.indexOf(org(sid)!, review.indexOf('政策身份认定')));
    expect(row('S1')).toMatch(/^\S+ 小微企业（声明为小型企业） 中小企业声明函（响应文件第 35 页） 认定 认定 5 票、不予认定 0 票/);
    expect(row('S2')).toMatch(/^\S+ 小微企业（声明为微型企业） 中小企业声明函（响应文件第 41 页） 不予认定 认定 0 票、不予认定 5 票/);
    expect(row('S2')).toContain(`专家 1：不予认定（${REJECTED}）`);
    expect(row('S2')).toContain(`${REJECTED} ${row('S2').match(/\d{4}年\d{1,2}月\d{1,2}日 \d{1,2}:\d{2}:\d{2}/)![0]}`);
    expect(review).toMatch(/采购人代表：不予认定/);

    // 八: what came back after the published change.
    const changes = visibleText(html.slice(html.indexOf('id="sec-requirements"'), html.indexOf('id="sec-standing"'))).replace(/\s+/g, ' ');
    const sha = createHash('sha256').update(PDF).digest('hex');
    expect(changes).toContain('供应商重新提交的响应文件');
    expect(changes).toMatch(new RegExp(`${org('S1')} 修改后的响应文件：技术方案（修订）\\.pdf sha256 ${sha} 周强 \\d{4}年\\d{1,2}月\\d{1,2}日 \\d{1,2}:\\d{2}`));
    expect(changes).toMatch(new RegExp(`${org('S2')} 签署「响应文件无需修改」 吴婷 \\d{4}年\\d{1,2}月\\d{1,2}日 \\d{1,2}:\\d{2}`));
    expect(changes).not.toContain('未重新提交');

    // The identifier rule holds with the new lines.
    expect(codeTokens(text)).toEqual([]);

    // Issue 13 item 1: the English twin. Every line added with the minutes, the determinations, the
    // resubmissions, the signatures and the citations reads in English; what a person wrote or named
    // (names, reasons, file names, the minutes' text, the procurement document's own words) stays as
    // written, marked as such (<span class="q">), and is all that may remain in Chinese there.
    const en = await (await fetch(`${srv.url}/api/sessions/${r.sessionId}/report.html?lang=en`, { headers: { authorization: `Bearer ${tokenOf(linkFor(r.links, 'O1'))}` } })).text();
    expect(en).toContain('<html lang="en">');
    const part = (from: string, to: string) => en.slice(en.indexOf(from), en.indexOf(to, en.indexOf(from)));
    const own = (html: string) => visibleText(html.replace(/<span class="q">[^<]*<\/span>/g, ' ')).replace(/\s+/g, ' ');
    const CJK = /[\u3400-\u9fff\uff08\uff09\u300c\u300d\uff1a]+/g;
    const twins = {
      cover: part('id="sec-cover"', '</header>'),
      minutes: part('id="sec-consultation"', 'id="sec-requirements"'),
      determinations: part('id="policy-status"', 'id="sec-clarify"'),
      resubmissions: part('id="sec-requirements"', 'id="sec-standing"'),
      'quote signatures': [...en.matchAll(/<div class="quote-sig">[\s\S]*?<\/div>/g)].map((m) => m[0]).join(' '),
      'signature page': part('id="sec-signatures"', '</section>'),
    };
    for (const [what, html] of Object.entries(twins)) {
      expect(html.length, what).toBeGreaterThan(100);
      expect(own(html).match(CJK) ?? [], `Chinese-only words in the English ${what}`).toEqual([]);
    }
    expect(own(twins.minutes)).toMatch(/Minutes of sitting 1:.* \(round 1\)/);
    expect(own(twins.minutes)).toMatch(/lasted \d+ s \(15 min allotted\)/);
    expect(visibleText(twins.minutes)).toContain('MINUTES-CANARY');
    expect(own(twins.determinations)).toMatch(/Expert 1: not accepted/);
    expect(own(twins.determinations)).toMatch(/Purchaser rep\.: not accepted/);
    expect(own(twins.resubmissions)).toContain('Signed “Our response needs no change”');
    expect(own(twins.resubmissions)).toContain('Revised part of the response:');
    expect(own(twins['quote signatures'])).toContain('Signed by the authorised representative:');
    expect(own(twins['signature page'])).toContain('Signed at');
    expect(own(twins.cover)).toMatch(/Evaluation report .*Revision 1 \(draft for signing\)/);
    // The citation of the procurement document's own clause, in English.
    const method = part('id="sec-method"', '<table');
    expect(own(method)).toMatch(/\(per the consultation document Ch\. \d/);
    expect(own(method).match(CJK) ?? [], 'Chinese-only words in the English method').toEqual([]);
    // Dates in the English twin are English too, and no code identifier reaches it either.
    expect(own(twins.minutes)).toMatch(/\d{1,2} [A-Z][a-z]{2} \d{4} \d{1,2}:\d{2}/);
    expect(codeTokens(visibleText(en))).toEqual([]);
  }, 180_000);
});
