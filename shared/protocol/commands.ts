import type { z } from 'zod';
import { foundationCommands, foundationQueries } from './foundation';
import { stageCommands } from './stage';
import { setupCommands } from './setup';
import { signinCommands } from './signin';
import { reviewCommands } from './review';
import { policyCommands } from './policy';
import { clarifyCommands } from './clarify';
import { roundsCommands } from './rounds';
import { requirementsCommands } from './requirements';
import { resubmissionCommands } from './resubmission';
import { quotesCommands } from './quotes';
import { scoringCommands } from './scoring';
import { reportCommands } from './report';

// Every command a client may send, by event name (`domain:verb`). Each concern owns its own file.
export const COMMANDS = {
  ...foundationCommands,
  ...stageCommands,
  ...setupCommands,
  ...signinCommands,
  ...reviewCommands,
  ...policyCommands,
  ...clarifyCommands,
  ...roundsCommands,
  ...requirementsCommands,
  ...resubmissionCommands,
  ...quotesCommands,
  ...scoringCommands,
  ...reportCommands,
} as const;

export const QUERIES = {
  ...foundationQueries,
} as const;

export type CommandName = keyof typeof COMMANDS;
export type QueryName = keyof typeof QUERIES;

export const isCommand = (n: string): n is CommandName => Object.prototype.hasOwnProperty.call(COMMANDS, n);
export const isQuery = (n: string): n is QueryName => Object.prototype.hasOwnProperty.call(QUERIES, n);
