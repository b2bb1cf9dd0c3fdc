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

import { deflateRaw, inflateRawSync, constants as zlib } from 'node:zlib';

export type HeldJson = string | Buffer;

/** JSON at least this many characters long is held as UTF-8 bytes. */
export const BYTES_MIN = 1024;

// Encoded in one pass (issue 15: a cold server's views after a restart). V8 writes a string's UTF-8
// in one pass only into room for the worst case (3 bytes per UTF-16 unit); into a buffer of the exact
// length (measured first: a second pass) it checks the room left at every character — for a review of
// 135 K characters 0.7 ms against 0.12 ms. So the bytes are written into a scratch buffer kept for
// the purpose and copied into an allocation of their exact size.
let scratch = Buffer.allocUnsafeSlow(64 * 1024);
/** Scratch buffers above this size are used once, not kept. */
const SCRATCH_MAX = 4 * 1024 * 1024;
function scratchOf(n: number): Buffer {
  if (scratch.length >= n) return scratch;
  const b = Buffer.allocUnsafeSlow(n);
  if (n <= SCRATCH_MAX) scratch = b;
  return b;
}

/** UTF-8 bytes in an allocation of their own: a pooled Buffer (under 4 KB) would keep its whole 8 KB
 *  slab alive for as long as the section lives. */
export function ownBytes(s: string): Buffer {
  const tmp = scratchOf(s.length * 3);
  const n = tmp.write(s, 0);
  const b = Buffer.allocUnsafeSlow(n);
  tmp.copy(b, 0, 0, n);
  return b;
}

/** Buffers (and strings, as UTF-8) concatenated into an allocation of their own. */
export function ownConcat(parts: HeldJson[]): Buffer {
  let max = 0;
  for (const p of parts) max += typeof p === 'string' ? p.length * 3 : p.length;
  const tmp = scratchOf(max);
  let at = 0;
  for (const p of parts) at += typeof p === 'string' ? tmp.write(p, at) : p.copy(tmp, at);
  const out = Buffer.allocUnsafeSlow(at);
  tmp.copy(out, 0, 0, at);
  return out;
}

/** The form to hold `json` in. */
export const held = (json: string): HeldJson => (json.length >= BYTES_MIN ? ownBytes(json) : json);

// Long JSON in pieces (issue 15: a cold server's views after a restart). JSON.stringify returns its
// result as a tree of joined pieces; anything that reads its characters (encoding it, hashing it) first
// copies it into one flat string, and one of more than 128 KB (64 K characters with any Chinese in it)
// goes to V8's large-object space: for a review of 135 K characters, 2.3 ms to stringify and encode
// against 0.6 ms to stringify. So JSON at least PIECES_MIN characters long is encoded again from its
// parts, each stringified on its own and written after the other into the scratch buffer: the same
// text (what JSON.stringify does with an object's keys and an array's items, done here), never one
// long string. Only plain objects and arrays are taken apart; anything else is stringified whole.

/** JSON at least this many characters long is encoded from its parts. */
export const PIECES_MIN = 32 * 1024;

const isPlain = (v: unknown): v is object => {
  if (v === null || typeof v !== 'object' || typeof (v as { toJSON?: unknown }).toJSON === 'function') return false;
  if (Array.isArray(v)) return true;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
};

/** Lists of at most this many items inside a long JSON are written item by item (writeParts). */
const LIST_ITEMS_MAX = 256;

/** `v`'s JSON (plain: see isPlain) written at `at`, from its parts; the end. `buf` has room for 3 bytes
 *  per character of it. */
function writeParts(buf: Buffer, at: number, v: object): number {
  if (Array.isArray(v)) {
    at += buf.write('[', at);
    for (let i = 0; i < v.length; i++) {
      if (i > 0) at += buf.write(',', at);
      at = writeValue(buf, at, v[i], 'null');
    }
    return at + buf.write(']', at);
  }
  at += buf.write('{', at);
  let first = true;
  for (const k of Object.keys(v)) {
    const x = (v as Record<string, unknown>)[k];
    // A list of a few items is written item by item without stringifying it whole first: when it is
    // long (the review's suppliers), the whole would be stringified only to be taken apart (issue 15).
    if (Array.isArray(x) && x.length <= LIST_ITEMS_MAX && isPlain(x)) {
      at += buf.write(`${first ? '' : ','}${JSON.stringify(k)}:`, at);
      first = false;
      at = writeParts(buf, at, x);
      continue;
    }
    const j = JSON.stringify(x);
    if (j === undefined) continue;
    at += buf.write(`${first ? '' : ','}${JSON.stringify(k)}:`, at);
    first = false;
    at = j.length >= PIECES_MIN && isPlain(x) ? writeParts(buf, at, x) : at + buf.write(j, at);
  }
  return at + buf.write('}', at);
}

function writeValue(buf: Buffer, at: number, x: unknown, absent: string): number {
  const j = JSON.stringify(x);
  if (j === undefined) return at + buf.write(absent, at);
  return j.length >= PIECES_MIN && isPlain(x) ? writeParts(buf, at, x) : at + buf.write(j, at);
}

/** `json` (= JSON.stringify(v)) as held (`held`): a long one encoded from v's parts. */
export function heldOf(v: unknown, json: string): HeldJson {
  if (json.length < PIECES_MIN || !isPlain(v)) return held(json);
  // The length is known without making the string flat; the scratch buffer has room for all of it.
  const tmp = scratchOf(json.length * 3);
  const n = writeParts(tmp, 0, v);
  const out = Buffer.allocUnsafeSlow(n);
  tmp.copy(out, 0, 0, n);
  return out;
}

/** JSON.stringify(v) as held (heldOf), or undefined where JSON.stringify gives undefined. */
export function heldJson(v: unknown): HeldJson | undefined {
  const json = JSON.stringify(v);
  return json === undefined ? undefined : heldOf(v, json);
}

/** Whether two held JSONs are the same text. */
export function sameJson(a: SectionJson | undefined, b: SectionJson | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined) return false;
  // Packed: the same length of bytes first (a changed section seldom keeps it), then the bytes.
  if (a instanceof PackedJson || b instanceof PackedJson) {
    if (typeof a !== 'string' && typeof b !== 'string' && a.length !== b.length) return false;
    return sameJson(heldForm(a), heldForm(b));
  }
  if (typeof a === 'string' && typeof b === 'string') return false;
  if (typeof a !== 'string' && typeof b !== 'string') return a.length === b.length && a.equals(b);
  // Never for JSON held by `held` (the form follows the text), but exact anyway.
  return jsonText(a) === jsonText(b);
}

/** Its size: bytes when held as bytes (or packed), else characters. */
export const jsonSize = (j: SectionJson): number => j.length;

/** The text (a string decoded from the bytes: for parsing, the check mode and the tests). */
export const jsonText = (j: SectionJson): string => (typeof j === 'string' ? j : heldForm(j).toString('utf8'));

// Packed while idle (issue 15: memory per room; docs/architecture.md "Big values let go when idle").
// Most of the bytes a room holds are the JSON of big sections that no longer change: the review once
// it is done, the quotes once opened, the rubric's factors. Their clients hold them, so the channel
// keeps them to answer a reconnecting client; meanwhile nothing reads them. When a channel goes idle
// (audiences.ts dropCaches) a big section that let go of its value keeps its JSON deflated: the
// review's JSON, the same text over and over (the items, the suppliers, the reasons), takes about a
// twentieth of its bytes, the factors and the quotes about a fifth. It is inflated when read again
// (a snapshot for an arriving client, a change to diff) and the channel keeps those bytes while it is
// in use. The form never changes what is sent: `jsonText` and `unpacked` give the very same UTF-8.

/** A section's JSON deflated (zlib's raw deflate), with the length of its UTF-8 bytes. */
export class PackedJson {
  constructor(
    readonly deflated: Buffer,
    /** The UTF-8 bytes' length (jsonSize). */
    readonly length: number,
  ) {}
}

/** The JSON a section holds: as built (HeldJson), or packed while idle. */
export type SectionJson = HeldJson | PackedJson;

/** Bytes of JSON at least this long are packed when their section goes idle. */
export const PACK_MIN = 8 * 1024;

/** One packed form per buffer: sections sharing one JSON (view-memo.ts intern) share its packed form,
 *  and the bytes go once none of them holds them any more. */
const packs = new WeakMap<Buffer, PackedJson>();

// Off the event loop, and paced: deflating a room's review takes a fraction of a millisecond, but an
// idle sweep over hundreds of rooms finds thousands of sections at once (issue 15: at 500 rooms,
// packed in the sweep itself, the loop stalled for 0.8 s; deflated two at a time in zlib's thread
// pool, they took the cores the loop needed, and the commands of the next second waited). So a sweep
// asks for the packed form (`packLater`) and zlib's thread pool makes one at a time, PACK_GAP_MS apart:
// a few per cent of a core however many are waiting. Nothing is urgent about it; the section takes the
// packed form when it comes, if it still holds those bytes.
/** The pause between two deflations (ms). */
const PACK_GAP_MS = 4;
let packingNow = false;
let packTimer: NodeJS.Timeout | null = null;
const packQueue: { json: Buffer; done: (p: PackedJson | null) => void }[] = [];
const packing = new WeakMap<Buffer, Promise<PackedJson | null>>();
const drained: (() => void)[] = [];

function nextPack(): void {
  packTimer = null;
  const job = packQueue.shift();
  if (!job) {
    for (const f of drained.splice(0)) f();
    return;
  }
  packingNow = true;
  deflateRaw(job.json, { level: zlib.Z_BEST_SPEED }, (err, out) => {
    packingNow = false;
    let p: PackedJson | null = null;
    // In an allocation of its own: zlib hands a short output as a slice of its 16 KB chunk, which it
    // would keep alive (a review's 7 KB held 16 KB).
    if (!err) packs.set(job.json, (p = packs.get(job.json) ?? new PackedJson(ownConcat([out]), job.json.length)));
    job.done(p);
    // Unref'd: waiting packings never keep a process alive (they are only memory saved).
    packTimer = setTimeout(nextPack, PACK_GAP_MS).unref();
  });
}

/** The packed form of `json` (bytes of PACK_MIN or more), made off the event loop; null if it could
 *  not be made (the section then keeps its bytes). One deflation per buffer however often asked. */
export function packLater(json: Buffer): Promise<PackedJson | null> {
  const made = packs.get(json);
  if (made) return Promise.resolve(made);
  let p = packing.get(json);
  if (!p) {
    p = new Promise((done) => packQueue.push({ json, done }));
    packing.set(json, p);
    if (!packingNow && !packTimer) nextPack();
  }
  return p;
}

/** Resolves once every packing asked for so far is done (the tests). */
export const packingDrained = (): Promise<void> =>
  !packingNow && !packTimer && packQueue.length === 0 ? Promise.resolve() : new Promise((r) => drained.push(r));

/** The bytes of a packed JSON, inflated (a new buffer each call: the caller keeps it as long as needed). */
export const unpacked = (p: PackedJson): Buffer => inflateRawSync(p.deflated);

/** The JSON as it is held (a packed one inflated): for hashing and for writing it out. */
export const heldForm = (j: SectionJson): HeldJson => (j instanceof PackedJson ? unpacked(j) : j);
