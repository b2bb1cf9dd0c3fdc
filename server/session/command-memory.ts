import { canonicalJson, sha256 } from '../store/canonical';
import type { CommandRecord } from '../store/types';
import { DomainError, type Principal } from './types';

// The exactly-once memory of commands (issue 12, item 7). A command id is the client's, so the server
// cannot trust it alone: the memory is keyed by the id *and* by who sent it and what it was
// (the command's name and a hash of its validated payload). Only a real retry — the same sender, the
// same command, the same payload — gets the first answer again; the same id from another person, or
// for another command or payload, is refused with `command_reused` and learns nothing of the first.

/** sha256 of the sender, the command's name and the canonical JSON of its validated payload. */
export function commandFingerprint(actor: Principal, name: string, payload: unknown): string {
  return sha256(canonicalJson({ sender: actor.personId, role: actor.role, command: name, payload }));
}

/** Whether a remembered command is this very command again (a retry). */
export function isRetry(record: CommandRecord, fingerprint: string, actor: Principal): boolean {
  if (record.fingerprint !== null) return record.fingerprint === fingerprint;
  // Remembered before fingerprints existed: the sender is all that can be compared.
  const first = record.events[0]?.actor;
  return !!first && first.personId === actor.personId && first.role === actor.role;
}

export const commandReused = (): DomainError =>
  new DomainError('command_reused', {
    zh: '该操作编号已被另一操作使用，本次操作未执行。请刷新页面后重试。',
    en: 'This command id was already used for another operation; nothing was done. Reload the page and try again.',
  });
