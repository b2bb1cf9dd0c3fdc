import { checkNginx, checkPostgres, checkRedis, PG_ADMIN_URL, PG_TEST_URL, REDIS_URL, NGINX } from './services';

// Runs once before the scale-out tests: with PANELROOM_CLUSTER=1 they must run, so a missing service
// is a failure with a plain message, never a skip (issue 9).
export default async function preflight(): Promise<void> {
  const missing: string[] = [];
  for (const [name, check] of [
    [`PostgreSQL (${PG_ADMIN_URL})`, () => checkPostgres(PG_ADMIN_URL)],
    [`PostgreSQL test database (${PG_TEST_URL})`, () => checkPostgres(PG_TEST_URL)],
    [`Redis (${REDIS_URL})`, () => checkRedis(REDIS_URL)],
    [`nginx (${NGINX}; apt-get install -y nginx)`, async () => checkNginx()],
  ] as const) {
    try {
      await check();
    } catch (e) {
      missing.push(`${name}: ${(e as Error).message}`);
    }
  }
  if (missing.length) throw new Error(`scale-out tests (PANELROOM_CLUSTER=1) need these services, which are missing:\n  - ${missing.join('\n  - ')}`);
}
