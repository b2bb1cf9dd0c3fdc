import { createSession } from './fixtures';
import { connect, tokenOf, linkFor, type TestClient, type TestServer } from '../helpers/server';
import { openRoom, type Room } from '../helpers/room';

// The set-up the drivers share (wall-drive.ts, gaps-drive.ts, live-b-drive.ts): they run under tsx
// (Playwright's loader cannot import the server's JSON templates) and drive a session on the running
// e2e server over sockets with the integration tests' room helpers and steps (test/helpers).

/**
 * A room on the e2e server at `baseURL`, another process. The room helpers read the log's length to
 * learn the seq; here a probe (the moderator's second client) asks the server for it with `time:sync`.
 * Close the probe when done, as the room's clients.
 */
export async function openRemoteRoom(baseURL: string, body: unknown): Promise<{ room: Room; probe: TestClient }> {
  let probe: TestClient | null = null;
  const srv = {
    url: baseURL,
    createSession: (b: unknown) => createSession(baseURL, b),
    store: {
      read: async () => {
        const ack = await probe!.send('time:sync', {});
        return new Array(ack.seq);
      },
    },
  } as unknown as TestServer;
  const room = await openRoom(srv, body);
  probe = await connect(baseURL, tokenOf(linkFor(room.links, room.ids('moderator')[0])));
  return { room, probe };
}
