import { randomBytes } from 'node:crypto';
import type { RealtimeServer } from '../realtime/socket';
import type { Presence } from '../realtime/views';
import type { InterServerEvents, PresenceReport } from '../../shared/protocol/events';

// Who is connected, across processes (issue 9): each process tells the others (Socket.IO
// serverSideEmit through the adapter) which of a session's people have a socket on it, when that
// changes and again every few seconds. A process that stops telling (it died) is forgotten after
// EXPIRE_MS, so its people show as offline until they reconnect elsewhere; their last-seen time stays.

const EVENT = 'panelroom:presence' satisfies keyof InterServerEvents;
export const PRESENCE_INTERVAL_MS = 3_000;
const EXPIRE_MS = 10_000;

type Report = PresenceReport;

export class ClusterPresence {
  private readonly node = randomBytes(8).toString('hex');
  /** sessionId → node → what that node last said, and when. */
  private readonly remote = new Map<string, Map<string, { presence: Presence; at: number }>>();
  /** Last-seen times outlive the node that reported them. */
  private readonly lastSeen = new Map<string, Map<string, number>>();
  /** Sessions this process has reported, so that their people's leaving is reported too. */
  private readonly reported = new Set<string>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly rt: RealtimeServer,
    private readonly clock: () => number = Date.now,
  ) {
    rt.remotePresence = (id) => this.merged(id);
    rt.onLocalPresence = (id) => this.report([id]);
    rt.io.on(EVENT, (r: Report) => this.receive(r));
    this.timer = setInterval(() => this.tick(), PRESENCE_INTERVAL_MS);
    this.timer.unref();
  }

  private report(ids: string[]): void {
    const sessions: Record<string, Presence> = {};
    for (const id of ids) {
      const local = this.rt.localPresence(id);
      sessions[id] = local;
      if (Object.values(local).some((p) => p.connected)) this.reported.add(id);
      else this.reported.delete(id);
    }
    if (ids.length === 0) return;
    try {
      this.rt.io.serverSideEmit(EVENT, { node: this.node, at: this.clock(), sessions } satisfies Report);
    } catch (e) {
      console.error('[cluster] presence not sent:', (e as Error).message);
    }
  }

  private receive(r: Report): void {
    if (!r || typeof r.node !== 'string' || r.node === this.node || typeof r.sessions !== 'object') return;
    for (const [id, presence] of Object.entries(r.sessions)) {
      let nodes = this.remote.get(id);
      if (!nodes) this.remote.set(id, (nodes = new Map()));
      const before = JSON.stringify(nodes.get(r.node)?.presence ?? null);
      nodes.set(r.node, { presence, at: this.clock() });
      let seen = this.lastSeen.get(id);
      if (!seen) this.lastSeen.set(id, (seen = new Map()));
      for (const [pid, p] of Object.entries(presence)) if (p.lastSeen) seen.set(pid, Math.max(seen.get(pid) ?? 0, p.lastSeen));
      if (JSON.stringify(presence) !== before) this.rt.markDirty(id);
    }
  }

  private merged(id: string): Presence {
    const out: Presence = {};
    const seen = this.lastSeen.get(id);
    if (seen) for (const pid of seen.keys()) out[pid] = { connected: false, lastSeen: seen.get(pid)! };
    for (const { presence } of this.remote.get(id)?.values() ?? []) {
      for (const [pid, p] of Object.entries(presence)) if (p.connected) out[pid] = { connected: true, lastSeen: out[pid]?.lastSeen ?? p.lastSeen };
    }
    return out;
  }

  private tick(): void {
    const now = this.clock();
    for (const id of this.remote.keys()) {
      const nodes = this.remote.get(id)!;
      let changed = false;
      for (const node of nodes.keys()) if (now - nodes.get(node)!.at > EXPIRE_MS) (nodes.delete(node), (changed = true));
      if (nodes.size === 0) this.remote.delete(id);
      if (changed) this.rt.markDirty(id);
    }
    this.report([...this.reported]);
  }

  close(): void {
    clearInterval(this.timer);
    this.rt.remotePresence = null;
    this.rt.onLocalPresence = null;
  }
}
