import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, ADMIN, type TestServer, type TestClient } from '../helpers/server';
import { openRoom, driveTo, advance, stageOf, type Room } from '../helpers/room';
import { determinePolicy } from '../helpers/steps/policy';
import { openWindow, closeAfter, settleAll, plainSheet } from '../helpers/steps/quotes';
import { signaturePath } from '../helpers/steps/report';
import { visibleText } from '../helpers/identifiers';

// Issue 16 item 2: a seed-000 consultation under its own rubric, with a real server. The session
// created from the template has 000's review tables with the final review (终审, docs/rules.md §2.5);
// the policy deductions of its 说明1 (docs/rules.md §2.13) give evaluated prices to the cent that
// `npm run evaluate` recomputes from the exported file; after the summary a plain revision is refused
// citing the clause (说明7, docs/rules.md §2.21); a member who neither signs nor gives reasons is
// recorded as deemed to agree (说明6, docs/rules.md §2.22) and the report prints it with the clause.

export const BODY000 = {
  rubric: 'seed000',
  moderator: { name: '王主持', org: '北京国际工程咨询有限公司' },
  members: [
    { name: '李明', role: 'expert', leader: true },
    { name: '张华', role: 'expert' },
    { name: '赵敏', role: 'purchaser_rep', org: '北京市中小企业服务中心' },
  ],
  suppliers: [
    { name: '周强', org: '北京枢纽数据服务有限公司' },
    { name: '吴婷', org: '京华企业服务集团有限公司' },
    { name: '郑凯', org: '中关村平台运营有限公司' },
  ],
};
/** S1: a small enterprise, accepted → 10% off; S2: claimed, not accepted → none; S3: none. */
export const QUOTES000: Record<string, string> = { S1: '38123456.78', S2: '39500000.00', S3: '40100000.10' };
const EVALUATED: Record<string, string> = { S1: '34311111.10', S2: '39500000.00', S3: '40100000.10' };

let srv: TestServer;
let room: Room;
let mod: TestClient;
const TSX = 'node_modules/.bin/tsx';

beforeAll(async () => {
  srv = await startServer();
  room = await openRoom(srv, BODY000);
  mod = await room.client('A1');
}, 60_000);
afterAll(async () => {
  room?.closeAll();
  await srv?.close(true);
});

async function synced(c: TestClient = mod): Promise<TestClient> {
  const seq = (await srv.store.read(room.sessionId)).length;
  await c.waitFor(() => c.seq >= seq);
  return c;
}

describe('a seed-000 consultation', () => {
  it('starts with the document’s own review tables, the final review (终审) among its stages', async () => {
    await driveTo(room, 'review');
    const c = await synced();
    const rail = c.view.stage.stages as (string | { id: string })[];
    expect(rail.map((x) => (typeof x === 'string' ? x : x.id))).toEqual(expect.arrayContaining(['review', 'consultation', 'final_review', 'final_quote']));
    const items = (c.view.review.items as { text: string }[]).map((i) => i.text);
    expect(items).toContain('磋商保证金');
    expect(items).toContain('近三年经营活动中无重大违法记录声明');
    expect(items.join()).not.toContain('磋商报价未超预算');
  }, 60_000);

  it('determines the policy statuses of 说明1 in the review: one accepted, one not', async () => {
    await determinePolicy(room, 'S1', { kind: 'small_micro', enterprise: 'small', document: '中小企业声明函（服务）（响应文件第 52 页）' }, true);
    await determinePolicy(room, 'S2', { kind: 'small_micro', enterprise: 'micro', document: '中小企业声明函（服务）（响应文件第 48 页）' }, false, '声明函所列服务承接单位为大型企业，不符合全部由小微企业承接的条件');
    await driveTo(room, 'final_review');
    const c = await synced();
    const items = (c.view.review.items as { text: string }[]).map((i) => i.text);
    expect(items).toContain('合同条款及服务需求的实质性要求');
    expect(c.view.stage.current).toBe('final_review');
  }, 90_000);

  it('takes the final quotes and deducts 10% only for the accepted small enterprise, to the cent', async () => {
    await driveTo(room, 'final_quote');
    const deadline = await openWindow(room);
    for (const [i, id] of ['S1', 'S2', 'S3'].entries())
      await room.ok(id, 'quotes:submit', { missingItemsIncluded: true, sheet: plainSheet(QUOTES000[id], '平台运营服务费'), signature: { name: `代表${id}`, path: signaturePath(i) } });
    await closeAfter(room, deadline);
    await settleAll(room);
    const res = await fetch(`${srv.url}/api/sessions/${room.sessionId}/evaluation-file`, { headers: { authorization: `Bearer ${ADMIN}` } });
    expect(res.status).toBe(200);
    const file = await res.json();
    const dir = mkdtempSync(join(tmpdir(), 'panelroom-000-'));
    writeFileSync(join(dir, 'evaluation.json'), JSON.stringify(file));
    const r = spawnSync(TSX, ['shared/rules/cli/evaluate-cli.ts', join(dir, 'evaluation.json')], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { suppliers: { id: string; evaluatedPrice: string; deductionRate: string | null; priceScore: string | null }[] };
    const by = Object.fromEntries(out.suppliers.map((s) => [s.id, s]));
    for (const id of ['S1', 'S2', 'S3']) expect(by[id].evaluatedPrice, id).toBe(EVALUATED[id]);
    expect(by.S1.deductionRate).toBe('0.10');
    expect(by.S2.deductionRate ?? '0').toMatch(/^0(\.0+)?$/);
    // 价格得分＝（评标基准价/响应报价）×10, the base the lowest evaluated price; two decimals half-up.
    expect(by.S1.priceScore).toBe('10.00');
    expect(by.S2.priceScore).toBe('8.69'); // 34,311,111.10 / 39,500,000.00 × 10 = 8.686357…
    expect(by.S3.priceScore).toBe('8.56'); // 34,311,111.10 / 40,100,000.10 × 10 = 8.556386…
    (globalThis as any).__evaluated000 = out;
  }, 90_000);

  it('refuses a plain revision after the summary, citing the document’s clause (说明7)', async () => {
    await advance(room); // the final quotes are in: on to scoring
    await driveTo(room, 'signing');
    const log = await srv.store.read(room.sessionId);
    const sub = log.find((e) => e.type === 'score:submitted' && (e.payload as any).memberId === 'M1')!.payload as any;
    const factorId = Object.keys(sub.entries)[0];
    const before = log.length;
    const ack = await room.act('M1', 'score:revise', { supplierId: sub.supplierId, factorId, value: sub.entries[factorId].value, reason: '复核后认为应当调整该项评分' });
    expect(ack.ok).toBe(false);
    expect(ack.error.code).toBe('wrong_stage');
    expect(ack.error.message).toContain('任何人不得修改评审结果（依据磋商文件第一章 20.3 说明7）');
    expect(ack.error.messageEn).toMatch(/four legal grounds.*consultation document Ch\. 1 §20\.3 note 7/);
    expect((await srv.store.read(room.sessionId)).length).toBe(before);
  }, 120_000);

  it('records a member who neither signs nor gives reasons as deemed to agree (说明6), and prints it', async () => {
    const c = await synced();
    const revision = c.view.report.revision as number;
    // Nobody can be deemed to agree before anyone has signed; the refusal changes nothing.
    const early = await room.act('A1', 'report:deem_agreed', { revision, memberId: 'M2', note: '该成员离席未签字' });
    expect(early).toMatchObject({ ok: false, error: { code: 'conflict' } });
    // Only the moderator records it.
    const byMember = await room.act('M1', 'report:deem_agreed', { revision, memberId: 'M2', note: '该成员离席未签字' });
    expect(byMember).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    await room.ok('M1', 'report:sign', { revision, name: '李明', signature: signaturePath(0), dissent: null });
    await room.ok('M3', 'report:sign', { revision, name: '赵敏', signature: signaturePath(2), dissent: null });
    const note = '经主持人两次提请，张华未签字，亦未签署不同意见及理由';
    await room.ok('A1', 'report:deem_agreed', { revision, memberId: 'M2', note });
    // The member can no longer sign this revision: the tablet is told why, in procurement words.
    const late = await room.act('M2', 'report:sign', { revision, name: '张华', signature: signaturePath(1), dissent: null });
    expect(late.ok).toBe(false);
    expect(late.error.message).toContain('视为同意');
    expect(late.error.message).toContain('磋商文件第一章 20.3 说明6');
    // Two signed and one deemed: the final PDF is rendered and recorded, the session can be archived.
    await mod.waitFor((v) => !!v.report?.final, 60_000);
    const v = (await synced()).view.report;
    expect(v.members.find((m: any) => m.id === 'M2')).toMatchObject({ signed: false, deemed: true });
    expect(v.deemed).toEqual([expect.objectContaining({ memberId: 'M2', note })]);
    expect(v.deemedCite.zh).toBe('磋商文件第一章 20.3 说明6');
    // The wall: 专家 n, deemed, the clause; never the name nor the note.
    const wall = await room.client('P1');
    await room.ok('A1', 'screen:scene', { scene: 'signing' });
    await synced(wall);
    expect(wall.view.report.members.map((m: any) => m.deemed)).toEqual([false, true, false]);
    expect(wall.view.report.cite.zh).toBe('磋商文件第一章 20.3 说明6');
    expect(JSON.stringify(wall.view.report)).not.toContain('张华');
    expect(JSON.stringify(wall.view.report)).not.toContain('两次提请');

    const html = await (await fetch(`${srv.url}/api/sessions/${room.sessionId}/report.html`, { headers: { authorization: `Bearer ${ADMIN}` } })).text();
    const text = visibleText(html);
    expect(text).toContain('未签字且未说明理由，视为同意评审结论（依据磋商文件第一章 20.3 说明6）');
    expect(text).toContain(note);
    expect(text).toContain('任何人不得修改评审结果（依据磋商文件第一章 20.3 说明7）');
    expect(text).toContain('34,311,111.10');
    // The reference files' numbers never reach the report.
    expect(text).not.toMatch(/000\s*说明|[（(]000[)）]|00[034] §/);
    await advance(room);
    expect(await stageOf(room)).toBe('archived');
  }, 120_000);
});

describe('a deemed agreement', () => {
  it('lapses with the signatures when a dispute is decided: the member is asked again', async () => {
    const srv2 = await startServer();
    const r2 = await openRoom(srv2, BODY000);
    try {
      await driveTo(r2, 'signing');
      const mod2 = await r2.client('A1');
      await mod2.waitFor((v) => !!v.report?.members);
      const revision = mod2.view.report.revision as number;
      await r2.ok('M1', 'report:sign', { revision, name: '李明', signature: signaturePath(0), dissent: null });
      await r2.ok('A1', 'report:deem_agreed', { revision, memberId: 'M2', note: '该成员未签字，亦未说明理由' });
      const again = await r2.act('A1', 'report:deem_agreed', { revision, memberId: 'M2', note: '重复记录' });
      expect(again).toMatchObject({ ok: false, error: { code: 'conflict' } });
      const d = await r2.ok('M3', 'report:dispute', { subject: '第二名的技术方案评分', proposal: '维持原评审结论' });
      // While the dispute is voted on, nobody is recorded as deemed to agree.
      const during = await r2.act('A1', 'report:deem_agreed', { revision, memberId: 'M3', note: '该成员未签字' });
      expect(during).toMatchObject({ ok: false, error: { code: 'conflict' } });
      for (const m of ['M1', 'M2']) await r2.ok(m, 'report:dispute_vote', { disputeId: d.data.disputeId, agree: true, reason: '同意' });
      const seq = (await srv2.store.read(r2.sessionId)).length;
      await mod2.waitFor(() => mod2.seq >= seq);
      const v = mod2.view.report;
      expect(v.members.find((m: any) => m.id === 'M2')).toMatchObject({ signed: false, deemed: false });
      expect(v.deemed).toEqual([]);
      expect(v.voided.filter((x: any) => x.deemed).map((x: any) => x.memberId)).toEqual(['M2']);
      // Now M2 may sign this revision itself.
      await r2.ok('M2', 'report:sign', { revision, name: '张华', signature: signaturePath(1), dissent: null });
    } finally {
      r2.closeAll();
      await srv2.close(true);
    }
  }, 120_000);
});
