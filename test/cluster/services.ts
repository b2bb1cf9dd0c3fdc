import { spawnSync } from 'node:child_process';
import pg from 'pg';
import { createClient } from 'redis';

// Where the scale-out tests find their services (loopback by default, as on the CI machines).
export const PG_ADMIN_URL = process.env.PANELROOM_TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const PG_TEST_URL = process.env.PANELROOM_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.PANELROOM_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const NGINX = process.env.PANELROOM_TEST_NGINX ?? (spawnSync('sh', ['-c', 'command -v nginx || ls /usr/sbin/nginx'], { encoding: 'utf8' }).stdout.trim().split('\n')[0] || 'nginx');

/** A URL on the same server as `base`, naming another database. */
export const withDatabase = (base: string, db: string): string => {
  const u = new URL(base);
  u.pathname = '/' + db;
  return u.toString();
};

export async function checkPostgres(url: string): Promise<void> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await c.connect();
    await c.query('SELECT 1');
  } finally {
    await c.end().catch(() => undefined);
  }
}

export async function checkRedis(url: string): Promise<void> {
  const r = createClient({ url, socket: { connectTimeout: 3000, reconnectStrategy: false } });
  r.on('error', () => undefined);
  try {
    await r.connect();
    if ((await r.ping()) !== 'PONG') throw new Error('no PONG');
  } finally {
    await r.quit().catch(() => undefined);
  }
}

export function checkNginx(): void {
  const r = spawnSync(NGINX, ['-v'], { encoding: 'utf8', timeout: 5000 });
  if (r.status !== 0) throw new Error(`${NGINX} -v: ${r.error?.message ?? r.stderr}`);
}
