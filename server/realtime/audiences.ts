import { hash } from 'node:crypto';
import { appliedOps, type Channel, type ChannelDelta, type ChannelFull, type ViewOp } from '../../shared/protocol/view-sync';
import { diffSection } from './view-diff';
import { isPanel } from '../../shared/protocol/roles';
import type { Principal } from '../session/types';
import { sectionValue, type Section, type SectionMap } from './view-memo';
import { forgetShared, unsliceShared } from './state-keys';
import { PACK_MIN, PackedJson, heldForm, jsonSize, jsonText, packLater, sameJson, unpacked, type HeldJson, type SectionJson } from './section-json';
import { extend } from '../../shared/extend';

// Audiences, not persons (issue 15). A person's view splits into the sections every viewer of its role
// sees (its role's audience) and the sections only it sees (its own audience). Which is which is not
// decided here: a concern's view function decides it by what it reads of the viewer (view-memo.ts:
// a section whose view read `personId` is personal), so confidentiality stays in the view function.
//
// Each audience is a channel with a version (the count of its changes). A change is diffed and encoded
// once per audience and sent to the audience's Socket.IO room; a channel nobody here listens to is not
// kept up to date but brought up to date when someone connects (diffed against what it last held, so
// a resuming client still gets only the difference).

export const roomOf = {
  role: (sessionId: string, role: string) => `s:${sessionId}:role:${role}`,
  person: (sessionId: string, personId: string) => `s:${sessionId}:person:${personId}`,
};

/** Each principal's rooms, made once (a socket's principal is set at its handshake and never changed):
 *  every flush reads them for every connected person, and a room name made again is a new string whose
 *  hash the channels' map computes again (issue 15: what the server allocates per command). */
const roomsOf = new WeakMap<Principal, Readonly<Record<Channel, string>>>();

/** The rooms of a viewer's two channels (one object for each principal). */
export function channelRooms(p: Principal): Readonly<Record<Channel, string>> {
  let rooms = roomsOf.get(p);
  if (!rooms) roomsOf.set(p, (rooms = { role: roomOf.role(p.sessionId, p.role), own: roomOf.person(p.sessionId, p.personId) }));
  return rooms;
}

/** Whether a viewer of this role may have an own audience at all (members and suppliers). */
export const hasOwnAudience = (p: Principal): boolean => isPanel(p.role) || p.role === 'supplier';

interface Held {
  section: Section;
  /** The channel version at which this section last changed. */
  at: number;
  /** The section as its clients hold it (plain JSON), kept once a change of it was sent as ops. */
  plain?: unknown;
}

/** Sections at least this big are patched by path (view-diff.ts); smaller ones are sent whole. */
export const PATH_PATCH_MIN = 1024;

export interface ChannelChange {
  base: number;
  set: Record<string, unknown>;
  del: string[];
  ops: ViewOp[];
  /** The new digest of each section changed (set or ops). */
  digests: Record<string, string>;
}

/** Each section's JSON as UTF-8 bytes, encoded once: a section object is shared by every viewer and
 *  audience and kept across flushes while it does not change (view-memo.ts), so a whole channel's bytes
 *  are re-assembled from it without encoding again what did not change (issue 15). Released with the
 *  channel's other caches when it goes unused (sweepChannelCaches). */
const sectionBytes = new WeakMap<Section, Buffer>();
function bytesOf(sec: Section): Buffer {
  const j = sec.json!;
  // A long section's JSON is held as its bytes already (section-json.ts); only a short one is encoded,
  // and a packed one inflated.
  if (typeof j !== 'string' && !(j instanceof PackedJson)) return j;
  let b = sectionBytes.get(sec);
  if (!b) sectionBytes.set(sec, (b = typeof j === 'string' ? Buffer.from(j) : unpacked(j)));
  return b;
}

// Memory per room (issue 15: ≤ 1 MB per active room). A channel's caches — its whole bytes of one
// version (`full`), its sections' bytes, and the parsed copies of big sections kept for the next path
// diff (`Held.plain`) — only save work while sockets arrive or the section keeps changing: each can be
// rebuilt from the sections' JSON, which the channel keeps (it is what its clients hold). So a channel
// whose caches went unused for a whole sweep interval drops them; what is sent never changes.
// And a big section's value (the review's objects: ≈ 175 KB a room, more than its JSON) is needed only to
// send it whole to a client resuming by delta or to diff it when it changes: while it sits unchanged its
// JSON says the same, so an idle channel's big sections let go of their values (`sectionValue` parses
// the JSON when one is needed again), and the shared projection's cache lets go of it too (`forgetShared`:
// computed again when next asked). Only for JSON held as bytes of RELEASE_MIN or more.
/** Sections whose JSON is at least this many bytes release their value when their channel goes idle. */
export const RELEASE_MIN = 8 * 1024;

/** Lets go of a big section's value (see above); false if it keeps it. */
export function releaseValue(sec: Section): boolean {
  if (sec.released || sec.json === undefined || typeof sec.json === 'string' || sec.json instanceof PackedJson || sec.json.length < RELEASE_MIN) return false;
  forgetShared(sec.value);
  sec.value = undefined;
  sec.released = true;
  return true;
}

/** How often idle channels' caches are swept; a channel unused for a whole interval drops them. */
export const CACHE_SWEEP_MS = 10_000;
const warm = new Set<AudienceChannel>();
let sweeper: NodeJS.Timeout | null = null;

function warmUp(c: AudienceChannel, used: { sweeps: number }): void {
  used.sweeps = 0;
  if (warm.has(c)) return;
  warm.add(c);
  if (!sweeper) {
    sweeper = setInterval(sweepChannelCaches, CACHE_SWEEP_MS);
    sweeper.unref();
  }
}

/** One sweep (every CACHE_SWEEP_MS): channels whose caches went unused since the last sweep drop
 *  them. Returns how many did. */
export function sweepChannelCaches(): number {
  let n = 0;
  for (const c of warm) {
    if (c.idleSweep()) continue;
    warm.delete(c);
    n++;
  }
  if (warm.size === 0 && sweeper) {
    clearInterval(sweeper);
    sweeper = null;
  }
  return n;
}

/**
 * A section's digest (issue 15: resume across a restart): SHA-256 of exactly the JSON its audience is
 * sent (and, after applying every change, holds: the check mode verifies it), 128 bits in base64url.
 * Computed once per section object. Only ever sent with the section itself, in its own channel, and
 * only compared with the same section of an arriving socket's own channel (shared/protocol/view-sync.ts):
 * a digest tells a client nothing it is not sent.
 */
const sectionDigests = new WeakMap<Section, string>();
/** Sections holding one interned JSON string (view-memo.ts `intern`) share one holder of its digest, so
 *  a section equal in two audiences (the panel's two roles: the review, 130 K characters) is hashed
 *  once, whichever of them is asked first (issue 15: the restart storm). A holder, not a link between
 *  the sections: neither keeps the other alive. */
const digestHolders = new WeakMap<Section, { digest?: string }>();
export function shareDigest(held: Section, sec: Section): void {
  let h = digestHolders.get(held);
  if (!h) digestHolders.set(held, (h = { digest: sectionDigests.get(held) }));
  digestHolders.set(sec, h);
}
/** How many digests were computed (SHA-256 over a section's JSON); the tests read it. */
export const digestCount = { computed: 0 };
export function digestOf(sec: Section): string {
  let d = sectionDigests.get(sec);
  if (d !== undefined) return d;
  const h = digestHolders.get(sec);
  d = h?.digest;
  if (d === undefined) {
    d = jsonDigest(heldForm(sec.json ?? ''));
    digestCount.computed++;
    if (h) h.digest = d;
  }
  sectionDigests.set(sec, d);
  return d;
}
// One call, no Hash object (issue 15: a cold server hashes every section of every arriving person's
// view; for a short section a third of createHash's time). The same SHA-256 of the same UTF-8.
export const jsonDigest = (json: HeldJson): string => hash('sha256', json, 'base64url').slice(0, 22);

const OPEN = Buffer.from('{');
const CLOSE = Buffer.from('}');
const COMMA = Buffer.from(',');

/**
 * A channel's JSON shorter than this (bytes, or characters for the short sections held as strings) is
 * sent as text, not as a binary attachment (issue 15:
 * the restart storm). Socket.IO sends a packet with a binary attachment as one WebSocket frame for the
 * packet and one per attachment, each written on its own: a snapshot of two channels was three writes
 * per socket. After a restart nearly every channel is answered by digest (`resumed`: the presence, the
 * log tail, what the retried commands changed), a few KB at most, so each arrival's snapshot is now one
 * frame; escaping a text that short inside the frame costs less than the frames did. A long channel (a
 * first connection's whole review) still travels as bytes, encoded once and never escaped per socket.
 */
export const TEXT_MAX = 8 * 1024;

// Each channel object numbers its versions from its own start, so that a version held from a channel
// since dropped (a session reloaded) is never mistaken for one of a newer channel's.
let nextStart = 0;

export class AudienceChannel {
  private readonly start = (nextStart += 2 ** 24);
  version = this.start;
  /** The session's seq at the channel's last change. */
  seq = 0;
  /** Local sockets listening (the channel is kept current only while > 0). */
  listeners = 0;
  private sections = new Map<string, Held>();
  /** Sections removed, with the version at which they were (kept to answer a resume by delta). */
  private removed = new Map<string, number>();
  private fullJson: { version: number; json: Buffer | string; digests: Record<string, string> } | null = null;
  /** The last answer of `resumed`, for the next socket of the same audience holding the same sections
   *  (a role's devices arriving after a restart: issue 15). */
  private lastResumed: { version: number; keep: string; answer: ChannelFull } | null = null;
  /** Sweeps since the caches were last used (see sweepChannelCaches). */
  private readonly used = { sweeps: 0 };

  /** Check mode: the channel as a client that applied every change holds it (see checkMirror). */
  private mirror: Record<string, unknown> | null;
  /** Check mode: the digests such a client holds. */
  private mirrorDigests: Record<string, string> | null;

  constructor(
    readonly room: string,
    check = false,
  ) {
    this.mirror = check ? {} : null;
    this.mirrorDigests = check ? {} : null;
  }

  /** Moves the channel to `next`; the patch (whole sections, removed ones, ops inside big sections), or
   *  null when nothing changed. */
  update(next: SectionMap, seq: number): ChannelChange | null {
    let set: Record<string, unknown> | null = null;
    const del: string[] = [];
    let ops: ViewOp[] | null = null;
    const digests: Record<string, string> = {};
    const v = this.version + 1;
    for (const k of next.keys()) {
      const sec = next.get(k)!;
      const held = this.sections.get(k);
      // Shared sections are the same object for every viewer and audience: compare identity first.
      if (held && (held.section === sec || sameJson(held.section.json, sec.json))) {
        // The same JSON in a new section object: its bytes and digest, if computed, are the same too.
        if (held.section !== sec) {
          // Only for a short JSON held as a string (a section held as bytes is its own bytes; a packed
          // one's inflated copy is not the new section's to keep).
          const b = sectionBytes.get(held.section);
          if (b && typeof sec.json === 'string' && !sectionBytes.has(sec)) sectionBytes.set(sec, b);
          const d = sectionDigests.get(held.section);
          if (d !== undefined && !sectionDigests.has(sec)) sectionDigests.set(sec, d);
        }
        held.section = sec;
        continue;
      }
      this.removed.delete(k);
      // The section says what changed since the one held: its ops as they are, no diff (issue 15).
      if (held && sec.delta && sec.delta.from === held.section) {
        (ops ??= []).push(...sec.delta.ops);
        if (held.plain) warmUp(this, this.used);
        this.sections.set(k, { section: sec, at: v, plain: held.plain && (appliedOps({ [k]: held.plain }, JSON.parse(JSON.stringify(sec.delta.ops)))?.[k] ?? undefined) });
        if (sec.json !== undefined) digests[k] = digestOf(sec);
        continue;
      }
      // A big section: only what changed inside it (issue 15), diffed once for the audience.
      if (held && held.section.json !== undefined && sec.json !== undefined && jsonSize(sec.json) >= PATH_PATCH_MIN) {
        const plain = held.plain ?? JSON.parse(jsonText(held.section.json));
        warmUp(this, this.used);
        // A released held value is unknown (`prev`): the diff then compares every object with `plain`.
        const mine = diffSection(k, plain, sectionValue(sec), held.section.released ? undefined : held.section.value);
        const json = mine && JSON.stringify(mine);
        if (mine && Buffer.byteLength(json!) * 2 < jsonSize(sec.json)) {
          (ops ??= []).push(...mine);
          // What the clients will hold: the same ops applied to a copy that shares nothing live.
          const after = appliedOps({ [k]: plain }, JSON.parse(json!))![k];
          this.sections.set(k, { section: sec, at: v, plain: after });
          if (sec.json !== undefined) digests[k] = digestOf(sec);
          continue;
        }
      }
      (set ??= {})[k] = sectionValue(sec);
      this.sections.set(k, { section: sec, at: v });
      if (sec.json !== undefined) digests[k] = digestOf(sec);
    }
    for (const k of this.sections.keys()) {
      if (next.has(k)) continue;
      del.push(k);
      this.sections.delete(k);
      this.removed.set(k, v);
    }
    if (!set && del.length === 0 && !ops) return null;
    const base = this.version;
    this.version = v;
    this.seq = seq;
    const change = { base, set: set ?? {}, del, ops: ops ?? [], digests };
    if (this.mirror) this.mirror = appliedOps(Object.assign({ ...this.mirror }, JSON.parse(JSON.stringify(change.set)) as object), JSON.parse(JSON.stringify(change.ops)));
    if (this.mirror) for (const k of del) delete this.mirror[k];
    if (this.mirrorDigests) {
      for (const k of del) delete this.mirrorDigests[k];
      Object.assign(this.mirrorDigests, digests);
    }
    return change;
  }

  /**
   * Check mode: what a client holds after applying every change (whole sections, ops) is each
   * section's JSON, and the digest it holds for it is the digest of that JSON (a resume across a
   * restart compares it); null if so, else the first key that differs.
   */
  checkMirror(): string | null {
    if (!this.mirror) return null;
    const keys = Object.keys(this.mirror);
    let n = 0;
    for (const k of this.sections.keys()) {
      const h = this.sections.get(k)!;
      if (h.section.json === undefined) continue;
      n++;
      const json = JSON.stringify(this.mirror[k]);
      if (json !== jsonText(h.section.json)) return k;
      if (this.mirrorDigests![k] !== jsonDigest(json)) return `${k} (digest)`;
    }
    if (keys.length !== n) return `(${keys.join(',')})`;
    return null;
  }

  /**
   * The whole channel, its JSON assembled once per version from the sections' cached JSON and encoded
   * once as UTF-8 bytes: every socket that arrives at this version is sent the same bytes as a binary
   * attachment (issue 15: a reconnect storm's snapshots cost no encoding per socket).
   */
  full(): ChannelFull {
    warmUp(this, this.used);
    if (this.fullJson?.version !== this.version) {
      const digests: Record<string, string> = {};
      this.fullJson = { version: this.version, json: this.assemble(null, digests), digests };
    }
    return { version: this.version, seq: this.seq, json: this.fullJson.json, digests: this.fullJson.digests };
  }

  /**
   * Across a restart (another epoch, or a version not ours): the sections whose digest the client
   * holds are named in `keep`, only the others are sent (with their digests). `held` is what the
   * client says; a section matches only if the client's digest is this very section's, so a forged
   * or stale digest gets the section. Null when nothing matches (the whole channel, shared by every
   * socket at this version, is then the answer).
   */
  resumed(held: Record<string, string>): ChannelFull | null {
    const keep: string[] = [];
    for (const k of this.sections.keys()) {
      const h = this.sections.get(k)!;
      if (h.section.json !== undefined && Object.hasOwn(held, k) && held[k] === digestOf(h.section)) keep.push(k);
    }
    if (keep.length === 0) return null;
    warmUp(this, this.used);
    // The same sections kept at the same version: the same answer (the role's other devices).
    const key = keep.join('\u0001');
    const last = this.lastResumed;
    if (last && last.version === this.version && last.keep === key) return extend(last.answer, { keep: [...keep] });
    const digests: Record<string, string> = {};
    const json = this.assemble(new Set(keep), digests);
    const answer: ChannelFull = { version: this.version, seq: this.seq, json, digests, keep };
    this.lastResumed = { version: this.version, keep: key, answer: extend(answer, { keep: [...keep] }) };
    return answer;
  }

  /** The channel's sections (but those in `skip`) as one JSON object: its text when shorter than
   *  TEXT_MAX, else its UTF-8 bytes, from each section's cached JSON; their digests into `digests`. */
  private assemble(skip: Set<string> | null, digests: Record<string, string>): Buffer | string {
    // Its size before anything is joined: a section held as bytes counts its bytes, a short one held
    // as a string its characters.
    let size = 2;
    for (const k of this.sections.keys()) {
      const h = this.sections.get(k)!;
      if (h.section.json !== undefined && !skip?.has(k)) size += k.length + 4 + jsonSize(h.section.json);
    }
    if (size < TEXT_MAX) {
      let text = '{';
      for (const k of this.sections.keys()) {
        const h = this.sections.get(k)!;
        if (h.section.json === undefined || skip?.has(k)) continue;
        if (text.length > 1) text += ',';
        text += `${JSON.stringify(k)}:${jsonText(h.section.json)}`;
        digests[k] = digestOf(h.section);
      }
      return text + '}';
    }
    const parts: Buffer[] = [OPEN];
    for (const k of this.sections.keys()) {
      const h = this.sections.get(k)!;
      if (h.section.json === undefined || skip?.has(k)) continue;
      if (parts.length > 1) parts.push(COMMA);
      parts.push(Buffer.from(`${JSON.stringify(k)}:`), bytesOf(h.section));
      digests[k] = digestOf(h.section);
    }
    parts.push(CLOSE);
    return Buffer.concat(parts);
  }

  /** A sweep: true while the caches were used since the last one; else drops them (false). */
  idleSweep(): boolean {
    if (this.used.sweeps++ === 0) return true;
    this.dropCaches();
    return false;
  }

  /** Drops what can be rebuilt from the sections' JSON: the whole bytes, the sections' bytes, the parsed
   *  copies, the big sections' values. The next full() encodes again, the next path diff parses the held
   *  JSON again. */
  dropCaches(): void {
    this.fullJson = null;
    this.lastResumed = null;
    for (const h of this.sections.values()) {
      sectionBytes.delete(h.section);
      delete h.plain;
      releaseValue(h.section);
      // A section whose value went keeps its JSON packed (section-json.ts), its digest first taken from
      // the bytes (a resuming client compares it). Packed off the event loop: the section takes the
      // packed form only if it still holds the same bytes then.
      const sec = h.section;
      const json = sec.json;
      if (sec.released && Buffer.isBuffer(json) && json.length >= PACK_MIN) {
        digestOf(sec);
        void packLater(json).then((p) => {
          if (!p || sec.json !== json || !sec.released) return;
          sec.json = p;
          unsliceShared(json);
        });
      }
    }
  }

  /** What changed since `base` (nothing, if base is the current version); null if base is not one of ours. */
  since(base: number): ChannelDelta | null {
    if (!Number.isSafeInteger(base) || base < this.start || base > this.version) return null;
    const set: Record<string, unknown> = {};
    const del: string[] = [];
    const digests: Record<string, string> = {};
    if (base < this.version) {
      for (const k of this.sections.keys()) {
        const h = this.sections.get(k)!;
        if (h.at > base) {
          set[k] = sectionValue(h.section);
          if (h.section.json !== undefined) digests[k] = digestOf(h.section);
        }
      }
      for (const k of this.removed.keys()) if (this.removed.get(k)! > base) del.push(k);
    }
    return { base, version: this.version, seq: this.seq, set, del, digests };
  }

  /** The held sections' JSON by key (the check mode compares them with a fresh build). */
  jsonByKey(): Map<string, SectionJson | undefined> {
    const out = new Map<string, SectionJson | undefined>();
    for (const k of this.sections.keys()) out.set(k, this.sections.get(k)!.section.json);
    return out;
  }
}
