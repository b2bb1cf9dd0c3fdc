import { z } from 'zod';
import type { Role } from './roles';
import { command, id, text } from './schema-helpers';

// Commands of the rounds concern (磋商, docs/rules.md §2.7): the moderator runs one-on-one rounds with one
// supplier at a time (003 Ch3 §2.1 L625; 000 §19.1 L287); members keep private notes.

/** A round's length, in seconds: 1 minute to 4 hours. */
const seconds = z.number().int().min(60).max(4 * 3600);

export const roundsCommands = {
  /** Moderator: start the session with the next supplier in the consultation order (or a named one). */
  'round:start': command({ supplierId: id.optional(), seconds }),
  /** Moderator: stop the clock, keeping the remaining time. */
  'round:pause': command({}),
  /** Moderator: restart the clock from the remaining time. */
  'round:resume': command({}),
  /** Moderator: give more time, with the reason recorded in the minutes. */
  'round:extend': command({ seconds: z.number().int().min(30).max(3600), reason: text(500).trim().min(2) }),
  /** Moderator: close the session with the supplier in session. */
  'round:end': command({}),
  /** Moderator: attach a document's file name to a supplier (shown to the panel while it is in session). */
  'round:attach': command({ supplierId: id, fileName: z.string().trim().min(1).max(200) }),
  /** Panel member: save its private notes on a supplier (only this member ever receives them back). */
  'round:note': command({ supplierId: id, text: text(20_000) }),
};

export const roundsRoles: Record<keyof typeof roundsCommands, readonly Role[]> = {
  'round:start': ['moderator'],
  'round:pause': ['moderator'],
  'round:resume': ['moderator'],
  'round:extend': ['moderator'],
  'round:end': ['moderator'],
  'round:attach': ['moderator'],
  'round:note': ['expert', 'purchaser_rep'],
};
