import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { MALLOC_ENV, NODE_FLAGS } from '../../server/malloc-env';

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
    expect(words.slice(Object.keys(assigned).length)).toEqual(['node', '--enable-source-maps', ...NODE_FLAGS, 'dist-server/main.mjs']);
  });

  it("the benchmarks' server child gets them too", () => {
    const fleet = readFileSync('test/bench/fleet.ts', 'utf8');
    expect(fleet).toMatch(/env: \{ \.\.\.\(process\.env\.BENCH_MALLOC_DEFAULT === '1' \? \{\} : MALLOC_ENV\)/);
  });

  it("the tests' and the benchmarks' server children start with the same Node flags", () => {
    expect(readFileSync('test/bench/fleet.ts', 'utf8')).toContain("const argv = [...NODE_FLAGS, ...flags, '--expose-gc', entry];");
    expect(readFileSync('test/helpers/child.ts', 'utf8')).toContain('spawn(process.execPath, [...NODE_FLAGS, entry]');
    expect(readFileSync('test/cluster/harness.ts', 'utf8')).toContain("spawn(process.execPath, ['--enable-source-maps', ...NODE_FLAGS, entry]");
  });

  it('node accepts every flag (one it did not know would stop npm start)', async () => {
    const { execFileSync } = await import('node:child_process');
    const argv = execFileSync(process.execPath, [...NODE_FLAGS, '-e', 'console.log(JSON.stringify(process.execArgv))'], { encoding: 'utf8' }).trim();
    expect((JSON.parse(argv) as string[]).filter((a) => a.startsWith('--'))).toEqual([...NODE_FLAGS]);
  });

  it('the young generation is what the flag asks for', async () => {
    const { execFileSync } = await import('node:child_process');
    // Fill the young generation until it has grown to its most: two semi-spaces of 32 MB.
    const probe = "const a=[];for(let i=0;i<4e6;i++)a.push({i});const s=require('v8').getHeapSpaceStatistics().find((x)=>x.space_name==='new_space');console.log(s.space_size)";
    const size = Number(execFileSync(process.execPath, [...NODE_FLAGS, '-e', probe], { encoding: 'utf8' }).trim());
    expect(size).toBe(64 * 2 ** 20);
  });
});
