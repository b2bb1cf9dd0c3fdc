import { describe, it, expect, afterEach } from 'vitest';
import { rmSync } from 'node:fs';
import { createApplication, type App } from '../../server/app';
import { SqliteEventStore } from '../../server/store/sqlite';
import { ADMIN, startServer, connect, cid, linkFor, tokenOf, type TestClient, type TestServer } from '../helpers/server';
import { openRoom, driveTo, attachRoom } from '../helpers/room';
import { upgradeStatus } from '../helpers/upgrade';

// Listening while the sessions replay (issue 15; AppOptions.loadInBackground): after a restart the
// server listens at once and replays in the background. A handshake waits for its own session's load
// (not for every room); the HTTP API waits for every session; what connects during the replay gets
// its correct snapshot once its session is loaded, commands are acknowledged exactly once, nothing is
// lost, and the timers of the sessions replayed in the background still fire.
//
// The replay of one session (A) is held at a gate so that "during the replay" is a state the test
// controls, not a race: the store is the real SQLite store, its reads of A simply wait for the gate.

let srv: TestServer | null = null;
let app: App | null = null;
let store: SqliteEventStore | null = null;
const clients: TestClient[] = [];
let firstRunning = false;
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await app?.close();
  await store?.close();
  if (srv && firstRunning) await srv.close();
  firstRunning = false;
  if (srv) rmSync(srv.dataDir, { recursive: true, force: true });
  app = store = srv = null;
});

/** The real store, whose reads of one session wait until `open` is called. */
function gatedStore(real: SqliteEventStore, sessionId: string): { store: SqliteEventStore; open(): void; reads: () => number } {
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  let reads = 0;
  const store = new Proxy(real, {
    get(target, prop) {
      if (prop === 'read')
        return async (id: string, from?: number) => {
          if (id === sessionId) {
            reads++;
            await gate;
          }
          return target.read(id, from);
        };
      const v = Reflect.get(target, prop, target);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
  return { store, open, reads: () => reads };
}

const withoutPresence = (v: Record<string, unknown>) => Object.fromEntries(Object.entries(v).filter(([k]) => k !== 'presence'));

describe('restart with the sessions replayed in the background', () => {
  it('serves a socket that connects during the replay its correct snapshot once its session is loaded; acks once; loses nothing; fires timers', async () => {
    let now = Date.now();
    const clock = () => now;
    srv = await startServer({ clock });
    firstRunning = true;
    // A: a session whose replay the test holds; B: one that loads at once; C: one with a deadline that
    // passes while the server is down (a timed event of a session replayed in the background).
    const roomA = await openRoom(srv);
    await roomA.ok('A1', 'screen:scene', { scene: 'signin' });
    await roomA.ok('A1', 'participant:reissue', { personId: 'O1' });
    const roomB = await openRoom(srv);
    const roomC = await openRoom(srv);
    await driveTo(roomC, 'consultation');
    const endsAt = (await roomC.ok('A1', 'round:start', { seconds: 600 })).data.endsAt as number;
    const viewA = withoutPresence((await roomA.client('M1')).view);
    const viewB = withoutPresence((await roomB.client('A1')).view);
    const seqOf = async (id: string) => (await srv!.store.read(id)).length;
    const heads = { A: await seqOf(roomA.sessionId), B: await seqOf(roomB.sessionId), C: await seqOf(roomC.sessionId) };
    for (const r of [roomA, roomB, roomC]) r.closeAll();
    await srv.close();
    firstRunning = false;

    // The restart: the deadline passed meanwhile; the server listens before anything is replayed.
    now = endsAt + 1000;
    store = SqliteEventStore.open(srv.dataDir);
    const gated = gatedStore(store, roomA.sessionId);
    app = await createApplication({ store: gated.store, adminToken: ADMIN, clientDir: null, clock, loadInBackground: true });
    const url = `http://127.0.0.1:${await app.listen(0, '127.0.0.1')}`;
    expect(app.registry.isReady).toBe(false);

    // The HTTP API waits for every session (the agency's list holds all three, never a part); health
    // answers at once and says the replay is not done.
    let listAnswered = false;
    const list = fetch(`${url}/api/sessions`, { headers: { authorization: `Bearer ${ADMIN}` } }).then(async (r) => {
      listAnswered = true;
      return (await r.json()) as any;
    });
    const health = (await (await fetch(`${url}/api/health`)).json()) as any;
    expect(health.data.ready).toBe(false);

    // A socket of A connects while A is held: its handshake waits for A's load.
    let aConnected = false;
    const aPending = connect(url, tokenOf(linkFor(roomA.links, 'M1'))).then((c) => {
      aConnected = true;
      clients.push(c);
      return c;
    });

    // The requirements document's WebSocket (C is in consultation: a member may open it) waits too.
    let yjsAnswered = false;
    const yjs = upgradeStatus(`${url.replace(/^http/, 'ws')}/yjs/${roomC.sessionId}`, tokenOf(linkFor(roomC.links, 'M1'))).then((status) => {
      yjsAnswered = true;
      return status;
    });

    // B's moderator connects during the replay and gets B's view as it was before the restart.
    const b = await connect(url, tokenOf(linkFor(roomB.links, 'A1')));
    clients.push(b);
    expect(app.registry.isReady).toBe(false);
    expect(withoutPresence(b.view)).toEqual(viewB);
    expect(b.seq).toBe(heads.B);
    // A command sent twice with one id (a retry) is acknowledged twice and recorded once.
    const cmd = { id: cid(), scene: 'blank' };
    const first = await b.send('screen:scene', cmd);
    const again = await b.send('screen:scene', cmd);
    expect(first).toMatchObject({ ok: true, seq: heads.B + 1 });
    expect(again).toEqual(first);
    await b.waitFor((v) => v.screen?.scene === 'blank');

    // Still held: A's socket has no snapshot, the HTTP route no answer (each waits, nothing failed).
    expect(gated.reads()).toBeGreaterThan(0);
    expect(aConnected).toBe(false);
    expect(listAnswered).toBe(false);
    expect(yjsAnswered).toBe(false);
    expect(app.registry.isReady).toBe(false);

    // A is released: its socket gets A's view as it was before the restart; the API answers.
    gated.open();
    const a = await aPending;
    expect(withoutPresence(a.view)).toEqual(viewA);
    expect(a.seq).toBe(heads.A);
    await app.registry.ready;
    expect(app.registry.isReady).toBe(true);
    expect(await yjs).toBe(101);
    expect(((await list).data as { id: string }[]).map((x) => x.id).sort()).toEqual([roomA.sessionId, roomB.sessionId, roomC.sessionId].sort());
    expect((await (await fetch(`${url}/api/health`)).json()).data).toMatchObject({ ready: true, sessions: 3 });

    // A's member acts once: one event, acknowledged once.
    const ra = attachRoom({ url } as TestServer, roomA.sessionId, roomA.links);
    const c = attachRoom({ url } as TestServer, roomC.sessionId, roomC.links);
    const act = { id: cid(), scene: 'welcome' };
    expect(await ra.act('A1', 'screen:scene', act)).toMatchObject({ ok: true, seq: heads.A + 1 });

    // C's deadline passed while the server was down: its replay armed the timer, which fired once.
    const mod = await c.client('A1');
    // (It fired when the replay armed it: at the clock's time then, a second after the end.)
    await mod.waitFor((v) => v.rounds?.current?.overtimeSince === now);
    ra.closeAll();
    c.closeAll();

    // Nothing lost, nothing twice: every session's log is what it was plus exactly what was acknowledged.
    const events = async (id: string) => await store!.read(id);
    const evA = await events(roomA.sessionId);
    const evB = await events(roomB.sessionId);
    const evC = await events(roomC.sessionId);
    expect(evA).toHaveLength(heads.A + 1);
    expect(evA.filter((e) => e.commandId === act.id)).toHaveLength(1);
    expect(evB).toHaveLength(heads.B + 1);
    expect(evB.filter((e) => e.commandId === cmd.id)).toHaveLength(1);
    expect(evC.slice(heads.C).map((e) => e.type)).toEqual(['round:expired']);
  });
});
