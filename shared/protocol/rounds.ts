import { z } from 'zod';
import type { Role } from './roles';
import { command, id, line, text } from './schema-helpers';
import { ATTACHMENT_MAX_BYTES, ATTACHMENT_TYPES } from './clarify';
import { signaturePath } from './report';

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
  'round:extend': command({ seconds: z.number().int().min(30).max(3600), reason: text(500, 2) }),
  /** Moderator: close the session with the supplier in session. */
  'round:end': command({}),
  /** Moderator: attach a document's file name to a supplier (shown to the panel while it is in session). */
  'round:attach': command({ supplierId: id, fileName: line(200, 1) }),
  /** Panel member: save its private notes on a supplier (only this member ever receives them back). */
  'round:note': command({ supplierId: id, text: text(20_000) }),
  // The consultation minutes (磋商记录, issue 13 item 3; docs/rules.md §2.7 Derived). A sitting is named by
  // its number in the session (1 = the first sitting of all, as the report numbers them).
  /** Moderator or panel leader: what was discussed, typed live in the sitting (the whole text each time). */
  'round:minutes': command({ sitting: z.number().int().min(1).max(10_000), text: z.string().max(20_000) }),
  /** Moderator or the supplier in session: a document exchanged in the sitting, kept with its sha256
   *  (sent over HTTP, POST /api/sessions/:id/sitting-document, like a clarification attachment). */
  'round:upload': command({
    sitting: z.number().int().min(1).max(10_000),
    name: z.string().trim().min(1).max(200),
    mime: z.enum(ATTACHMENT_TYPES),
    dataBase64: z.string().max(Math.ceil(ATTACHMENT_MAX_BYTES / 3) * 4).regex(/^[A-Za-z0-9+/]*={0,2}$/),
  }),
  /** The supplier's representative (its own sitting, before leaving) or a panel member: sign the minutes. */
  'round:sign_minutes': command({ sitting: z.number().int().min(1).max(10_000), name: z.string().trim().min(1, '请填写姓名 / your name is required').max(50), signature: signaturePath }),
};

export const roundsRoles: Record<keyof typeof roundsCommands, readonly Role[]> = {
  'round:start': ['moderator'],
  'round:pause': ['moderator'],
  'round:resume': ['moderator'],
  'round:extend': ['moderator'],
  'round:end': ['moderator'],
  'round:attach': ['moderator'],
  'round:note': ['expert', 'purchaser_rep'],
  'round:minutes': ['moderator', 'expert', 'purchaser_rep'],
  'round:upload': ['moderator', 'supplier'],
  'round:sign_minutes': ['supplier', 'expert', 'purchaser_rep'],
};
