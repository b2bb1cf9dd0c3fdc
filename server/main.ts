import { resolve } from 'node:path';
import { loadConfig } from './config';
import { SqliteEventStore } from './store/sqlite';
import { joinCluster } from './cluster';
import type { EventStore } from './store/types';
import { createApplication } from './app';
import { DEMO_SESSION } from './demo/demo-session';
import { bannerLines } from './banner';

// `npm start`: one process, the embedded SQLite database under DATA_DIR, and on an empty database a
// ready demo session whose join links are printed.
async function main(): Promise<void> {
  const cfg = loadConfig();
  // SQLite unless DATABASE_URL names a PostgreSQL database (issue 9; docs/deploy.md).
  // PostgreSQL's client is loaded only when it is used.
  const store: EventStore = cfg.databaseUrl ? await (await import('./store/postgres')).PostgresEventStore.open(cfg.databaseUrl) : SqliteEventStore.open(cfg.dataDir);
  if (cfg.redisUrl && !cfg.databaseUrl) console.warn('REDIS_URL without DATABASE_URL: several processes need the shared PostgreSQL store / 多进程须共用 PostgreSQL');
  // Only for the tests of several processes (test/cluster): a clock they can move forward.
  let offset = 0;
  const testClock = process.env.PANELROOM_TEST_CLOCK === '1';
  const app = await createApplication({
    store,
    clock: testClock ? () => Date.now() + offset : undefined,
    clockControl: testClock ? { advance: (ms) => void (offset += ms) } : null,
    adminToken: cfg.adminToken,
    publicUrl: cfg.publicUrl,
    allowedOrigins: cfg.allowedOrigins,
    clientDir: resolve('dist'),
    // Listen at once; the sessions replay in the background (issue 15: a restart's reconnect storm).
    loadInBackground: true,
  });
  const cluster = await joinCluster(app, store, { redisUrl: cfg.redisUrl, redisPrefix: cfg.redisPrefix });
  app.docRelay = cluster.docRelay;
  const port = await app.listen(cfg.port, cfg.host);
  const base = cfg.publicUrl ?? `http://localhost:${port}`;
  // The demo and the banner need every session (a failed replay ends the process: main's catch).
  await app.registry.ready;

  if (cfg.demo && app.registry.all().length === 0) await app.registry.create(DEMO_SESSION);

  console.log(`\n评审室 PanelRoom 已启动 / is running: ${base}`);
  console.log(cfg.databaseUrl ? `数据库 / database: PostgreSQL${cfg.redisUrl ? ' + Redis' : ''}` : `数据目录 / data: ${cfg.dataDir}（SQLite）`);
  console.log(`管理密钥 / agency key (Authorization: Bearer): ${cfg.adminToken}`);
  for (const line of await bannerLines(app.registry, store, base)) console.log(line);
  console.log('');

  const stop = async () => {
    await app.close();
    await cluster.close();
    await store.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
