import { describe, it, expect } from 'vitest';
import { yjsProtocols } from '../../shared/protocol/yjs';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import { startServer, tokenOf, linkFor, type TestServer, type TestClient } from '../helpers/server';
import { openRoom, driveTo, type Room } from '../helpers/room';
import { unconfirmedVersion } from '../../server/requirements/status';
import { contentHash } from '../../server/requirements/document';
import { DEMO_SESSION } from '../../server/demo/demo-session';
import { closeAfterEach } from '../helpers/per-test';

// Substantive changes (实质性变动, docs/rules.md §2.8): proposed by the moderator, confirmed by the purchaser
// representative alone, published to every active supplier at once, signed or refused by each.

let srv: TestServer | null = null;
let room: Room | null = null;
const providers: WebsocketProvider[] = [];
closeAfterEach(() => [providers.splice(0), room, srv]);

const ORGS = DEMO_SESSION.suppliers.map((s) => s.org!);
const SUPPLIERS = ['S1', 'S2', 'S3', 'S4'];

async function consultation(): Promise<Room> {
  srv = await startServer();
  room = await openRoom(srv);
  await driveTo(room, 'consultation');
  return room;
}

/** The panel's edit, through the real Yjs endpoint (as a tablet would make it). */
async function edit(r: Room, personId: string, append: string): Promise<void> {
  const doc = new Y.Doc();
  const p = new WebsocketProvider(r.srv.url.replace(/^http/, 'ws') + '/yjs', r.sessionId, doc, {
    protocols: yjsProtocols(tokenOf(linkFor(r.links, personId))),
    WebSocketPolyfill: WebSocket as any,
    disableBc: true,
  });
  providers.push(p);
  const t0 = Date.now();
  while (!p.synced) {
    if (Date.now() - t0 > 5000) throw new Error('not synced');
    await new Promise((res) => setTimeout(res, 20));
  }
  const text = doc.getText('requirements');
  text.insert(text.length, append);
  const live = await import('../../server/requirements/live-text');
  while (!(live.liveText(r.sessionId) ?? '').endsWith(append)) await new Promise((res) => setTimeout(res, 20));
}

const state = (r: Room) => srv!.app.registry.get(r.sessionId)!.state;
const settle = async (r: Room, ids: string[]) => {
  const seq = (await r.srv.store.read(r.sessionId)).length;
  for (const id of ids) {
    const c = await r.client(id);
    await c.waitFor(() => c.seq >= seq);
  }
};

function assertNoOtherSupplier(c: TestClient, me: string): void {
  const all = JSON.stringify(c.frames);
  SUPPLIERS.forEach((id, k) => {
    if (id === me) return;
    expect(all, `${me} saw ${id}`).not.toContain(`"${id}"`);
    expect(all, `${me} saw ${ORGS[k]}`).not.toContain(ORGS[k]);
    expect(all, `${me} saw ${DEMO_SESSION.suppliers[k].name}`).not.toContain(DEMO_SESSION.suppliers[k].name);
  });
}

describe('requirement changes', () => {
  it('publishes nothing without the purchaser representative: others are refused, a withdrawn proposal leaves no version', async () => {
    const r = await consultation();
    const sups = await Promise.all(SUPPLIERS.map((id) => r.client(id)));
    await edit(r, 'M1', '\n4. 增加夜间巡查频次。');
    const prop = await r.ok('A1', 'requirements:propose');
    expect(prop.data.version).toBe(1);
    expect((await r.act('A1', 'requirements:propose')).error.code).toBe('conflict');

    for (const id of ['A1', 'M1', 'M4', 'O1', 'S1', 'P1']) {
      const ack = await r.act(id, 'requirements:confirm', { version: 1 });
      expect(ack.ok, id).toBe(false);
      expect(ack.error.code).toBe('forbidden');
    }
    // The stage cannot be left while a change awaits confirmation.
    const leave = await r.act('A1', 'stage:advance', { to: 'final_quote' });
    expect(leave.ok).toBe(false);
    expect(leave.error.message).toContain('采购人代表');

    await r.ok('M5', 'requirements:cancel', { version: 1, reason: '采购人代表要求再讨论' });
    await settle(r, [...SUPPLIERS, 'M5']);
    const log = await srv!.store.read(r.sessionId);
    expect(log.some((e) => e.type === 'requirements:published')).toBe(false);
    expect((await r.act('M5', 'requirements:confirm', { version: 1 })).error.code).toBe('not_found');
    for (const c of sups) {
      expect(c.view.requirements).toEqual({ versions: [], unconfirmed: null, active: true });
      // Suppliers never receive the live document or a proposal.
      expect(JSON.stringify(c.frames)).not.toContain('增加夜间巡查频次');
    }
    expect(unconfirmedVersion(state(r), 'S1')).toBeNull();
    // No change, no proposal.
    const m5 = await r.client('M5');
    expect(m5.view.requirements.cancelled).toEqual([expect.objectContaining({ version: 1, by: 'M5' })]);
  });

  it('publishes version n to every active supplier in one event, records deliveries, signatures and a refusal', async () => {
    const r = await consultation();
    const sups = await Promise.all(SUPPLIERS.map((id) => r.client(id)));
    const screen = await r.client('P1');
    const mod = await r.client('A1');
    // S4 is already out before the change: it must not receive it.
    await srv!.app.registry.get(r.sessionId)!.appendSystem([{ type: 'supplier:withdrew', payload: { supplierId: 'S4', reason: { zh: '退出', en: 'withdrew' } } }]);

    await edit(r, 'M2', '\n4. 质保期由一年延长至两年。');
    const before = state(r).stage;
    expect(before).toBe('consultation');
    await r.ok('A1', 'requirements:propose');
    const conf = await r.ok('M5', 'requirements:confirm', { version: 1 });
    expect(conf.data).toEqual({ version: 1, recipients: 3 });

    const log = await srv!.store.read(r.sessionId);
    const published = log.filter((e) => e.type === 'requirements:published');
    expect(published).toHaveLength(1);
    const ev = published[0].payload as any;
    expect(ev.recipients).toEqual(['S1', 'S2', 'S3']);
    expect(ev.confirmedBy).toBe('M5');
    expect(ev.sha256).toBe(contentHash(ev.content));
    expect(ev.diff.filter((l: any) => l.op !== '=')).toEqual([{ op: '+', text: '4. 质保期由一年延长至两年。' }]);

    // Every active supplier got it in the same patch (same seq); S4 got nothing.
    await settle(r, [...SUPPLIERS, 'P1', 'A1']);
    for (const c of sups.slice(0, 3)) {
      const patch = c.frames.find((f) => f.event === 'view:patch' && (f.data as any).set?.requirements?.versions?.length === 1) as any;
      expect(patch.data.seq).toBe(published[0].seq);
      expect(c.view.requirements.unconfirmed).toBe(1);
      expect(c.view.requirements.versions[0]).toMatchObject({ version: 1, sha256: ev.sha256, deliveredAt: null, signedAt: null });
    }
    expect(sups[3].view.requirements.versions).toEqual([]);
    expect(unconfirmedVersion(state(r), 'S1')).toBe(1);
    expect(unconfirmedVersion(state(r), 'S4')).toBeNull();

    // Delivery acknowledgements (the laptop sends them on seeing the version), idempotent.
    await r.ok('S1', 'requirements:received', { version: 1 });
    await r.ok('S1', 'requirements:received', { version: 1 });
    await r.ok('S2', 'requirements:received', { version: 1 });
    expect((await srv!.store.read(r.sessionId)).filter((e) => e.type === 'requirements:delivered')).toHaveLength(2);
    expect((await r.act('S4', 'requirements:received', { version: 1 })).error.code).toBe('not_found');

    // S1 signs; S2 refuses and is invalid; S3 has not answered.
    await r.ok('S1', 'requirements:sign', { version: 1, signer: '周强' });
    expect((await r.act('S1', 'requirements:sign', { version: 1, signer: '周强' })).error.code).toBe('conflict');
    const blank = await r.act('S3', 'requirements:sign', { version: 1, signer: '  ' });
    expect(blank.error.code).toBe('validation');
    expect(blank.error.field).toBe('signer');
    await r.ok('S2', 'requirements:refuse', { version: 1, reason: '无法满足两年质保' });
    await settle(r, [...SUPPLIERS, 'P1', 'A1']);
    const s = state(r);
    expect(unconfirmedVersion(s, 'S1')).toBeNull();
    expect(unconfirmedVersion(s, 'S2')).toBe(1);
    expect(unconfirmedVersion(s, 'S3')).toBe(1);
    expect((s as any).suppliers.standing.S2).toMatchObject({ status: 'invalid', ground: 'change_refused' });
    expect(sups[1].view.suppliers.standing.S2.reason.zh).toContain('不予确认');
    expect(sups[1].view.requirements.active).toBe(false);
    expect((await r.act('S2', 'requirements:sign', { version: 1, signer: '吴婷' })).error.code).toBe('conflict');

    // The wall: version, changed lines, and how many have answered, not who (issue 12).
    expect(screen.view.requirements.latest).toMatchObject({ version: 1, lines: [{ op: '+', text: '4. 质保期由一年延长至两年。' }] });
    expect(screen.view.requirements.latest.answers).toEqual({ total: 3, signed: 1, refused: 1, waiting: 1 });
    for (const org of ORGS) expect(JSON.stringify(screen.view.requirements)).not.toContain(org);
    expect(mod.view.requirements.versions[0].receipts.map((x: any) => [x.supplierId, x.answer, x.signer])).toEqual([
      ['S1', 'signed', '周强'],
      ['S2', 'refused', null],
      ['S3', 'pending', null],
    ]);

    // Version 2 goes to the two suppliers still active; its diff is against version 1.
    await edit(r, 'M3', '\n5. 成果提交时间提前一周。');
    await r.ok('A1', 'requirements:propose');
    await r.ok('M5', 'requirements:confirm', { version: 2 });
    expect(unconfirmedVersion(state(r), 'S1')).toBe(2);
    // An old version cannot be signed once a newer one is out.
    expect((await r.act('S3', 'requirements:sign', { version: 1, signer: '郑凯' })).error.code).toBe('conflict');
    await r.ok('S3', 'requirements:sign', { version: 2, signer: '郑凯' });
    expect(unconfirmedVersion(state(r), 'S3')).toBeNull();
    const v2 = (await srv!.store.read(r.sessionId)).filter((e) => e.type === 'requirements:published')[1].payload as any;
    expect(v2.recipients).toEqual(['S1', 'S3']);
    expect(v2.diff.filter((l: any) => l.op !== '=')).toEqual([{ op: '+', text: '5. 成果提交时间提前一周。' }]);

    // No supplier's socket ever received another supplier's round, version or confirmation.
    await settle(r, SUPPLIERS);
    SUPPLIERS.forEach((id, i) => assertNoOtherSupplier(sups[i], id));
    for (const c of sups) expect(JSON.stringify(c.frames)).not.toMatch(/"signer":"(?!周强"|郑凯")/);
    expect(JSON.stringify(sups[2].frames)).not.toContain('周强');
    expect(JSON.stringify(sups[0].frames)).not.toContain('郑凯');
  });

  it('refuses changes out of order, saying why', async () => {
    srv = await startServer();
    room = await openRoom(srv);
    const early = await room.act('A1', 'requirements:propose');
    expect(early.error.code).toBe('wrong_stage');
    expect(early.error.message).toContain('磋商阶段');
    await driveTo(room, 'consultation');
    const nothing = await room.act('A1', 'requirements:propose');
    expect(nothing.error.code).toBe('conflict');
    expect(nothing.error.message).toContain('没有任何变动');
    expect(nothing.error.messageEn).toContain('not changed');
    // The baseline (version 0) was frozen into the log when consultation began.
    const log = await srv.store.read(room.sessionId);
    const base = log.find((e) => e.type === 'requirements:baseline')!.payload as any;
    expect(base.sha256).toBe(contentHash(base.content));
    // The demo session starts from the project's actual requirements (issue 14), not a pointer to them.
    expect(base.content).toContain('每次监测道路不少于 200 条');
    expect(base.content).toContain('道路扬尘影响评估及管控建议报告 12 份');
    expect(base.content).toMatch(/一、技术要求[\s\S]*二、服务要求[\s\S]*三、合同草案条款/);
    expect(base.content).not.toContain('按磋商文件第五章《采购需求》执行');
    expect((await room.act('S1', 'requirements:propose')).error.code).toBe('forbidden');
    expect((await room.act('S1', 'requirements:sign', { version: 1, signer: '周强' })).error.code).toBe('not_found');
  });
  it('blocks the final quote until every active supplier confirmed the latest version, or the moderator recorded that it did not', async () => {
    const r = await consultation();
    const sups = await Promise.all(SUPPLIERS.map((id) => r.client(id)));
    await edit(r, 'M1', '\n5. 交货期由 60 日缩短至 30 日。');
    await r.ok('A1', 'requirements:propose');
    await r.ok('M5', 'requirements:confirm', { version: 1 });
    await r.ok('S1', 'requirements:sign', { version: 1, signer: '周强' });
    await r.ok('S3', 'requirements:sign', { version: 1, signer: '王磊' });

    // The guard names the suppliers that have not confirmed, with the version (docs/rules.md §2.8 Derived).
    const mod = await r.client('A1');
    await settle(r, ['A1']);
    expect(mod.view.requirements.unconfirmed.map((u: any) => u.supplierId)).toEqual(['S2', 'S4']);
    const blocked = await r.act('A1', 'stage:advance', { to: mod.view.stage.next.id });
    expect(blocked.ok).toBe(false);
    expect(blocked.error.message).toContain(ORGS[1]);
    expect(blocked.error.message).toContain(ORGS[3]);
    expect(blocked.error.message).not.toContain(ORGS[0]);
    expect(blocked.error.messageEn).toContain('version 1');

    // Only the moderator records a lapse, with a reason, for an active supplier that has not signed.
    // (Each device's first connection claims its seat, an event of its own (issue 12): connect first.)
    for (const id of ['M1', 'M5', 'O1', 'S2', 'P1']) await r.client(id);
    const before = (await srv!.store.read(r.sessionId)).length;
    for (const id of ['M1', 'M5', 'O1', 'S2', 'P1']) expect((await r.act(id, 'requirements:lapse', { supplierId: 'S2', reason: '逾期未签字' })).error.code, id).toBe('forbidden');
    expect((await r.act('A1', 'requirements:lapse', { supplierId: 'S2', reason: '' })).error.code).toBe('validation');
    expect((await r.act('A1', 'requirements:lapse', { supplierId: 'S1', reason: '逾期未签字' })).error.code).toBe('conflict');
    expect((await r.act('A1', 'requirements:lapse', { supplierId: 'M1', reason: '逾期未签字' })).error.code).toBe('not_found');
    // Refusals change nothing (a refused stage:advance appends nothing either).
    expect((await srv!.store.read(r.sessionId)).length).toBe(before);

    await r.ok('A1', 'requirements:lapse', { supplierId: 'S2', reason: '规定时间内未签字确认' });
    const log = await srv!.store.read(r.sessionId);
    const inv = log.find((e) => e.type === 'supplier:invalidated')!.payload as any;
    expect(inv).toMatchObject({ supplierId: 'S2', ground: 'change_not_confirmed' });
    expect(inv.reason.zh).toContain('第三章 5.1');
    expect((await r.act('A1', 'requirements:lapse', { supplierId: 'S2', reason: '再次' })).error.code).toBe('conflict');
    // Still blocked by S4 alone.
    const still = await r.act('A1', 'stage:advance', { to: mod.view.stage.next.id });
    expect(still.error.message).toContain(ORGS[3]);
    expect(still.error.message).not.toContain(ORGS[1]);

    await r.ok('S4', 'requirements:sign', { version: 1, signer: '陈静' });
    await settle(r, [...SUPPLIERS, 'A1']);
    // S2 learns why its response is invalid; nobody else's laptop hears of S2.
    expect(sups[1].view.suppliers.standing.S2).toMatchObject({ status: 'invalid', ground: 'change_not_confirmed' });
    for (const [k, c] of sups.entries()) assertNoOtherSupplier(c, SUPPLIERS[k]);
    expect(mod.view.requirements.unconfirmed).toEqual([]);
    expect(mod.view.requirements.versions[0].receipts.find((x: any) => x.supplierId === 'S2')).toMatchObject({ answer: 'lapsed', lapse: '规定时间内未签字确认' });
    await driveTo(r, 'final_quote');
    expect(state(r).stage).toBe('final_quote');
  });
});
