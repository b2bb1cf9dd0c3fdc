import { readFileSync } from 'node:fs';
import { connect, tokenOf, linkFor, type TestClient, type TestServer } from '../helpers/server';
import { openRoom, driveTo } from '../helpers/room';

// Run by seed004-tender.spec.ts under tsx (Playwright's loader cannot import the server's JSON
// templates): takes a session the spec created through /admin (its join links, read from a JSON file)
// and drives it over sockets to a stage with each concern's own steps (test/helpers/steps), as the
// people in the room would; then prints the links again.
// `moderatorDevice`: the console's own device key (the browser's), so that the driver acts as the
// moderator from the same seat instead of asking to take it (docs/joining.md).
const [baseURL, linksFile, stage, moderatorDevice = ''] = process.argv.slice(2);
const links = JSON.parse(readFileSync(linksFile, 'utf8')) as { personId: string; role: string; name: string; url: string }[];
const sessionId = new URL(links[0].url).searchParams.get('s')!;
let probe: Awaited<ReturnType<typeof connect>> | null = null;
const srv = {
  url: baseURL,
  // The session exists: the room helpers attach to it instead of creating one.
  createSession: async () => ({ sessionId, links }),
  store: {
    read: async () => {
      const ack = await probe!.send('time:sync', {});
      return new Array(ack.seq);
    },
  },
} as unknown as TestServer;
const room = await openRoom(srv, {});
const mod = room.ids('moderator')[0];
const opts = (id: string) => (id === mod && moderatorDevice ? { device: moderatorDevice } : {});
const clients = new Map<string, TestClient>();
room.client = async (id: string) => {
  let c = clients.get(id);
  if (!c || !c.socket.connected) {
    c = await connect(baseURL, tokenOf(linkFor(links as never, id)), opts(id));
    clients.set(id, c);
  }
  return c;
};
room.closeAll = () => {
  for (const c of clients.values()) c.close();
  clients.clear();
};
probe = await connect(baseURL, tokenOf(linkFor(room.links, mod)), opts(mod));
await driveTo(room, stage);
room.closeAll();
probe.close();
process.stdout.write(JSON.stringify(room.links));
process.exit(0);
