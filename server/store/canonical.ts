import { createHash } from 'node:crypto';

// Canonical JSON for the hash chain: object keys sorted by code unit, no whitespace, `undefined`
// members dropped (as JSON.stringify does). Non-finite numbers cannot be hashed reproducibly and are
// refused: money and scores travel as decimal strings, so a float here is a bug.
export function canonicalJson(v: unknown): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(v)) throw new TypeError('non-finite number in an event');
      return JSON.stringify(v);
    case 'object': {
      if (Array.isArray(v)) return '[' + v.map((x) => (x === undefined ? 'null' : canonicalJson(x))).join(',') + ']';
      const o = v as Record<string, unknown>;
      const keys = Object.keys(o).filter((k) => o[k] !== undefined).sort();
      return '{' + keys.map((k) => JSON.stringify(k) + ':' + canonicalJson(o[k])).join(',') + '}';
    }
    default:
      throw new TypeError(`cannot hash a ${typeof v}`);
  }
}

export const sha256 = (s: string | Buffer): string => createHash('sha256').update(s).digest('hex');

export const GENESIS_HASH = '0'.repeat(64);
