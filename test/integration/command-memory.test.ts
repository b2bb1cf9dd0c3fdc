import { describe, it, expect } from 'vitest';
import { startServer, connect, tokenOf, linkFor, type TestServer } from '../helpers/server';
import { openRoom, type Room } from '../helpers/room';
import { closeAfterEach } from '../helpers/per-test';

// Issue 12, item 7: the exactly-once memory is keyed by who sent a command and what it was, as well as
// by its id (server/session/command-memory.ts). A retry gets the first answer; anything else under a
// used id is refused, changes nothing and reveals nothing of the first command.

let srv: TestServer | null = null;
let room: Room | null = null;
closeAfterEach(() => [room, srv]);

describe('commands are remembered per sender', () => {
  it("refuses another person's command id, and one id for another payload or command; a real retry gets the first answer, also after a restart", async () => {
    srv = await startServer();
    room = await openRoom(srv);
    const r = room;
    const s1 = await r.client('S1');
    const s2 = await r.client('S2');
    const id = 'cmd-supplier-one-0001';
    const first = await s1.send('signin:supplier', { id, representative: '代表甲', authorised: true });
    expect(first).toMatchObject({ ok: true });

    // Another supplier presents S1's id: refused, and the answer carries nothing of S1's command.
    const stolen = await s2.send('signin:supplier', { id, representative: '代表乙', authorised: true });
    expect(stolen).toMatchObject({ ok: false, error: { code: 'command_reused' } });
    expect(stolen.error.message).toContain('操作编号');
    expect(stolen.error.messageEn).toContain('command id');
    expect(JSON.stringify(stolen)).not.toContain(String(first.data.at));
    expect(JSON.stringify(stolen)).not.toContain('代表甲');

    // The same sender, the same id, another payload: refused too.
    const changed = await s1.send('signin:supplier', { id, representative: '代表丙', authorised: true });
    expect(changed).toMatchObject({ ok: false, error: { code: 'command_reused' } });
    // The same sender, the same id, another command.
    const other = await s1.send('supplier:withdraw', { id, reason: '不再参加本项目' });
    expect(other).toMatchObject({ ok: false, error: { code: 'command_reused' } });

    // A real retry: the first answer again, recorded once.
    const retry = await s1.send('signin:supplier', { id, representative: '代表甲', authorised: true });
    expect(retry).toEqual(first);

    // S2's own sign-in under a fresh id still works: its refusal changed nothing.
    const own = await s2.send('signin:supplier', { id: 'cmd-supplier-two-0001', representative: '代表乙', authorised: true });
    expect(own).toMatchObject({ ok: true });
    const events = await srv.store.read(r.sessionId);
    expect(events.filter((e) => e.type === 'signin:supplier_signed').map((e) => (e.payload as any).representative)).toEqual(['代表甲', '代表乙']);
    expect(events.some((e) => e.type === 'supplier:withdrawn')).toBe(false);

    // After a restart, the memory still knows who sent what.
    r.closeAll();
    const dataDir = srv.dataDir;
    await srv.close();
    srv = await startServer({ dataDir });
    const a = await connect(srv.url, tokenOf(linkFor(r.links, 'S1')));
    const b = await connect(srv.url, tokenOf(linkFor(r.links, 'S2')));
    try {
      expect(await a.send('signin:supplier', { id, representative: '代表甲', authorised: true })).toEqual(first);
      expect(await b.send('signin:supplier', { id, representative: '代表甲', authorised: true })).toMatchObject({ ok: false, error: { code: 'command_reused' } });
    } finally {
      a.close();
      b.close();
    }
    expect((await srv.store.read(r.sessionId)).length).toBe(events.length);
  });
});
