import { describe, expect, it } from 'vitest';
import { CommandIndex } from '../../../server/session/command-memory';

// The exactly-once memory's index of command ids (issue 12 item 7, issue 15: no store read before a new
// command). An id it was told of must always be "maybe held" (else a retry would run twice); an id it was
// not told of should almost always be "certainly new" (else the store is asked, which is only slower).

/** Seeded ids shaped like the clients' (a UUID without its dashes: 32 hex digits), the same every run. */
function ids(seed: number, n: number): string[] {
  let x = seed >>> 0;
  const hex8 = () => ((x = (Math.imul(x ^ (x >>> 15), 0x2c1b3c6d) + 0x9e3779b9) >>> 0), x.toString(16).padStart(8, '0'));
  return Array.from({ length: n }, () => hex8() + hex8() + hex8() + hex8());
}

/** The index's table (private): the invariant that keeps every probe finite is checked through it. */
const slotsOf = (ix: CommandIndex) => (ix as unknown as { slots: Int32Array }).slots;

describe('CommandIndex', () => {
  it('holds every id it was told of, through its growth, and finds almost none of the others', () => {
    const told = ids(1, 20_000);
    const ix = new CommandIndex();
    // Told in batches, as the runtime tells it of each commit, with events without a command between.
    for (let i = 0; i < told.length; i += 7) ix.add([...told.slice(i, i + 7).map((commandId) => ({ commandId })), { commandId: null }]);
    const toldSet = new Set(told);
    expect(ix.size).toBe(toldSet.size);
    for (const id of told) expect(ix.mayHold(id)).toBe(true);
    const others = ids(2, 20_000).filter((id) => !toldSet.has(id));
    expect(others.length).toBeGreaterThan(19_000);
    const maybes = others.filter((id) => ix.mayHold(id)).length;
    // 32-bit hashes: 20,000 held make a false "maybe" about 1 in 200,000.
    expect(maybes).toBeLessThanOrEqual(2);
  });

  it('is never more than three quarters full, so a lookup always meets an empty slot', () => {
    const ix = new CommandIndex();
    const told = ids(3, 300);
    for (let n = 0; n < told.length; n++) {
      const slots = slotsOf(ix);
      expect(slots.includes(0)).toBe(true);
      expect(ix.size * 4).toBeLessThanOrEqual(slots.length * 3);
      expect(ix.mayHold(`absent-${n}`)).toBe(false);
      // One command's events share its id: told twice, held once.
      ix.add([{ commandId: told[n] }, { commandId: told[n] }]);
      expect(ix.size).toBe(n + 1);
      for (let k = 0; k <= n; k++) expect(ix.mayHold(told[k])).toBe(true);
    }
  });

  it('holds the ids whose hashes are 0 (the empty slot\'s mark), 1 and -2^31', () => {
    // FNV-1a of these: 0, -2^31 and 1 (found by search).
    const zero = 'cmd-36dv\ua295';
    const min = 'cmd-lib\u8ad1';
    const one = 'cmd-jy1\u010d';
    const ix = CommandIndex.of([{ commandId: zero }, { commandId: min }]);
    expect(ix.size).toBe(2);
    expect(ix.mayHold(zero)).toBe(true);
    expect(ix.mayHold(min)).toBe(true);
    // 0 is kept as 1: an id hashing to 1 is a "maybe", which the store answers.
    expect(ix.mayHold(one)).toBe(true);
  });

  it('counts an id told twice once, and an empty index holds nothing', () => {
    const empty = new CommandIndex();
    expect(empty.mayHold('anything')).toBe(false);
    expect(empty.mayHold('')).toBe(false);
    const ix = CommandIndex.of([{ commandId: 'a' }, { commandId: 'a' }, { commandId: null }, { commandId: '' }]);
    expect(ix.size).toBe(2);
    expect(ix.mayHold('a')).toBe(true);
    expect(ix.mayHold('')).toBe(true);
    expect(ix.mayHold('b')).toBe(false);
  });
});
