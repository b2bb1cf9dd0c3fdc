import { DEMO_SESSION } from '../../server/demo/demo-session';
import { describe, it, expect } from 'vitest';
import { io as ioc } from 'socket.io-client';
import { startServer, connect, tokenOf, linkFor, cid, ADMIN, type TestServer, type TestClient } from '../helpers/server';
import { verifyChain } from '../../server/store/chain';
import { snapshotView } from '../../shared/protocol/view-sync';
import { closeAfterEach } from '../helpers/per-test';

let srv: TestServer | null = null;
const clients: TestClient[] = [];
closeAfterEach(() => [clients.splice(0), srv]);
const track = (c: TestClient) => (clients.push(c), c);

describe('creating a session over HTTP', () => {
  it('answers one join link per participant, each with a distinct long token', async () => {
    srv = await startServer();
    const { sessionId, links } = await srv.createSession();
    expect(sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(links).toHaveLength(12);
    expect(new Set(links.map(tokenOf)).size).toBe(12);
    for (const l of links) expect(Buffer.from(tokenOf(l), 'base64url').length * 8).toBeGreaterThanOrEqual(128);
    expect(linkFor(links, 'P1').url).toMatch(/\/screen\?s=[0-9a-f-]+#/);
    expect(linkFor(links, 'M1').url).toMatch(/\/tablet\?s=[0-9a-f-]+#/);
    expect(linkFor(links, 'S1').url).toMatch(/\/laptop\?s=[0-9a-f-]+#/);
  });

  it('refuses a request without the agency key, and a rubric that does not add up, naming the factor', async () => {
    srv = await startServer();
    const noKey = await fetch(`${srv.url}/api/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(noKey.status).toBe(401);
    const { loadTemplate } = await import('../../shared/domain/rubric/templates');
    const rubric = structuredClone(loadTemplate('seed003')) as any;
    rubric.factors[2].max_points = 11;
    const res = await fetch(`${srv.url}/api/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN}` },
      body: JSON.stringify({ rubric, members: [{ name: '甲', role: 'expert' }], suppliers: [{ name: '乙' }], moderator: { name: '丙' } }),
    });
    const body = (await res.json()) as any;
    expect(res.status).toBe(400);
    expect(body.ok).toBe(false);
    expect(body.error.message).toMatch(/101/);
    expect(body.error.messageEn).toMatch(/101/);
    expect(body.error.field).toMatch(/^rubric/);
    const dup = structuredClone(loadTemplate('seed003')) as any;
    dup.factors[3].id = dup.factors[2].id;
    const res2 = await fetch(`${srv.url}/api/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN}` },
      body: JSON.stringify({ rubric: dup, members: [{ name: '甲', role: 'expert' }], suppliers: [{ name: '乙' }], moderator: { name: '丙' } }),
    });
    const body2 = (await res2.json()) as any;
    expect(res2.status).toBe(400);
    expect(body2.error.message).toContain(dup.factors[2].id);
    expect((await srv.store.listSessionIds()).length).toBe(0);
  });

  it('refuses malformed JSON and a wrong-typed body with a clear error and keeps running', async () => {
    srv = await startServer();
    const bad = await fetch(`${srv.url}/api/sessions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN}` }, body: '{"rubric":' });
    expect(bad.status).toBe(400);
    const wrong = await fetch(`${srv.url}/api/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN}` },
      body: JSON.stringify({ rubric: 'seed003', members: 'five', suppliers: [], moderator: { name: 'x' } }),
    });
    const body = (await wrong.json()) as any;
    expect(body.error.field).toBe('members');
    expect(body.error.message).toMatch(/字段 members/);
    expect((await fetch(`${srv.url}/api/health`)).status).toBe(200);
  });
});

describe('the handshake', () => {
  it('refuses a bad token, a foreign Origin and another protocol version', async () => {
    srv = await startServer();
    const { links } = await srv.createSession();
    await expect(connect(srv.url, 'not-a-real-token-at-all-000000')).rejects.toMatchObject({ data: { code: 'unauthenticated' } });
    await expect(connect(srv.url, tokenOf(links[0]), { origin: 'https://evil.example' })).rejects.toThrow();
    await expect(connect(srv.url, tokenOf(links[0]), { protocol: 999 })).rejects.toMatchObject({ data: { code: 'protocol_mismatch' } });
    const ok = track(await connect(srv.url, tokenOf(links[0]), { origin: srv.url }));
    expect(ok.view.me.role).toBe('moderator');
  });

  it('gives each role its own view, in rooms the server chose', async () => {
    srv = await startServer();
    const { sessionId, links } = await srv.createSession();
    const mod = track(await connect(srv.url, tokenOf(linkFor(links, 'A1'))));
    const sup = track(await connect(srv.url, tokenOf(linkFor(links, 'S2'))));
    const screen = track(await connect(srv.url, tokenOf(linkFor(links, 'P1'))));
    expect(mod.view.session.id).toBe(sessionId);
    expect(mod.view.session.stage).toBe('signin');
    expect(mod.view.people).toHaveLength(12);
    expect(mod.view.log.tail.length).toBeGreaterThan(0);
    // A supplier knows itself and the agency, nothing of the other suppliers or the members.
    expect(sup.view.people.map((p: any) => p.id).sort()).toEqual(['A1', 'S2']);
    expect(Object.keys(sup.view.presence).sort()).toEqual(['A1', 'M1', 'M2', 'M3', 'M4', 'M5', 'O1', 'P1', 'S2'].filter((id) => ['A1', 'S2'].includes(id) || id.startsWith('M') || id === 'O1' || id === 'P1'));
    expect(sup.view.log).toBeUndefined();
    // The wall shows experts as 专家 n and the purchaser representative as 采购人代表, never their names.
    const members = screen.view.people.filter((p: any) => p.role === 'expert' || p.role === 'purchaser_rep');
    expect(members.length).toBe(5);
    expect(members.every((p: any) => p.name === null && (p.role === 'expert' ? /^专家 \d$/ : /^采购人代表$/).test(p.label))).toBe(true);
    const rooms = [...srv.app.realtime.io.of('/').sockets.values()].find((s) => s.data.principal.personId === 'S2')!.rooms;
    expect([...rooms].filter((r) => r.startsWith('s:')).sort()).toEqual([`s:${sessionId}:person:S2`, `s:${sessionId}:role:supplier`]);
  });

  it('keeps no join token, device key or resume state in a socket\'s handshake once it is checked and answered', async () => {
    srv = await startServer();
    const { links } = await srv.createSession();
    const token = tokenOf(linkFor(links, 'M1'));
    const first = track(await connect(srv.url, token));
    await first.waitFor((v) => v.session !== undefined);
    const replica = first.replica;
    first.socket.disconnect();
    // The same tablet again, saying what it holds (its sections' digests), and a second device of the
    // same seat, which waits for the moderator.
    const again = track(await connect(srv.url, token, { replica }));
    const other = track(await connect(srv.url, token, { device: 'another-tablet-key-0123456789abcdef', waiting: true }));
    expect(again.view.session).toBeDefined();
    const sockets = [...srv.app.realtime.io.of('/').sockets.values()].filter((s) => s.data.principal?.personId === 'M1');
    expect(sockets).toHaveLength(2);
    for (const s of sockets) {
      const kept = JSON.stringify(s.handshake.auth);
      expect(kept).not.toContain(token);
      expect(kept).not.toContain('another-tablet-key');
      expect(kept).toBe('{}');
    }
    expect(other.socket.connected).toBe(true);
  });

  it('numbers the experts 1..n around the purchaser representative, who is 采购人代表 on every view (issue 13 item 7)', async () => {
    srv = await startServer();
    const members = [
      { name: '李明', role: 'expert', leader: true },
      { name: '赵敏', role: 'purchaser_rep', org: '北京市石景山区生态环境局' },
      { name: '张华', role: 'expert' },
      { name: '陈静', role: 'expert' },
      { name: '刘洋', role: 'expert' },
    ];
    const { links } = await srv.createSession({ ...DEMO_SESSION, members });
    const want = { M1: '专家 1', M2: '采购人代表', M3: '专家 2', M4: '专家 3', M5: '专家 4' };
    const wantEn = { M1: 'Expert 1', M2: 'Purchaser rep.', M3: 'Expert 2', M4: 'Expert 3', M5: 'Expert 4' };
    const screen = track(await connect(srv.url, tokenOf(linkFor(links, 'P1'))));
    const mod = track(await connect(srv.url, tokenOf(linkFor(links, 'A1'))));
    const m3 = track(await connect(srv.url, tokenOf(linkFor(links, 'M3'))));
    const labels = (c: typeof mod) => Object.fromEntries(c.view.people.filter((p: any) => p.role === 'expert' || p.role === 'purchaser_rep').map((p: any) => [p.id, p.label]));
    // The projector, the console and a tablet: the same labels, no gap, no 专家 for the representative.
    for (const c of [screen, mod, m3]) expect(labels(c)).toEqual(want);
    expect(m3.view.me.label).toBe('专家 2');
    // The sign-in section (the wall's and the console's member list), in both languages.
    for (const c of [screen, mod]) expect(Object.fromEntries(c.view.signin.members.map((m: any) => [m.id, m.label]))).toEqual(want);
    expect(Object.fromEntries(mod.view.signin.members.map((m: any) => [m.id, m.labelEn]))).toEqual(wantEn);
  });

  it('shows everyone who is connected, live', async () => {
    srv = await startServer();
    const { links } = await srv.createSession();
    const mod = track(await connect(srv.url, tokenOf(linkFor(links, 'A1'))));
    expect(mod.view.presence.M1.connected).toBe(false);
    const m1 = track(await connect(srv.url, tokenOf(linkFor(links, 'M1'))));
    await mod.waitFor((v) => v.presence.M1.connected === true);
    m1.close();
    await mod.waitFor((v) => v.presence.M1.connected === false && v.presence.M1.lastSeen !== null);
  });
});

describe('commands', () => {
  it('refuses an event the role may not send, an unknown event and a malformed payload, appending nothing', async () => {
    srv = await startServer();
    const { sessionId, links } = await srv.createSession();
    const sup = track(await connect(srv.url, tokenOf(linkFor(links, 'S1'))));
    // Each device's first connection claims its seat (an event, issue 12): both connect first.
    const mod = track(await connect(srv.url, tokenOf(linkFor(links, 'A1'))));
    const before = (await srv.store.read(sessionId)).length;
    expect(await sup.send('screen:scene', { id: cid(), scene: 'results' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await sup.send('participant:reissue', { id: cid(), personId: 'S2' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await sup.send('no:such-event', { id: cid() })).toMatchObject({ ok: false, error: { code: 'unknown_event' } });
    const bad = await mod.send('screen:scene', { id: cid(), scene: 'everything' });
    expect(bad).toMatchObject({ ok: false, error: { code: 'validation', field: 'scene' } });
    expect(bad.error.message).toMatch(/scene/);
    expect(await mod.send('screen:scene', { id: cid(), scene: 'round', extra: 1 })).toMatchObject({ ok: false, error: { code: 'validation' } });
    expect(await mod.send('screen:scene', null)).toMatchObject({ ok: false, error: { code: 'validation' } });
    expect((await srv.store.read(sessionId)).length).toBe(before);
  });

  it('acks only after the commit, and a retried command takes effect once', async () => {
    srv = await startServer();
    const { sessionId, links } = await srv.createSession();
    const mod = track(await connect(srv.url, tokenOf(linkFor(links, 'A1'))));
    const screen = track(await connect(srv.url, tokenOf(linkFor(links, 'P1'))));
    const id = cid();
    const a1 = await mod.send('screen:scene', { id, scene: 'signin' });
    expect(a1.ok).toBe(true);
    const log = await srv.store.read(sessionId);
    expect(log[log.length - 1]).toMatchObject({ seq: a1.seq, type: 'screen:scene_changed', commandId: id });
    const a2 = await mod.send('screen:scene', { id, scene: 'signin' });
    expect(a2).toEqual(a1);
    expect((await srv.store.read(sessionId)).length).toBe(log.length);
    await screen.waitFor((v) => v.screen.scene === 'signin');
  });

  it('reissues a lost tablet: the old token is refused at once and the new one works', async () => {
    srv = await startServer();
    const { sessionId, links } = await srv.createSession();
    const oldToken = tokenOf(linkFor(links, 'M2'));
    const tablet = track(await connect(srv.url, oldToken));
    const revoked = new Promise((r) => tablet.socket.on('session:revoked', r));
    const mod = track(await connect(srv.url, tokenOf(linkFor(links, 'A1'))));
    const ack = await mod.send('participant:reissue', { id: cid(), personId: 'M2' });
    expect(ack.ok).toBe(true);
    await revoked;
    await expect(connect(srv.url, oldToken)).rejects.toMatchObject({ data: { code: 'unauthenticated' } });
    const fresh = track(await connect(srv.url, ack.data.token));
    expect(fresh.view.me.id).toBe('M2');
    expect(verifyChain(sessionId, await srv.store.read(sessionId))).toBeNull();
  });

  it('keeps a token to its own session', async () => {
    srv = await startServer();
    const a = await srv.createSession();
    const b = await srv.createSession();
    const modA = track(await connect(srv.url, tokenOf(linkFor(a.links, 'A1'))));
    expect(modA.view.session.id).toBe(a.sessionId);
    expect(await modA.send('participant:reissue', { id: cid(), personId: 'M9' })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect((await srv.store.read(b.sessionId)).length).toBe(b.links.length + 1);
  });

  it('survives an oversized message: the socket is dropped, the server keeps serving', async () => {
    srv = await startServer();
    const { links } = await srv.createSession();
    const mod = track(await connect(srv.url, tokenOf(linkFor(links, 'A1'))));
    const gone = new Promise((r) => mod.socket.on('disconnect', r));
    mod.socket.emit('screen:scene', { id: cid(), scene: 'x'.repeat(2_000_000) });
    await gone;
    const again = track(await connect(srv.url, tokenOf(linkFor(links, 'A1'))));
    expect((await again.send('screen:scene', { id: cid(), scene: 'welcome' })).ok).toBe(true);
  });
});

describe('reconnect and restart', () => {
  it('resumes after a reconnect with the current view: nothing lost, nothing doubled', async () => {
    srv = await startServer();
    const { links } = await srv.createSession();
    const mod = track(await connect(srv.url, tokenOf(linkFor(links, 'A1'))));
    const screen = track(await connect(srv.url, tokenOf(linkFor(links, 'P1'))));
    screen.close();
    expect((await mod.send('screen:scene', { id: cid(), scene: 'signin' })).ok).toBe(true);
    const back = track(await connect(srv.url, tokenOf(linkFor(links, 'P1'))));
    expect(back.view.screen.scene).toBe('signin');
    expect(back.seq).toBe(mod.seq);
    const resync = await back.send('session:resync', { lastSeq: 0 });
    expect(resync.ok).toBe(true);
    expect((snapshotView(resync.data) as any).screen.scene).toBe('signin');
  });

  it('resumes by delta: a reconnecting client gets only what changed since the versions it holds, or unchanged', async () => {
    srv = await startServer();
    const { links } = await srv.createSession();
    const mod = track(await connect(srv.url, tokenOf(linkFor(links, 'A1'))));
    const first = track(await connect(srv.url, tokenOf(linkFor(links, 'P1'))));
    const held = first.replica.resume()!;
    expect(held.epoch).toBeTruthy();
    first.close();
    expect((await mod.send('screen:scene', { id: cid(), scene: 'signin' })).ok).toBe(true);
    const back = track(await connect(srv.url, tokenOf(linkFor(links, 'P1')), { replica: first.replica }));
    const snap = back.frames.find((f) => f.event === 'view:snapshot')!.data as any;
    // The role's channel: a delta with the new scene, not the whole view; the own channel: unchanged.
    expect(snap.channels.role.json).toBeUndefined();
    expect(snap.channels.role.base).toBe(held.versions.role);
    expect(snap.channels.role.set.screen.scene).toBe('signin');
    expect(snap.channels.own).toMatchObject({ base: held.versions.own, version: held.versions.own, set: {}, del: [] });
    // The merged view is the view a fresh connection gets.
    const fresh = track(await connect(srv.url, tokenOf(linkFor(links, 'P1'))));
    expect(back.view.screen).toEqual(fresh.view.screen);
    expect(Object.keys(back.view).sort()).toEqual(Object.keys(fresh.view).sort());
    // Versions of another epoch (before a restart) without digests get the whole view (resume by
    // digest across a restart: test/integration/restart-resume.test.ts).
    const other = track(await connect(srv.url, tokenOf(linkFor(links, 'P1')), { resume: { epoch: 'another', versions: held.versions } }));
    const full = other.frames.find((f) => f.event === 'view:snapshot')!.data as any;
    expect(full.channels.role.view.screen.scene).toBe('signin');
  });

  it('sends a change once per audience, and nothing to an audience whose view did not change', async () => {
    srv = await startServer();
    const { links } = await srv.createSession();
    const mod = track(await connect(srv.url, tokenOf(linkFor(links, 'A1'))));
    const screen = track(await connect(srv.url, tokenOf(linkFor(links, 'P1'))));
    const s1 = track(await connect(srv.url, tokenOf(linkFor(links, 'S1'))));
    const m1 = track(await connect(srv.url, tokenOf(linkFor(links, 'M1'))));
    const m2 = track(await connect(srv.url, tokenOf(linkFor(links, 'M2'))));
    // Presence of the arrivals settles first (coalesced), then only the command's change is counted.
    for (const c of [mod, screen, s1, m1, m2]) await c.waitFor((v) => Object.values(v.presence ?? {}).filter((p: any) => p.connected).length >= 5, 5000);
    await new Promise((r) => setTimeout(r, 250));
    const before = new Map([s1, m1, m2, screen].map((c) => [c, c.frames.length]));
    // Another supplier arrives: the console's presence changes; the first supplier's laptop, which
    // shows no other supplier (not even whether it is here), gets no frame at all (no seq-only patch).
    const s2 = track(await connect(srv.url, tokenOf(linkFor(links, 'S2'))));
    await mod.waitFor((v) => v.presence?.S2?.connected === true);
    await s1.waitFor(() => true);
    await new Promise((r) => setTimeout(r, 250));
    await s1.send('time:sync', {});
    expect(s1.frames.slice(before.get(s1)).filter((f) => f.event === 'view:patch')).toEqual([]);
    expect(s2.view.presence.S1).toBeUndefined();
    const ack = await mod.send('screen:scene', { id: cid(), scene: 'signin' });
    expect(ack.ok).toBe(true);
    await screen.waitFor((v) => v.screen?.scene === 'signin');
    const wall = screen.frames.slice(before.get(screen)).filter((f) => f.event === 'view:patch') as any[];
    expect(wall.map((f) => f.data.ch)).toEqual(['role', 'role']); // the presence of S2, the scene
    // Two members of one role get the same frame of their role's audience (one diff, one encode).
    await m1.waitFor(() => m1.seq >= ack.seq);
    await m2.waitFor(() => m2.seq >= ack.seq);
    const rolePatches = (c: TestClient) => c.frames.slice(before.get(c)).filter((f) => f.event === 'view:patch' && (f.data as any).ch === 'role').map((f) => f.data);
    expect(rolePatches(m1)).toEqual(rolePatches(m2));
  });

  it("sends the staff log's new entries, not its whole tail (issue 15: append-only)", async () => {
    srv = await startServer();
    const { links } = await srv.createSession();
    const mod = track(await connect(srv.url, tokenOf(linkFor(links, 'A1'))));
    // Enough events for a tail of a kilobyte or more (the size from which a section is patched by path).
    for (let i = 0; i < 12; i++) await mod.send('screen:scene', { id: cid(), scene: i % 2 ? 'welcome' : 'signin' });
    await mod.waitFor(() => mod.view.log.tail.length >= 12);
    const before = mod.frames.length;
    const ack = await mod.send('screen:scene', { id: cid(), scene: 'signin' });
    await mod.waitFor(() => mod.seq >= ack.seq);
    const patch = mod.frames.slice(before).find((f) => f.event === 'view:patch' && (f.data as any).seq === ack.seq)!.data as any;
    expect(patch.set.log).toBeUndefined();
    const tailOps = patch.ops.filter((o: any) => o.p[0] === 'log' && o.p[1] === 'tail');
    expect(tailOps).toHaveLength(1);
    expect(tailOps[0].w[1]).toHaveLength(1);
    expect(tailOps[0].w[1][0]).toMatchObject({ seq: ack.seq });
    expect(mod.view.log.tail.at(-1).seq).toBe(ack.seq);
    expect(mod.view.log.head).toBe(tailOps[0].w[1][0].hash);
  });

  it('rebuilds every session by replay after a restart, and old links still work', async () => {
    srv = await startServer();
    const dataDir = srv.dataDir;
    const { sessionId, links } = await srv.createSession();
    const mod = track(await connect(srv.url, tokenOf(linkFor(links, 'A1'))));
    await mod.send('screen:scene', { id: cid(), scene: 'signin' });
    const seq = mod.seq;
    mod.close();
    await srv.close(false);
    srv = await startServer({ dataDir });
    const again = track(await connect(srv.url, tokenOf(linkFor(links, 'A1'))));
    expect(again.view.session.id).toBe(sessionId);
    expect(again.view.screen.scene).toBe('signin');
    expect(again.seq).toBe(seq);
  });

  it('answers time:sync with the server clock for countdown offsets', async () => {
    let now = 1_800_000_000_000;
    srv = await startServer({ clock: () => now });
    const { links } = await srv.createSession();
    const c = track(await connect(srv.url, tokenOf(linkFor(links, 'S1'))));
    now += 5;
    expect(await c.send('time:sync', { t0: 1 })).toMatchObject({ ok: true, data: { serverTime: now } });
  });
});

describe('raw sockets', () => {
  it('survives garbage packets', async () => {
    srv = await startServer();
    const { links } = await srv.createSession();
    const s = ioc(srv.url, { transports: ['websocket'], auth: { token: tokenOf(links[0]) }, reconnection: false, forceNew: true });
    await new Promise<void>((r) => s.on('connect', () => r()));
    (s.io.engine as any).write('42["screen:scene",{"id":');
    (s.io.engine as any).write('9zzz');
    s.emit('__proto__', { id: cid() });
    s.emit('screen:scene', { id: cid(), scene: 'welcome', __proto__: { admin: true } });
    await new Promise((r) => setTimeout(r, 200));
    s.disconnect();
    // The same keyless client as above: the seat's device (issue 12).
    const ok = track(await connect(srv.url, tokenOf(links[0]), { device: null }));
    expect((await ok.send('time:sync', {})).ok).toBe(true);
  });
});
