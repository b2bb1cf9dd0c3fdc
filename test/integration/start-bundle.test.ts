import { describe, expect, it, afterAll } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// @ts-expect-error a plain ES module of the build scripts, without types
import { buildServer, EXTERNAL, WORKERS } from '../../scripts/build-server.mjs';
import { connect } from '../helpers/server';

// `npm start` runs the server as one bundled module (scripts/build-server.mjs; issue 15: a restarted
// server listens sooner than through tsx). What the bundle must keep: every worker thread's module
// beside it where its starter looks for it, and a start on an empty database with the demo session and
// its join links, as the README says.
const outdir = join('node_modules/.cache/panelroom', `start-${process.pid}`);
const dataDir = mkdtempSync(join(tmpdir(), 'panelroom-start-'));
afterAll(() => {
  rmSync(outdir, { recursive: true, force: true });
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the server as npm start runs it (bundled)', () => {
  it('has each worker module its code starts, beside it', async () => {
    await buildServer({ main: 'server/main.ts' }, outdir);
    const main = readFileSync(join(outdir, 'main.mjs'), 'utf8');
    const wanted = [...main.matchAll(/new URL\("\.\/([\w.-]+)",\s*import\.meta\.url\)/g)].map((m) => m[1]).sort();
    expect(wanted).toEqual(Object.keys(WORKERS).map((w) => `${w}.mjs`).sort());
    const files = readdirSync(outdir);
    for (const w of wanted) expect(files).toContain(w);
  });

  it('holds the packages itself, but for the few loaded from node_modules', () => {
    // Issue 15: one file to load at a restart instead of every package's hundreds (a third of the
    // start-up's CPU). What the bundle still imports is Node's own modules and EXTERNAL only.
    const main = readFileSync(join(outdir, 'main.mjs'), 'utf8');
    const imported = new Set([...main.matchAll(/(?:^|[;\n])import\s*(?:[\w$]+\s*,\s*)?(?:[\w$]+|\{[^}]*\}|\*\s*as\s+[\w$]+)\s*from\s*["']([^"']+)["']/g)].map((m) => m[1]));
    expect(imported.size).toBeGreaterThan(0);
    for (const m of imported) expect(m.startsWith('node:') || EXTERNAL.includes(m), m).toBe(true);
    // express, zod and socket.io are inside (their code, not an import of them): the map names their files.
    const map = JSON.parse(readFileSync(join(outdir, 'main.mjs.map'), 'utf8'));
    for (const pkg of ['express', 'zod', 'socket.io']) expect(map.sources.some((f: string) => f.includes(`/${pkg}/`) && !f.includes('/server/')), pkg).toBe(true);
    // The source map names the sources without holding them.
    expect(map.sources.some((f: string) => f.endsWith('server/main.ts'))).toBe(true);
    expect(map.sourcesContent).toBeUndefined();
  });

  it('starts on an empty database with the demo session and prints its join links', async () => {
    const proc = spawn(process.execPath, ['--enable-source-maps', join(outdir, 'main.mjs')], {
      env: { ...process.env, DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    proc.stdout.on('data', (d) => (out += d));
    proc.stderr.on('data', (d) => (err += d));
    const base = await new Promise<string>((resolve, reject) => {
      // Not the banner's text in the message: it holds join links (tokens).
      const t = setTimeout(() => reject(new Error(`no banner within 60 s: ${err}`)), 60_000);
      proc.stdout.on('data', () => {
        const m = /is running: (http:\/\/\S+)/.exec(out);
        // The banner ends with an empty line after the demo session's join links.
        if (m && out.includes('■') && /\n\n$/.test(out)) {
          clearTimeout(t);
          resolve(m[1]);
        }
      });
      proc.once('exit', (code) => reject(new Error(`exited ${code}: ${err}`)));
    });
    // Booleans, not the text: a failing assertion would print the banner, join links and all.
    expect(out.includes('评审室 PanelRoom 已启动')).toBe(true);
    // A link per person of the demo session, on this server.
    expect(out.split('\n').filter((l) => l.includes(`${base}/`)).length).toBeGreaterThanOrEqual(5);
    // The web client is served (or the server says it is not built), and the server answers.
    const res = await fetch(base);
    expect(res.status).toBeLessThan(500);
    // Its bundled Socket.IO serves a person of the demo session: a snapshot of the room on connecting.
    const link = out.split('\n').find((l) => l.includes(`${base}/`) && l.includes('#'))!;
    const token = /#(\S+)/.exec(link)![1];
    const c = await connect(base, token);
    expect(c.seq).toBeGreaterThan(0);
    c.socket.close();
    const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
    proc.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 90_000);
});
