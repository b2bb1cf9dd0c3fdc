import { afterEach } from 'vitest';
import type { TestServer } from './server';
import type { Room } from './room';

// What one test opened, closed after it however it ended (issue 17: one afterEach instead of a copy in
// every integration test). A test file keeps its own `srv`/`room` variables and lists them:
//
//   let srv: TestServer | null = null;
//   let room: Room | null = null;
//   const providers: WebsocketProvider[] = [];
//   closeAfterEach(() => [providers.splice(0), room, srv]);
//
// Order matters: extra clients and Yjs providers first, then the room's clients, then the server, which
// also removes its temporary data directory. Each thing is closed once, so a variable still naming the
// previous test's server (a test that failed before starting its own) is not closed twice.

/** A Yjs provider, a raw WebSocket, a client, a room of clients, or a test server. */
export type Closable = { destroy(): void } | { terminate(): void } | Room | TestServer | { close(): void };

const closed = new WeakSet<object>();

async function closeOnce(x: Closable): Promise<void> {
  if (closed.has(x)) return;
  closed.add(x);
  if ('destroy' in x) x.destroy();
  else if ('terminate' in x) x.terminate();
  else if ('closeAll' in x) x.closeAll();
  else if ('dataDir' in x) await x.close(true);
  else x.close();
}

/** Registers the file's afterEach: closes, in the order given, what `open()` lists at the end of each test. */
export function closeAfterEach(open: () => (Closable | Closable[] | null | undefined)[]): void {
  afterEach(async () => {
    for (const x of open().flat()) if (x) await closeOnce(x);
  });
}
