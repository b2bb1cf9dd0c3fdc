// A view section's JSON as the server holds it (issue 15: memory per room; docs/architecture.md "What a
// room holds, and why"). A channel keeps the JSON its clients hold for as long as they hold it, and
// most of a room's memory is that JSON. V8 keeps a string holding any character beyond Latin-1 (the
// Chinese of a review's items and reasons) with two bytes for every character, the ASCII of its keys
// and ids included; the same JSON as UTF-8 takes little more than one byte for each ASCII character (a
// review of 135 K characters: 270 KB as a string, 143 KB as bytes). And UTF-8 is what the server sends:
// a channel's snapshot is assembled from these bytes as they are. So a section's JSON of at least
// BYTES_MIN characters is held as its UTF-8 bytes; a short one stays a string (a Buffer costs its
// object and its allocation, more than a short string saves). Equal JSON gives equal bytes, so a
// section's digest (SHA-256 of its UTF-8) is the same whichever form holds it.

export type HeldJson = string | Buffer;

/** JSON at least this many characters long is held as UTF-8 bytes. */
export const BYTES_MIN = 1024;

/** UTF-8 bytes in an allocation of their own: a pooled Buffer (under 4 KB) would keep its whole 8 KB
 *  slab alive for as long as the section lives. */
export function ownBytes(s: string): Buffer {
  const b = Buffer.allocUnsafeSlow(Buffer.byteLength(s));
  b.write(s);
  return b;
}

/** Buffers (and strings, as UTF-8) concatenated into an allocation of their own. */
export function ownConcat(parts: HeldJson[]): Buffer {
  const bufs = parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p));
  let n = 0;
  for (const b of bufs) n += b.length;
  const out = Buffer.allocUnsafeSlow(n);
  let at = 0;
  for (const b of bufs) at += b.copy(out, at);
  return out;
}

/** The form to hold `json` in. */
export const held = (json: string): HeldJson => (json.length >= BYTES_MIN ? ownBytes(json) : json);

/** Whether two held JSONs are the same text. */
export function sameJson(a: HeldJson | undefined, b: HeldJson | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined) return false;
  if (typeof a === 'string' && typeof b === 'string') return false;
  if (typeof a !== 'string' && typeof b !== 'string') return a.length === b.length && a.equals(b);
  // Never for JSON held by `held` (the form follows the text), but exact anyway.
  return jsonText(a) === jsonText(b);
}

/** Its size: bytes when held as bytes, else characters. */
export const jsonSize = (j: HeldJson): number => j.length;

/** The text (a string decoded from the bytes: for parsing, the check mode and the tests). */
export const jsonText = (j: HeldJson): string => (typeof j === 'string' ? j : j.toString('utf8'));
