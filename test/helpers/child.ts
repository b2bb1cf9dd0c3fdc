import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
// @ts-expect-error a plain ES module of the build scripts, without types
import { buildServer } from '../../scripts/build-server.mjs';
import { NODE_FLAGS } from '../../server/malloc-env';

export interface Child {
  proc: ChildProcess;
  url: string;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

// The child server, bundled once per test process into one ES module (packages stay in
// node_modules). Starting it with plain node takes a fraction of what compiling every module through
// tsx takes at each start, which matters to a test that restarts the server 50 times. Bundled as `npm
// start` bundles the server (scripts/build-server.mjs: the worker threads' modules beside it), in a
// directory of this test process's own.
let bundled: Promise<string> | null = null;
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
export function childEntry(): Promise<string> {
  bundled ??= (async () => {
    // Inside the checkout, so that the bundle's imports resolve from node_modules.
    const cache = 'node_modules/.cache/panelroom';
    mkdirSync(cache, { recursive: true });
    // Bundles of test processes that are gone (a worker killed before its 'exit' handler ran).
    for (const f of readdirSync(cache)) {
      const pid = Number(/^child-server-(\d+)\.mjs$|^child-(\d+)$/.exec(f)?.slice(1).find(Boolean));
      if (pid && !alive(pid)) rmSync(join(cache, f), { recursive: true, force: true });
    }
    const outdir = join(cache, `child-${process.pid}`);
    process.once('exit', () => rmSync(outdir, { recursive: true, force: true }));
    await buildServer({ 'child-server': 'test/helpers/child-server.ts' }, outdir);
    return join(outdir, 'child-server.mjs');
  })();
  return bundled;
}

/** Starts test/helpers/child-server.ts (bundled) on DATA_DIR and resolves once it listens. */
export async function startChild(dataDir: string, timeoutMs = 30_000): Promise<Child> {
  return (await prepareChild(dataDir, timeoutMs, false)).start();
}

export interface HeldChild {
  /** Lets the held server open the data directory and listen; resolves once it does. */
  start(): Promise<Child>;
  /** Ends a held server that was never started. */
  kill(): Promise<void>;
}

/** Spawns the child server and lets it load its modules, without touching DATA_DIR until start():
 *  a test that restarts the server many times loads the next one while the current one runs. */
export async function prepareChild(dataDir: string, timeoutMs = 30_000, hold = true): Promise<HeldChild> {
  const entry = await childEntry();
  const proc = spawn(process.execPath, [...NODE_FLAGS, entry], {
    env: { ...process.env, DATA_DIR: dataDir, PORT: '0', PANELROOM_CHILD_HOLD: hold ? '1' : '0' },
    stdio: [hold ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stderr!.on('data', (d) => (err += d));
  proc.stdout!.on('data', (d) => (out += d));
  const exited = () => proc.exitCode !== null || proc.signalCode !== null;
  const kill = (signal: NodeJS.Signals = 'SIGKILL') =>
    new Promise<void>((r) => {
      if (exited()) return r();
      proc.once('exit', () => r());
      proc.kill(signal);
    });
  /** Resolves when stdout shows `pattern`; rejects if the process exits first or the time runs out. */
  const waitFor = (pattern: RegExp) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const t = setTimeout(() => {
        done();
        proc.kill('SIGKILL');
        reject(new Error(`child did not start: ${err}`));
      }, timeoutMs);
      const check = () => {
        const m = pattern.exec(out);
        if (m) {
          done();
          resolve(m);
        }
      };
      const onExit = (code: number | null) => {
        done();
        reject(new Error(`child exited ${code}: ${err}`));
      };
      const done = () => {
        clearTimeout(t);
        proc.stdout!.off('data', check);
        proc.off('exit', onExit);
      };
      proc.stdout!.on('data', check);
      proc.once('exit', onExit);
      check();
    });
  if (hold) await waitFor(/HELD/);
  return {
    kill: () => kill(),
    async start() {
      if (hold) proc.stdin!.end('go\n');
      const m = await waitFor(/PORT (\d+)/);
      return { proc, url: `http://127.0.0.1:${m[1]}`, kill };
    },
  };
}
