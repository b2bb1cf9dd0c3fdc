import { describe, it, expect } from 'vitest';
import { startServer, type TestServer, type TestClient } from '../helpers/server';
import { openRoom, driveTo, advance, stageOf, type Room } from '../helpers/room';
import { DEMO_SESSION } from '../../server/demo/demo-session';
import { linkFor, tokenOf } from '../helpers/server';
import { SITTING_MINUTES, SITTING_PDF, sha256, uploadSittingDocument } from '../helpers/steps/minutes';
import { signaturePath } from '../helpers/steps/report';
import { closeAfterEach } from '../helpers/per-test';

// Rounds (磋商, docs/rules.md §2.7): one supplier at a time, timed by the server, in the consultation order.

let srv: TestServer | null = null;
let room: Room | null = null;
closeAfterEach(() => [room, srv]);

const ORGS = DEMO_SESSION.suppliers.map((s) => s.org!);
const NAMES = DEMO_SESSION.suppliers.map((s) => s.name);

/** Everything a supplier's socket ever received must name no other supplier (ids, companies, people). */
function assertOnlyItself(c: TestClient, me: string): void {
  const i = Number(me.slice(1)) - 1;
  const all = JSON.stringify(c.frames);
  for (let k = 0; k < 4; k++) {
    if (k === i) continue;
    expect(all, `${me} saw S${k + 1}`).not.toContain(`"S${k + 1}"`);
    expect(all, `${me} saw ${ORGS[k]}`).not.toContain(ORGS[k]);
    expect(all, `${me} saw ${NAMES[k]}`).not.toContain(NAMES[k]);
  }
}

async function consultationRoom(): Promise<Room> {
  srv = await startServer();
  room = await openRoom(srv);
  await driveTo(room, 'consultation');
  return room;
}

const settle = async (r: Room, ids: string[]) => {
  const seq = (await r.srv.store.read(r.sessionId)).length;
  for (const id of ids) {
    const c = await r.client(id);
    await c.waitFor(() => c.seq >= seq);
  }
};

describe('one-on-one rounds', () => {
  it('refuses rounds outside the consultation stage, saying why', async () => {
    srv = await startServer();
    room = await openRoom(srv);
    const ack = await room.act('A1', 'round:start', { seconds: 600 });
    expect(ack.ok).toBe(false);
    expect(ack.error.code).toBe('wrong_stage');
    expect(ack.error.message).toContain('磋商阶段');
    expect(ack.error.messageEn).toContain('consultation');
    expect((await srv.store.read(room.sessionId)).some((e) => e.type.startsWith('round:'))).toBe(false);
  });

  it('runs round 1 through the order, then round 2, with only the supplier in session told it is in session', async () => {
    const r = await consultationRoom();
    const sup = await Promise.all(['S1', 'S2', 'S3', 'S4'].map((id) => r.client(id)));
    const screen = await r.client('P1');
    const tablet = await r.client('M1');

    const a = await r.ok('A1', 'round:start', { seconds: 600 });
    expect(a.data).toMatchObject({ round: 1, supplierId: 'S1', seconds: 600 });
    const t0 = Date.now();
    expect(a.data.endsAt).toBeGreaterThan(t0 + 590_000);
    await settle(r, ['S1', 'S2', 'S3', 'S4', 'P1', 'M1']);

    expect(sup[0].view.rounds).toMatchObject({ inSession: true, place: null, clock: { round: 1, status: 'running', seconds: 600, endsAt: a.data.endsAt } });
    expect(sup[1].view.rounds).toMatchObject({ inSession: false, place: 1, clock: null });
    expect(sup[2].view.rounds).toMatchObject({ inSession: false, place: 2 });
    expect(sup[3].view.rounds).toMatchObject({ inSession: false, place: 3 });
    expect(screen.view.rounds.current).toMatchObject({ round: 1, label: ORGS[0], status: 'running', endsAt: a.data.endsAt });
    // The wall names the supplier in session only and counts the others (issue 12, docs/projector.md):
    // no other supplier's name or state reaches it while one sits in the room.
    expect(screen.view.rounds.queue).toEqual({ round: 1, waiting: 3 });
    for (const org of ORGS.slice(1)) for (const k of ['rounds', 'people', 'suppliers', 'signin', 'requirements']) expect(JSON.stringify(screen.view[k]), `${k}: ${org}`).not.toContain(org);
    expect(Object.keys(screen.view.suppliers.standing)).toEqual(['S1']);
    expect(screen.view.people.filter((p: any) => p.role === 'supplier').map((p: any) => p.id)).toEqual(['S1']);
    expect(tablet.view.rounds.current).toMatchObject({ supplierId: 'S1', label: ORGS[0] });

    // A second start while one is under way is refused; so is leaving the stage.
    const twice = await r.act('A1', 'round:start', { seconds: 600 });
    expect(twice.error.code).toBe('conflict');
    const leave = await r.act('A1', 'stage:advance', { to: 'final_quote' });
    expect(leave.ok).toBe(false);
    expect(leave.error.message).toContain('尚未结束');

    // Pause keeps the remaining time; resume restarts from it; extend records its reason.
    const p = await r.ok('A1', 'round:pause');
    expect(p.ok).toBe(true);
    await settle(r, ['S1', 'P1']);
    expect(sup[0].view.rounds.clock).toMatchObject({ status: 'paused', endsAt: null });
    const remaining = sup[0].view.rounds.clock.remainingMs;
    expect(remaining).toBeGreaterThan(590_000);
    expect(remaining).toBeLessThanOrEqual(600_000);
    expect((await r.act('A1', 'round:pause')).error.code).toBe('conflict');
    const ext = await r.ok('A1', 'round:extend', { seconds: 120, reason: '供应商补充演示' });
    expect(ext.data.remainingMs).toBe(remaining + 120_000);
    await r.ok('A1', 'round:resume');
    await settle(r, ['S1', 'P1', 'A1']);
    expect(sup[0].view.rounds.clock.status).toBe('running');
    expect(sup[0].view.rounds.clock.endsAt).toBeGreaterThanOrEqual(t0 + remaining + 120_000);
    const con = await r.client('A1');
    expect(con.view.rounds.current.extensions).toEqual([expect.objectContaining({ seconds: 120, reason: '供应商补充演示' })]);
    await r.ok('A1', 'round:end');
    await settle(r, ['S1', 'S2']);
    expect(sup[0].view.rounds).toMatchObject({ inSession: false, place: null, sittings: 1 });

    // S2, S3, S4 in turn; the moderator may not pick S1 again in round 1.
    const again = await r.act('A1', 'round:start', { seconds: 600, supplierId: 'S1' });
    expect(again.error.code).toBe('conflict');
    expect(again.error.message).toContain('第 1 轮已磋商过');
    for (const id of ['S2', 'S3', 'S4']) {
      const s = await r.ok('A1', 'round:start', { seconds: 300 });
      expect(s.data).toMatchObject({ round: 1, supplierId: id });
      await r.ok('A1', 'round:end');
    }
    await settle(r, ['S1', 'S2', 'P1']);
    // Round 2 starts again from the top of the order (003 资料表10.2 L184: several rounds).
    expect(sup[0].view.rounds).toMatchObject({ round: 2, place: 1 });
    expect(screen.view.rounds.queue).toEqual({ round: 2, waiting: 4 });
    const r2 = await r.ok('A1', 'round:start', { seconds: 300 });
    expect(r2.data).toMatchObject({ round: 2, supplierId: 'S1' });
    await r.ok('A1', 'round:end');

    for (let i = 0; i < 4; i++) assertOnlyItself(sup[i], `S${i + 1}`);
    const types = (await srv!.store.read(r.sessionId)).map((e) => e.type).filter((t) => t.startsWith('round:'));
    expect(types).toEqual(['round:started', 'round:paused', 'round:extended', 'round:resumed', 'round:ended', ...Array(4).fill(['round:started', 'round:ended']).flat()]);
    expect(await stageOf(r)).toBe('consultation');
    expect(await advance(r)).not.toBe('consultation');
  });

  it('refuses bad input with a bilingual error and changes nothing', async () => {
    const r = await consultationRoom();
    const before = (await srv!.store.read(r.sessionId)).length;
    const short = await r.act('A1', 'round:start', { seconds: 5 });
    expect(short.error.code).toBe('validation');
    expect(short.error.field).toBe('seconds');
    const nobody = await r.act('A1', 'round:start', { seconds: 600, supplierId: 'S9' });
    expect(nobody.error.code).toBe('not_found');
    expect(nobody.error.messageEn).toContain('S9');
    expect((await r.act('A1', 'round:pause')).error.code).toBe('conflict');
    expect((await r.act('S1', 'round:start', { seconds: 600 })).error.code).toBe('forbidden');
    expect((await r.act('M1', 'round:end')).error.code).toBe('forbidden');
    await r.ok('A1', 'round:start', { seconds: 600 });
    const noReason = await r.act('A1', 'round:extend', { seconds: 60, reason: '' });
    expect(noReason.error.code).toBe('validation');
    expect(noReason.error.field).toBe('reason');
    expect((await srv!.store.read(r.sessionId)).length).toBe(before + 1);
  });

  it('keeps each member\'s notes to that member and shows the panel the supplier\'s documents', async () => {
    const r = await consultationRoom();
    const m2 = await r.client('M2');
    const obs = await r.client('O1');
    const mod = await r.client('A1');
    const s1 = await r.client('S1');
    const s2 = await r.client('S2');
    await r.ok('A1', 'round:start', { seconds: 600 });
    await r.ok('A1', 'round:attach', { supplierId: 'S1', fileName: '技术方案补充说明.pdf' });
    expect((await r.act('A1', 'round:attach', { supplierId: 'S1', fileName: '技术方案补充说明.pdf' })).error.code).toBe('conflict');
    await r.ok('M1', 'round:note', { supplierId: 'S1', text: '机密笔记：监测点位数量偏少' });
    const m1 = await r.client('M1');
    await settle(r, ['M1', 'M2', 'O1', 'A1', 'S1', 'S2']);
    expect(m1.view.rounds.notes.S1.text).toBe('机密笔记：监测点位数量偏少');
    expect(m2.view.rounds.notes).toEqual({});
    expect(m2.view.rounds.documents.S1).toEqual([expect.objectContaining({ fileName: '技术方案补充说明.pdf' })]);
    for (const c of [m2, obs, mod, s1, s2]) expect(JSON.stringify(c.frames)).not.toContain('监测点位数量偏少');
    expect(JSON.stringify(s2.frames)).not.toContain('技术方案补充说明');
    // A member cannot file a note for somebody else: the payload has no member field at all.
    const spoof = await r.act('M2', 'round:note', { supplierId: 'S1', text: 'x', memberId: 'M1' });
    expect(spoof.error.code).toBe('validation');
  });

  it('skips a supplier that is no longer in the evaluation and survives a restart', async () => {
    const r = await consultationRoom();
    // Simulate an elimination from another concern (a refused change is the one this concern knows).
    const rt = srv!.app.registry.get(r.sessionId)!;
    await rt.appendSystem([{ type: 'supplier:invalidated', payload: { supplierId: 'S2', ground: 'change_refused', reason: { zh: '测试', en: 'test' } } }]);
    await r.ok('A1', 'round:start', { seconds: 600 });
    await r.ok('A1', 'round:end');
    const next = await r.ok('A1', 'round:start', { seconds: 600 });
    expect(next.data.supplierId).toBe('S3');
    const s2 = await r.client('S2');
    expect(s2.view.rounds.place).toBeNull();

    const dataDir = srv!.dataDir;
    r.closeAll();
    await srv!.close();
    srv = await startServer({ dataDir });
    const again = srv.app.registry.get(r.sessionId)!;
    expect((again.state as any).rounds.sittings.map((x: any) => [x.supplierId, x.status])).toEqual([
      ['S1', 'ended'],
      ['S3', 'running'],
    ]);
    room = null;
  });
});

describe('the consultation minutes (磋商记录)', () => {
  it('records who was present, the actual duration, what was discussed, the documents with their sha256 and the signatures', async () => {
    const r = await consultationRoom();
    const started = await r.ok('A1', 'round:start', { seconds: 900 });
    const sid = started.data.supplierId as string;
    const other = ['S1', 'S2', 'S3', 'S4'].find((x) => x !== sid)!;
    // Kept by the moderator or the panel leader only.
    expect(await r.act('M2', 'round:minutes', { sitting: 1, text: '不是组长' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await r.act('A1', 'round:minutes', { sitting: 9, text: '没有这次磋商' })).toMatchObject({ ok: false, error: { code: 'not_found', field: 'sitting' } });
    await r.ok('M1', 'round:minutes', { sitting: 1, text: '初稿' });
    await r.ok('A1', 'round:minutes', { sitting: 1, text: SITTING_MINUTES });
    // A document from the laptop of the supplier in session; not from another supplier; not a renamed file.
    const before = (await r.srv.store.read(r.sessionId)).length;
    expect((await uploadSittingDocument(r, other, { sitting: 1, name: 'x.pdf', mime: 'application/pdf', dataBase64: SITTING_PDF.toString('base64') })).status).toBe(400);
    const fake = await uploadSittingDocument(r, sid, { sitting: 1, name: 'x.pdf', mime: 'application/pdf', dataBase64: Buffer.from('MZ not a pdf').toString('base64') });
    expect(fake.status).toBe(400);
    expect((await fake.json()).error.message).toContain('PDF');
    expect((await r.srv.store.read(r.sessionId)).length).toBe(before);
    const up = await uploadSittingDocument(r, sid, { sitting: 1, name: '磋商补充说明.pdf', mime: 'application/pdf', dataBase64: SITTING_PDF.toString('base64') });
    expect(up.status).toBe(200);
    expect((await up.json()).data.sha256).toBe(sha256(SITTING_PDF));
    await r.ok('A1', 'round:end', {});
    await settle(r, ['M3', 'A1', sid, other, 'P1']);

    // The panel sees the record and downloads the very bytes; another supplier and the wall see nothing of it.
    const m3 = await r.client('M3');
    const rec = m3.view.minutes[0];
    expect(rec).toMatchObject({ n: 1, supplierId: sid, text: SITTING_MINUTES, supplierSigned: false });
    expect(rec.present.map((p: any) => p.label)).toEqual(['专家 1', '专家 2', '专家 3', '专家 4', '采购人代表']);
    expect(rec.documents).toEqual([expect.objectContaining({ name: '磋商补充说明.pdf', sha256: sha256(SITTING_PDF), fromSupplier: true })]);
    const dl = (id: string) => fetch(`${r.srv.url}/api/sessions/${r.sessionId}/sitting-documents/${sha256(SITTING_PDF)}`, { headers: { authorization: `Bearer ${tokenOf(linkFor(r.links, id))}` } });
    const got = await dl('M3');
    expect(got.status).toBe(200);
    expect(sha256(Buffer.from(await got.arrayBuffer()))).toBe(sha256(SITTING_PDF));
    expect((await dl(sid)).status).toBe(200);
    expect((await dl(other)).status).toBe(404);
    expect((await dl('P1')).status).toBe(404);
    expect((await r.client(other)).view.minutes).toEqual([]);
    expect((await r.client('P1')).view.minutes).toBeNull();
    expect((await r.client(sid)).view.minutes[0]).toMatchObject({ n: 1, text: SITTING_MINUTES, signed: false });

    // The supplier's representative signs before leaving; then the text is closed; members present sign.
    expect(await r.act(other, 'round:sign_minutes', { sitting: 1, name: '别人', signature: signaturePath(1) })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    await r.ok(sid, 'round:sign_minutes', { sitting: 1, name: '代表', signature: signaturePath(1) });
    expect(await r.act(sid, 'round:sign_minutes', { sitting: 1, name: '代表', signature: signaturePath(1) })).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(await r.act('A1', 'round:minutes', { sitting: 1, text: '签字后改动' })).toMatchObject({ ok: false, error: { code: 'conflict' } });
    for (const m of ['M1', 'M2', 'M3', 'M4', 'M5']) await r.ok(m, 'round:sign_minutes', { sitting: 1, name: m, signature: signaturePath(2) });

    // Every signature is recorded against the sitting (the report prints them: report.test.ts).
    await settle(r, ['A1']);
    expect((await r.client('A1')).view.minutes[0].signatures).toHaveLength(6);
  });
});
