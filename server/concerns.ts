import type { Concern } from './session/types';
import { createKernel } from './session/kernel';
import { sessionConcern } from './session/core';
import { participantsConcern } from './participants/concern';
import { projectorConcern } from './projector/concern';
import { createStageConcern } from './stage/concern';
import { suppliersConcern } from './suppliers/status';
// One import line per concern of the room (each in its own folder, owning its handlers, fold and view).
import { setupConcern } from './setup/concern';
import { signinConcern } from './signin/concern';
import { reviewConcern } from './review/concern';
import { policyConcern } from './review/policy';
import { clarifyConcern } from './clarify/concern';
import { roundsConcern } from './rounds/concern';
import { requirementsConcern } from './requirements/concern';
import { resubmissionConcern } from './requirements/resubmission';
import { quotesConcern } from './quotes/concern';
import { scoringConcern } from './scoring/concern';
import { reportConcern } from './report/concern';

// The room's concerns, in fold order, which server/app.ts hands to the session kernel
// (server/session/kernel.ts); the session folder imports none of them. A new concern adds itself here
// and in shared/protocol. The stage machine consults every other concern's guards.
const before: Concern[] = [sessionConcern, participantsConcern, projectorConcern];
const after: Concern[] = [
  suppliersConcern,
  setupConcern,
  signinConcern,
  reviewConcern,
  policyConcern,
  clarifyConcern,
  roundsConcern,
  requirementsConcern,
  resubmissionConcern,
  quotesConcern,
  scoringConcern,
  reportConcern,
];
export const ROOM_CONCERNS: readonly Concern[] = Object.freeze([...before, createStageConcern([...before, ...after]), ...after]);

/** The kernel of the room's concerns, for code that folds a log outside a running app (tests, tools). */
export const roomKernel = createKernel(ROOM_CONCERNS);
