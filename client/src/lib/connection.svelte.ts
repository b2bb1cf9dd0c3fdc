import { io, type Socket } from 'socket.io-client';
import { i18n } from './i18n.svelte';
import { PROTOCOL_VERSION } from '../../../shared/protocol/version';
import { RECONNECT } from '../../../shared/protocol/reconnect';
import type { Ack } from '../../../shared/protocol/ack';
import { ViewReplica, type ViewPatch, type ViewSnapshot } from '../../../shared/protocol/view-sync';
import type { CommandName } from '../../../shared/protocol/commands';
import type { AckCallback, ClientToServerEvents, CommandInput, CommandResult, CommandPayload, DeviceWaiting, Notice, Revocation, ServerToClientEvents } from '../../../shared/protocol/events';
import type { AnyView } from '../../../shared/protocol/views';

// The client's one connection to the room. It keeps the view the server sends (its audiences'
// channels: a snapshot, then patches of top-level sections, merged by shared/protocol/view-sync.ts;
// on reconnecting it says which versions it holds and gets only what changed), estimates the server clock offset for countdowns, and keeps every
// command until it is acknowledged: a command sent while offline waits in the outbox and goes out
// with the same id on reconnect, so it takes effect exactly once (docs/architecture.md "Reconnect").
// The socket is typed both ways (docs/architecture.md "The typed edge"): `send` takes a command's own
// payload, and `Connection<StaffView>` (…View: shared/protocol/views.ts) gives a component its
// audience's sections.

export type Status = 'connecting' | 'online' | 'offline' | 'revoked' | 'refused' | 'waiting';

interface Pending {
  event: CommandName;
  payload: CommandPayload<CommandName>;
  resolve: AckCallback;
}

/** The browser's socket: it listens to the server's pushes and emits the client's commands. */
export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** `V`: the view of the audience the component is for (every section absent until the first snapshot). */
export class Connection<V extends AnyView = AnyView> {
  status = $state<Status>('connecting');
  view = $state<Partial<V>>({});
  seq = $state(0);
  /** serverTime ≈ Date.now() + offset. */
  offset = $state(0);
  /** When the server last acknowledged one of our commands (for "您的评分已保存至 14:32:05"). */
  lastSavedAt = $state<number | null>(null);
  error = $state<{ message: string; messageEn: string } | null>(null);
  pendingCount = $state(0);
  /** Live notices from the server (not in the log), newest last: e.g. a device held back by its rate limit. */
  notices = $state<(Notice & { at: number })[]>([]);
  /** While this device waits for the moderator to let it take a seat held by another device: since when. */
  waitingSince = $state<number | null>(null);

  private socket: ClientSocket;
  private replica = new ViewReplica();
  private outbox = new Map<string, Pending>();

  constructor(readonly token: string) {
    // The join link's `?s=<sessionId>` goes along so that a load balancer keeps a session on one process (issue 9).
    const s = typeof location !== 'undefined' ? new URLSearchParams(location.search).get('s') : null;
    this.socket = io({
      transports: ['websocket', 'polling'],
      query: s ? { s } : undefined,
      auth: (cb) => cb({ token: this.token, protocol: PROTOCOL_VERSION, resume: this.replica.resume(), device: deviceKey() }),
      // A short, jittered backoff (shared/protocol/reconnect.ts: back within a second of the server).
      ...RECONNECT,
    });
    this.socket.on('connect', () => {
      this.status = 'online';
      this.error = null;
      void this.syncClock();
      for (const p of this.outbox.values()) this.transmit(p);
    });
    this.socket.on('disconnect', () => {
      if (this.status !== 'revoked') this.status = 'offline';
    });
    this.socket.on('connect_error', (e: any) => {
      if (e?.data?.code) {
        this.status = 'refused';
        this.error = { message: e.data.message, messageEn: e.data.messageEn };
        this.socket.disconnect();
      } else {
        this.status = 'offline';
      }
    });
    // One device per seat (issue 12): a second device waits until the moderator admits or refuses it.
    this.socket.on('device:waiting', (w: DeviceWaiting) => {
      this.status = 'waiting';
      this.waitingSince = w.since;
    });
    this.socket.on('device:admitted', () => {
      this.status = 'online';
      this.waitingSince = null;
    });
    this.socket.on('session:revoked', (r: Revocation) => {
      this.status = 'revoked';
      this.error = { message: r.message, messageEn: r.messageEn };
    });
    this.socket.on('session:notice', (n: Notice) => {
      this.notices = [...this.notices.slice(-4), { ...n, at: Date.now() }];
    });
    this.socket.on('view:snapshot', (s: ViewSnapshot) => {
      if (!this.replica.snapshot(s)) void this.resync();
      this.show();
    });
    this.socket.on('view:patch', (p: ViewPatch) => {
      if (!this.replica.patch(p)) {
        void this.resync();
        return;
      }
      this.show();
    });
  }

  private show(): void {
    // The replica holds what the server's projections sent for this audience (shared/protocol/views.ts).
    this.view = this.replica.view as Partial<V>;
    // The session's procurement method puts every sentence in its words (shared/labels/terms.ts).
    const method = this.view.session?.method ?? null;
    if (i18n.method !== method) i18n.method = method;
    this.seq = this.replica.seq;
  }

  get online(): boolean {
    return this.status === 'online';
  }

  serverNow(): number {
    return Date.now() + this.offset;
  }

  /** Sends a command; the promise settles with the server's ack, after a reconnect if need be. */
  send<K extends CommandName>(event: K, payload: CommandInput<K>): Promise<Ack<CommandResult<K>>> {
    const id = crypto.randomUUID().replace(/-/g, '');
    return new Promise((resolve) => {
      // The server answers command K with CommandResult<K> (its handler says so: shared/protocol/events.ts).
      const p: Pending = { event, payload: { ...payload, id } as CommandPayload<K>, resolve: resolve as AckCallback };
      this.outbox.set(id, p);
      this.pendingCount = this.outbox.size;
      if (this.online) this.transmit(p);
    });
  }

  private transmit(p: Pending): void {
    this.socket.timeout(15_000).emit(p.event, p.payload, (err: Error | null, ack: Ack) => {
      if (err) return; // no answer: still in the outbox, resent on the next connect
      this.outbox.delete(p.payload.id);
      this.pendingCount = this.outbox.size;
      if (ack.ok) this.lastSavedAt = this.serverNow();
      p.resolve(ack);
    });
  }

  private async syncClock(): Promise<void> {
    // Best of three round trips: the one with the shortest delay gives the tightest offset.
    let best: { rtt: number; offset: number } | null = null;
    for (let i = 0; i < 3; i++) {
      const t0 = Date.now();
      try {
        const ack = await this.socket.timeout(5000).emitWithAck('time:sync', { t0 });
        const t1 = Date.now();
        if (!ack.ok) return;
        const rtt = t1 - t0;
        const offset = ack.data.serverTime - (t0 + t1) / 2;
        if (!best || rtt < best.rtt) best = { rtt, offset };
      } catch {
        return;
      }
    }
    if (best) this.offset = best.offset;
  }

  private async resync(): Promise<void> {
    try {
      const ack = await this.socket.timeout(10_000).emitWithAck('session:resync', { lastSeq: this.seq });
      if (ack.ok && this.replica.snapshot(ack.data)) this.show();
    } catch {
      /* the next patch or reconnect tries again */
    }
  }

  close(): void {
    this.socket.disconnect();
  }
}

/**
 * This browser's device key (issue 12: one device per seat): generated once, kept in localStorage, so
 * that a reload or a second tab is the same device and another browser is not.
 */
export function deviceKey(): string {
  const key = 'panelroom.device';
  let k: string | null = null;
  try {
    k = localStorage.getItem(key);
  } catch {
    /* storage unavailable: a key for this page only */
  }
  if (!k || !/^[A-Za-z0-9_-]{16,128}$/.test(k)) {
    const b = crypto.getRandomValues(new Uint8Array(24));
    k = btoa(String.fromCharCode(...b)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    try {
      localStorage.setItem(key, k);
    } catch {
      /* ignore */
    }
  }
  return k;
}

/** The join token: from the link's fragment the first time, then from this tab's storage. */
export function takeToken(): string | null {
  const key = 'panelroom.token:' + location.pathname;
  const fromHash = location.hash.length > 1 ? decodeURIComponent(location.hash.slice(1)) : null;
  if (fromHash) {
    sessionStorage.setItem(key, fromHash);
    history.replaceState(null, '', location.pathname + location.search);
    return fromHash;
  }
  return sessionStorage.getItem(key);
}
