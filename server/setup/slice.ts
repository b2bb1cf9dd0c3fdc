import type { SessionState } from '../session/types';
import type { FrozenSetup } from './freeze';

/** The setup concern's part of the state. */
export interface SetupSlice {
  /** Highest number used per id prefix (M, S, O), so that ids are never reused. */
  lastNumber: Record<string, number>;
  /** Set when the session opened: the hashes of what was frozen, and when. */
  frozen: (FrozenSetup & { at: number; seq: number }) | null;
}

export const setupSlice = (s: SessionState): SetupSlice => s.setup as SetupSlice;
