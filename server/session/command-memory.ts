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

/**
 * Which command ids a session's log may hold, kept in memory so that a new command needs no read of the
 * store before it runs (issue 15: the per-command `findCommand` read on the event loop). Only for a log
 * this process alone writes (`EventStore.pipelined`), built from the whole log and told of every commit:
 * then an id it does not hold is certainly new. It holds a 32-bit hash per id (a few bytes per command, not
 * the id), so a hit only says "maybe": the store is asked, and the log stays the truth.
 */
export class CommandIndex {
  // A set of 32-bit hashes in one Int32Array (open addressing, linear probing, at most three quarters
  // full; 0 marks an empty slot, so a hash of 0 is kept as 1, one more "maybe"). Issue 15, memory per
  // room: a Set of numbers took 20–40 KB of V8's heap for the demo's 1,000–2,000 ids (its table of
  // 8-byte slots, marked in every major collection); this takes 8–16 KB outside the heap.
  private slots = new Int32Array(64);
  private count = 0;

  /** Notes the command ids of these (committed) events. */
  add(events: readonly { commandId: string | null }[]): void {
    for (const e of events) if (e.commandId !== null) this.put(idHash(e.commandId));
  }

  /** False only when the log certainly does not hold this id. */
  mayHold(commandId: string): boolean {
    const h = idHash(commandId);
    const slots = this.slots;
    const mask = slots.length - 1;
    for (let i = slotOf(h, mask); ; i = (i + 1) & mask) {
      const x = slots[i];
      if (x === h) return true;
      if (x === 0) return false;
    }
  }

  /** How many distinct hashes are held (for tests). */
  get size(): number {
    return this.count;
  }

  private put(h: number): void {
    const slots = this.slots;
    const mask = slots.length - 1;
    for (let i = slotOf(h, mask); ; i = (i + 1) & mask) {
      const x = slots[i];
      if (x === h) return;
      if (x === 0) {
        // A new hash: never past three quarters full, so every probe meets an empty slot.
        if ((this.count + 1) * 4 > slots.length * 3) return this.grow(h);
        slots[i] = h;
        this.count++;
        return;
      }
    }
  }

  /** Twice the slots, every held hash and `h` placed again. */
  private grow(h: number): void {
    const old = this.slots;
    this.slots = new Int32Array(old.length * 2);
    this.count = 0;
    for (let i = 0; i < old.length; i++) if (old[i] !== 0) this.put(old[i]);
    this.put(h);
  }

  static of(events: readonly { commandId: string | null }[]): CommandIndex {
    const ix = new CommandIndex();
    ix.add(events);
    return ix;
  }
}

/** The first slot to try for a hash: its high bits folded into the low ones the mask keeps. */
const slotOf = (h: number, mask: number): number => (h ^ (h >>> 16)) & mask;

/** FNV-1a over the id's UTF-16 code units. */
function idHash(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  // Never 0, the empty slot's mark.
  return h | 0 || 1;
}
