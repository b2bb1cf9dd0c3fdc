import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { RECONNECT } from '../../../shared/protocol/reconnect';

// The reconnect policy (issue 15: the restart storm) is the product's, in one place: the browser client
// and the benchmarks' clients both take it from shared/protocol/reconnect.ts, so that what the storms
// bench measures is what tablets do, and neither sets a delay of its own.

describe('reconnect policy', () => {
  it('is short and jittered: at most a second between attempts, spread ×(1 ± factor)', () => {
    expect(RECONNECT.reconnectionDelayMax).toBeLessThanOrEqual(1000);
    expect(RECONNECT.reconnectionDelay).toBeLessThanOrEqual(RECONNECT.reconnectionDelayMax);
    expect(RECONNECT.randomizationFactor).toBeGreaterThan(0);
    expect(RECONNECT.randomizationFactor).toBeLessThan(1);
  });

  it('is the one the browser client and the bench clients use (no delay of their own)', () => {
    for (const file of ['client/src/lib/connection.svelte.ts', 'test/bench/clients.ts']) {
      const src = readFileSync(file, 'utf8');
      expect(src, file).toMatch(/\.\.\.RECONNECT\b/);
      expect(src, file).not.toMatch(/reconnectionDelay(Max)?\s*:/);
      expect(src, file).not.toMatch(/randomizationFactor\s*:/);
    }
  });
});
