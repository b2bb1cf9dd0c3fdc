import * as Y from 'yjs';
import { MAX_DOCUMENT_CHARS, REQUIREMENTS_TEXT } from './document';

// The live requirements document is bounded (issue 12, item 6): the limit that applies at publication
// (MAX_DOCUMENT_CHARS, docs/rules.md §2.8 via server/requirements/concern.ts) applies to every edit, so one
// member can no longer grow the document every tablet downloads, and the server's memory per document
// stays bounded. An edit that would take the document past the limit is refused whole, never applied.

/** The most characters the live document may hold: what could still be published. */
export const MAX_LIVE_CHARS = MAX_DOCUMENT_CHARS;
/** One update's largest encoding (a paste of the whole document in CJK is ~600 KB). */
export const MAX_UPDATE_BYTES = 1024 * 1024;
/** Items (Yjs structs) a document may hold: bounds the memory of edit history, not only of the text. */
export const MAX_STRUCTS = 200_000;
/** Connections to one document, awareness ids per connection, messages queued while it loads. */
export const MAX_CONNS_PER_DOC = 64;
export const MAX_AWARENESS_IDS = 8;
export const MAX_QUEUED = 64;

export type UpdateVerdict = { ok: true } | { ok: false; why: 'update_too_large' | 'document_too_large' | 'too_many_items' | 'not_text' };

const structsOf = (doc: Y.Doc): number => {
  let n = 0;
  for (const list of doc.store.clients.values()) n += list.length;
  return n;
};

/**
 * Whether applying `update` keeps the document within its limits. Fast for an ordinary edit (the
 * characters it could insert are counted from the update); only an edit that might cross the limit is
 * tried on a copy, so that a replace near the limit (delete and insert in one update) is judged exactly.
 */
export function checkUpdate(doc: Y.Doc, update: Uint8Array): UpdateVerdict {
  if (update.byteLength > MAX_UPDATE_BYTES) return { ok: false, why: 'update_too_large' };
  const { structs } = Y.decodeUpdate(update);
  if (structsOf(doc) + structs.length > MAX_STRUCTS) return { ok: false, why: 'too_many_items' };
  let inserted = 0;
  for (const s of structs) {
    if (!(s instanceof Y.Item)) continue;
    // Only text goes into the document, and only into its one shared text: no other root, no map key,
    // no nested type, no binary or JSON content (which the text length would not count).
    if (!(s.content instanceof Y.ContentString || s.content instanceof Y.ContentDeleted)) return { ok: false, why: 'not_text' };
    // In a decoded update a root parent is its name (a string), a nested one an ID, an inferred one null.
    const parent = s.parent as unknown;
    if (s.parentSub !== null || (parent !== null && parent !== REQUIREMENTS_TEXT)) return { ok: false, why: 'not_text' };
    if (s.content instanceof Y.ContentString) inserted += s.length;
  }
  const text = doc.getText(REQUIREMENTS_TEXT);
  if (text.length + inserted <= MAX_LIVE_CHARS) return { ok: true };
  const probe = new Y.Doc();
  try {
    Y.applyUpdate(probe, Y.encodeStateAsUpdate(doc));
    Y.applyUpdate(probe, update);
    return probe.getText(REQUIREMENTS_TEXT).length <= MAX_LIVE_CHARS ? { ok: true } : { ok: false, why: 'document_too_large' };
  } finally {
    probe.destroy();
  }
}
