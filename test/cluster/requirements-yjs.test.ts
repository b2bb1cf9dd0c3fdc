import { describe, it, expect, afterEach } from 'vitest';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import { createApplication, type App } from '../../server/app';
import { joinCluster, type Cluster } from '../../server/cluster';
import { PostgresEventStore } from '../../server/store/postgres';
import { DEMO_SESSION } from '../../server/demo/demo-session';
import { liveText } from '../../server/requirements/live-text';
import { initialText } from '../../server/requirements/document';
import { openRoom, driveTo, type Room } from '../helpers/room';
import { tokenOf, linkFor, type TestServer } from '../helpers/server';
import { PG_TEST_URL, REDIS_URL } from './services';
import { until } from './harness';

// The requirements document (docs/rules.md §2.8) across processes (issue 9; docs/deploy.md "Yjs"): two
// server processes on one PostgreSQL store and one Redis keep one live document (the endpoint uses
// app.docRelay), and its unpublished edits are in PostgreSQL, so a restart of every process loses none.

const ADMIN = 'yjs-cluster-admin-key-0123456789';
const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f().catch(() => undefined);
});

interface Proc {
  app: App;
  store: PostgresEventStore;
  cluster: Cluster;
  url: string;
  stop(): Promise<void>;
}

async function proc(schema: string, prefix: string): Promise<Proc> {
  const store = await PostgresEventStore.open(PG_TEST_URL, { schema });
  const app = await createApplication({ store, adminToken: ADMIN, clientDir: null });
  const cluster = await joinCluster(app, store, { redisUrl: REDIS_URL, redisPrefix: prefix });
  app.docRelay = cluster.docRelay;
  const port = await app.listen(0, '127.0.0.1');
  let stopped = false;
  const p: Proc = {
    app,
    store,
    cluster,
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await app.close();
      await cluster.close();
      await store.close();
    },
  };
  cleanup.push(p.stop);
  return p;
}

/** Enough of a TestServer for openRoom/driveTo on a PostgreSQL-backed process. */
function asTestServer(p: Proc): TestServer {
  return {
    app: p.app,
    store: p.store as any,
    url: p.url,
    dataDir: '',
    async createSession(body: unknown = DEMO_SESSION) {
      const res = await fetch(`${p.url}/api/sessions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN}` }, body: JSON.stringify(body) });
      const json = (await res.json()) as any;
      if (!json.ok) throw new Error(JSON.stringify(json.error));
      return json.data;
    },
    close: p.stop,
  };
}

function tablet(url: string, room: Room, personId: string): { doc: Y.Doc; text: Y.Text; provider: WebsocketProvider } {
  const doc = new Y.Doc();
  const provider = new WebsocketProvider(url.replace(/^http/, 'ws') + '/yjs', room.sessionId, doc, {
    params: { token: tokenOf(linkFor(room.links, personId)) },
    WebSocketPolyfill: WebSocket as any,
    disableBc: true,
  });
  cleanup.push(async () => provider.destroy());
  return { doc, text: doc.getText('requirements'), provider };
}

describe('the requirements document on several processes', () => {
  it('is one document on two processes, stored in PostgreSQL, and survives a restart of both', async () => {
    const schema = `y_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
    const prefix = `panelroom-test:${randomBytes(4).toString('hex')}`;
    cleanup.push(async () => {
      const c = new pg.Client({ connectionString: PG_TEST_URL });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await c.end();
    });
    const a = await proc(schema, prefix);
    const b = await proc(schema, prefix);
    expect(a.app.docRelay).toBe(a.cluster.docRelay);
    const room = await openRoom(asTestServer(a));
    cleanup.push(async () => room.closeAll());
    await driveTo(room, 'consultation');
    await until('process B to follow the session', () => b.app.registry.get(room.sessionId)?.state.stage === 'consultation');
    const base = initialText(a.app.registry.get(room.sessionId)!.state);

    // M1's tablet on process A, M2's on process B (as after nginx failed a process over).
    const m1 = tablet(a.url, room, 'M1');
    const m2 = tablet(b.url, room, 'M2');
    await until('both synced', () => m1.provider.synced && m2.provider.synced);
    await until('one baseline on both', () => m1.text.toString() === base && m2.text.toString() === base);
    m1.text.insert(m1.text.length, '\n一、交货期改为 30 日');
    await until('B has A’s edit', () => m2.text.toString().endsWith('30 日'));
    m2.text.insert(m2.text.length, '\n二、质保期 3 年');
    const expected = `${base}\n一、交货期改为 30 日\n二、质保期 3 年`;
    await until('A has B’s edit', () => m1.text.toString() === expected);
    // Both processes hold the same text, the baseline once (each seeded the same update).
    expect(m2.text.toString()).toBe(expected);

    // Stored in PostgreSQL, not in the event log.
    await a.app.close();
    await b.app.close();
    expect((await a.store.docUpdates(room.sessionId)).length).toBeGreaterThanOrEqual(2);
    expect((await a.store.read(room.sessionId)).some((e) => e.type.includes('update'))).toBe(false);
    room.closeAll();
    await a.stop();
    await b.stop();

    // Every process restarted: the unpublished edits are still there, and a proposal freezes them.
    const c = await proc(schema, prefix);
    await until('C loaded the document', () => liveText(room.sessionId) === expected);
    const again = await openRoomOn(c, room);
    const ack = await again.ok('A1', 'requirements:propose');
    expect(ack.data.version).toBe(1);
    const m3 = tablet(c.url, again, 'M3');
    await until('M3 synced', () => m3.provider.synced && m3.text.toString() === expected);
    again.closeAll();
  });
});

/** The same session's people, connected to another process. */
async function openRoomOn(p: Proc, r: Room): Promise<Room> {
  const srv = asTestServer(p);
  const fake = { ...srv, createSession: async () => ({ sessionId: r.sessionId, links: r.links }) } as TestServer;
  return openRoom(fake);
}
