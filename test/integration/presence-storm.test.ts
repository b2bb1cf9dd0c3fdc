import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { startServer, type TestServer } from '../helpers/server';
import { PRESENCE_STORM } from '../../server/realtime/socket';
import type { PresenceCoalescer } from '../../server/realtime/presence-coalesce';

// The real server's presence flushes widen in a storm (issue 15, server/realtime/presence-coalesce.ts):
// with presence waiting in PRESENCE_STORM.sessions sessions at once, the last of them waits for the storm's
// quiet time, while the ones before it go out after the ordinary 100 ms. The coalescer's own rules are
// unit-tested (test/unit/realtime/presence-coalesce.test.ts); this pins that the server uses them.
let srv: TestServer;
afterEach(() => vi.useRealTimers());
afterAll(async () => srv && (await srv.close(true)));

describe("the server's presence coalescing in a storm", () => {
  it('the session that makes it a storm waits the storm quiet time; the ones before it do not', async () => {
    srv = await startServer();
    const coalescer = (srv.app.realtime as unknown as { presenceFlush: PresenceCoalescer }).presenceFlush;
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const ids = Array.from({ length: PRESENCE_STORM.sessions }, (_, i) => `storm-${i}`);
    for (const id of ids) coalescer.changed(id);
    vi.advanceTimersByTime(100);
    expect(ids.filter((id) => coalescer.isPending(id))).toEqual([ids[ids.length - 1]]);
    vi.advanceTimersByTime(PRESENCE_STORM.quietMs - 101);
    expect(coalescer.isPending(ids[ids.length - 1])).toBe(true);
    vi.advanceTimersByTime(1);
    expect(coalescer.isPending(ids[ids.length - 1])).toBe(false);
  });
});
