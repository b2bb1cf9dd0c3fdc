// `npm test`: type-checks (tsc, svelte-check), builds the client, runs the unit and server-integration tests (vitest), then the
// browser tests (Playwright, Debian Chromium), and closes with one plain summary line.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, existsSync, rmSync } from 'node:fs';

mkdirSync('test-results', { recursive: true });
const bin = (n) => `node_modules/.bin/${n}`;
const run = (cmd, args, env = {}) => spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } }).status ?? 1;

let failed = 0;
let passed = 0;
let skipped = 0;
const steps = [];

// The typed edge (docs/architecture.md): tsc and svelte-check, 0 errors and 0 warnings; the
// `@ts-expect-error` lines of test/unit/protocol/typed-edge.test.ts are checked here.
steps.push(['typecheck', run('npm', ['run', '--silent', 'typecheck'])]);

const build = run(bin('vite'), ['build', '--logLevel', 'warn']);
steps.push(['build', build]);

const vitestOut = 'test-results/vitest.json';
const v = run(bin('vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile=${vitestOut}`]);
steps.push(['vitest', v]);
if (existsSync(vitestOut)) {
  const r = JSON.parse(readFileSync(vitestOut, 'utf8'));
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  skipped += r.numPendingTests + (r.numTodoTests ?? 0);
}

// The scale-out tests (issue 9) need PostgreSQL, Redis and nginx: only with PANELROOM_CLUSTER=1 (.ci/run
// sets it), and then a missing service fails them. Otherwise the summary names what did not run.
const notRun = [];
if (process.env.PANELROOM_CLUSTER === '1') {
  const clusterOut = 'test-results/vitest-cluster.json';
  rmSync(clusterOut, { force: true });
  const c = run(bin('vitest'), ['run', '--config', 'vitest.cluster.config.ts', '--reporter=default', '--reporter=json', `--outputFile=${clusterOut}`]);
  steps.push(['cluster', c]);
  if (existsSync(clusterOut)) {
    const r = JSON.parse(readFileSync(clusterOut, 'utf8'));
    passed += r.numPassedTests;
    failed += r.numFailedTests;
    skipped += r.numPendingTests + (r.numTodoTests ?? 0);
  }
} else {
  notRun.push('test/integration/store-postgres.test.ts', 'test/cluster/*.test.ts');
}

const pwOut = 'test-results/playwright.json';
const p = build === 0 ? run(bin('playwright'), ['test', '--reporter=list,json'], { PLAYWRIGHT_JSON_OUTPUT_NAME: pwOut }) : 1;
steps.push(['playwright', p]);
if (existsSync(pwOut)) {
  const r = JSON.parse(readFileSync(pwOut, 'utf8'));
  passed += r.stats.expected;
  failed += r.stats.unexpected + (r.stats.flaky ?? 0) * 0;
  skipped += r.stats.skipped;
}

const bad = steps.filter(([, code]) => code !== 0).map(([name]) => name);
if (bad.length && failed === 0) failed = bad.length;
console.log(`\nsteps: ${steps.map(([n, c]) => `${n} ${c === 0 ? 'ok' : 'FAILED'}`).join(', ')}`);
if (notRun.length) console.log(`not run (PostgreSQL + Redis + nginx; set PANELROOM_CLUSTER=1): ${notRun.join(', ')}`);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(bad.length ? 1 : 0);
