// Whether two values have the same JSON, decided without encoding either (issue 15): the view memo's
// role-section match and kept sections (view-memo.ts), and the sessions sharing one rubric
// (server/session/rubric-share.ts). No imports: the session layer uses it too.

/** Nesting beyond which sameValue gives up (false: the JSON then decides). */
const SAME_DEPTH = 64;

/**
 * Whether JSON.stringify gives the same text for `a` and `b`, decided without encoding either: the
 * same object, or equal primitives, or plain objects with the same keys in the same order and arrays of
 * the same length whose values are sameValue in turn. False when unsure: any other object (a class, a
 * toJSON) unless it is the very same one, NaN, too deep.
 */
export function sameValue(a: unknown, b: unknown, depth: number): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object' || depth > SAME_DEPTH) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameValue(a[i], b[i], depth + 1)) return false;
    return true;
  }
  if (Array.isArray(b) || !plainObject(a) || !plainObject(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (let i = 0; i < ka.length; i++) {
    const k = ka[i];
    if (k !== kb[i] || !sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], depth + 1)) return false;
  }
  return true;
}

function plainObject(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return (proto === Object.prototype || proto === null) && typeof (v as { toJSON?: unknown }).toJSON !== 'function';
}
