// The server as `npm start` runs it: one ES module bundled by esbuild (the packages in it too, but for
// those in EXTERNAL), with the worker threads' modules beside it, where the modules that start them look
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
 * Packages left in node_modules and loaded from there: better-sqlite3 (a native addon), playwright-core
 * (the report's render worker: it finds its browsers and drivers relative to its own files), and the
 * optional native helpers that ws and pg try to load (absent here, so those requires fail at run time,
 * as the packages expect). Every other package is bundled: loading one file instead of the hundreds
 * of express's, zod's and socket.io's took about a third of the start-up's CPU off a restart (issue 15:
 * a restarted server listens sooner; test/bench/RESULTS.md), and `sourcesContent: false` keeps the
 * source map small (stack traces still name the files and lines; the sources are in the checkout).
 */
export const EXTERNAL = ['better-sqlite3', 'playwright-core', 'bufferutil', 'utf-8-validate', 'pg-native', 'supports-color'];

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
    external: EXTERNAL,
    // The bundled CommonJS packages' `require` of Node's modules (and of EXTERNAL), and their
    // `__dirname`/`__filename`, in an ES module.
    banner: {
      js: "import { createRequire as __prCreateRequire } from 'node:module'; import { fileURLToPath as __prFileURLToPath } from 'node:url'; import { dirname as __prDirname } from 'node:path'; const require = __prCreateRequire(import.meta.url); const __filename = __prFileURLToPath(import.meta.url); const __dirname = __prDirname(__filename);",
    },
    sourcemap: true,
    sourcesContent: false,
    // Less source for V8 to parse at each start (about 15 % of the start-up's CPU); names are kept, and
    // stack traces point at the sources through the map. PANELROOM_BUILD_READABLE=1 keeps the lines
    // (a CPU profile's lines, test/bench/README.md).
    minifyWhitespace: process.env.PANELROOM_BUILD_READABLE !== '1',
    minifySyntax: true,
    outdir,
    outExtension: { '.js': '.mjs' },
    logLevel: 'error',
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildServer({ main: 'server/main.ts' }, 'dist-server');
