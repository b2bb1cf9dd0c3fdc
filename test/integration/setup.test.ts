import { describe, it, expect, afterEach } from 'vitest';
import { startServer, connect, tokenOf, linkFor, cid, ADMIN, type TestServer } from '../helpers/server';
import { openRoom, advance, stageOf, type Room } from '../helpers/room';
import { loadTemplate } from '../../shared/domain/rubric/templates';
import { canonicalJson, sha256 } from '../../server/store/canonical';

// Issue 4: a draft session is edited by validated commands appended to the log, cannot open until its
// set-up validates, and is frozen (with its hashes) once it opens.
let srv: TestServer | null = null;
let room: Room | null = null;
afterEach(async () => {
  room?.closeAll();
  room = null;
  if (srv) await srv.close(true);
  srv = null;
});

const DRAFT = { rubric: 'seed004', moderator: { name: '王主持', org: '金信建设工程造价咨询有限公司' }, members: [], suppliers: [], openForSignin: false };
const hash = (v: unknown) => sha256(canonicalJson(v));
const logLength = async () => (await srv!.store.read(room!.sessionId)).length;
const api = (path: string, init: RequestInit = {}) =>
  fetch(`${srv!.url}${path}`, { ...init, headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN}`, ...(init.headers ?? {}) } }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));

async function draft(body: unknown = DRAFT): Promise<Room> {
  srv = await startServer();
  room = await openRoom(srv, body);
  return room;
}

async function addPanelAndSuppliers(r: Room, members = 5, suppliers = 4) {
  for (let i = 0; i < members; i++) await r.ok('A1', 'setup:person_add', { role: i === members - 1 ? 'purchaser_rep' : 'expert', name: `成员${i + 1}`, leader: i === 0 });
  for (let i = 0; i < suppliers; i++) await r.ok('A1', 'setup:person_add', { role: 'supplier', name: `代表${i + 1}`, org: `供应商${i + 1}有限公司`, contact: `0943-800000${i}` });
}

describe('creating a draft', () => {
  it('may start with nobody but the moderator, in set-up, and cannot open until the set-up validates', async () => {
    const r = await draft();
    expect(r.links.map((l) => l.personId)).toEqual(['A1', 'P1']);
    expect(await stageOf(r)).toBe('setup');
    const a1 = await r.client('A1');
    expect(a1.view.setup.editing).toBe(true);
    expect(a1.view.stage.next.blockedBy.zh).toMatch(/准备工作未完成/);
    const sections = a1.view.setup.problems.map((p: any) => p.section);
    expect(sections).toContain('panel');
    expect(sections).toContain('suppliers');
    const before = await logLength();
    const ack = await r.act('A1', 'stage:advance', { to: 'signin' });
    expect(ack).toMatchObject({ ok: false, error: { code: 'wrong_stage' } });
    expect(await logLength()).toBe(before);
  });

  it('still requires members and suppliers for a session opened at once', async () => {
    srv = await startServer();
    const res = await api('/api/sessions', { method: 'POST', body: JSON.stringify({ ...DRAFT, openForSignin: undefined }) });
    expect(res.status).toBe(400);
    expect(res.body.error.field).toBe('members');
  });
});

describe('setup commands', () => {
  it('refuses an invalid rubric naming the field, appends nothing, and accepts a valid edit', async () => {
    const r = await draft();
    const bad = structuredClone(loadTemplate('seed004')) as any;
    bad.factors[1].max_points = 11;
    await r.client('A1'); // the console's first connection claims its seat (an event, issue 12)
    const before = await logLength();
    const ack = await r.act('A1', 'setup:rubric', { rubric: bad });
    expect(ack.ok).toBe(false);
    expect(ack.error.code).toBe('validation');
    expect(ack.error.message).toMatch(/评分标准未保存/);
    expect(ack.error.messageEn).toMatch(/Rubric not saved/);
    expect(ack.error.field).toMatch(/^rubric\./);
    expect(await logLength()).toBe(before);

    const good = structuredClone(loadTemplate('seed004')) as any;
    good.factors[1].rule_zh = '已由代理机构修订的评分细则';
    const ok = await r.ok('A1', 'setup:rubric', { rubric: good });
    expect(ok.data.rubricHash).toBe(hash(good));
    const a1 = await r.client('A1');
    await a1.waitFor((v) => v.setup?.rubric?.factors?.[1]?.rule_zh === '已由代理机构修订的评分细则');
    expect(a1.view.setup.rubricHash).toBe(hash(good));
    const log = await srv!.store.read(r.sessionId);
    expect(log.filter((e) => e.type !== 'device:claimed').at(-1)!.type).toBe('setup:rubric_replaced');
  });

  it('a template imported as JSON keeps its hash through the server', async () => {
    const r = await draft();
    for (const name of ['seed000', 'seed003', 'seed004']) {
      const t = JSON.parse(JSON.stringify(loadTemplate(name)));
      const ack = await r.ok('A1', 'setup:rubric', { rubric: t });
      expect(ack.data.rubricHash).toBe(hash(loadTemplate(name)));
    }
  });

  it('edits the project, the switches and the checklists; refuses a duplicate checklist id', async () => {
    const r = await draft();
    await r.ok('A1', 'setup:project', { project: { name: '白银邮件处理中心外包', projectNumber: 'JX2022BY-001', budget: '2000000.00', maxPrice: null } });
    await r.ok('A1', 'setup:settings', { settings: { governmentServices: true, anomalyPreset: 'strict' } });
    const a1 = await r.client('A1');
    await a1.waitFor((v) => v.setup?.settings?.anomalyPreset === 'strict' && v.setup.project.name === '白银邮件处理中心外包');
    expect(a1.view.setup.settings.budget).toBe('2000000.00');
    expect(a1.view.setup.settings.exceptions).toContain('government_services_two_suppliers');
    await r.ok('A1', 'setup:settings', { settings: { governmentServices: false } });
    await a1.waitFor((v) => v.setup.settings.governmentServices === false);
    expect(a1.view.setup.settings.exceptions).not.toContain('government_services_two_suppliers');

    const bad = await r.act('A1', 'setup:project', { project: { budget: '12.345' } });
    expect(bad).toMatchObject({ ok: false, error: { code: 'validation', field: 'project.budget' } });

    const cl = structuredClone(a1.view.setup.checklists);
    cl.final = [{ id: 'F1', text_zh: '终审：响应文件实质性响应', clarificationAllowed: true }];
    await r.ok('A1', 'setup:checklists', { checklists: cl });
    await a1.waitFor((v) => v.setup.checklists.final.length === 1);
    const before = await logLength();
    const dup = structuredClone(cl);
    dup.final.push({ id: 'F1', text_zh: '重复', clarificationAllowed: false });
    const ack = await r.act('A1', 'setup:checklists', { checklists: dup });
    expect(ack).toMatchObject({ ok: false, error: { code: 'validation' } });
    expect(ack.error.message).toMatch(/重复/);
    expect(await logLength()).toBe(before);
  });

  it('checks the panel against rules.panel (seed 004: at least 5, odd, experts ≥ 2/3)', async () => {
    const r = await draft();
    await addPanelAndSuppliers(r, 4, 1);
    const a1 = await r.client('A1');
    await a1.waitFor((v) => v.setup.people.length === 6);
    expect(a1.view.stage.next.blockedBy.zh).toMatch(/少于 5 人/);
    const rep = await r.ok('A1', 'setup:person_add', { role: 'purchaser_rep', name: '采购人代表二' });
    await a1.waitFor((v) => v.setup.people.length === 7);
    // 3 experts of 5: less than two thirds.
    expect(a1.view.stage.next.blockedBy.zh).toMatch(/2\/3/);
    await r.ok('A1', 'setup:person_update', { personId: rep.data.personId, role: 'expert' });
    await a1.waitFor((v) => v.stage.next.blockedBy === null);
    // The representative made an expert takes the next expert number: 专家 1..4, none twice.
    const ordinals = a1.view.setup.people.filter((p: any) => p.role === 'expert').map((p: any) => p.ordinal);
    expect(ordinals.sort()).toEqual([1, 2, 3, 4]);
  });

  it('keeps one leader, refuses a leader who is not a member, and never reuses a removed id', async () => {
    const r = await draft();
    await addPanelAndSuppliers(r, 3, 1);
    await r.ok('A1', 'setup:person_update', { personId: 'M2', leader: true });
    const a1 = await r.client('A1');
    await a1.waitFor((v) => v.setup.people.find((p: any) => p.id === 'M2')?.leader === true);
    expect(a1.view.setup.people.filter((p: any) => p.leader).map((p: any) => p.id)).toEqual(['M2']);
    expect(await r.act('A1', 'setup:person_add', { role: 'supplier', name: '某', leader: true })).toMatchObject({ ok: false, error: { field: 'leader' } });
    await r.ok('A1', 'setup:person_remove', { personId: 'M3' });
    const added = await r.ok('A1', 'setup:person_add', { role: 'expert', name: '新专家' });
    expect(added.data.personId).toBe('M4');
    expect(await r.act('A1', 'setup:person_remove', { personId: 'A1' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await r.act('A1', 'setup:person_remove', { personId: 'M9' })).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  it('removing a person revokes the token at once', async () => {
    const r = await draft();
    await addPanelAndSuppliers(r, 1, 1);
    const { body } = await api(`/api/sessions/${r.sessionId}/links`);
    const s1 = body.data.links.find((l: any) => l.personId === 'S1');
    const c = await connect(srv!.url, tokenOf(s1));
    const revoked = new Promise((res) => c.socket.on('session:revoked', res));
    await r.ok('A1', 'setup:person_remove', { personId: 'S1' });
    await revoked;
    await expect(connect(srv!.url, tokenOf(s1))).rejects.toThrow(/unauthenticated/);
  });

  it('only the moderator may edit; a supplier never receives the draft or other people\u2019s contacts', async () => {
    const r = await draft();
    await addPanelAndSuppliers(r, 1, 2);
    const { body } = await api(`/api/sessions/${r.sessionId}/links`);
    const s1 = await connect(srv!.url, tokenOf(linkFor(body.data.links, 'S1')));
    const m1 = await connect(srv!.url, tokenOf(linkFor(body.data.links, 'M1')));
    const o = await s1.send('setup:project', { id: cid(), project: { name: '改名' } });
    expect(o).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await m1.send('setup:person_add', { id: cid(), role: 'expert', name: 'x' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    await r.ok('A1', 'setup:person_update', { personId: 'S2', contact: '0943-8123456' });
    await r.ok('A1', 'setup:project', { project: { name: '改名后的项目' } });
    await s1.waitFor((v) => v.session?.name === '改名后的项目');
    for (const f of [...s1.frames, ...m1.frames]) {
      const text = JSON.stringify(f.data);
      expect(text).not.toContain('0943-8123456');
      expect(text).not.toContain('"setup":{');
      expect(text).not.toContain('rule_zh');
    }
    for (const f of s1.frames) expect(JSON.stringify(f.data)).not.toContain('供应商2有限公司');
    s1.close();
    m1.close();
  });
});

describe('opening the session', () => {
  it('freezes rubric, rules, checklists and switches with their sha256; every setup command is then refused', async () => {
    const r = await draft();
    await addPanelAndSuppliers(r);
    const a1 = await r.client('A1');
    await a1.waitFor((v) => v.stage.next?.blockedBy === null);
    const draftView = a1.view.setup;
    expect(await advance(r)).toBe('signin');
    const log = await srv!.store.read(r.sessionId);
    const frozen = log.find((e) => e.type === 'setup:frozen')!;
    expect(frozen).toBeTruthy();
    expect(frozen.payload).toEqual({
      rubricHash: hash(draftView.rubric),
      rulesHash: hash(draftView.rubric.rules),
      checklistsHash: hash(draftView.checklists),
      settingsHash: hash(draftView.settings),
    });
    expect(log[log.length - 1].type).toBe('stage:changed');
    await a1.waitFor((v) => v.setup.editing === false);
    expect(a1.view.setup.frozen.rubricHash).toBe(hash(draftView.rubric));
    expect(a1.view.setup.rubric).toBeUndefined();

    const before = await logLength();
    const attempts: [string, Record<string, unknown>][] = [
      ['setup:rubric', { rubric: draftView.rubric }],
      ['setup:project', { project: { name: '改' } }],
      ['setup:settings', { settings: { goods: true } }],
      ['setup:checklists', { checklists: draftView.checklists }],
      ['setup:person_add', { role: 'expert', name: '迟到者' }],
      ['setup:person_update', { personId: 'M1', name: '改名' }],
      ['setup:person_remove', { personId: 'S4' }],
    ];
    for (const [event, payload] of attempts) {
      const ack = await r.act('A1', event, payload);
      expect(ack, event).toMatchObject({ ok: false, error: { code: 'wrong_stage' } });
      expect(ack.error.message).toMatch(/已冻结/);
    }
    expect(await logLength()).toBe(before);
  });

  it('the state survives a restart: replaying the log gives the same draft and hashes', async () => {
    const r = await draft();
    await addPanelAndSuppliers(r, 5, 2);
    await r.ok('A1', 'setup:person_remove', { personId: 'S1' });
    await advance(r);
    const before = srv!.app.registry.get(r.sessionId)!.state;
    const dataDir = srv!.dataDir;
    r.closeAll();
    await srv!.close();
    srv = await startServer({ dataDir });
    const after = srv.app.registry.get(r.sessionId)!.state;
    expect(after.order).toEqual(before.order);
    expect(after.people).toEqual(before.people);
    expect(after.setup).toEqual(before.setup);
    expect(after.rubricHash).toBe(before.rubricHash);
  });
});

describe('join cards, reissue and duplicate over HTTP', () => {
  it('gives one card per participant with a QR code of its link; reissuing revokes the old token', async () => {
    const r = await draft();
    await addPanelAndSuppliers(r, 5, 4);
    const { status, body } = await api(`/api/sessions/${r.sessionId}/cards`);
    expect(status).toBe(200);
    expect(body.data.cards).toHaveLength(11);
    for (const c of body.data.cards) {
      expect(c.qrSvg).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
      expect(c.url).toMatch(/#[A-Za-z0-9_-]{32}$/);
    }
    expect((await fetch(`${srv!.url}/api/sessions/${r.sessionId}/cards`)).status).toBe(401);

    const old = body.data.cards.find((c: any) => c.personId === 'M2').url;
    const re = await api(`/api/sessions/${r.sessionId}/people/M2/reissue`, { method: 'POST' });
    expect(re.status).toBe(200);
    expect(re.body.data.url).not.toBe(old);
    await expect(connect(srv!.url, old.split('#')[1])).rejects.toThrow(/unauthenticated/);
    const fresh = await connect(srv!.url, re.body.data.url.split('#')[1]);
    expect(fresh.view.me.id).toBe('M2');
    fresh.close();
    const log = await srv!.store.read(r.sessionId);
    expect(log.filter((e) => e.type !== 'device:claimed').at(-1)).toMatchObject({ type: 'participant:reissued', actor: { personId: 'A1' } });
    expect((await api(`/api/sessions/${r.sessionId}/people/M99/reissue`, { method: 'POST' })).status).toBe(404);
  });

  it('duplicates a session as a new draft with the same rubric and people, fresh tokens, listed with its stage', async () => {
    const r = await draft();
    await addPanelAndSuppliers(r, 5, 4);
    await r.ok('A1', 'setup:project', { project: { name: '原项目' } });
    await advance(r);
    const dup = await api(`/api/sessions/${r.sessionId}/duplicate`, { method: 'POST' });
    expect(dup.status).toBe(201);
    const copy = srv!.app.registry.get(dup.body.data.sessionId)!.state;
    const orig = srv!.app.registry.get(r.sessionId)!.state;
    expect(copy.stage).toBe('setup');
    expect(copy.project.name).toBe('原项目（副本）');
    expect(copy.rubricHash).toBe(orig.rubricHash);
    expect(copy.order).toEqual(orig.order);
    expect(copy.order.map((id) => copy.people[id].name)).toEqual(orig.order.map((id) => orig.people[id].name));
    expect(copy.order.every((id) => copy.people[id].tokenHash !== orig.people[id].tokenHash)).toBe(true);
    const list = await api('/api/sessions');
    const stages = Object.fromEntries(list.body.data.map((s: any) => [s.id, s.stage]));
    expect(stages).toEqual({ [r.sessionId]: 'signin', [dup.body.data.sessionId]: 'setup' });
  });
});

describe('the setup step of driveTo', () => {
  it('completes an empty draft so that tests of later stages can start from one', async () => {
    const { driveTo } = await import('../helpers/room');
    const r = await draft();
    await driveTo(r, 'signin');
    expect(await stageOf(r)).toBe('signin');
  });
});
