import { describe, expect, it } from 'vitest';
import { CommandIndex } from '../../../server/session/command-memory';

// The exactly-once memory's index of command ids (issue 12 item 7, issue 15: no store read before a new
// command). An id it was told of must always be "maybe held" (else a retry would run twice); an id it was
// not told of should almost always be "certainly new" (else the store is asked, which is only slower).

/** A seeded generator of ids shaped like the clients' (so the test is the same every run). */
function ids(seed: number, n: number): string[] {
  let x = seed >>> 0;
  const next = () => ((x = (Math.imul(x ^ (x >>> 15), 0x2c1b3c6d) + 0x9e3779b9) >>> 0), x.toString(36));
  return Array.from({ length: n }, () => `${next()}-${next()}-${next()}`);
}

describe('CommandIndex', () => {
  it('holds every id it was told of, through its growth, and finds almost no other', () => {
    const told = ids(1, 20_000);
    const ix = new CommandIndex();
    // Told in batches, as the runtime tells it of each commit, with events without a command between.
    for (let i = 0; i < told.length; i += 7) ix.add([...told.slice(i, i + 7).map((commandId) => ({ commandId })), { commandId: null }]);
    expect(ix.size).toBe(new Set(told).size);
    for (const id of told) expect(ix.mayHold(id)).toBe(true);
    const toldSet = new Set(told);
    const others = ids(2, 20_000).filter((id) => !toldSet.has(id));
    const maybes = others.filter((id) => ix.mayHold(id)).length;
    // 32-bit hashes: 20,000 held make a false "maybe" about 1 in 200,000.
    expect(maybes).toBeLessThanOrEqual(2);
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
