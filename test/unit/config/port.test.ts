import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../server/config';

// PORT as npm start reads it: bad input stops the start with a message in Chinese and English.
const dir = mkdtempSync(join(tmpdir(), 'panelroom-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const cfg = (PORT?: string) => loadConfig({ DATA_DIR: dir, ADMIN_TOKEN: 'x'.repeat(32), ...(PORT === undefined ? {} : { PORT }) });

describe('PORT', () => {
  it('defaults to 3000 and takes a whole number from 0 to 65535', () => {
    expect(cfg().port).toBe(3000);
    expect(cfg('').port).toBe(3000);
    expect(cfg('0').port).toBe(0);
    expect(cfg(' 8080 ').port).toBe(8080);
    expect(cfg('65535').port).toBe(65535);
  });

  it('refuses anything else, in both languages', () => {
    for (const bad of ['notaport', '-1', '65536', '80.5', '3000abc', '1e3']) {
      expect(() => cfg(bad), bad).toThrow(/端口 PORT 须为 0–65535 的整数.*PORT must be a whole number from 0 to 65535/);
    }
  });
});
