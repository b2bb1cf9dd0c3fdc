import { describe, it, expect, afterEach } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApplication, type App } from '../../server/app';
import { SqliteEventStore } from '../../server/store/sqlite';
import { ADMIN } from '../helpers/server';

// Issue 12, item 10: every response carries the CSP, frame protection, nosniff and no referrer
// (server/http/headers.ts), and the agency key is checked by one guard (server/http/guard.ts).

let app: App | null = null;
let store: SqliteEventStore | null = null;
const dirs: string[] = [];
afterEach(async () => {
  await app?.close();
  await store?.close();
  app = null;
  store = null;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function start(): Promise<string> {
  const dataDir = mkdtempSync(join(tmpdir(), 'panelroom-http-'));
  const clientDir = mkdtempSync(join(tmpdir(), 'panelroom-client-'));
  dirs.push(dataDir, clientDir);
  writeFileSync(join(clientDir, 'index.html'), '<!doctype html><title>评审室</title><div id="app"></div>');
  store = SqliteEventStore.open(dataDir);
  app = await createApplication({ store, adminToken: ADMIN, clientDir });
  const port = await app.listen(0, '127.0.0.1');
  return `http://127.0.0.1:${port}`;
}

function expectHardened(res: Response, host: string) {
  const csp = res.headers.get('content-security-policy') ?? '';
  const directives = Object.fromEntries(csp.split(';').map((d) => d.trim().split(/\s+/)).filter((d) => d[0]).map(([k, ...v]) => [k, v]));
  expect(directives['default-src']).toEqual(["'self'"]);
  expect(directives['script-src']).toEqual(["'self'"]);
  expect(directives['frame-ancestors']).toEqual(["'none'"]);
  expect(directives['object-src']).toEqual(["'none'"]);
  expect(directives['connect-src']).toEqual(["'self'", `ws://${host}`, `wss://${host}`]);
  expect(csp).not.toContain('unsafe-eval');
  expect(directives['script-src']).not.toContain("'unsafe-inline'");
  expect(res.headers.get('x-frame-options')).toBe('DENY');
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  expect(res.headers.get('referrer-policy')).toBe('no-referrer');
  expect(res.headers.get('x-powered-by')).toBeNull();
}

describe('HTTP hardening', () => {
  it('serves every page and API answer with the CSP, frame protection, nosniff and no referrer', async () => {
    const url = await start();
    const host = new URL(url).host;
    for (const path of ['/tablet', '/console', '/screen', '/laptop', '/observer', '/admin', '/', '/api/health', '/api/nothing-here', '/api/sessions']) {
      const res = await fetch(url + path);
      expectHardened(res, host);
    }
    const page = await fetch(url + '/laptop');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('评审室');
  });

  it('guards the agency API with one admin check: no key, a wrong key, a key of another length, the right key', async () => {
    const url = await start();
    const get = (auth?: string) => fetch(url + '/api/sessions', { headers: auth ? { authorization: auth } : {} });
    for (const auth of [undefined, 'Bearer ', `Bearer ${ADMIN.slice(0, -1)}x`, `Bearer ${ADMIN}extra`, ADMIN.slice(1)]) {
      const res = await get(auth);
      expect(res.status, String(auth)).toBe(401);
      const body = (await res.json()) as any;
      expect(body.error.code).toBe('unauthenticated');
      expect(body.error.message).toMatch(/[\u4e00-\u9fff]/);
    }
    const ok = await get(`Bearer ${ADMIN}`);
    expect(ok.status).toBe(200);
    // The set-up API (join cards) uses the same guard.
    expect((await fetch(url + '/api/sessions/x/cards', { headers: { authorization: 'Bearer nope' } })).status).toBe(401);
    expect((await fetch(url + '/api/sessions/x/cards', { headers: { authorization: `Bearer ${ADMIN}` } })).status).toBe(404);
  });
});
