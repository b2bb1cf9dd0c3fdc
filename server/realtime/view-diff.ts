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

/** The keys JSON.stringify writes, in its order, with their values. */
function entries(o: object): [string, unknown][] {
  const out: [string, unknown][] = [];
  for (const k of Object.keys(o)) {
    const v = norm((o as Record<string, unknown>)[k]);
    if (v !== undefined) out.push([k, v]);
  }
  return out;
}

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
  const hk = Object.keys(held);
  const ne = entries(next);
  if (hk.length !== ne.length) return false;
  for (let i = 0; i < ne.length; i++) if (hk[i] !== ne[i][0] || !equal((held as Record<string, unknown>)[hk[i]], ne[i][1])) return false;
  return true;
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

/** Ops for the children of a container; replaced whole when most of its children changed. */
function container(held: object, next: object, path: Path, ops: ViewOp[], children: number, diffChildren: () => void): void {
  const before = ops.length;
  diffChildren();
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
  const ne = entries(next);
  // Kept keys must keep their order and new keys come last (a new key is appended by the client).
  const hk = Object.keys(h);
  const inNext = new Set<string>();
  const keptNext: string[] = [];
  let added = false;
  let ordered = true;
  for (const [k] of ne) {
    inNext.add(k);
    if (Object.prototype.hasOwnProperty.call(h, k)) {
      if (added) ordered = false;
      keptNext.push(k);
    } else added = true;
  }
  if (ordered) {
    let j = 0;
    for (const k of hk)
      if (inNext.has(k) && keptNext[j++] !== k) {
        ordered = false;
        break;
      }
  }
  if (!ordered) {
    push(ops, { p: path.slice(), v: next });
    return;
  }
  container(held, next, path, ops, ne.length, () => {
    for (const k of hk) if (!inNext.has(k)) push(ops, { p: [...path, k], d: 1 });
    for (const [k, v] of ne) {
      path.push(k);
      if (Object.prototype.hasOwnProperty.call(h, k)) diff(h[k], v, path, ops, pv?.[k]);
      else push(ops, { p: path.slice(), v });
      path.pop();
    }
  });
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
  container(held, next, path, ops, next.length, () => {
    for (let j = 0; j < next.length; j++) {
      path.push(j);
      diff(held[j], normItem(next[j]), path, ops, prev?.[j]);
      path.pop();
    }
  });
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
