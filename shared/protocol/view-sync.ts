// How a client holds the views the server pushes (issue 15: audiences, not persons).
//
// A view belongs to an audience, and each audience has its own channel and version (the count of its
// changes): every socket listens to its role's audience (`role`: the moderator's console, the
// projector, the observer, the panel members of one role, the suppliers' common part) and to its own
// (`own`: a member's own scores, a supplier's own quote …). The server encodes each change once per
// audience and sends it to the audience's Socket.IO room; nothing goes to an audience whose view did
// not change. The client's view is the merge of its channels (own over role; a section is in one of
// them only).
//
// On (re)connection the client says which epoch and channel versions it holds (`ResumeState`, in the
// handshake's auth); the server answers each channel with what changed since (possibly nothing), or
// the whole channel when it cannot (another epoch: a restart).
//
// Resume across a restart (issue 15): versions do not survive the process, but the sections do (a
// replay rebuilds the same state, and a view is a pure function of it). So every section the server
// sends carries its digest (a hash of exactly the JSON the client then holds), and a reconnecting
// client also says which digests it holds; in another epoch the server answers a channel with the
// sections whose digest still matches named in `keep` (the client keeps its own copy) and sends only
// the others. A digest is only ever of a section of the channel it travels in, sent to that channel's
// audience, and compared only with the same section of the arriving socket's own channels: a client
// learns nothing it is not sent anyway (a wrong or forged digest just gets the section).

import { extend } from '../extend';

export const CHANNELS = ['role', 'own'] as const;
export type Channel = (typeof CHANNELS)[number];

/**
 * A whole channel: its sections as one JSON object text (assembled from the server's cached section
 * JSON). The server sends a long one as UTF-8 bytes, a Socket.IO binary attachment (issue 15: encoded
 * once per channel version and written to every arriving socket as is, never re-escaped inside each
 * socket's frame); it arrives as a Buffer in Node and an ArrayBuffer in the browser. A short one (under
 * 8 KB: most answers after a restart) is sent as a string, inside the snapshot's own frame.
 */
export interface ChannelFull {
  version: number;
  seq: number;
  json: string | Uint8Array | ArrayBuffer;
  /** The digest of each section in `json` (what a client says it holds when resuming across a restart). */
  digests?: Record<string, string>;
  /** Sections the client holds already (by digest, across a restart): kept from its own copy, not in `json`. */
  keep?: string[];
}

/** The changes of one channel from `base` to `version` (empty set and del: unchanged). */
export interface ChannelDelta {
  base: number;
  version: number;
  seq: number;
  set: Record<string, unknown>;
  del: string[];
  /** The digest of each section in `set`. */
  digests?: Record<string, string>;
}

export interface ViewSnapshot {
  /** The server's epoch: versions of another epoch (before a restart) cannot be resumed. */
  epoch: string;
  /** The session's seq when the snapshot was taken. */
  seq: number;
  serverTime: number;
  channels: Partial<Record<Channel, ChannelFull | ChannelDelta>>;
}

/**
 * A change inside a section (issue 15: path-level patches), its path starting with the section's key:
 * `v` sets the value at the path (replacing it, or adding an object key at the end); `d` deletes an
 * object key; `w: [n, items]` drops the first n items of the array at the path and appends `items`
 * (an append-only list such as the staff log's tail).
 */
export type ViewOp = { p: (string | number)[]; v: unknown } | { p: (string | number)[]; d: 1 } | { p: (string | number)[]; w: [number, unknown[]] };

/** One audience's change. */
export interface ViewPatch {
  ch: Channel;
  /** The session's seq at this change. */
  seq: number;
  /** The channel version this patch applies on; a client holding another asks for a resync. */
  base: number;
  version: number;
  serverTime: number;
  set: Record<string, unknown>;
  del: string[];
  /** Changes inside sections not in `set` (the big sections: a change sends only what changed). */
  ops?: ViewOp[];
  /** The new digest of each section changed (in `set` or by `ops`). */
  digests?: Record<string, string>;
}

export interface ResumeState {
  epoch: string;
  versions: Partial<Record<Channel, number>>;
  /** The digest of each section held, by channel (used when the versions cannot be: another epoch). */
  digests?: Partial<Record<Channel, Record<string, string>>>;
}

export const isFull = (c: ChannelFull | ChannelDelta): c is ChannelFull => (c as ChannelFull).json != null;

const utf8 = new TextDecoder();
/** A whole channel's sections, parsed (from the bytes the server sends, or a string). */
export function channelView(c: ChannelFull): Record<string, unknown> {
  return JSON.parse(typeof c.json === 'string' ? c.json : utf8.decode(c.json)) as Record<string, unknown>;
}

interface Held {
  version: number;
  view: Record<string, unknown>;
  /** The digest of each section held, as the server sent it (a section changed without one has none). */
  digests: Record<string, string>;
}

/** The client's copy of its channels and their merged view (browser, tests and benchmarks share it). */
export class ViewReplica {
  epoch = '';
  /** The highest session seq this client's views reflect. */
  seq = 0;
  view: Record<string, unknown> = {};
  private held = new Map<Channel, Held>();

  /** Applies a snapshot; false if a delta in it does not apply (the caller asks for a resync). */
  snapshot(s: ViewSnapshot): boolean {
    const sameEpoch = s.epoch === this.epoch;
    const next = new Map<Channel, Held>();
    let ok = true;
    for (const ch of CHANNELS) {
      const c = s.channels[ch];
      if (!c) continue;
      const h = this.held.get(ch);
      if (isFull(c)) {
        const view = channelView(c);
        const digests = { ...c.digests };
        // Across a restart: the sections the server found unchanged by their digest are our own copies.
        for (const k of c.keep ?? []) {
          if (!h || !(k in h.view)) {
            ok = false;
            continue;
          }
          view[k] = h.view[k];
          if (h.digests[k]) digests[k] = h.digests[k];
        }
        next.set(ch, { version: c.version, view, digests });
      } else {
        if (!sameEpoch || !h || h.version !== c.base) {
          ok = false;
          continue;
        }
        next.set(ch, { version: c.version, view: applied(h.view, c.set, c.del), digests: digestsAfter(h.digests, c.set, c.del, undefined, c.digests) });
      }
    }
    this.epoch = s.epoch;
    this.held = next;
    this.seq = Math.max(sameEpoch ? this.seq : 0, s.seq);
    this.merge();
    return ok;
  }

  /** Applies a patch; false if it does not apply on the version held (the caller asks for a resync). */
  patch(p: ViewPatch): boolean {
    const h = this.held.get(p.ch) ?? (p.base === 0 ? { version: 0, view: {}, digests: {} } : null);
    if (!h || h.version !== p.base) return false;
    let view = applied(h.view, p.set, p.del);
    if (p.ops?.length) {
      const next = appliedOps(view, p.ops);
      if (!next) return false;
      view = next;
    }
    this.held.set(p.ch, { version: p.version, view, digests: digestsAfter(h.digests, p.set, p.del, p.ops, p.digests) });
    if (p.seq > this.seq) this.seq = p.seq;
    this.merge();
    return true;
  }

  /** What to tell the server on reconnecting. */
  resume(): ResumeState | null {
    if (!this.epoch) return null;
    const versions: Partial<Record<Channel, number>> = {};
    const digests: Partial<Record<Channel, Record<string, string>>> = {};
    for (const [ch, h] of this.held) {
      versions[ch] = h.version;
      digests[ch] = h.digests;
    }
    return { epoch: this.epoch, versions, digests };
  }

  private merge(): void {
    const view: Record<string, unknown> = {};
    for (const ch of CHANNELS) {
      const h = this.held.get(ch);
      if (h) for (const k in h.view) view[k] = k in view ? mergeSection(view[k], h.view[k]) : h.view[k];
    }
    this.view = view;
  }
}

/** The digests after a change: the sections sent get theirs; one changed by ops without a new digest
 *  (or removed) has none any more, so that a resume never claims a section the client may not hold. */
function digestsAfter(held: Record<string, string>, set: Record<string, unknown>, del: string[], ops: ViewOp[] | undefined, sent: Record<string, string> | undefined): Record<string, string> {
  const next = { ...held };
  for (const k in set) delete next[k];
  for (const k of del) delete next[k];
  if (ops) for (const o of ops) delete next[String(o.p[0])];
  return sent ? Object.assign(next, sent) : next;
}

function applied(view: Record<string, unknown>, set: Record<string, unknown>, del: string[]): Record<string, unknown> {
  const next = extend(view, set);
  for (const k of del) delete next[k];
  return next;
}

/**
 * A section both channels carry (the role's part and the viewer's own, e.g. a member's `scoring`: the
 * panel's progress and results, and its own entries) is shown as one object, the own part's keys last
 * (server/realtime/views.ts buildView merges a concern's view and ownView the same way).
 */
export function mergeSection(role: unknown, own: unknown): unknown {
  const obj = (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v);
  return obj(role) && obj(own) ? extend(role as object, own as object) : own;
}

/** Whether a patch changes the section `key` (sent whole or by path ops). */
export const patchTouches = (p: Pick<ViewPatch, 'set' | 'ops'>, key: string): boolean => (!!p.set && key in p.set) || !!p.ops?.some((o) => o.p[0] === key);

/**
 * The view with the ops applied, copying only the objects on their paths (everything else is shared
 * with the view before, so a renderer sees unchanged parts unchanged); null if an op's path does not
 * exist (the caller asks for a resync). Object keys keep their order; a new key goes last, as the
 * server's diff assumes (server/realtime/view-diff.ts).
 */
export function appliedOps(view: Record<string, unknown>, ops: ViewOp[]): Record<string, unknown> | null {
  const root: Record<string, unknown> = { ...view };
  const copied = new Set<object>([root]);
  for (const op of ops) {
    const p = op.p;
    if (!Array.isArray(p) || p.length === 0) return null;
    let parent = root as Record<string | number, unknown>;
    for (let i = 0; i < p.length - 1; i++) {
      let child = parent[p[i]];
      if (child === null || typeof child !== 'object') return null;
      if (!copied.has(child)) {
        child = Array.isArray(child) ? child.slice() : { ...(child as object) };
        copied.add(child as object);
        parent[p[i]] = child;
      }
      parent = child as Record<string | number, unknown>;
    }
    const last = p[p.length - 1];
    if ('v' in op) parent[last] = op.v;
    else if ('d' in op) delete parent[last];
    else if ('w' in op) {
      const arr = parent[last];
      if (!Array.isArray(arr)) return null;
      const next = arr.slice(op.w[0]).concat(op.w[1]);
      copied.add(next);
      parent[last] = next;
    } else return null;
  }
  return root;
}

/** The merged view of a snapshot on its own (a first connection, or a resync's answer). */
export function snapshotView(s: ViewSnapshot): Record<string, unknown> {
  const r = new ViewReplica();
  r.snapshot(s);
  return r.view;
}
