import { describe, it, expect, afterEach } from 'vitest';
import * as Y from 'yjs';
import { randomBytes } from 'node:crypto';
import { createClient } from 'redis';
import { RedisDocRelay } from '../../server/cluster/doc-relay';
import { REDIS_URL } from './services';
import { until } from './harness';

// The Yjs relay between processes (issue 9): a session's document stays the same on every process
// that has it open, and a process that opens it late (a takeover) gets what the others hold.
const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function relay(prefix: string): Promise<RedisDocRelay> {
  const r = createClient({ url: REDIS_URL });
  r.on('error', () => undefined);
  await r.connect();
  const relay = await RedisDocRelay.open(r, prefix);
  cleanup.push(() => r.quit(), () => relay.close());
  return relay;
}

describe('Yjs relay through Redis', () => {
  it('keeps one session’s document the same on two processes, and apart from other sessions', async () => {
    const prefix = `panelroom-test:${randomBytes(4).toString('hex')}`;
    const [a, b] = [await relay(prefix), await relay(prefix)];
    const [da, db, other] = [new Y.Doc(), new Y.Doc(), new Y.Doc()];
    const offA = a.attach('s1', da);
    const offB = b.attach('s1', db);
    b.attach('s2', other);
    await new Promise((r) => setTimeout(r, 200));
    da.getText('t').insert(0, '技术要求：');
    db.getText('t').insert(0, '第一条 ');
    await until('both documents to converge', () => da.getText('t').toString() === db.getText('t').toString() && da.getText('t').length === 9, 5000);
    expect(other.getText('t').toString()).toBe('');

    // A process that opens the document later (it took the session over) gets the others' state.
    const c = await relay(prefix);
    const dc = new Y.Doc();
    c.attach('s1', dc);
    await until('the late document to catch up', () => dc.getText('t').toString() === da.getText('t').toString(), 5000);

    // Detached: no more updates either way.
    offB();
    da.getText('t').insert(0, 'X');
    await until('the late document to follow', () => dc.getText('t').toString().startsWith('X'), 5000);
    await new Promise((r) => setTimeout(r, 200));
    expect(db.getText('t').toString().startsWith('X')).toBe(false);
    offA();
  });
});
