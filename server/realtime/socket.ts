import type { Server as HttpServer, IncomingMessage } from 'node:http';
import { Server, type Socket } from 'socket.io';
import { PROTOCOL_VERSION } from '../../shared/protocol/version';
import { errorBody, type ErrorBody } from '../../shared/protocol/errors';
import { isCommand, isQuery, QUERIES, type QueryName } from '../../shared/protocol/commands';
import { mayQuery } from '../../shared/protocol/authz';
import type { Ack } from '../../shared/protocol/ack';
import { tokenHash } from '../session/create';
import type { SessionRegistry } from '../session/registry';
import type { Principal, SessionState } from '../session/types';
import { zodToDomainError } from '../session/validation';
import { randomUUID } from 'node:crypto';
import { buildView, type Presence } from './views';
import { SessionViewMemo, ViewBuilder } from './view-memo';
import { stateVersions } from './state-keys';
import { AudienceChannel, channelRooms, roomOf } from './audiences';
import { PresenceCoalescer } from './presence-coalesce';
import { jsonText, sameJson, type SectionJson } from './section-json';
import { CHANNELS, mergeSection, type Channel, type ChannelDelta, type ChannelFull, type ResumeState, type ViewPatch, type ViewSnapshot } from '../../shared/protocol/view-sync';
import { VIEW_SECTIONS } from '../../shared/protocol/views';
import type { AckCallback, ClientToServerEvents, InterServerEvents, Notice, ServerToClientEvents } from '../../shared/protocol/events';
import type { FairShare } from './fair-share';
import { admitDevice, deviceHash, holdsSeat, REFUSED, requestOutcome, SIGNED_OUT } from '../participants/devices';

export interface SocketOptions {
  /** Origins allowed besides the server's own host (e.g. the Vite dev server). */
  allowedOrigins: string[];
  /** Largest message a client may send, bytes (issue 2: cap the Socket.IO buffer). */
  maxMessageBytes: number;
  clock: () => number;
  /** Rate limits per socket and per person (issue 12, item 8); null: none. */
  fairShare?: FairShare | null;
}

/** What the server keeps on each socket (never sent: the typed edge's fourth parameter). */
export interface SocketData {
  principal: Principal;
  tokenHash: string;
  /** The hash of the device key the handshake presented (server/participants/devices.ts). */
  device: string;
  /** Set while this device waits for the moderator to let it take a seat held by another device. */
  waiting: { requestId: string; since: number } | null;
}

const CHECK = process.env.PANELROOM_CHECK_VIEWS === '1';
/** Presence changes (connects, leaves) are coalesced per session (presence-coalesce.ts): flushed once no
 *  other has come for this long (issue 15)… */
export const PRESENCE_COALESCE_MS = 100;
/** …but never later than this after the first of them (a reconnect storm's arrivals keep coming for a
 *  second or two: a room then gets a few presence patches, not one per 100 ms). */
export const PRESENCE_MAX_WAIT_MS = 500;
/** In a storm — presence waiting in this many sessions at once (a restart's or a network drop's
 *  reconnects) — the windows widen to these (presence-coalesce.ts): a room's presence goes out a few
 *  times over the storm, not every half second to every device while others still wait for snapshots. */
export const PRESENCE_STORM = { sessions: 10, quietMs: 1000, maxWaitMs: 2000 } as const;
/** How many ticks a flush may wait for a burst of its session's commands to finish… */
export const MAX_FLUSH_DEFERRALS = 8;
/** …and for how long at most, ms: on a busy server a tick takes milliseconds, and eight of them held
 *  every ack of the session behind another member's commit (issue 15: at 500 rooms the acks' wait for
 *  their flush had a p99 of 155 ms). On a quiet one eight ticks take well under this. */
export const MAX_FLUSH_DEFER_MS = 2;

/** The longest slice of a tick the flushes take when the loop is busy with other work (flushSlice). */
export const FLUSH_SLICE_MAX_MS = 50;

/**
 * How long this tick may flush sessions: at least `minMs`, and as long as the loop spent on other work
 * since the last tick's flushes, up to `maxMs` — the due flushes get at least half of a busy loop. A
 * fixed slice on a loop whose other work took longer let them fall behind without bound, and every ack
 * waits for its session's flush (issue 15: at 500 rooms the acks' wait for their flush had a p99 of
 * 155–370 ms with loop iterations of up to 30 ms and an 8 ms slice).
 */
export function flushSlice(minMs: number, maxMs: number, sinceLastMs: number): number {
  return Math.max(minMs, Math.min(maxMs, sinceLastMs));
}

/** Whether a session's due flush waits another tick for its commands in flight (a burst goes out as one
 *  patch per audience): while some are, for at most MAX_FLUSH_DEFERRALS ticks and MAX_FLUSH_DEFER_MS
 *  since it first waited. `waited`: the ticks it waited so far and when it began, or null. */
export function deferFlush(inFlight: number, waited: { ticks: number; since: number } | null, now: number): boolean {
  if (inFlight <= 0) return false;
  if (!waited) return true;
  return waited.ticks < MAX_FLUSH_DEFERRALS && now - waited.since < MAX_FLUSH_DEFER_MS;
}

/** At most this many section digests per channel are read from a handshake (a view has a few dozen). */
const MAX_RESUME_DIGESTS = 200;

/** The handshake's `resume` (what a reconnecting client holds), or null when absent or malformed.
 *  Digests that are not strings are ignored (that section is then sent). */
function resumeOf(auth: unknown): ResumeState | null {
  const r = (auth as { resume?: unknown } | null)?.resume as ResumeState | undefined;
  if (!r || typeof r !== 'object' || typeof r.epoch !== 'string' || !r.versions || typeof r.versions !== 'object') return null;
  const versions: ResumeState['versions'] = {};
  for (const ch of CHANNELS) if (Number.isSafeInteger(r.versions[ch])) versions[ch] = r.versions[ch];
  const digests: NonNullable<ResumeState['digests']> = {};
  for (const ch of CHANNELS) {
    const d = (r.digests as Record<string, unknown> | undefined)?.[ch];
    if (!d || typeof d !== 'object' || Array.isArray(d)) continue;
    const held: Record<string, string> = Object.create(null);
    let n = 0;
    for (const [k, v] of Object.entries(d)) {
      if (typeof v !== 'string' || v.length > 64) continue;
      held[k] = v;
      if (++n >= MAX_RESUME_DIGESTS) break;
    }
    digests[ch] = held;
  }
  return { epoch: r.epoch, versions, digests };
}

/** The typed edge (docs/architecture.md "The typed edge"): what a socket receives and sends. */
export type RoomServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
type RoomSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

export { roomOf } from './audiences';

/** The handshake's Origin must be the server's own, or one configured (issue 2). */
export function originAllowed(req: IncomingMessage, allowed: string[]): boolean {
  const origin = req.headers.origin;
  if (!origin) return true; // not a browser: no ambient credentials to abuse; the token still decides
  if (allowed.includes(origin)) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

// The realtime layer: authenticates the handshake, puts each socket into its rooms (the server decides,
// never the client), routes commands to the session runtime and sends each person the view of its role.
export class RealtimeServer {
  readonly io: RoomServer;
  private readonly connected = new Map<string, Map<string, Set<RoomSocket>>>();
  private readonly lastSeen = new Map<string, Map<string, number>>();
  /** The audience channels of each session, by room. */
  private readonly channels = new Map<string, Map<string, AudienceChannel>>();
  /** This process's epoch: channel versions from before a restart are not resumable. */
  readonly epoch = randomUUID();
  private readonly presenceFlush = new PresenceCoalescer(
    (id) => {
      this.presenceDue.add(id);
      this.markDirty(id);
    },
    PRESENCE_COALESCE_MS,
    PRESENCE_MAX_WAIT_MS,
    undefined,
    PRESENCE_STORM,
  );
  /** Sessions whose presence timer fired: their next flush sends the presence as it is. */
  private readonly presenceDue = new Set<string>();
  /** The presence each session's views were last built with (what its audiences hold): a flush while the
   *  presence is held (a storm, presence-coalesce.ts) builds with it again (issue 15). */
  private readonly presenceShown = new Map<string, Presence>();
  private readonly deferrals = new Map<string, { ticks: number; since: number }>();
  /** Acks waiting for their session's flush. */
  private readonly pendingAcks = new Map<string, (() => void)[]>();
  private readonly memos = new Map<string, SessionViewMemo>();
  private readonly dirty = new Set<string>();
  /** Sockets of second devices waiting for the moderator, by session (issue 12: one device per seat). */
  private readonly waitingRoom = new Map<string, Set<RoomSocket>>();
  private flushScheduled = false;

  constructor(
    httpServer: HttpServer,
    private readonly registry: SessionRegistry,
    private readonly opts: SocketOptions,
  ) {
    this.io = new Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>(httpServer, {
      serveClient: false,
      maxHttpBufferSize: opts.maxMessageBytes,
      allowRequest: (req, cb) => cb(originAllowed(req, opts.allowedOrigins) ? null : 'bad_origin', originAllowed(req, opts.allowedOrigins)),
      pingInterval: 10_000,
      pingTimeout: 8_000,
    });
    this.io.use((socket, next) => {
      this.authenticate(socket, next).catch((e) => {
        console.error('[realtime] handshake failed:', e);
        const err = new Error('internal') as Error & { data: ErrorBody };
        err.data = errorBody('internal');
        next(err);
      });
    });
    this.io.on('connection', (socket) => this.onConnection(socket));
    registry.onChange((s) => {
      this.revokeStale(s);
      this.answerWaiting(s);
      this.markDirty(s.id);
    });
  }

  private async authenticate(socket: RoomSocket, next: (err?: Error) => void): Promise<void> {
    const auth = (socket.handshake.auth ?? {}) as { token?: unknown; protocol?: unknown; device?: unknown; resume?: unknown };
    const refuse = (body: ErrorBody) => {
      const err = new Error(body.code) as Error & { data: ErrorBody };
      err.data = body;
      next(err);
    };
    if (auth.protocol !== undefined && auth.protocol !== PROTOCOL_VERSION) return refuse(errorBody('protocol_mismatch'));
    const token = typeof auth.token === 'string' ? auth.token : '';
    // A shared store (issue 9): the token may be of a session another process created or changed.
    const who = await this.registry.resolveTokenShared(token);
    if (!who) return refuse(errorBody('unauthenticated'));
    const rt = this.registry.get(who.sessionId);
    const person = rt?.state.people[who.personId];
    if (!rt || !person) return refuse(errorBody('unauthenticated'));
    // An archived session is closed: its join tokens no longer connect (issue 12, item 9).
    if (rt.state.stage === 'archived') return refuse(errorBody('session_closed'));
    const device = deviceHash(auth.device);
    if (!device) return refuse(errorBody('validation', { zh: '设备标识格式不正确，请刷新页面。', en: 'The device key is malformed; reload the page.' }, 'device'));
    socket.data.principal = { sessionId: who.sessionId, personId: who.personId, role: person.role };
    socket.data.tokenHash = tokenHash(token);
    socket.data.device = device;
    // One device per seat (issue 12): the first device claims the seat; another one waits for the moderator.
    const admission = await admitDevice(rt, who.personId, device);
    if (admission.kind === 'refused') return refuse(errorBody('conflict', admission.why));
    socket.data.waiting = admission.kind === 'waiting' ? { requestId: admission.requestId, since: admission.since } : null;
    // Socket.IO keeps the handshake's auth for the connection's life: the join token and the device key
    // (together they let their holder act as this person) are not kept past here, where they were checked and
    // hashed; what the client holds (`resume`, its sections' digests: a few KB a socket) only until
    // its first snapshot (onConnection). Issue 15, memory per socket; docs/architecture.md "The event
    // log": the raw token lives only where the join cards need it.
    socket.handshake.auth = auth.resume === undefined ? {} : { resume: auth.resume };
    next();
  }

  /** A second device waits here, sent nothing of the seat, until the moderator admits or refuses it. */
  private park(socket: RoomSocket): void {
    const p = socket.data.principal;
    let set = this.waitingRoom.get(p.sessionId);
    if (!set) this.waitingRoom.set(p.sessionId, (set = new Set()));
    set.add(socket);
    const e = errorBody('device_pending');
    socket.emit('device:waiting', { message: e.message, messageEn: e.messageEn, since: socket.data.waiting!.since });
    const refuse = (...args: unknown[]) => {
      const ack = args[args.length - 1];
      if (typeof ack === 'function') (ack as AckCallback)({ ok: false, error: errorBody('device_pending') });
    };
    socket.onAny(refuse);
    socket.on('disconnect', () => set!.delete(socket));
    // The moderator may have answered between the handshake and now.
    const rt = this.registry.get(p.sessionId);
    if (rt) this.answerWaiting(rt.state);
  }

  private answerWaiting(s: SessionState): void {
    const set = this.waitingRoom.get(s.id);
    if (!set) return;
    for (const sock of [...set]) {
      const w = sock.data.waiting!;
      const outcome = requestOutcome(s, sock.data.principal.personId, w.requestId, sock.data.device);
      if (outcome === 'waiting') continue;
      set.delete(sock);
      sock.offAny();
      if (outcome === 'admitted' && s.people[sock.data.principal.personId]?.tokenHash === sock.data.tokenHash) {
        sock.data.waiting = null;
        // A new device starts from what its own handshake says it holds (nothing: a full snapshot).
        sock.emit('device:admitted', {});
        this.onConnection(sock);
      } else {
        sock.emit('session:revoked', { message: REFUSED.zh, messageEn: REFUSED.en, reason: 'device_refused' });
        sock.disconnect(true);
      }
    }
  }

  private onConnection(socket: RoomSocket): void {
    const p = socket.data.principal;
    if (socket.data.waiting) return this.park(socket);
    const rooms = channelRooms(p);
    // A flush already due goes out first, before this socket is in the rooms: its snapshot then holds it.
    this.flushNow(p.sessionId);
    socket.join([rooms.role, rooms.own]);
    let bySession = this.connected.get(p.sessionId);
    if (!bySession) this.connected.set(p.sessionId, (bySession = new Map()));
    let set = bySession.get(p.personId);
    if (!set) bySession.set(p.personId, (set = new Set()));
    const firstSocket = set.size === 0;
    set.add(socket);
    this.touch(p);
    // Checked by its handshake against the state then; the next change checks it again with the others
    // (a token reissued while the handshake was in flight: revokeStale).
    this.seatsChecked.delete(p.sessionId);

    // The view this socket's audiences hold, or only what changed since what the client says it holds
    // (resume by delta). No flush of the room: the others learn of the arrival with the coalesced
    // presence flush, and a pending flush of the session reaches this socket as an ordinary patch.
    // The arrival is noted first: in a storm the presence is then held (presence-coalesce.ts), and a
    // channel built for this snapshot shows the presence the session's audiences hold (issue 15).
    if (firstSocket) this.presenceChanged(p.sessionId);
    socket.emit('view:snapshot', this.snapshotFor(p, resumeOf(socket.handshake.auth), true));
    // Read once: not kept for the connection's life (authenticate).
    socket.handshake.auth = {};

    // Every event a client may send is in ClientToServerEvents; which one this is, and whether its
    // payload is well formed, is decided at run time by route() (the zod schemas the types come from).
    socket.onAny((event: string, ...args: unknown[]) => {
      const ack = typeof args[args.length - 1] === 'function' ? (args.pop() as AckCallback) : null;
      void this.route(socket, event, args[0], ack);
    });
    socket.on('disconnect', () => {
      this.opts.fairShare?.forget(socket.id);
      set!.delete(socket);
      this.touch(p);
      for (const ch of CHANNELS) {
        const c = this.channels.get(p.sessionId)?.get(rooms[ch]);
        if (c) c.listeners--;
      }
      if (set!.size === 0) this.presenceChanged(p.sessionId);
    });
  }

  /** A person's first socket arrived or its last one left: flush the session's presence once the
   *  arrivals pause (PRESENCE_COALESCE_MS), at most PRESENCE_MAX_WAIT_MS after the first change. */
  private presenceChanged(sessionId: string): void {
    this.onLocalPresence?.(sessionId);
    this.presenceFlush.changed(sessionId);
  }

  private touch(p: Principal): void {
    let m = this.lastSeen.get(p.sessionId);
    if (!m) this.lastSeen.set(p.sessionId, (m = new Map()));
    m.set(p.personId, this.opts.clock());
    // Who is connected here changes only with a touch (a socket's arrival or departure).
    this.localPresences.delete(p.sessionId);
  }

  /** Each session's local presence as last computed, the same object until a socket arrives or leaves
   *  or the session's people change (issue 15: most flushes carry events, not arrivals; a presence
   *  that is the same object is not projected or compared again, view-memo.ts `presence`). */
  private readonly localPresences = new Map<string, { state: SessionState; epoch: number; order: number; presence: Presence }>();

  private async route(socket: RoomSocket, event: string, payload: unknown, ack: AckCallback | null): Promise<void> {
    const p = socket.data.principal;
    const t0 = this.commandTimes.measure ? performance.now() : 0;
    const reply = (a: Ack) => {
      if (t0) {
        const ms = performance.now() - t0;
        this.commandTimes.ms.push(ms);
        this.commandTimes.at.push(t0);
      }
      if (ack) ack(a);
    };
    // A socket whose token was revoked meanwhile may no longer act.
    const rt = this.registry.get(p.sessionId);
    if (!rt || rt.state.people[p.personId]?.tokenHash !== socket.data.tokenHash) {
      reply({ ok: false, error: errorBody('unauthenticated') });
      socket.disconnect(true);
      return;
    }
    // A fair share per socket and per person (fair-share.ts): a flood is refused before it costs anything.
    const fair = this.opts.fairShare;
    if (fair) {
      const bytes = payload && typeof payload === 'object' ? (JSON.stringify(payload)?.length ?? 0) : 0;
      if (!fair.take(socket.id, p, event === 'session:resync' ? 'resyncs' : 'commands') || (bytes > 0 && !fair.take(socket.id, p, 'bytes', bytes)))
        return reply({ ok: false, error: errorBody('rate_limited') });
    }
    // Only the seat's bound device acts for it (issue 12): a device signed out meanwhile may not.
    if (!holdsSeat(rt.state, p.personId, socket.data.device)) {
      reply({ ok: false, error: errorBody('forbidden', SIGNED_OUT) });
      socket.disconnect(true);
      return;
    }
    // "Last seen" is what the console shows for a device that is offline: it is stamped when a device
    // connects and when it leaves, not on every command, so that a command does not change every
    // viewer's presence section (and send every device a patch).
    if (isQuery(event)) {
      if (!mayQuery(p.role, event)) return reply({ ok: false, error: errorBody('forbidden') });
      const parsed = QUERIES[event as QueryName].safeParse(payload ?? {});
      if (!parsed.success) {
        const e = zodToDomainError(parsed.error);
        return reply({ ok: false, error: errorBody('validation', e.detail, e.field) });
      }
      // A query is answered after every patch for the events before it (a client's barrier).
      this.flushNow(p.sessionId);
      if (event === 'time:sync') return reply({ ok: true, data: { serverTime: this.opts.clock() }, seq: rt.state.seq });
      if (event === 'session:resync') {
        const snap = this.snapshotFor(p, null, false);
        return reply({ ok: true, data: snap, seq: snap.seq });
      }
      return;
    }
    if (!isCommand(event)) return reply({ ok: false, error: errorBody('unknown_event') });
    const answer = await rt.execute(p, event, payload);
    // The command's change reaches the views before its ack (a client reads its own change on the ack):
    // while a flush of the session is due, the ack waits for it (and commands of one tick still share it).
    if (!this.dirty.has(p.sessionId)) return reply(answer);
    let acks = this.pendingAcks.get(p.sessionId);
    if (!acks) this.pendingAcks.set(p.sessionId, (acks = []));
    const answered = t0 ? performance.now() : 0;
    acks.push(() => {
      if (answered) this.commandTimes.flushWaitMs.push(performance.now() - answered);
      reply(answer);
    });
  }

  /** What each session's sockets were last checked against (revokeStale). */
  private readonly seatsChecked = new Map<string, { state: SessionState; epoch: number; people: number; devices: number }>();

  private revokeStale(s: SessionState): void {
    const bySession = this.connected.get(s.id);
    if (!bySession) return;
    // A socket's right to its seat is its person's token and its device's binding: checked again when
    // an event touched the people or the devices (or the state was rebuilt), not after every score
    // (issue 15). A socket arriving meanwhile was checked by its handshake (authenticate).
    const v = stateVersions(s);
    const people = v.keys.get('people') ?? 0;
    const devices = v.keys.get('devices') ?? 0;
    const last = this.seatsChecked.get(s.id);
    if (last && last.state === s && last.epoch === v.epoch && last.people === people && last.devices === devices) return;
    this.seatsChecked.set(s.id, { state: s, epoch: v.epoch, people, devices });
    for (const personId of bySession.keys()) {
      const sockets = bySession.get(personId)!;
      for (const sock of sockets) {
        if (s.people[personId]?.tokenHash !== sock.data.tokenHash) {
          const e = errorBody('unauthenticated');
          sock.emit('session:revoked', { message: e.message, messageEn: e.messageEn });
          sock.disconnect(true);
        } else if (!holdsSeat(s, personId, sock.data.device)) {
          // The moderator admitted another device to this seat: this one is signed out and told why.
          sock.emit('session:revoked', { message: SIGNED_OUT.zh, messageEn: SIGNED_OUT.en, reason: 'device_replaced' });
          sock.disconnect(true);
        }
      }
    }
  }

  /** Presence on other processes (issue 9), merged into every view; set by server/cluster. */
  remotePresence: ((sessionId: string) => Presence) | null = null;
  /** Told when a person's first socket on this process connects or its last one leaves (issue 9). */
  onLocalPresence: ((sessionId: string) => void) | null = null;

  presence(sessionId: string): Presence {
    const local = this.localPresence(sessionId);
    const remote = this.remotePresence?.(sessionId);
    if (!remote) return local;
    // A copy: the local presence is kept as it is (localPresence) while nobody here arrives or leaves.
    const out = { ...local };
    for (const [id, r] of Object.entries(remote)) {
      const l = out[id];
      if (!l) continue;
      out[id] = { connected: l.connected || r.connected, lastSeen: Math.max(l.lastSeen ?? 0, r.lastSeen ?? 0) || null };
    }
    return out;
  }

  localPresence(sessionId: string): Presence {
    const out: Presence = {};
    const bySession = this.connected.get(sessionId);
    const seen = this.lastSeen.get(sessionId);
    const rt = this.registry.get(sessionId);
    if (!rt) return out;
    const v = stateVersions(rt.state);
    const order = v.keys.get('order') ?? 0;
    const last = this.localPresences.get(sessionId);
    if (last && last.state === rt.state && last.epoch === v.epoch && last.order === order) return last.presence;
    for (const id of rt.state.order) {
      out[id] = { connected: (bySession?.get(id)?.size ?? 0) > 0, lastSeen: seen?.get(id) ?? null };
    }
    this.localPresences.set(sessionId, { state: rt.state, epoch: v.epoch, order, presence: out });
    return out;
  }

  markDirty(sessionId: string): void {
    this.dirty.add(sessionId);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      // Coalesce: every event and presence change of this tick goes out as one patch per person.
      setImmediate(() => this.flush());
    }
  }

  /**
   * How long one tick may spend flushing sessions before the rest wait for the next tick (issue 15:
   * with many rooms a tick that flushes them all delays every other room's commands and acks; a slice
   * lets them in between). At least one session is flushed per tick. The slice is at least this, and
   * at most `flushSliceMaxMs`, the time the loop spent on other work since the last tick's flushes
   * (flushSlice).
   */
  flushSliceMs = 8;
  flushSliceMaxMs = FLUSH_SLICE_MAX_MS;
  /** When the last tick's flushing ended (performance.now()), 0 before the first. */
  private flushEnded = 0;

  flush(): void {
    this.flushScheduled = false;
    const ids = [...this.dirty];
    this.dirty.clear();
    const start = performance.now();
    const slice = flushSlice(this.flushSliceMs, this.flushSliceMaxMs, this.flushEnded ? start - this.flushEnded : 0);
    try {
      this.flushSome(ids, start, slice);
    } finally {
      this.flushEnded = performance.now();
    }
  }

  private flushSome(ids: string[], start: number, slice: number): void {
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      if (i > 0 && performance.now() - start >= slice) {
        for (const rest of ids.slice(i)) this.markDirty(rest);
        return;
      }
      // A burst of one session's commands (each commits in its own tick: they are serial) goes out as
      // one patch per audience: the flush waits while more of its commands are queued, a few ticks and
      // MAX_FLUSH_DEFER_MS at most (deferFlush).
      const waited = this.deferrals.get(id) ?? null;
      if (deferFlush(this.registry.get(id)?.inFlight ?? 0, waited, performance.now())) {
        if (waited) waited.ticks++;
        else this.deferrals.set(id, { ticks: 1, since: performance.now() });
        this.markDirty(id);
        continue;
      }
      this.deferrals.delete(id);
      this.flushAndAck(id);
    }
  }

  /** The flushes so far and, while `measure` is on, the CPU time this process spent in them (building,
   *  diffing and sending views): the benchmarks report it per command, a figure the machine's load does
   *  not inflate as it does latencies. */
  readonly flushCpu = { measure: false, flushes: 0, micros: 0 };

  /** While `measure` is on, each command's time in this process, from its arrival to its ack (the
   *  benchmarks: the server's share of a round trip, apart from the clients' own delays) and when it
   *  arrived (performance.now()); and, of the commands whose ack waited for their session's flush, how
   *  long from the answer to the ack. */
  readonly commandTimes = { measure: false, ms: [] as number[], at: [] as number[], flushWaitMs: [] as number[] };

  private flushAndAck(sessionId: string): void {
    const cpu = this.flushCpu.measure ? process.cpuUsage() : null;
    // This flush sends the presence as it is now: a presence flush still pending would repeat it. But in
    // a storm, a flush for events holds the presence back until its own timer fires (issue 15,
    // presence-coalesce.ts): it then goes only to the audiences the events changed.
    const withPresence = this.presenceDue.delete(sessionId) || !this.presenceFlush.holding(sessionId);
    if (withPresence) this.presenceFlush.flushed(sessionId);
    try {
      this.flushSession(sessionId, withPresence);
    } finally {
      this.flushCpu.flushes++;
      if (cpu) {
        const d = process.cpuUsage(cpu);
        this.flushCpu.micros += d.user + d.system;
      }
      const acks = this.pendingAcks.get(sessionId);
      if (acks) {
        this.pendingAcks.delete(sessionId);
        for (const a of acks) a();
      }
    }
  }

  /** Flushes the session now if a flush of it is pending. */
  private flushNow(sessionId: string): void {
    if (!this.dirty.has(sessionId)) return;
    this.dirty.delete(sessionId);
    this.flushAndAck(sessionId);
  }

  /** `current`: build with the presence as it is now; else, while the session's presence is held (a
   *  storm), with the presence its audiences were last given (issue 15). */
  private viewBuilder(sessionId: string, s: SessionState, current: boolean): ViewBuilder {
    let memo = this.memos.get(sessionId);
    if (!memo) this.memos.set(sessionId, (memo = new SessionViewMemo()));
    return new ViewBuilder(memo, s, this.presenceToShow(sessionId, current));
  }

  private presenceToShow(sessionId: string, current: boolean): Presence {
    const shown = current ? undefined : this.presenceShown.get(sessionId);
    if (shown && this.presenceFlush.holding(sessionId)) return shown;
    const now = this.presence(sessionId);
    this.presenceShown.set(sessionId, now);
    return now;
  }

  private channel(sessionId: string, room: string): AudienceChannel {
    let m = this.channels.get(sessionId);
    if (!m) this.channels.set(sessionId, (m = new Map()));
    let c = m.get(room);
    if (!c) m.set(room, (c = new AudienceChannel(room, CHECK)));
    return c;
  }

  /**
   * One flush of a session: each audience with listeners here is diffed once against the view it
   * holds, and a change goes once to the audience's room. The role's audience is taken from the first
   * of its viewers (every viewer of the role has the same sections there, by the view functions' own
   * reads; the check mode verifies it); each person's own audience from its own view.
   */
  private flushSession(sessionId: string, withPresence: boolean): void {
    const rt = this.registry.get(sessionId);
    const bySession = this.connected.get(sessionId);
    if (!rt || !bySession) return;
    const seq = rt.state.seq;
    const views = this.viewBuilder(sessionId, rt.state, withPresence);
    const rolesDone = new Set<string>();
    const now = this.opts.clock();
    for (const sockets of bySession.values()) {
      if (sockets.size === 0) continue;
      const p = sockets.values().next().value!.data.principal;
      const rooms = channelRooms(p);
      const built = views.build(p);
      // Nothing this person's view was made of changed (issue 15): its audiences hold it already (its
      // split is not made: view-memo.ts UnchangedBuild).
      if (built.unchanged) {
        if (CHECK) {
          if (rolesDone.has(p.role)) this.checkAudience(p, this.channel(sessionId, rooms.role), built.split.role);
          this.checkMerged(p, rt.state, views, sessionId);
        }
        rolesDone.add(p.role);
        continue;
      }
      const split = built.split;
      for (const ch of CHANNELS) {
        if (ch === 'role' && rolesDone.has(p.role)) {
          if (CHECK) this.checkAudience(p, this.channel(sessionId, rooms.role), split.role);
          continue;
        }
        const c = this.channel(sessionId, rooms[ch]);
        const patch = c.update(split[ch], seq);
        // Local only: each process diffs against the versions its own sockets hold (issue 9).
        if (patch) {
          const frame: ViewPatch = { ch, seq, base: patch.base, version: c.version, serverTime: now, set: patch.set, del: patch.del };
          if (patch.ops.length) frame.ops = patch.ops;
          // Each changed section's digest: what the client says it holds when resuming across a restart.
          for (const _ in patch.digests) {
            frame.digests = patch.digests;
            break;
          }
          this.io.local.to(rooms[ch]).emit('view:patch', frame);
        }
      }
      rolesDone.add(p.role);
      if (CHECK) this.checkMerged(p, rt.state, views, sessionId);
    }
  }

  /** Check mode: another viewer of the role has exactly the role audience's sections. */
  private checkAudience(p: Principal, c: AudienceChannel, mine: Map<string, { json: SectionJson | undefined }>): void {
    const held = c.jsonByKey();
    let same = held.size === mine.size;
    if (same) for (const k of mine.keys()) if (!held.has(k) || !sameJson(held.get(k), mine.get(k)!.json)) same = false;
    if (!same) throw new Error(`the ${p.role} audience's sections differ for ${p.personId} at seq ${c.seq}`);
  }

  /** Check mode: the audiences this person listens to, merged, are its view rebuilt from scratch. */
  private checkMerged(p: Principal, s: SessionState, views: ViewBuilder, sessionId: string): void {
    const fresh = buildView(s, p, views.presenceIn);
    // The typed edge: the view has no section its audience's type does not name (shared/protocol/views.ts).
    const named: readonly string[] = VIEW_SECTIONS[p.role];
    const unnamed = Object.keys(fresh).filter((k) => !named.includes(k));
    if (unnamed.length) throw new Error(`the ${p.role} view has sections its type does not name: ${unnamed.join(', ')}`);
    const rooms = channelRooms(p);
    const merged = new Map<string, string | undefined>();
    for (const ch of CHANNELS) {
      const byKey = this.channel(sessionId, rooms[ch]).jsonByKey();
      for (const k of byKey.keys()) {
        const held = byKey.get(k);
        const j = held === undefined ? undefined : jsonText(held);
        merged.set(k, merged.has(k) && j !== undefined && merged.get(k) !== undefined ? JSON.stringify(mergeSection(JSON.parse(merged.get(k)!), JSON.parse(j))) : j);
      }
    }
    const keys = Object.keys(fresh);
    const ok = keys.length === merged.size && keys.every((k) => merged.has(k) && merged.get(k) === JSON.stringify(fresh[k]));
    if (!ok) throw new Error(`the audiences of ${p.personId} differ from a fresh view at seq ${s.seq}`);
    // And what a client holds after applying every patch sent (whole sections and path ops) is the same.
    for (const ch of CHANNELS) {
      const bad = this.channel(sessionId, rooms[ch]).checkMirror();
      if (bad !== null) throw new Error(`the ${ch} patches of ${p.personId} do not rebuild its view at seq ${s.seq} (section ${bad})`);
    }
  }

  /**
   * What a (re)connecting socket gets: per channel, what changed since the version it holds (maybe
   * nothing); else, across a restart (another epoch) or a version not of this channel, the sections
   * whose digest the client holds marked unchanged (`keep`) and only the others sent; else the whole
   * channel. A channel nobody here listened to is first brought up to date (without a patch: its room
   * is empty but for this socket). `join`: count the socket as a listener.
   */
  private snapshotFor(p: Principal, resume: ResumeState | null, join: boolean): ViewSnapshot {
    const rt = this.registry.get(p.sessionId)!;
    const rooms = channelRooms(p);
    let split: Record<Channel, Map<string, any>> | null = null;
    const channels: Partial<Record<Channel, ChannelFull | ChannelDelta>> = {};
    for (const ch of CHANNELS) {
      const c = this.channel(p.sessionId, rooms[ch]);
      if (c.listeners === 0) {
        split ??= this.viewBuilder(p.sessionId, rt.state, false).build(p).split;
        c.update(split[ch], rt.state.seq);
      }
      if (join) c.listeners++;
      const v = resume && resume.epoch === this.epoch ? resume.versions[ch] : undefined;
      const digests = resume?.digests?.[ch];
      channels[ch] = (v !== undefined ? c.since(v) : null) ?? (digests ? c.resumed(digests) : null) ?? c.full();
    }
    return { epoch: this.epoch, seq: rt.state.seq, serverTime: this.opts.clock(), channels };
  }

  /** A live notice to one role of a session (not logged: e.g. the moderator told of a rate-limit trip). */
  notice(sessionId: string, role: string, body: Notice): void {
    this.io.local.to(roomOf.role(sessionId, role)).emit('session:notice', body);
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.io.close(() => resolve()));
  }
}
