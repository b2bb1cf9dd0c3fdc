import { describe, it, expect } from 'vitest';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import { io as ioc } from 'socket.io-client';
import { startServer, tokenOf, linkFor, type TestServer } from '../helpers/server';
import { openRoom, driveTo, type Room } from '../helpers/room';
import { liveText } from '../../server/requirements/live-text';
import { COMPACT_AFTER } from '../../server/requirements/yjs-store';
import { PROTOCOL_VERSION } from '../../shared/protocol/version';
import { yjsProtocols, YJS_SUBPROTOCOL } from '../../shared/protocol/yjs';
import { testDeviceKey } from '../helpers/device';
import { snapshotView } from '../../shared/protocol/view-sync';
import { closeAfterEach } from '../helpers/per-test';
import { upgradeStatus } from '../helpers/upgrade';

// The requirements document's Yjs endpoint (/yjs/<sessionId>): real y-websocket providers against the
// real server. Panel members edit; the moderator and the observer are read-only per message; suppliers
// and the wall are refused at the upgrade (issue 5; docs/architecture.md).

let srv: TestServer | null = null;
let room: Room | null = null;
const providers: WebsocketProvider[] = [];
closeAfterEach(() => [providers.splice(0), room, srv]);

const until = async (pred: () => boolean, ms = 5000, what = 'condition') => {
  const t = Date.now();
  while (!pred()) {
    if (Date.now() - t > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

function wsWithOrigin(origin: string | undefined) {
  return class extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, origin ? { origin } : {});
    }
  };
}

async function yclient(r: Room, personId: string): Promise<{ doc: Y.Doc; text: Y.Text; provider: WebsocketProvider }> {
  const doc = new Y.Doc();
  const provider = new WebsocketProvider(r.srv.url.replace(/^http/, 'ws') + '/yjs', r.sessionId, doc, {
    protocols: yjsProtocols(tokenOf(linkFor(r.links, personId))),
    WebSocketPolyfill: wsWithOrigin(undefined) as any,
    // No BroadcastChannel: every client of this test lives in one process, and must sync only through the server.
    disableBc: true,
  });
  providers.push(provider);
  await until(() => provider.synced, 5000, `${personId} synced`);
  return { doc, text: doc.getText('requirements'), provider };
}

async function consultation(): Promise<Room> {
  srv = await startServer();
  room = await openRoom(srv);
  await driveTo(room, 'consultation');
  return room;
}

describe('the requirements document endpoint', () => {
  it('starts from the project text and syncs edits between two tablets, with server-stamped presence', async () => {
    const r = await consultation();
    const m1 = await yclient(r, 'M1');
    const m2 = await yclient(r, 'M2');
    expect(m1.text.toString()).toContain('石景山');
    expect(m1.text.toString()).toContain('三、合同草案条款');
    expect(m2.text.toString()).toBe(m1.text.toString());

    m1.text.insert(m1.text.length, '\n3. 质保期延长至两年。');
    await until(() => m2.text.toString().includes('质保期延长至两年'), 5000, 'M2 sees M1');
    m2.text.insert(0, '【修订稿】');
    await until(() => m1.text.toString().startsWith('【修订稿】'), 5000, 'M1 sees M2');
    expect(liveText(r.sessionId)).toBe(m1.text.toString());

    // M1 claims to be somebody else; the server stamps who its token says it is.
    m1.provider.awareness.setLocalStateField('user', { name: '假冒的组长', personId: 'M5' });
    m1.provider.awareness.setLocalStateField('cursor', 3);
    await until(() => [...m2.provider.awareness.getStates().values()].some((st: any) => st.cursor === 3), 5000, 'presence');
    const seen = [...m2.provider.awareness.getStates().values()].find((st: any) => st.cursor === 3) as any;
    expect(seen.user).toMatchObject({ personId: 'M1', label: '专家 1' });
    expect(JSON.stringify(seen)).not.toContain('假冒');
  });

  it('drops every update from a read-only connection (moderator, observer): never applied, never stored', async () => {
    const r = await consultation();
    const m1 = await yclient(r, 'M1');
    const mod = await yclient(r, 'A1');
    const obs = await yclient(r, 'O1');
    expect(mod.text.toString()).toBe(m1.text.toString());
    const before = liveText(r.sessionId);

    mod.text.insert(0, '主持人擅自修改');
    obs.text.insert(0, '监督擅自修改');
    // A legitimate edit afterwards proves the channel is alive and ordered.
    m1.text.insert(m1.text.length, '\n合法修改');
    await until(() => mod.text.toString().includes('合法修改') && obs.text.toString().includes('合法修改'), 5000, 'read-only clients receive');
    await new Promise((res) => setTimeout(res, 200));
    expect(liveText(r.sessionId)).toBe(before + '\n合法修改');
    expect(m1.text.toString()).not.toContain('擅自修改');
    // Not stored either: a fresh tablet starts from the server's document.
    const m3 = await yclient(r, 'M3');
    expect(m3.text.toString()).toBe(before + '\n合法修改');
    const rows = srv!.store.db.prepare('SELECT data FROM requirements_updates WHERE session_id = ?').all(r.sessionId) as { data: Buffer }[];
    expect(rows.map((x) => x.data.toString('utf8')).join('')).not.toContain('擅自修改');
  });

  it('refuses suppliers, the wall, bad tokens, other sessions and foreign origins at the upgrade; Socket.IO keeps working', async () => {
    const r = await consultation();
    const base = r.srv.url.replace(/^http/, 'ws') + '/yjs/' + r.sessionId;
    const tok = (id: string) => tokenOf(linkFor(r.links, id));
    expect(await upgradeStatus(base, `${tok('S1')}`)).toBe(403);
    expect(await upgradeStatus(base, `${tok('P1')}`)).toBe(403);
    expect(await upgradeStatus(base, `not-a-real-token-000000000000`)).toBe(401);
    expect(await upgradeStatus(base)).toBe(401);
    expect(await upgradeStatus(base, `${tok('M1')}`, 'http://evil.example')).toBe(403);
    const other = await srv!.createSession();
    expect(await upgradeStatus(`${r.srv.url.replace(/^http/, 'ws')}/yjs/${other.sessionId}`, `${tok('M1')}`)).toBe(401);
    expect(await upgradeStatus(base, `${tok('M1')}`)).toBe(101);
    // Issue 12, item 9: the token is taken from the Sec-WebSocket-Protocol header only, never from the URL
    // (proxy logs keep URLs); and the server never echoes it back.
    expect(await upgradeStatus(`${base}?token=${tok('M1')}`)).toBe(401);
    const chosen = await new Promise<string>((res, rej) => {
      const ws = new WebSocket(base, yjsProtocols(tok('M1')));
      ws.on('open', () => (res(ws.protocol), ws.close()));
      ws.on('error', rej);
    });
    expect(chosen).toBe(YJS_SUBPROTOCOL);

    // A supplier's provider never gets a single byte of the document.
    const doc = new Y.Doc();
    const p = new WebsocketProvider(r.srv.url.replace(/^http/, 'ws') + '/yjs', r.sessionId, doc, {
      protocols: yjsProtocols(tok('S2')),
      WebSocketPolyfill: WebSocket as any,
      disableBc: true,
    });
    providers.push(p);
    await new Promise((res) => setTimeout(res, 600));
    expect(p.synced).toBe(false);
    expect(doc.getText('requirements').toString()).toBe('');

    // Socket.IO's own websocket upgrades are untouched by the Yjs upgrade handler.
    const sock = ioc(r.srv.url, { transports: ['websocket'], auth: { token: tok('S1'), protocol: PROTOCOL_VERSION, device: testDeviceKey(tok('S1')) }, forceNew: true, reconnection: false });
    const snap = await new Promise<any>((res, rej) => {
      sock.on('view:snapshot', res);
      sock.on('connect_error', rej);
    });
    expect((snapshotView(snap) as any).me.id).toBe('S1');
    sock.disconnect();
  });

  it('is refused before the consultation, and read-only for everyone after it', async () => {
    srv = await startServer();
    room = await openRoom(srv);
    const base = srv.url.replace(/^http/, 'ws') + '/yjs/' + room.sessionId;
    expect(await upgradeStatus(base, `${tokenOf(linkFor(room.links, 'M1'))}`)).toBe(409);
    await driveTo(room, 'consultation');
    const m1 = await yclient(room, 'M1');
    const m2 = await yclient(room, 'M2');
    const { advance } = await import('../helpers/room');
    await advance(room);
    m1.text.insert(0, '阶段结束后的修改');
    m2.text.insert(0, 'x');
    await new Promise((res) => setTimeout(res, 300));
    expect(liveText(room.sessionId)).not.toContain('阶段结束后的修改');
    expect(m2.text.toString()).not.toContain('阶段结束后的修改');
  });

  it('keeps the document across a restart and compacts the stored updates', async () => {
    const r = await consultation();
    const m1 = await yclient(r, 'M1');
    for (let i = 0; i < COMPACT_AFTER + 20; i++) m1.text.insert(m1.text.length, i % 50 === 0 ? '\n' : '.');
    m1.text.insert(m1.text.length, '\n重启后仍在');
    await until(() => (liveText(r.sessionId) ?? '').endsWith('重启后仍在'), 10_000, 'server has all');
    const count = (srv!.store.db.prepare('SELECT COUNT(*) AS c FROM requirements_updates WHERE session_id = ?').get(r.sessionId) as { c: number }).c;
    expect(count).toBeLessThan(COMPACT_AFTER);
    const expected = liveText(r.sessionId);

    for (const p of providers.splice(0)) p.destroy();
    const dataDir = srv!.dataDir;
    r.closeAll();
    await srv!.close();
    srv = await startServer({ dataDir });
    const again: Room = { ...r, srv };
    const fresh = await yclient(again, 'M2');
    expect(fresh.text.toString()).toBe(expected);
    room = null;
  });
});
