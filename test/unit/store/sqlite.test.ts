import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteEventStore } from '../../../server/store/sqlite';
import { storeSuite } from '../../helpers/store-suite';

// The shared event-store contract against the embedded default store, one temporary file per test.
storeSuite('sqlite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'panelroom-log-'));
  return {
    create: async () => SqliteEventStore.open(dir),
    reopen: async () => SqliteEventStore.open(dir),
    tamper: async (sessionId, seq, payload) => {
      const db = new Database(join(dir, 'panelroom.sqlite'));
      db.prepare('UPDATE events SET payload = ? WHERE session_id = ? AND seq = ?').run(JSON.stringify(payload), sessionId, seq);
      db.close();
    },
    destroy: async () => rmSync(dir, { recursive: true, force: true }),
  };
});
