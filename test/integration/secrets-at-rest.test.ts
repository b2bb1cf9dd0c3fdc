import { describe, it, expect, afterEach } from 'vitest';
import { chmodSync, mkdtempSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, connect, tokenOf, linkFor, type TestServer } from '../helpers/server';
import { loadConfig } from '../../server/config';
import { bannerLines } from '../../server/banner';

// Issue 12, item 9: the data directory is 0700 and its files 0600 (created so, tightened when older
// versions left them open); the start banner prints links only for open sessions; an archived
// session's tokens no longer connect, with a clear message.

let srv: TestServer | null = null;
const dirs: string[] = [];
afterEach(async () => {
  if (srv) await srv.close(true);
  srv = null;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const mode = (p: string) => statSync(p).mode & 0o777;

describe('secrets at rest', () => {
  it('creates the data directory 0700 and the SQLite files 0600, and tightens ones left readable', async () => {
    const root = mkdtempSync(join(tmpdir(), 'panelroom-perm-'));
    dirs.push(root);
    const dataDir = join(root, 'data');
    mkdirSync(dataDir, { mode: 0o755 });
    chmodSync(dataDir, 0o755);
    srv = await startServer({ dataDir });
    await srv.createSession();
    const db = join(dataDir, 'panelroom.sqlite');
    expect(mode(dataDir)).toBe(0o700);
    for (const f of [db, `${db}-wal`, `${db}-shm`]) expect(mode(f), f).toBe(0o600);
    await srv.close();
    srv = null;
    // An older version's files, readable by everyone: tightened on the next start.
    chmodSync(dataDir, 0o755);
    chmodSync(db, 0o644);
    srv = await startServer({ dataDir });
    expect(mode(dataDir)).toBe(0o700);
    expect(mode(db)).toBe(0o600);
    for (const f of [`${db}-wal`, `${db}-shm`]) expect(mode(f), f).toBe(0o600);
  });

  it('keeps the agency key file 0600', () => {
    const root = mkdtempSync(join(tmpdir(), 'panelroom-key-'));
    dirs.push(root);
    const dataDir = join(root, 'data');
    const cfg = loadConfig({ DATA_DIR: dataDir });
    expect(cfg.adminToken.length).toBeGreaterThan(20);
    expect(mode(dataDir)).toBe(0o700);
    expect(mode(join(dataDir, 'admin-token'))).toBe(0o600);
    chmodSync(join(dataDir, 'admin-token'), 0o644);
    writeFileSync(join(dataDir, 'admin-token'), cfg.adminToken + '\n');
    expect(loadConfig({ DATA_DIR: dataDir }).adminToken).toBe(cfg.adminToken);
    expect(mode(join(dataDir, 'admin-token'))).toBe(0o600);
  });

  it("prints links only for open sessions; an archived session's tokens no longer connect", async () => {
    srv = await startServer();
    const open = await srv.createSession();
    const closed = await srv.createSession();
    const rt = srv.app.registry.get(closed.sessionId)!;
    // Archiving as the stage machine records it (the whole meeting is driven in report.test.ts).
    await rt.appendSystem([{ type: 'stage:changed', payload: { from: rt.state.stage, to: 'archived' } }]);
    expect(rt.state.stage).toBe('archived');

    const text = (await bannerLines(srv.app.registry, srv.store, 'http://localhost:3000')).join('\n');
    for (const l of open.links) expect(text).toContain(tokenOf(l));
    for (const l of closed.links) expect(text).not.toContain(tokenOf(l));
    expect(text).not.toContain(closed.sessionId);
    expect(text).toContain('已归档 1 场');
    // The stage in procurement words, not the code's name for it.
    expect(text).toMatch(/阶段 stage: [\u4e00-\u9fa5]+ \/ [A-Z][a-z-]+/);
    expect(text).not.toMatch(/stage: [a-z_]+ /);

    const refused = await connect(srv.url, tokenOf(linkFor(closed.links, 'A1'))).then(
      () => null,
      (e) => e,
    );
    expect(refused?.data).toMatchObject({ code: 'session_closed' });
    expect(refused.data.message).toContain('已归档');
    expect(refused.data.messageEn).toContain('archived');
    const ok = await connect(srv.url, tokenOf(linkFor(open.links, 'A1')));
    ok.close();
  });
});
