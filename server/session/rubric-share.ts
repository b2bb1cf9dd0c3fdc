import type { Rubric } from '../../shared/domain/rubric/types';
import { sameValue } from '../realtime/same-value';

// One rubric object for every session of this process whose rubric is the same (issue 15: memory per
// room). Most sessions are created from one of a few templates, and each session replayed at start held
// its own parsed copy (about 36 KB of heap for the consultation template; 18 MB at 500 rooms, all of it
// marked by every major collection). Sessions created while the server runs already shared one: the
// template as `loadTemplate` caches it. A session's rubric is only ever replaced whole
// (`session:created`, `setup:rubric_replaced`), never changed in place. Keyed by the event's
// `rubricHash` (SHA-256 of the rubric's canonical JSON), and taken only when the two are the same tree
// with their keys in the same order (the views' JSON follows that order): a hash that does not match its
// rubric shares nothing.

const byHash = new Map<string, WeakRef<Rubric>>();

/** At this many hashes held, those whose rubric is gone are forgotten (and the mark doubles from what
 *  is left, so that a sweep is not a scan per new rubric). */
let sweepAt = 256;

/** `rubric`, or the equal rubric another session of this process already holds. */
export function sharedRubric(hash: unknown, rubric: Rubric): Rubric {
  if (typeof hash !== 'string' || rubric === null || typeof rubric !== 'object') return rubric;
  const held = byHash.get(hash)?.deref();
  if (held === rubric) return rubric;
  if (held !== undefined) return sameValue(held, rubric, 0) ? held : rubric;
  if (byHash.size >= sweepAt) {
    for (const [h, r] of byHash) if (r.deref() === undefined) byHash.delete(h);
    sweepAt = Math.max(256, 2 * byHash.size);
  }
  byHash.set(hash, new WeakRef(rubric));
  return rubric;
}
