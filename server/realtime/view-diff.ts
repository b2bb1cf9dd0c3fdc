import type { ViewOp } from '../../shared/protocol/view-sync';

// Path-level patches (issue 15, docs/architecture.md "Views and reconnects"): what changed inside a big section, as the
// ops the client applies (shared/protocol/view-sync.ts appliedOps), computed once per audience and
// change. `held` is what the audience's clients hold (plain JSON: parsed, or built by the same ops);
// `next` is the section's new value as a view function returned it. The ops turn `held` into exactly
// JSON.parse(JSON.stringify(next)), key order included: where a key order would differ the object is
// replaced whole. The check mode (PANELROOM_CHECK_VIEWS) replays every patch sent and compares it with
// a view rebuilt from scratch (server/realtime/socket.ts).

/** More ops than this for one section: it is sent whole. */
const MAX_OPS = 48;

type Path = (string | number)[];
type Plain = unknown;

/** A value as JSON.stringify would write it inside an object (undefined: the key is left out). */
function norm(v: unknown): unknown {
  if (v !== null && typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON === 'function') v = (v as { toJSON: () => unknown }).toJSON();
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (v === undefined || typeof v === 'function' || typeof v === 'symbol') return undefined;
  return v;
}

/** The same inside an array (where undefined is written as null). */
const normItem = (v: unknown): unknown => norm(v) ?? null;

const writesKey = Object.prototype.propertyIsEnumerable;
const hasKey = Object.prototype.hasOwnProperty;

/** Whether JSON.stringify writes key `k` of `o` (its own enumerable key, with a value JSON writes).
 *  Object.keys lists the own enumerable keys in JSON.stringify's order. */
const writes = (o: object, k: string): boolean => writesKey.call(o, k) && norm((o as Record<string, unknown>)[k]) !== undefined;

const isObj = (v: unknown): v is object => v !== null && typeof v === 'object';

/** Whether held (plain JSON) and next (normalised) write the same JSON. */
function equal(held: Plain, next: unknown): boolean {
  if (held === next) return true;
  if (!isObj(held) || !isObj(next)) return false;
  if (Array.isArray(held)) {
    if (!Array.isArray(next) || held.length !== next.length) return false;
    for (let i = 0; i < held.length; i++) if (!equal(held[i], normItem(next[i]))) return false;
    return true;
  }
  if (Array.isArray(next)) return false;
  // Key by key in JSON's order, without building the pairs (issue 15: allocation per flush).
  const hk = Object.keys(held);
  let n = 0;
  for (const k of Object.keys(next)) {
    const v = norm((next as Record<string, unknown>)[k]);
    if (v === undefined) continue;
    if (hk[n] !== k || !equal((held as Record<string, unknown>)[k], v)) return false;
    n++;
  }
  return n === hk.length;
}

// Settled view objects (issue 15: a change is diffed by what changed, not by walking the whole section).
// A view may mark an object it built and will never mutate (the same object while what it shows is the
// same, e.g. one member's sheet for one supplier): where the new section holds the very object the held
// section was made of, the diff skips it, for the clients hold its JSON already.
const settled = new WeakSet<object>();

/** Marks `o` as settled: the caller never mutates it (nor anything in it) after this. */
export function settledView<T extends object>(o: T): T {
  settled.add(o);
  return o;
}

class Budget extends Error {}

function push(ops: ViewOp[], op: ViewOp): void {
  if (ops.length >= MAX_OPS) throw new Budget();
  ops.push(op);
}

/** A container whose children changed this much is replaced whole (its ops since `before` dropped). */
function replacedIfMost(next: object, path: Path, ops: ViewOp[], before: number, children: number): void {
  if (ops.length - before > Math.max(4, children / 2)) {
    ops.length = before;
    push(ops, { p: path.slice(), v: next });
  }
}

/** `prev`: the value the held section was made of at this path (undefined where unknown). */
function diff(held: Plain, next: unknown, path: Path, ops: ViewOp[], prev: unknown): void {
  if (held === next) return;
  if (next === prev && isObj(next) && settled.has(next)) return;
  if (!isObj(held) || !isObj(next) || Array.isArray(held) !== Array.isArray(next)) {
    if (!equal(held, next)) push(ops, { p: path.slice(), v: next });
    return;
  }
  if (Array.isArray(held)) return diffArray(held, next as unknown[], path, ops, Array.isArray(prev) ? prev : undefined);
  const pv = isObj(prev) && !Array.isArray(prev) ? (prev as Record<string, unknown>) : undefined;
  const h = held as Record<string, unknown>;
  const n = next as Record<string, unknown>;
  // Kept keys must keep their order and new keys come last (a new key is appended by the client): the
  // keys next writes, in order, matched against the held keys next still writes, in theirs. Walked
  // without building pairs, sets or closures (issue 15: what a flush allocates drives the collector).
  const hk = Object.keys(h);
  const nk = Object.keys(n);
  let i = 0;
  let added = false;
  let children = 0;
  let kept = 0;
  for (const k of nk) {
    if (norm(n[k]) === undefined) continue;
    children++;
    if (!hasKey.call(h, k)) {
      added = true;
      continue;
    }
    // Mostly the very next held key; else skip the held keys next does not write.
    if (hk[i] !== k) while (i < hk.length && !writes(n, hk[i])) i++;
    if (added || hk[i] !== k) {
      push(ops, { p: path.slice(), v: next });
      return;
    }
    i++;
    kept++;
  }
  const before = ops.length;
  // Held keys next no longer writes (none when every held key was kept).
  if (kept < hk.length) for (const k of hk) if (!writes(n, k)) push(ops, { p: [...path, k], d: 1 });
  for (const k of nk) {
    const v = norm(n[k]);
    if (v === undefined) continue;
    path.push(k);
    if (hasKey.call(h, k)) diff(h[k], v, path, ops, pv?.[k]);
    else push(ops, { p: path.slice(), v });
    path.pop();
  }
  replacedIfMost(next, path, ops, before, children);
}

function diffArray(held: unknown[], next: unknown[], path: Path, ops: ViewOp[], prev: unknown[] | undefined): void {
  // An append-only list (the log tail: drop the oldest, append the newest) is sent as a window.
  if (held.length > 0 && next.length > 0 && (held.length !== next.length || !equal(held[0], normItem(next[0])))) {
    const first = normItem(next[0]);
    for (let k = 0; k < held.length; k++) {
      const keep = held.length - k;
      if (keep > next.length) continue;
      if (!equal(held[k], first)) continue;
      let same = true;
      for (let j = 1; j < keep && same; j++) same = equal(held[k + j], normItem(next[j]));
      if (!same) continue;
      push(ops, { p: path.slice(), w: [k, next.slice(keep).map(normItem)] });
      return;
    }
  }
  if (held.length === 0 && next.length > 0) {
    push(ops, { p: path.slice(), w: [0, next.map(normItem)] });
    return;
  }
  if (held.length !== next.length) {
    push(ops, { p: path.slice(), v: next });
    return;
  }
  const before = ops.length;
  for (let j = 0; j < next.length; j++) {
    path.push(j);
    diff(held[j], normItem(next[j]), path, ops, prev?.[j]);
    path.pop();
  }
  replacedIfMost(next, path, ops, before, next.length);
}

/**
 * The ops that turn the held section `held` into `next`, under the section's key; null when the
 * section is better sent whole (too many changes, or its value is not an object). `prev`: the value
 * whose JSON `held` is (its settled objects that `next` still holds are not walked).
 */
export function diffSection(key: string, held: Plain, next: unknown, prev?: unknown): ViewOp[] | null {
  const n = norm(next);
  if (!isObj(held) || !isObj(n) || Array.isArray(held) !== Array.isArray(n)) return null;
  const ops: ViewOp[] = [];
  try {
    diff(held, n, [key], ops, prev);
  } catch (e) {
    if (e instanceof Budget) return null;
    throw e;
  }
  // A replacement of the whole section is no smaller than sending it.
  if (ops.length === 1 && 'v' in ops[0] && ops[0].p.length === 1) return null;
  return ops;
}
