import { sessionConcern } from './core';
import { participantsConcern } from '../participants/concern';
import { projectorConcern } from '../projector/concern';
import { stageConcern } from '../stage/concern';
import { suppliersConcern } from '../suppliers/status';
import { setConcernList } from './concern-list';
import type { Concern } from './types';
// One import line per concern of the room (each in its own folder, owning its handlers, fold and view).
import { setupConcern } from '../setup/concern';
import { signinConcern } from '../signin/concern';
import { reviewConcern } from '../review/concern';
import { policyConcern } from '../review/policy';
import { clarifyConcern } from '../clarify/concern';
import { roundsConcern } from '../rounds/concern';
import { requirementsConcern } from '../requirements/concern';
import { resubmissionConcern } from '../requirements/resubmission';
import { quotesConcern } from '../quotes/concern';
import { scoringConcern } from '../scoring/concern';
import { reportConcern } from '../report/concern';

// Every concern of the room, in fold order. A new concern adds itself here and in shared/protocol.
export const CONCERNS: Concern[] = [
  sessionConcern,
  participantsConcern,
  projectorConcern,
  stageConcern,
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
setConcernList(CONCERNS);
