import type { App } from '../app';
import type { EventStore } from '../store/types';
import { ClusterPresence } from './presence';
import { localDocRelay, RedisDocRelay, type DocRelay } from './doc-relay';

// Several server processes serving the same sessions (issue 9, docs/deploy.md). Each process keeps its
// own folded copy of the sessions and serves its own sockets; what keeps the copies the same:
//   - the shared store tells every process of every committed append (PostgreSQL NOTIFY), and the
//     session's runtime folds the new events (SessionRuntime.follow) and pushes the views it serves;
//   - a command that reaches a process whose copy is behind fails its expectedSeq check in the store
//     (SeqConflict), the runtime catches up and runs it again;
//   - Socket.IO uses the Redis Streams adapter, through which presence travels (server/cluster/presence);
//   - the Yjs document is relayed through Redis pub/sub (server/cluster/doc-relay).
// nginx routes all of a session's connections to one process (hash on the session id), so in the
// ordinary case one process does the work and the others only follow.

export interface ClusterOptions {
  redisUrl: string | null;
  /** Keys and channels of this deployment in Redis, so that several deployments (or test runs) may share one. */
  redisPrefix: string;
}

export interface Cluster {
  docRelay: DocRelay;
  close(): Promise<void>;
}

export async function joinCluster(app: App, store: EventStore, opts: ClusterOptions): Promise<Cluster> {
  const { registry } = app;
  const closers: (() => Promise<void> | void)[] = [];

  if (store.watch) {
    const follow = (id: string) => {
      const rt = registry.get(id);
      if (!rt) return;
      rt.follow().catch((e) => console.error(`[cluster] could not follow session ${id}:`, e));
    };
    const off = await store.watch((a) => {
      if (!a) {
        // Notifications were lost while the connection was down: re-check every session, and pick up new ones.
        for (const rt of registry.all()) follow(rt.id);
        void registry.loadAll().catch((e) => console.error('[cluster] reload failed:', e));
        return;
      }
      const rt = registry.get(a.sessionId);
      if (rt) {
        if (rt.state.seq < a.seq) follow(a.sessionId);
      } else if (a.firstSeq === 1) {
        // A session created on another process: known here too, as after a restart.
        void registry.load(a.sessionId).catch((e) => console.error(`[cluster] could not load session ${a.sessionId}:`, e));
      }
    });
    closers.push(off);
    // Sessions replayed in the background (issue 15) may have missed a notice while loading: follow each once.
    if (!registry.isReady)
      registry.ready.then(() => {
        for (const rt of registry.all()) follow(rt.id);
      }, () => undefined);
  }

  let docRelay: DocRelay = localDocRelay;
  if (opts.redisUrl) {
    // Redis's client and the adapter are loaded only when a Redis is configured.
    const [{ createClient }, { createAdapter }] = await Promise.all([import('redis'), import('@socket.io/redis-streams-adapter')]);
    const redis = createClient({ url: opts.redisUrl });
    redis.on('error', (e: Error) => console.error('[cluster] redis:', e.message));
    await redis.connect();
    app.realtime.io.adapter(
      createAdapter(redis as any, {
        streamName: `${opts.redisPrefix}:sio`,
        channelPrefix: `${opts.redisPrefix}:sio`,
        sessionKeyPrefix: `${opts.redisPrefix}:sio:session:`,
      }),
    );
    const presence = new ClusterPresence(app.realtime);
    docRelay = await RedisDocRelay.open(redis, opts.redisPrefix);
    closers.push(
      () => presence.close(),
      () => docRelay.close(),
      async () => {
        await redis.quit().catch(() => undefined);
      },
    );
  }

  return {
    docRelay,
    close: async () => {
      for (const c of closers.reverse()) await c();
    },
  };
}
