import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { ensurePrivateDir, ensurePrivateFile } from './store/private-files';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';

// Configuration from the environment (README "Configuration").
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** The address people's join links point at. */
  publicUrl: string | null;
  allowedOrigins: string[];
  adminToken: string;
  demo: boolean;
  /** PostgreSQL instead of the SQLite file (issue 9: several processes share it); null: SQLite. */
  databaseUrl: string | null;
  /** Redis for the Socket.IO adapter, presence and the Yjs relay between processes (issue 9). */
  redisUrl: string | null;
  /** Prefix of this deployment's Redis keys and channels. */
  redisPrefix: string;
}

export function loadConfig(env = process.env): Config {
  const dataDir = resolve(env.DATA_DIR ?? 'data');
  ensurePrivateDir(dataDir);
  return {
    port: portOf(env.PORT),
    host: env.HOST ?? '0.0.0.0',
    dataDir,
    publicUrl: env.PUBLIC_URL ?? null,
    allowedOrigins: (env.ALLOWED_ORIGINS ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    adminToken: env.ADMIN_TOKEN ?? persistentSecret(join(dataDir, 'admin-token')),
    demo: env.DEMO !== '0',
    databaseUrl: env.DATABASE_URL || null,
    redisUrl: env.REDIS_URL || null,
    redisPrefix: env.REDIS_PREFIX || 'panelroom',
  };
}

/** PORT: a whole number from 0 (any free port) to 65535; anything else stops the start with a clear message. */
function portOf(v: string | undefined): number {
  if (v === undefined || v.trim() === '') return 3000;
  const n = /^\d{1,5}$/.test(v.trim()) ? Number(v.trim()) : NaN;
  if (!(n >= 0 && n <= 65535)) throw new Error(`端口 PORT 须为 0–65535 的整数，收到「${v}」 / PORT must be a whole number from 0 to 65535, got "${v}"`);
  return n;
}

/** The agency's key for creating and listing sessions, kept beside the database so links survive restarts. */
function persistentSecret(file: string): string {
  if (existsSync(file)) {
    ensurePrivateFile(file, false);
    return readFileSync(file, 'utf8').trim();
  }
  const s = randomBytes(24).toString('base64url');
  writeFileSync(file, s + '\n', { mode: 0o600 });
  return s;
}
