import * as Y from 'yjs';
import * as awarenessProtocol from 'y-protocols/awareness';
import type { DocRelay } from '../cluster/doc-relay';
import type { SessionState } from '../session/types';
import { initialText, REQUIREMENTS_TEXT } from './document';
import { reqOf } from './state';
import { COMPACT_AFTER, type UpdateLog } from './yjs-store';

// The open documents of this process (the endpoint's "load" and "persist" parts): each is loaded once
// from the store, seeded with the starting text when it has none, attached to the cluster's relay, and
// every update made here is stored in order, compacted after COMPACT_AFTER updates.

export interface SharedDoc {
  sessionId: string;
  doc: Y.Doc;
  awareness: awarenessProtocol.Awareness;
  /** The connections to this document (their type is the relay's business). */
  conns: Set<unknown>;
  stored: number;
  /** Resolves once the stored updates are applied (the store may be remote). */
  ready: Promise<void>;
  loaded: boolean;
  /** Stores of this document, in order, so that a compaction follows every update it contains. */
  writes: Promise<void>;
  detach: () => void;
}

/**
 * The starting text (version 0), written by a fixed Yjs client id: two processes that both seed an
 * empty document produce the same update, which Yjs merges into one text (not two copies).
 */
const SEED_CLIENT = 0x5eed;
function seedUpdate(text: string): Uint8Array {
  const d = new Y.Doc();
  d.clientID = SEED_CLIENT;
  d.getText(REQUIREMENTS_TEXT).insert(0, text);
  const u = Y.encodeStateAsUpdate(d);
  d.destroy();
  return u;
}

/** Persist: one update after the other; a compaction replaces them by the document's whole state. */
export function persist(d: SharedDoc, log: UpdateLog, update: Uint8Array): void {
  d.writes = d.writes
    .then(async () => {
      d.stored = await log.append(d.sessionId, update);
      if (d.stored >= COMPACT_AFTER) d.stored = await log.replace(d.sessionId, Y.encodeStateAsUpdate(d.doc));
    })
    .catch((e) => console.error(`[requirements] could not store an update of ${d.sessionId}:`, (e as Error).message));
}

export class OpenDocs {
  readonly docs = new Map<string, SharedDoc>();

  constructor(
    private readonly log: UpdateLog,
    private relay: () => DocRelay,
    /** Wires a new document's update and awareness broadcasts (the relay part). */
    private readonly wire: (d: SharedDoc) => void,
  ) {}

  /** Load: the document of a session, created and loading on first use. */
  get(s: SessionState): SharedDoc {
    let d = this.docs.get(s.id);
    if (d) return d;
    const doc = new Y.Doc();
    const awareness = new awarenessProtocol.Awareness(doc);
    awareness.setLocalState(null);
    d = { sessionId: s.id, doc, awareness, conns: new Set(), stored: 0, ready: Promise.resolve(), loaded: false, writes: Promise.resolve(), detach: () => undefined };
    const shared = d;
    this.wire(shared);
    this.docs.set(s.id, d);
    d.ready = this.log
      .load(s.id)
      .catch((e) => {
        console.error(`[requirements] could not load the document of ${s.id}:`, (e as Error).message);
        return [] as Uint8Array[];
      })
      .then((updates) => {
        for (const u of updates) Y.applyUpdate(doc, u, 'load');
        shared.stored = updates.length;
        // The starting text (version 0), once, by the server: clients start empty and sync from here.
        if (updates.length === 0) Y.applyUpdate(doc, seedUpdate(reqOf(s).baseline?.content ?? initialText(s)), 'seed');
        shared.loaded = true;
        // Attached once loaded: the other processes then send only what this one lacks.
        shared.detach = this.relay().attach(s.id, doc);
      });
    return d;
  }

  /** A new relay (the cluster's): every loaded document is attached to it instead. */
  reattach(r: DocRelay): void {
    for (const [id, d] of this.docs)
      if (d.loaded) {
        d.detach();
        d.detach = r.attach(id, d.doc);
      }
  }

  async flush(): Promise<void> {
    await Promise.all([...this.docs.values()].map((d) => d.ready.then(() => d.writes)));
  }

  close(terminate: (d: SharedDoc) => void): void {
    for (const d of this.docs.values()) {
      d.detach();
      terminate(d);
      d.awareness.destroy();
      d.doc.destroy();
    }
    this.docs.clear();
  }
}
