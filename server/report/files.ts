import { createHash } from 'node:crypto';
import type { EventStore } from '../store/types';

// Rendered report PDFs, content-addressed by their sha256 in a table beside the event log (the SQLite
// file under DATA_DIR, or the shared PostgreSQL database): the log records only the hash
// (`report:finalized`), the bytes live here, and a PDF can never be replaced under the same hash.

export interface ReportFiles {
  put(bytes: Buffer): Promise<string>;
  get(sha256: string): Promise<Buffer | null>;
}

export const sha256Hex = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

export function reportFiles(store: EventStore): ReportFiles {
  const anyStore = store as any;
  if (store.kind === 'sqlite' && typeof anyStore.putReportFile === 'function') {
    // Written by the store's writer thread, like the log (server/store/sqlite.ts, issue 15).
    const sqlite = store as import('../store/sqlite').SqliteEventStore;
    return {
      async put(bytes) {
        const h = sha256Hex(bytes);
        await sqlite.putReportFile(h, bytes, Date.now());
        return h;
      },
      get: (h) => sqlite.reportFile(h),
    };
  }
  if (store.kind === 'postgres' && anyStore.pool) {
    const pool = anyStore.pool as import('pg').Pool;
    // The table is created with the store's others, under its migration lock (server/store/postgres.ts):
    // several processes starting at once would collide creating it here.
    return {
      async put(bytes) {
        const h = sha256Hex(bytes);
        await pool.query('INSERT INTO report_files (sha256, bytes, size, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (sha256) DO NOTHING', [h, bytes, bytes.length, Date.now()]);
        return h;
      },
      async get(h) {
        const r = await pool.query<{ bytes: Buffer }>('SELECT bytes FROM report_files WHERE sha256 = $1', [h]);
        return r.rows[0]?.bytes ?? null;
      },
    };
  }
  // Any other store (tests with an in-memory fake): keep them in memory.
  const mem = new Map<string, Buffer>();
  return {
    async put(bytes) {
      const h = sha256Hex(bytes);
      mem.set(h, Buffer.from(bytes));
      return h;
    },
    async get(h) {
      return mem.get(h) ?? null;
    },
  };
}
