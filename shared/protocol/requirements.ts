import { z } from 'zod';
import type { Role } from './roles';
import { command, id, name, text } from './schema-helpers';

// Commands of the requirements concern (实质性变动, docs/rules.md §2.8): the panel edits the requirements
// document together (Yjs, /yjs/<sessionId>); the moderator proposes to publish a snapshot; the purchaser
// representative alone confirms it (000 §19.2 L289; 003 Ch3 §2.2 L627), which publishes it to every
// active supplier at once (003 Ch3 §2.3 L629); each supplier signs or refuses (003 Ch3 §2.4 L631, §5.1 L729).

const version = z.number().int().min(1).max(10_000);

export const requirementsCommands = {
  /** Moderator: freeze the current text of the panel's document as the proposed next version. */
  'requirements:propose': command({}),
  /** Moderator or purchaser representative: drop the pending proposal, with a reason. */
  'requirements:cancel': command({ version, reason: text(500).trim().min(2) }),
  /** Purchaser representative: confirm the proposed version; this publishes it to every active supplier. */
  'requirements:confirm': command({ version }),
  /** Supplier laptop, automatically: the published version reached this supplier (delivery time). */
  'requirements:received': command({ version }),
  /** Supplier: sign the confirmation of the published version (the representative's name). */
  'requirements:sign': command({ version, signer: name }),
  /** Supplier: refuse the change; its response becomes invalid (003 Ch3 §5.1 L729). */
  'requirements:refuse': command({ version, reason: text(1000).trim().min(2) }),
  /** Moderator: record that a supplier did not confirm the latest change in time; its response becomes invalid (003 Ch3 §5.1 L729). */
  'requirements:lapse': command({ supplierId: id, reason: text(500).trim().min(2) }),
};

export const requirementsRoles: Record<keyof typeof requirementsCommands, readonly Role[]> = {
  'requirements:propose': ['moderator'],
  'requirements:cancel': ['moderator', 'purchaser_rep'],
  'requirements:confirm': ['purchaser_rep'],
  'requirements:received': ['supplier'],
  'requirements:sign': ['supplier'],
  'requirements:refuse': ['supplier'],
  'requirements:lapse': ['moderator'],
};
