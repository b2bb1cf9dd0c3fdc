import type { Room } from '../room';
import { signinSteps } from './signin';
import { reviewSteps } from './review';
import { roundsSteps } from './rounds';
import { quotesSteps } from './quotes';
import { scoringSteps } from './scoring';
import { setupSteps } from './setup';
import { reportSteps } from './report';

export type Step = (room: Room) => Promise<void>;

/** For each stage, what the people in the room do before it can be left (owned by each concern). */
export const STEPS: Record<string, Step> = {
  ...setupSteps,
  ...reportSteps,
  ...signinSteps,
  ...reviewSteps,
  ...roundsSteps,
  ...quotesSteps,
  ...scoringSteps,
};
