import { describe, it, expect } from 'vitest';
import { startServer, connect, tokenOf, linkFor, type TestServer, type TestClient } from '../helpers/server';
import { openRoom, driveTo, type Room } from '../helpers/room';
import { DEFAULT_FAIR_SHARE, fairShareLimits } from '../../server/realtime/fair-share';
import { NOTE_BUDGET_CHARS } from '../../server/rounds/state';
import { closeAfterEach } from '../helpers/per-test';

// Issue 12, item 8: a fair share per socket and per person (server/realtime/fair-share.ts), a clear
// error to the sender, a notice for the moderator (itself at most one per person per minute), and a
// budget for the note text one member may add to the log. The clock is injected: no waiting.

let srv: TestServer | null = null;
let room: Room | null = null;
const extra: TestClient[] = [];
closeAfterEach(() => [extra.splice(0), room, srv]);

describe('fair share per socket and per person', () => {
  it('refuses a flood with rate_limited, keeps a bystander working, tells the moderator once, and refills with time', async () => {
    let now = 1_800_000_000_000;
    srv = await startServer({
      clock: () => now,
      fairShare: { commands: { burst: 5, perSecond: 1 }, resyncs: { burst: 2, perSecond: 0.1 }, personFactor: 2 },
    });
    room = await openRoom(srv);
    const r = room;
    const mod = await r.client('A1');
    const notices: any[] = [];
    mod.socket.on('session:notice', (n: any) => notices.push(n));
    const m1 = await r.client('M1');
    const acks = [];
    for (let i = 0; i < 8; i++) acks.push(await m1.send('time:sync', {}));
    expect(acks.slice(0, 5).every((a) => a.ok)).toBe(true);
    for (const a of acks.slice(5)) {
      expect(a).toMatchObject({ ok: false, error: { code: 'rate_limited' } });
      expect(a.error.message).toContain('过于频繁');
      expect(a.error.messageEn).toContain('Too many requests');
    }
    // A command refused by the limit is not run: nothing is logged.
    const before = (await srv.store.read(r.sessionId)).length;
    const refused = await r.act('M1', 'signin:member', {});
    expect(refused).toMatchObject({ ok: false, error: { code: 'rate_limited' } });
    expect((await srv.store.read(r.sessionId)).length).toBe(before);

    // A bystander is untouched.
    const m2 = await r.client('M2');
    expect(await m2.send('time:sync', {})).toMatchObject({ ok: true });

    // The moderator is told, once (the notice is itself limited), by name, with no credential.
    await new Promise((res) => setTimeout(res, 100));
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({ kind: 'rate_limited', personId: 'M1' });
    expect(notices[0].message).toContain('李明');
    for (const l of r.links) expect(JSON.stringify(notices)).not.toContain(tokenOf(l));

    // Per person: a second socket of the same person shares the person's budget (2 × one socket).
    const again = await connect(srv.url, tokenOf(linkFor(r.links, 'M1')));
    extra.push(again);
    const second = [];
    for (let i = 0; i < 6; i++) second.push(await again.send('time:sync', {}));
    // The person's bucket (10) had 5 spent by the first socket: the second socket gets the other 5 …
    expect(second.map((a) => a.ok)).toEqual([true, true, true, true, true, false]);
    // … and a third socket, with a full bucket of its own, gets nothing: the person's share is spent.
    const third = await connect(srv.url, tokenOf(linkFor(r.links, 'M1')));
    extra.push(third);
    expect(await third.send('time:sync', {})).toMatchObject({ ok: false, error: { code: 'rate_limited' } });

    // Resyncs have their own, smaller share.
    const m3 = await r.client('M3');
    const rs = [];
    for (let i = 0; i < 3; i++) rs.push(await m3.send('session:resync', { lastSeq: 0 }));
    expect(rs.map((a) => a.ok)).toEqual([true, true, false]);

    // Time refills the buckets; a minute later a new trip is told again.
    now += 60_000;
    expect(await m1.send('time:sync', {})).toMatchObject({ ok: true });
    for (let i = 0; i < 10; i++) await m1.send('time:sync', {});
    await new Promise((res) => setTimeout(res, 100));
    expect(notices.filter((n) => n.personId === 'M1')).toHaveLength(2);
  });

  it('is on by default, sized above a real meeting, and has a knob', () => {
    expect(fairShareLimits(undefined, {})).toEqual(DEFAULT_FAIR_SHARE);
    expect(fairShareLimits(false, {})).toBeNull();
    expect(fairShareLimits(undefined, { PANELROOM_FAIR_SHARE: 'off' })).toBeNull();
    expect(fairShareLimits(undefined, { PANELROOM_FAIR_SHARE: '3' })!.commands.burst).toBe(DEFAULT_FAIR_SHARE.commands.burst * 3);
    // A person enters scores far slower than this; a reconnecting tablet's outbox is far smaller.
    expect(DEFAULT_FAIR_SHARE.commands.perSecond).toBeGreaterThanOrEqual(20);
    expect(DEFAULT_FAIR_SHARE.commands.burst).toBeGreaterThanOrEqual(100);
  });

  it('limits how much note text one member may add to the log', async () => {
    srv = await startServer({ fairShare: false });
    room = await openRoom(srv);
    await driveTo(room, 'consultation');
    const note = (i: number) => String(i % 10).repeat(20_000);
    const saves = Math.floor(NOTE_BUDGET_CHARS / 20_000);
    for (let i = 0; i < saves; i++) await room.ok('M1', 'round:note', { supplierId: 'S1', text: note(i) });
    const over = await room.act('M1', 'round:note', { supplierId: 'S1', text: note(saves) });
    expect(over).toMatchObject({ ok: false, error: { code: 'too_large' } });
    expect(over.error.message).toContain('笔记总量已达上限');
    expect(over.error.messageEn).toContain('reached their limit');
    // Another member's notes are their own budget.
    await room.ok('M2', 'round:note', { supplierId: 'S1', text: '监测点位数量偏少' });
    // The budget survives a restart (it is folded from the log).
    const dataDir = srv.dataDir;
    room.closeAll();
    await srv.close();
    srv = await startServer({ dataDir, fairShare: false });
    const m1 = await connect(srv.url, tokenOf(linkFor(room.links, 'M1')));
    extra.push(m1);
    expect(await m1.send('round:note', { id: 'note-after-restart-1', supplierId: 'S1', text: '短' })).toMatchObject({ ok: false, error: { code: 'too_large' } });
    const m2 = await connect(srv.url, tokenOf(linkFor(room.links, 'M2')));
    extra.push(m2);
    expect(await m2.send('round:note', { id: 'note-after-restart-2', supplierId: 'S2', text: note(1) })).toMatchObject({ ok: true });
  }, 120_000);
});
