import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';

// Secrets at rest (issue 12, item 9): the data directory holds every raw join token, every sealed quote
// and the agency key, so it is the server user's alone: the directory 0700, its files 0600 — created
// so, and tightened when an older version left them readable by others.

export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if ((statSync(dir).mode & 0o077) !== 0) chmodSync(dir, 0o700);
}

/** Creates the file empty with mode 0600 when missing; tightens it to 0600 when it exists. */
export function ensurePrivateFile(file: string, create = true): void {
  if (!existsSync(file)) {
    if (create) closeSync(openSync(file, 'a', 0o600));
    return;
  }
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
}
