import { expect } from 'vitest';
import type { TestClient } from '../helpers/server';
import { DEMO_SESSION } from '../../server/demo/demo-session';

/** Every frame a client received, as text, for confidentiality checks. */
export const framesText = (c: TestClient): string => c.frames.map((f) => JSON.stringify(f.data)).join('\n');

/** Fails if any frame this supplier's socket received names another supplier (id, company or representative) or carries one of `texts`. */
export function expectNothingOfOthers(c: TestClient, self: string, texts: string[] = []): void {
  const all = framesText(c);
  expect(c.frames.length).toBeGreaterThan(0);
  DEMO_SESSION.suppliers.forEach((sp, i) => {
    const id = `S${i + 1}`;
    if (id === self) return;
    expect(all, `${self} received ${id}`).not.toContain(`"${id}"`);
    expect(all, `${self} received ${sp.org}`).not.toContain(sp.org!);
    expect(all, `${self} received ${sp.name}`).not.toContain(sp.name);
    expect(all, `${self} received representative of ${id}`).not.toContain(`代表${id}`);
  });
  for (const t of texts) expect(all, `${self} received "${t}"`).not.toContain(t);
}
