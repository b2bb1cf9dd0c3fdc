import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startCluster, until, ADMIN, type Cluster, type Node } from './harness';
import { clusterClient, type ClusterClient } from './client';
import { PostgresEventStore } from '../../server/store/postgres';
import { verifyChain } from '../../server/store/chain';
import { DEMO_SESSION } from '../../server/demo/demo-session';
import { DISCIPLINE } from '../../shared/protocol/signin';

// Issue 9 on loopback: 3 server processes (bundled, as `npm start` runs them) sharing a fresh PostgreSQL database and
// Redis, behind nginx running deploy/nginx.conf. One session's people are spread over the processes
// (some connect straight to a process's port, the rest through nginx, which sends them all to the
// session's process); they all see the same state. Then that process is killed with SIGKILL in the
// middle of a burst of commands: every acknowledged command is in the log once, and the clients that
// came through nginx resume on another process with nothing lost.

let cluster: Cluster;
let store: PostgresEventStore;
const clients: ClusterClient[] = [];
let sessionId = '';
let tokens: Record<string, string> = {};
let mods: ClusterClient[] = []; // A1 straight to each process
let viaNginx: ClusterClient[] = [];
let direct: { client: ClusterClient; node: Node }[] = [];
let modN: ClusterClient; // A1 through nginx

beforeAll(async () => {
  cluster = await startCluster(3);
  store = await PostgresEventStore.open(cluster.databaseUrl, { max: 2 });
});

afterAll(async () => {
  for (const c of clients) c.close();
  await store?.close();
  await cluster?.stop();
});

const track = async (p: Promise<ClusterClient>) => {
  const c = await p;
  clients.push(c);
  return c;
};
const head = async () => (await store.read(sessionId)).length;
const withLogs = async <T>(f: () => Promise<T>): Promise<T> => {
  try {
    return await f();
  } catch (e) {
    throw new Error(`${(e as Error).message}\n${cluster.logs()}`);
  }
};
/** The views of every moderator connection, without presence (which settles on its own schedule). */
const withoutPresence = (v: Record<string, unknown>) => JSON.stringify({ ...v, presence: undefined });

describe('three processes behind nginx (issue 9)', () => {
  it('spreads one session over the processes, and every client sees the same state', () =>
    withLogs(async () => {
      const res = await fetch(`${cluster.nginxUrl}/api/sessions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN}` },
        body: JSON.stringify(DEMO_SESSION),
      });
      const body = (await res.json()) as any;
      expect(body.ok, JSON.stringify(body)).toBe(true);
      sessionId = body.data.sessionId;
      for (const l of body.data.links) {
        // The join link names the session for the load balancer; the token stays in the fragment.
        expect(l.url).toMatch(new RegExp(`^${cluster.nginxUrl}/(console|screen|tablet|laptop|observer)\\?s=${sessionId}#.{22,}$`));
        tokens[l.personId] = l.url.split('#')[1];
      }
      const [n0, n1, n2] = cluster.nodes;
      const at = (node: Node, who: string) =>
        track(clusterClient(`${who}@${node.index}`, node.url, tokens[who], sessionId)).then((client) => (direct.push({ client, node }), client));
      const viaLb = (who: string) => track(clusterClient(`${who}@nginx`, cluster.nginxUrl, tokens[who], sessionId)).then((c) => (viaNginx.push(c), c));

      // Straight to each process: the session was created on one of them and is followed by the others.
      mods = [await at(n0, 'A1'), await at(n1, 'A1'), await at(n2, 'A1')];
      const sup = { S1: await at(n0, 'S1'), S2: await at(n1, 'S2'), S3: await at(n2, 'S3'), S4: await viaLb('S4') };
      const mem = { M1: await at(n0, 'M1'), M2: await at(n1, 'M2'), M3: await at(n2, 'M3'), M4: await viaLb('M4'), M5: await viaLb('M5') };
      modN = await viaLb('A1');
      await viaLb('P1');
      await viaLb('O1');

      // Everyone acts at once, each on the process it is connected to.
      const recusals = ['S1', 'S2', 'S3', 'S4'].map((supplierId) => ({ supplierId, recuse: false }));
      const acks = await Promise.all([
        ...Object.entries(sup).map(([id, c]) => c.send('signin:supplier', { representative: `代表${id}`, authorised: true })),
        ...Object.values(mem).map((c) => c.send('signin:member', { recusals, acknowledged: true, disciplineVersion: DISCIPLINE.version })),
        mods[1].send('screen:scene', { scene: 'signin' }),
      ]);
      for (const { ack } of acks) expect(ack.ok, JSON.stringify(ack)).toBe(true);

      const seq = await head();
      expect(seq).toBeGreaterThan(10);
      await until(`every client at seq ${seq}`, async () => (await Promise.all(clients.map((c) => c.sync()))).every((x) => x === seq), 15_000);
      const mine = [...mods, modN];
      await until('the moderator views on every process to agree', () => mine.every((m) => withoutPresence(m.view) === withoutPresence(mods[0].view)), 10_000);
      for (const m of mine) {
        expect(m.view.signin.suppliers.map((s: any) => s.signedIn)).toEqual([true, true, true, true]);
        expect(m.view.signin.members.every((x: any) => x.signedIn)).toBe(true);
        expect(m.view.screen.scene).toBe('signin');
      }
      // Presence crosses processes: the console on process 0 sees people connected to 1, 2 and nginx's pick.
      const everyone = Object.keys(tokens);
      await until('every person shown online on every console', () => mine.every((m) => everyone.every((id) => m.view.presence?.[id]?.connected === true)), 15_000, 100);
      // Each process diffs against its own sockets' versions: no patch crosses processes.
      for (const c of clients) expect(c.baseMismatches, c.name).toBe(0);
      expect(verifyChain(sessionId, await store.read(sessionId))).toBeNull();
    }));

  it('a process killed mid-session loses nothing acknowledged, and its clients resume on another', () =>
    withLogs(async () => {
      expect(sessionId, 'the first test created the session').not.toBe('');
      const owner = await cluster.ownerOf(sessionId);
      const connectsBefore = modN.connects;
      const scenes = ['welcome', 'blank', 'signin'] as const; // those the sign-in stage allows (server/projector/scenes.ts)
      const acked: { id: string; scene: string }[] = [];
      let killed: Promise<void> | null = null;
      // A burst of commands through nginx; the session's process dies after the 8th is acknowledged.
      for (let i = 0; i < 24; i++) {
        const scene = scenes[i % scenes.length];
        const { id, ack } = await modN.send('screen:scene', { scene });
        expect(ack.ok, JSON.stringify(ack)).toBe(true);
        acked.push({ id, scene });
        if (i === 7) killed = cluster.kill(owner);
      }
      await killed;
      expect(owner.alive).toBe(false);
      expect(modN.connects, 'the nginx client reconnected').toBeGreaterThan(connectsBefore);

      // Nothing acknowledged is lost, nothing is doubled.
      const events = await store.read(sessionId);
      expect(verifyChain(sessionId, events)).toBeNull();
      for (const a of acked) {
        expect(await store.findCommand(sessionId, a.id), a.id).not.toBeNull();
        expect(events.filter((e) => e.commandId === a.id)).toHaveLength(1);
      }
      const last = acked[acked.length - 1].scene;

      // Survivors: the clients through nginx (now on another process) and those straight to the live processes.
      const newOwner = await cluster.ownerOf(sessionId);
      expect(newOwner).not.toBe(owner);
      const survivors = [...viaNginx, ...direct.filter((d) => d.node !== owner).map((d) => d.client)];
      const seq = events.length;
      await until(`every surviving client at seq ${seq}`, async () => (await Promise.all(survivors.map((c) => c.sync()))).every((x) => x === seq), 15_000);
      const liveMods = [modN, ...mods.filter((m) => direct.find((d) => d.client === m)!.node !== owner)];
      for (const m of liveMods) expect(m.view.screen.scene).toBe(last);
      await until('the surviving consoles to agree', () => liveMods.every((m) => withoutPresence(m.view) === withoutPresence(liveMods[0].view)), 10_000);
      for (const c of survivors) expect(c.socket.connected, c.name).toBe(true);

      // The room carries on: a supplier behind nginx acts after the takeover, and everyone sees it.
      const s4 = viaNginx.find((c) => c.name === 'S4@nginx')!;
      const { ack } = await s4.send('supplier:withdraw', { reason: '集群接管后的退出测试 / withdrawal after takeover' });
      expect(ack.ok, JSON.stringify(ack)).toBe(true);
      const after = await head();
      await until(`every surviving client at seq ${after}`, async () => (await Promise.all(survivors.map((c) => c.sync()))).every((x) => x === after), 15_000);
      for (const c of survivors) expect(c.baseMismatches, c.name).toBe(0);
    }));
});
