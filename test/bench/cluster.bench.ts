import { startCluster, ADMIN } from '../cluster/harness';
import preflight from '../cluster/preflight';
import { PostgresEventStore } from '../../server/store/postgres';
import { openRoom, driveTo } from '../helpers/room';
import type { TestServer } from '../helpers/server';
import { MEETING } from './room.bench';
import { floorsOnce } from './clients';
import { scorePath, scoreRows } from './paths.bench';
import type { BenchSection } from './lib';

// The one-meeting score path against the cluster of issue 9: 3 processes (`tsx server/main.ts`) with
// one PostgreSQL database and Redis, behind nginx running deploy/nginx.conf (test/cluster/harness.ts).
// Every client goes through nginx with the join link's `?s=<sessionId>`, as the browser does. Only with
// PANELROOM_CLUSTER=1; otherwise, or when a service is missing, the section says so.

const TITLE = 'The cluster: 3 processes behind nginx, PostgreSQL and Redis';

export async function clusterBench(): Promise<BenchSection> {
  if (process.env.PANELROOM_CLUSTER !== '1')
    return { title: TITLE, markdown: 'Not run: set `PANELROOM_CLUSTER=1` with PostgreSQL, Redis and nginx on loopback (test/cluster/services.ts names the addresses).' };
  try {
    await preflight();
  } catch (e) {
    return { title: TITLE, markdown: `Not run: ${(e as Error).message.replace(/\n/g, ' ')}` };
  }
  const f = await floorsOnce();
  const cluster = await startCluster(3);
  const store = await PostgresEventStore.open(cluster.databaseUrl, { max: 2 });
  // A TestServer-shaped handle on the cluster, so that the concerns' own steps drive the session.
  const srv = {
    url: cluster.nginxUrl,
    store,
    async createSession(body: unknown) {
      const res = await fetch(`${cluster.nginxUrl}/api/sessions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN}` }, body: JSON.stringify(body) });
      const json = (await res.json()) as any;
      if (!json.ok) throw new Error(JSON.stringify(json.error));
      // Sticky routing: every socket of the session names it, as the join link does.
      srv.url = `${cluster.nginxUrl}/?s=${json.data.sessionId}`;
      return json.data;
    },
  };
  try {
    const room = await openRoom(srv as unknown as TestServer, MEETING);
    for (const l of room.links) await room.client(l.personId);
    await driveTo(room, 'scoring');
    const owner = await cluster.ownerOf(room.sessionId);
    const p = await scorePath(room);
    room.closeAll();
    return {
      title: TITLE,
      markdown: [
        `The same meeting as "One meeting" (22 sockets), every socket through nginx to the session's process (${owner.index} of 0–2); PostgreSQL is the event store (one transaction per command, synchronous commit), Redis carries the other processes' broadcasts. Floors are this run's single-process floors (bare Socket.IO on one process, fsync of the local disk): the ratios include nginx, PostgreSQL and Redis.`,
        '',
        '| path | p50 | p99 | p50 ÷ floor | p99 ÷ floor | floor |',
        '|---|---|---|---|---|---|',
        ...scoreRows(p, f, ' (cluster)'),
      ].join('\n'),
    };
  } catch (e) {
    throw new Error(`${(e as Error).message}\n${cluster.logs()}`);
  } finally {
    await store.close();
    await cluster.stop();
  }
}
