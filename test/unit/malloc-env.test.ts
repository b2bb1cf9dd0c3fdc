import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { MALLOC_ENV } from '../../server/malloc-env';

// Memory per room (issue 15): `npm start` starts the server with glibc's fixed malloc thresholds
// (server/malloc-env.ts), and the benchmarks' server child with the same ones, so that the rooms bench
// measures the server as it is deployed.
describe('the malloc thresholds the server starts with', () => {
  it('npm start sets every variable of MALLOC_ENV, with its value, for the server process', () => {
    const start: string = JSON.parse(readFileSync('package.json', 'utf8')).scripts.start;
    const server = start.slice(start.lastIndexOf('&&') + 2).trim();
    const words = server.split(/\s+/);
    const assigned = Object.fromEntries(words.filter((w) => /^[A-Z_]+=/.test(w)).map((w) => w.split('=')));
    expect(assigned).toEqual(MALLOC_ENV);
    expect(words.slice(Object.keys(assigned).length)).toEqual(['node', '--enable-source-maps', 'dist-server/main.mjs']);
  });

  it("the benchmarks' server child gets them too", () => {
    const fleet = readFileSync('test/bench/fleet.ts', 'utf8');
    expect(fleet).toMatch(/env: \{ \.\.\.\(process\.env\.BENCH_MALLOC_DEFAULT === '1' \? \{\} : MALLOC_ENV\)/);
  });
});
