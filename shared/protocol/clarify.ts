import { z } from 'zod';
import type { Role } from './roles';
import { command, id, name, text } from './schema-helpers';

// Commands of the clarify concern (澄清, docs/rules.md §2.6): a member drafts a written question to one
// supplier, the panel sees the draft, the moderator sends it; only that supplier receives it and answers
// in writing before the deadline as its signed statement (000 §18.3 L273; 003 Ch3 §2.5.2-2.5.3 L637-639).

/** Attachments: PDF or an image, at most 2 MB (before base64). */
export const ATTACHMENT_MAX_BYTES = 2 * 1024 * 1024;
export const ATTACHMENT_TYPES = ['application/pdf', 'image/png', 'image/jpeg'] as const;

export const clarifyCommands = {
  /** Member: draft a question to one supplier, optionally about a review item, answerable within `minutes`. */
  'clarify:draft': command({
    supplierId: id,
    question: text(4000).trim().min(2),
    minutes: z.number().int().min(1).max(24 * 60),
    itemId: z.string().min(1).max(20).optional(),
  }),
  /** Moderator or the drafting member: drop a draft that was not sent. */
  'clarify:discard': command({ clarificationId: id }),
  /** Moderator: send a draft; the deadline runs from now. */
  'clarify:send': command({ clarificationId: id }),
  /** Supplier: answer in writing, confirmed as its signed statement; optionally one attachment. */
  'clarify:answer': command({
    clarificationId: id,
    text: text(8000).trim().min(1),
    signer: name,
    confirmStatement: z.literal(true),
    attachment: z
      .strictObject({
        name: z.string().trim().min(1).max(200),
        mime: z.enum(ATTACHMENT_TYPES),
        // base64 of at most ATTACHMENT_MAX_BYTES bytes (4 chars per 3 bytes); the exact size is checked after decoding.
        dataBase64: z.string().max(Math.ceil(ATTACHMENT_MAX_BYTES / 3) * 4).regex(/^[A-Za-z0-9+/]*={0,2}$/),
      })
      .optional(),
  }),
  /** Moderator: after the deadline with no answer, send the no-answer result to the review. */
  'clarify:lapse': command({ clarificationId: id }),
};

export const clarifyRoles: Record<keyof typeof clarifyCommands, readonly Role[]> = {
  'clarify:draft': ['expert', 'purchaser_rep'],
  'clarify:discard': ['moderator', 'expert', 'purchaser_rep'],
  'clarify:send': ['moderator'],
  'clarify:answer': ['supplier'],
  'clarify:lapse': ['moderator'],
};
