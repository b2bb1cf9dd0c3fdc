import { canonicalJson, sha256 } from '../store/canonical';
import type { SessionState } from '../session/types';

/** What is fixed when the session opens, each with the sha256 of its canonical JSON. */
export interface FrozenSetup {
  rubricHash: string;
  rulesHash: string;
  checklistsHash: string;
  settingsHash: string;
}

export const hashOf = (v: unknown): string => sha256(canonicalJson(v));

// Once the session opens, the rubric, its rules, the checklists and the project switches may no
// longer change: only the criteria written in the document may be used (003 Ch3 §6.2 L747; docs/rules.md §2.16),
// and the recorded hashes let the report and any later audit prove it.
export function freezeRecord(s: SessionState): FrozenSetup {
  return {
    rubricHash: hashOf(s.rubric),
    rulesHash: hashOf(s.rubric.rules),
    checklistsHash: hashOf(s.checklists),
    settingsHash: hashOf(s.settings),
  };
}
