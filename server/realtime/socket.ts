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
import { type Presence } from './views';
import { SessionViewMemo, ViewBuilder, viewOf, type SectionMap } from './view-memo';
import { admitDevice, deviceHash, holdsSeat, REFUSED, requestOutcome, SIGNED_OUT } from '../participants/devices';

export interface SocketOptions {
  /** Origins allowed besides the server's own host (e.g. the Vite dev server). */
  allowedOrigins: string[];
  /** Largest message a client may send, bytes (issue 2: cap the Socket.IO buffer). */
  maxMessageBytes: number;
  clock: () => number;
}

interface SocketData {
  principal: Principal;
  tokenHash: string;
  /** The hash of the device key the handshake presented (server/participants/devices.ts). */
  device: string;
  /** Set while this device waits for the moderator to let it take a seat held by another device. */
  waiting: { requestId: string; since: number } | null;
}

type RoomSocket = Socket<any, any, any, SocketData>;

interface AudienceCache {
  version: number;
  seq: number;
  /** The view this person's sockets hold, section by section with each section's JSON. */
  sections: SectionMap;
}

export const roomOf = {
  role: (sessionId: string, role: string) => `s:${sessionId}:role:${role}`,
  person: (sessionId: string, personId: string) => `s:${sessionId}:person:${personId}`,
};

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
  readonly io: Server;
  private readonly connected = new Map<string, Map<string, Set<RoomSocket>>>();
  private readonly lastSeen = new Map<string, Map<string, number>>();
  private readonly caches = new Map<string, Map<string, AudienceCache>>();
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
    this.io = new Server(httpServer, {
      serveClient: false,
      maxHttpBufferSize: opts.maxMessageBytes,
      allowRequest: (req, cb) => cb(originAllowed(req, opts.allowedOrigins) ? null : 'bad_origin', originAllowed(req, opts.allowedOrigins)),
      pingInterval: 10_000,
      pingTimeout: 8_000,
    });
    this.io.use((socket, next) => {
      this.authenticate(socket as RoomSocket, next).catch((e) => {
        console.error('[realtime] handshake failed:', e);
        const err = new Error('internal') as Error & { data: ErrorBody };
        err.data = errorBody('internal');
        next(err);
      });
    });
    this.io.on('connection', (socket) => this.onConnection(socket as RoomSocket));
    registry.onChange((s) => {
      this.revokeStale(s);
      this.answerWaiting(s);
      this.markDirty(s.id);
    });
  }

  private async authenticate(socket: RoomSocket, next: (err?: Error) => void): Promise<void> {
    const auth = (socket.handshake.auth ?? {}) as { token?: unknown; protocol?: unknown; device?: unknown };
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
    const device = deviceHash(auth.device);
    if (!device) return refuse(errorBody('validation', { zh: '设备标识格式不正确，请刷新页面。', en: 'The device key is malformed; reload the page.' }, 'device'));
    socket.data.principal = { sessionId: who.sessionId, personId: who.personId, role: person.role };
    socket.data.tokenHash = tokenHash(token);
    socket.data.device = device;
    // One device per seat (issue 12): the first device claims the seat; another one waits for the moderator.
    const admission = await admitDevice(rt, who.personId, device);
    if (admission.kind === 'refused') return refuse(errorBody('conflict', admission.why));
    socket.data.waiting = admission.kind === 'waiting' ? { requestId: admission.requestId, since: admission.since } : null;
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
      if (typeof ack === 'function') (ack as (a: Ack) => void)({ ok: false, error: errorBody('device_pending') });
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
        // A new device starts from a fresh snapshot, not from the versions the signed-out one held.
        this.caches.get(s.id)?.delete(sock.data.principal.personId);
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
    socket.join([roomOf.role(p.sessionId, p.role), roomOf.person(p.sessionId, p.personId)]);
    let bySession = this.connected.get(p.sessionId);
    if (!bySession) this.connected.set(p.sessionId, (bySession = new Map()));
    let set = bySession.get(p.personId);
    if (!set) bySession.set(p.personId, (set = new Set()));
    const firstSocket = set.size === 0;
    set.add(socket);
    this.touch(p);

    // A fresh snapshot of what this person may see; on reconnect this replaces whatever the client had.
    // The others learn of the arrival with the session's flush, which the snapshot itself runs first
    // (snapshotFor): only this session is flushed, not every dirty one (a reconnect storm of many rooms).
    if (firstSocket) this.markDirty(p.sessionId);
    if (firstSocket) this.onLocalPresence?.(p.sessionId);
    this.sendSnapshot(socket);

    socket.onAny((event: string, ...args: unknown[]) => {
      const ack = typeof args[args.length - 1] === 'function' ? (args.pop() as (a: Ack) => void) : null;
      void this.route(socket, event, args[0], ack);
    });
    socket.on('disconnect', () => {
      set!.delete(socket);
      this.touch(p);
      if (set!.size === 0) this.markDirty(p.sessionId);
      if (set!.size === 0) this.onLocalPresence?.(p.sessionId);
    });
  }

  private touch(p: Principal): void {
    let m = this.lastSeen.get(p.sessionId);
    if (!m) this.lastSeen.set(p.sessionId, (m = new Map()));
    m.set(p.personId, this.opts.clock());
  }

  private async route(socket: RoomSocket, event: string, payload: unknown, ack: ((a: Ack) => void) | null): Promise<void> {
    const p = socket.data.principal;
    const reply = (a: Ack) => {
      if (ack) ack(a);
    };
    // A socket whose token was revoked meanwhile may no longer act.
    const rt = this.registry.get(p.sessionId);
    if (!rt || rt.state.people[p.personId]?.tokenHash !== socket.data.tokenHash) {
      reply({ ok: false, error: errorBody('unauthenticated') });
      socket.disconnect(true);
      return;
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
      if (event === 'time:sync') return reply({ ok: true, data: { serverTime: this.opts.clock() }, seq: rt.state.seq });
      if (event === 'session:resync') {
        const snap = this.snapshotFor(p);
        return reply({ ok: true, data: snap, seq: snap.seq });
      }
      return;
    }
    if (!isCommand(event)) return reply({ ok: false, error: errorBody('unknown_event') });
    reply(await rt.execute(p, event, payload));
  }

  private revokeStale(s: SessionState): void {
    const bySession = this.connected.get(s.id);
    if (!bySession) return;
    for (const [personId, sockets] of bySession) {
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
    const out = this.localPresence(sessionId);
    const remote = this.remotePresence?.(sessionId);
    if (remote)
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
    for (const id of rt.state.order) {
      out[id] = { connected: (bySession?.get(id)?.size ?? 0) > 0, lastSeen: seen?.get(id) ?? null };
    }
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

  flush(): void {
    this.flushScheduled = false;
    const ids = [...this.dirty];
    this.dirty.clear();
    for (const id of ids) this.flushSession(id);
  }

  private viewBuilder(sessionId: string, s: SessionState): ViewBuilder {
    let memo = this.memos.get(sessionId);
    if (!memo) this.memos.set(sessionId, (memo = new SessionViewMemo()));
    return new ViewBuilder(memo, s, this.presence(sessionId));
  }

  private flushSession(sessionId: string): void {
    const rt = this.registry.get(sessionId);
    const bySession = this.connected.get(sessionId);
    if (!rt || !bySession) return;
    const views = this.viewBuilder(sessionId, rt.state);
    let caches = this.caches.get(sessionId);
    if (!caches) this.caches.set(sessionId, (caches = new Map()));
    for (const [personId, sockets] of bySession) {
      if (sockets.size === 0) {
        caches.delete(personId);
        continue;
      }
      const principal = sockets.values().next().value!.data.principal;
      const next = views.build(principal);
      const cache = caches.get(personId);
      const now = this.opts.clock();
      if (!cache) {
        caches.set(personId, { version: 1, seq: rt.state.seq, sections: next });
        continue;
      }
      const set: Record<string, unknown> = {};
      const del: string[] = [];
      let changed = false;
      for (const [k, sec] of next) {
        const held = cache.sections.get(k);
        // Shared sections are the same object for every viewer and flush while valid: no compare.
        if (held !== sec && held?.json !== sec.json) {
          set[k] = sec.value;
          changed = true;
        }
      }
      for (const k of cache.sections.keys()) if (!next.has(k)) del.push(k);
      if (!changed && del.length === 0 && cache.seq === rt.state.seq) continue;
      const base = cache.version;
      cache.version++;
      cache.seq = rt.state.seq;
      cache.sections = next;
      // Local only: each process diffs against the versions its own sockets hold (issue 9).
      this.io.local.to(roomOf.person(sessionId, personId)).emit('view:patch', { seq: rt.state.seq, base, version: cache.version, serverTime: now, set, del });
    }
  }

  private snapshotFor(p: Principal): { seq: number; version: number; serverTime: number; view: Record<string, unknown> } {
    if (this.dirty.has(p.sessionId)) {
      this.dirty.delete(p.sessionId);
      this.flushSession(p.sessionId);
    }
    const rt = this.registry.get(p.sessionId)!;
    let caches = this.caches.get(p.sessionId);
    if (!caches) this.caches.set(p.sessionId, (caches = new Map()));
    let cache = caches.get(p.personId);
    if (!cache) {
      cache = { version: 1, seq: rt.state.seq, sections: this.viewBuilder(p.sessionId, rt.state).build(p) };
      caches.set(p.personId, cache);
    }
    return { seq: cache.seq, version: cache.version, serverTime: this.opts.clock(), view: viewOf(cache.sections) };
  }

  private sendSnapshot(socket: RoomSocket): void {
    socket.emit('view:snapshot', this.snapshotFor(socket.data.principal));
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.io.close(() => resolve()));
  }
}
