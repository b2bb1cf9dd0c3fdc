import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

export interface Child {
  proc: ChildProcess;
  url: string;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

// The child server, bundled once per test process into one ES module (packages stay in
// node_modules). Starting it with plain node takes a fraction of what compiling every module through
// tsx takes at each start, which matters to a test that restarts the server 50 times. The bundle does
// not render reports (the renderer's worker is located beside the source file).
let bundled: Promise<string> | null = null;
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
function childEntry(): Promise<string> {
  bundled ??= (async () => {
    // Inside the checkout, so that the bundle's imports resolve from node_modules.
    const cache = 'node_modules/.cache/panelroom';
    mkdirSync(cache, { recursive: true });
    // Bundles of test processes that are gone (a worker killed before its 'exit' handler ran).
    for (const f of readdirSync(cache)) {
      const pid = Number(/^child-server-(\d+)\.mjs$/.exec(f)?.[1]);
      if (pid && !alive(pid)) rmSync(join(cache, f), { force: true });
    }
    const outfile = join(cache, `child-server-${process.pid}.mjs`);
    process.once('exit', () => rmSync(outfile, { force: true }));
    await build({
      entryPoints: ['test/helpers/child-server.ts'],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      outfile,
      logLevel: 'error',
    });
    return outfile;
  })();
  return bundled;
}

/** Starts test/helpers/child-server.ts (bundled) on DATA_DIR and resolves once it listens. */
export async function startChild(dataDir: string, timeoutMs = 30_000): Promise<Child> {
  const entry = await childEntry();
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [entry], {
      env: { ...process.env, DATA_DIR: dataDir, PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    const t = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`child did not start: ${err}`));
    }, timeoutMs);
    proc.stderr!.on('data', (d) => (err += d));
    proc.stdout!.on('data', (d) => {
      out += d;
      const m = /PORT (\d+)/.exec(out);
      if (m) {
        clearTimeout(t);
        resolve({
          proc,
          url: `http://127.0.0.1:${m[1]}`,
          kill: (signal = 'SIGKILL') =>
            new Promise((r) => {
              if (proc.exitCode !== null || proc.signalCode !== null) return r();
              proc.once('exit', () => r());
              proc.kill(signal);
            }),
        });
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(t);
      if (!/PORT/.test(out)) reject(new Error(`child exited ${code}: ${err}`));
    });
  });
}
