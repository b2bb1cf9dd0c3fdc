import { describe, it, expect, afterEach } from 'vitest';
import { startServer, type TestServer } from '../helpers/server';
import { openRoom, driveTo, type Room } from '../helpers/room';
import { plainSheet, NO_POLICY, PLAIN_QUOTES, quoteSignature } from '../helpers/steps/quotes';

// Time as a source of events (issue 14; server/session/scheduler.ts): what falls due at a server time
// is appended once, under a deterministic command id, with an injected clock (no waiting on the wall).

let srv: TestServer | null = null;
let room: Room | null = null;
afterEach(async () => {
  room?.closeAll();
  room = null;
  if (srv) await srv.close(true);
  srv = null;
});

/** A clock the test moves; it starts at the wall's time so that links and stamps look ordinary. */
function testClock() {
  let now = Date.now();
  return { clock: () => now, advance: (ms: number) => void (now += ms), set: (t: number) => void (now = t) };
}

const eventsOf = async (type: string) => (await srv!.store.read(room!.sessionId)).filter((e) => e.type === type);

describe('timed events', () => {
  it('appends round:expired once when a sitting reaches its end; the sitting shows overtime; the moderator still ends it', async () => {
    const t = testClock();
    srv = await startServer({ clock: t.clock });
    room = await openRoom(srv);
    await driveTo(room, 'consultation');
    const start = await room.ok('A1', 'round:start', { seconds: 600 });
    const endsAt = start.data.endsAt as number;

    t.advance(599_000);
    await srv.app.registry.checkTimers();
    expect(await eventsOf('round:expired')).toHaveLength(0);

    t.set(endsAt);
    await srv.app.registry.checkTimers();
    await srv.app.registry.checkTimers(); // a second check finds nothing more to do
    const expired = await eventsOf('round:expired');
    expect(expired).toHaveLength(1);
    expect(expired[0]).toMatchObject({ actor: null, commandId: `timer:round-expired:1-S1-${endsAt}`, ts: endsAt, payload: { round: 1, supplierId: 'S1', endsAt } });

    const mod = await room.client('A1');
    await mod.waitFor((v) => v.rounds?.current?.overtimeSince === endsAt);
    const s1 = await room.client('S1');
    await s1.waitFor((v) => v.rounds?.clock?.overtimeSince === endsAt);

    // Extending gives new time, and its end is due again (its own command id); ending stays manual.
    t.advance(60_000);
    const ext = await room.ok('A1', 'round:extend', { seconds: 300, reason: '供应商补充说明技术方案' });
    await mod.waitFor((v) => v.rounds?.current?.overtimeSince === null);
    t.set(ext.data.endsAt + 1);
    await srv.app.registry.checkTimers();
    expect((await eventsOf('round:expired')).map((e) => e.payload)).toEqual([
      { round: 1, supplierId: 'S1', endsAt },
      { round: 1, supplierId: 'S1', endsAt: ext.data.endsAt },
    ]);
    const seq = (await srv.store.read(room.sessionId)).length;
    expect((await room.client('A1')).view.rounds.current.status).toBe('running');
    await room.ok('A1', 'round:end');
    expect((await srv.store.read(room.sessionId)).length).toBe(seq + 1);
  });

  it('survives a restart across the deadline: a sitting that ran out while the server was down is recorded at start, once', async () => {
    const t = testClock();
    srv = await startServer({ clock: t.clock });
    room = await openRoom(srv);
    await driveTo(room, 'consultation');
    const start = await room.ok('A1', 'round:start', { seconds: 900 });
    const endsAt = start.data.endsAt as number;
    const dataDir = srv.dataDir;
    const sessionId = room.sessionId;
    room.closeAll();
    await srv.close(false);

    t.set(endsAt + 120_000); // down across the deadline
    srv = await startServer({ dataDir, clock: t.clock });
    room = { ...room, srv } as Room;
    const read = async () => (await srv!.store.read(sessionId)).filter((e) => e.type === 'round:expired');
    for (let i = 0; i < 100 && (await read()).length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    const once = await read();
    expect(once).toHaveLength(1);
    // Recorded when the server came back, for the end that was passed.
    expect(once[0]).toMatchObject({ ts: endsAt + 120_000, payload: { endsAt }, commandId: `timer:round-expired:1-S1-${endsAt}` });

    // A second restart does not record it again.
    await srv.close(false);
    srv = await startServer({ dataDir, clock: t.clock });
    await srv.app.registry.checkTimers();
    expect(await read()).toHaveLength(1);
  });

  it('closes the final-quote window at its deadline without anyone pressing a button; a later press changes nothing', async () => {
    const t = testClock();
    srv = await startServer({ clock: t.clock });
    room = await openRoom(srv);
    await driveTo(room, 'final_quote');
    const deadline = t.clock() + 30 * 60_000;
    await room.ok('A1', 'quotes:open', { deadline, note: '磋商小组决定' });
    const suppliers = ['S1', 'S2', 'S3', 'S4'];
    for (const [i, id] of suppliers.entries()) {
      const ack = await room.act(id, 'quotes:submit', { signature: quoteSignature(id), sheet: plainSheet(PLAIN_QUOTES[i]), policy: NO_POLICY, acknowledgedMismatch: false, missingItemsIncluded: true });
      if (!ack.ok) expect(ack.error.code).toBe('conflict'); // a supplier no longer in the evaluation
    }
    t.set(deadline - 1);
    await srv.app.registry.checkTimers();
    expect(await eventsOf('quotes:window_closed')).toHaveLength(0);
    t.set(deadline);
    await srv.app.registry.checkTimers();
    const closed = await eventsOf('quotes:window_closed');
    expect(closed).toHaveLength(1);
    expect(closed[0]).toMatchObject({ actor: null, commandId: `timer:quote-deadline:${deadline}` });
    const seq = (await srv.store.read(room.sessionId)).length;
    const press = await room.ok('A1', 'quotes:close');
    expect(press.data).toMatchObject({ alreadyClosed: true });
    expect((await srv.store.read(room.sessionId)).length).toBe(seq);
  });
});
