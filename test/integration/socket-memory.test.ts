import { describe, it, expect } from 'vitest';
import { startServer, type TestServer } from '../helpers/server';
import { openRoom, type Room } from '../helpers/room';
import { closeAfterEach } from '../helpers/per-test';

// Memory per room (issue 15, server/realtime/socket.ts): a connected socket does not keep the HTTP
// request of its handshake (engine.io would, for the connection's life); the handshake's own record
// (auth, headers) stays, and the socket works as before.

let srv: TestServer | null = null;
let room: Room | null = null;
closeAfterEach(() => [room, srv]);

describe('a connected socket (issue 15: memory per room)', () => {
  it('drops its handshake request once connected, and still gets its view and answers', async () => {
    srv = await startServer();
    room = await openRoom(srv);
    const a1 = await room.client('A1');
    await a1.waitFor((v) => !!v.session);
    const sockets = [...srv.app.realtime.io.of('/').sockets.values()];
    expect(sockets.length).toBeGreaterThan(0);
    for (const s of sockets) {
      expect((s.conn as { request: unknown }).request).toBeNull();
      expect(typeof (s.handshake.auth as { token?: unknown }).token).toBe('string');
    }
    // Commands and queries still go both ways on it.
    const ack = await a1.send('time:sync', {});
    expect(ack.ok).toBe(true);
  });
});
