import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createApplication } from '../../server/app';
import { SqliteEventStore } from '../../server/store/sqlite';
import { E2E_ADMIN } from './fixtures';

// The server the browser tests talk to: the production app on the built client, on a fresh database.
const dataDir = mkdtempSync(join(tmpdir(), 'panelroom-e2e-'));
const store = SqliteEventStore.open(dataDir);
const app = await createApplication({ store, adminToken: E2E_ADMIN, clientDir: resolve(process.env.CLIENT_DIR ?? 'dist') });
const port = await app.listen(Number(process.env.E2E_PORT ?? 3311), '127.0.0.1');
console.log(`E2E_URL http://127.0.0.1:${port} data in ${dataDir}`);
