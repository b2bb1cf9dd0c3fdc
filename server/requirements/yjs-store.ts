import type { EventStore } from '../store/types';

// Durable storage of the requirements document's Yjs updates: in the session's store (SQLite or
// PostgreSQL: `docUpdates` / `storeDocUpdate`) but outside the event log: keystrokes are not audit
// events; what is audited is each published version, frozen into the log (docs/architecture.md
// "Yjs only where people co-edit text"; docs/rules.md §2.8). Like y-leveldb, the update list is compacted
// into one state update after COMPACT_AFTER entries. With PostgreSQL the unpublished edits survive a
// restart of every process (docs/deploy.md "Yjs").

export const COMPACT_AFTER = 500;

export interface UpdateLog {
  load(sessionId: string): Promise<Uint8Array[]>;
  /** Stores one update durably; resolves to how many the session now has. */
  append(sessionId: string, update: Uint8Array): Promise<number>;
  /** Replaces every stored update of the session by one (compaction), in one transaction. */
  replace(sessionId: string, update: Uint8Array): Promise<number>;
  /** Whether a restart keeps what was stored. */
  durable: boolean;
}

/** For a store without the document methods: kept in memory only (lost on restart). */
export function memoryUpdateLog(): UpdateLog {
  const m = new Map<string, Uint8Array[]>();
  return {
    durable: false,
    load: async (id) => [...(m.get(id) ?? [])],
    append: async (id, u) => {
      const l = m.get(id) ?? [];
      l.push(u);
      m.set(id, l);
      return l.length;
    },
    replace: async (id, u) => {
      m.set(id, [u]);
      return 1;
    },
  };
}

export function updateLogFor(store: EventStore): UpdateLog {
  const { docUpdates, storeDocUpdate } = store;
  if (!docUpdates || !storeDocUpdate) return memoryUpdateLog();
  return {
    durable: true,
    load: (id) => docUpdates.call(store, id),
    append: (id, u) => storeDocUpdate.call(store, id, u, false),
    replace: (id, u) => storeDocUpdate.call(store, id, u, true),
  };
}
