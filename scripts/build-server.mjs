// The server as `npm start` runs it: one ES module bundled by esbuild (the packages stay in
// node_modules), with the worker threads' modules beside it, where the modules that start them look
// for them (`new URL('./sqlite-writer.mjs', import.meta.url)` in server/store/sqlite.ts, and the report
// renderer's in server/report/renderer.ts). Plain node starts it in a fraction of the time that
// compiling every module through tsx takes at each start (issue 15: a restart's reconnect storm waits
// for the new process to listen; test/bench/RESULTS.md has the figures). Used by `npm start`
// (`node scripts/build-server.mjs`, then `node dist-server/main.mjs`) and by the benchmarks' server
// child (test/bench/fleet.ts), so that they measure the server as it is deployed.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

/** The worker threads' entry points, by the file name their starters look for beside themselves. */
export const WORKERS = {
  'sqlite-writer': 'server/store/sqlite-writer.mjs',
  'render-worker': 'server/report/render-worker.mjs',
};

/**
 * Bundles `entries` ({ name: source file }) and the workers into `outdir` as `<name>.mjs`, with source
 * maps (run it with `node --enable-source-maps` for stack traces in the sources). `outdir` must be inside
 * the checkout, so that the bundle's imports resolve from its node_modules.
 */
export async function buildServer(entries, outdir) {
  await build({
    entryPoints: { ...entries, ...WORKERS },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: true,
    outdir,
    outExtension: { '.js': '.mjs' },
    logLevel: 'error',
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildServer({ main: 'server/main.ts' }, 'dist-server');
