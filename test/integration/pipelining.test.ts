import { describe, it, expect } from 'vitest';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { startServer, connect, tokenOf, linkFor, type TestServer } from '../helpers/server';
import { openRoom, moderatorOf, type Room } from '../helpers/room';
import { closeAfterEach } from '../helpers/per-test';

// Pipelining within a session (issue 15; server/session/runtime.ts): commands sent together are handled
// before the first of them commits, but nothing that shows them leaves the server before their commit —
// no view:patch, no snapshot to a socket that joins meanwhile, no ack. Another connection holding the
// file's write lock keeps the writer from committing for as long as the test needs.

let srv: TestServer | null = null;
let room: Room | null = null;
closeAfterEach(() => [room, srv]);

function holdWriteLock(dataDir: string): () => void {
  const db = new Database(join(dataDir, 'panelroom.sqlite'));
  db.exec('BEGIN IMMEDIATE');
  return () => {
    db.exec('COMMIT');
    db.close();
  };
}

describe('pipelined commands reach no one before their commit', () => {
  it('sends no patch, snapshot or ack of an uncommitted command; after the commit, the patch and then each ack', async () => {
    srv = await startServer();
    room = await openRoom(srv);
    const r = room;
    const mod = moderatorOf(r);
    const console_ = await r.client(mod);
    const wall = await r.client(r.ids('screen')[0]);
    // The observer's device is claimed now (a write), so that joining again below writes nothing.
    const observerToken = tokenOf(linkFor(r.links, r.ids('observer')[0]));
    (await connect(srv.url, observerToken)).close();
    await r.ok(mod, 'screen:scene', { scene: 'blank' });
    await wall.waitFor((v) => v.screen?.scene === 'blank');
    const rt = srv.app.registry.get(r.sessionId)!;
    const seq0 = rt.state.seq;
    const frames = wall.frames.length;

    const release = holdWriteLock(srv.dataDir);
    let released = false;
    const order: string[] = [];
    wall.socket.on('view:patch', (p: { seq: number }) => {
      if (p.seq > seq0) order.push(released ? 'patch' : 'patch before the commit');
    });
    const acks = [console_.send('screen:scene', { id: 'cmd-pipe-000001', scene: 'welcome' }), console_.send('screen:scene', { id: 'cmd-pipe-000002', scene: 'signin' })];
    for (const a of acks) void a.then(() => order.push(released ? 'ack' : 'ack before the commit'));
    // Both handled and posted (the second on the state the first left): the writer holds them.
    const until = async (pred: () => boolean) => {
      while (!pred()) await new Promise((res) => setTimeout(res, 5));
    };
    await until(() => rt.inFlight === 2 && (srv!.store as any).inflight.length === 2);
    // A query is answered after every patch for the events before it (a client's barrier): none came.
    const sync = await wall.send('time:sync', {});
    expect(sync).toMatchObject({ ok: true, seq: seq0 });
    // A socket that joins now is given the committed state.
    const observer = await connect(srv.url, observerToken);
    try {
      expect(observer.seq).toBe(seq0);
      expect(observer.view.screen.scene).toBe('blank');
    } finally {
      observer.close();
    }
    expect(wall.frames.slice(frames).filter((f) => f.event === 'view:patch')).toEqual([]);
    expect(wall.view.screen.scene).toBe('blank');
    expect(rt.state.seq).toBe(seq0);

    released = true;
    release();
    expect(await Promise.all(acks)).toMatchObject([
      { ok: true, seq: seq0 + 1 },
      { ok: true, seq: seq0 + 2 },
    ]);
    await wall.waitFor((v) => v.screen?.scene === 'signin');
    expect(order.filter((o) => o.includes('before'))).toEqual([]);
    expect(order).toContain('patch');
    expect(order.filter((o) => o === 'ack')).toHaveLength(2);
  });
});
