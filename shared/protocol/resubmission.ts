import { z } from 'zod';
import type { Role } from './roles';
import { command, name } from './schema-helpers';
import { ATTACHMENT_MAX_BYTES, ATTACHMENT_TYPES } from './clarify';

// Commands of the resubmission after a substantive change (docs/rules.md §2.8 "Each supplier re-confirms its
// response, signed or sealed"; 003 Ch3 §2.4 L631; 000 §19.2.2 L293): for the latest
// version sent to it, a supplier uploads the revised parts of its response (each file signed for by its
// representative) or signs that its response needs no change. Until it has done one or the other, its
// final quote is refused.

export const NO_CHANGE_STATEMENT = { zh: '响应文件无需修改', en: 'Our response needs no change' } as const;

const version = z.number().int().min(1).max(10_000);

export const resubmissionCommands = {
  /** Supplier: one revised part of its response (PDF or image, ≤ 2 MB; larger ones over HTTP). */
  'resubmission:file': command({
    version,
    signer: name,
    attachment: z.strictObject({
      name: z.string().trim().min(1).max(200),
      mime: z.enum(ATTACHMENT_TYPES),
      dataBase64: z.string().max(Math.ceil(ATTACHMENT_MAX_BYTES / 3) * 4).regex(/^[A-Za-z0-9+/]*={0,2}$/),
    }),
  }),
  /** Supplier: signs 「响应文件无需修改」 for this version. */
  'resubmission:unchanged': command({ version, signer: name, confirmStatement: z.literal(true) }),
};

export const resubmissionRoles: Record<keyof typeof resubmissionCommands, readonly Role[]> = {
  'resubmission:file': ['supplier'],
  'resubmission:unchanged': ['supplier'],
};
