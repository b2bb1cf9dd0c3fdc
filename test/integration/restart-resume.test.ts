import { describe, it, expect, afterEach } from 'vitest';
import { rmSync } from 'node:fs';
import { startServer, connect, tokenOf, linkFor, type TestClient, type TestServer } from '../helpers/server';
import { openRoom, attachRoom, type Room } from '../helpers/room';
import { driveToScoring, entryFor, sheetFor } from '../helpers/steps/scoring';
import type { Factor } from '../../shared/domain/rubric/types';
import type { ResumeState } from '../../shared/protocol/view-sync';

// Resume across a restart (issue 15: the restart storm). Channel versions die with the process, but a
// replay rebuilds the same sections, so a reconnecting client says which section digests it holds and
// the server answers each channel with the sections still equal by digest named in `keep` and only the
// others sent (shared/protocol/view-sync.ts, server/realtime/audiences.ts `resumed`). What it must not
// do: keep a section that changed, keep one for a wrong or forged digest, or let a client keep (and so
// confirm) anything its own audiences are not sent.

let srv: TestServer | null = null;
const clients: TestClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  if (srv) await srv.close(true);
  srv = null;
});

const track = (c: TestClient) => (clients.push(c), c);
const withoutPresence = (v: Record<string, unknown>) => Object.fromEntries(Object.entries(v).filter(([k]) => k !== 'presence'));
/** The first snapshot's channels as received (test/helpers/server.ts decodes a channel's bytes into `view`). */
const snapshotOf = (c: TestClient) => (c.frames.find((f) => f.event === 'view:snapshot')!.data as any).channels;
const CANARY = 'CANARY-M2-own-evidence-7f3a';

/** A room at the scoring stage where M2 has a draft of its own (a section only M2's own audience sees). */
async function scoringRoom(): Promise<{ room: Room; factors: Factor[] }> {
  srv = await startServer();
  const room = await driveToScoring(await openRoom(srv));
  const m2 = await room.client('M2');
  await m2.waitFor((v) => !!v.scoringFactors && !!v.scoring?.suppliers);
  const factors = m2.view.scoringFactors as Factor[];
  const counted = factors.find((f) => f.kind === 'count_based' && f.count_rule?.mode !== 'checklist' && f.count_rule?.mode !== 'tiers') ?? factors[0];
  await room.ok('M2', 'score:save', { supplierId: 'S1', factorId: counted.id, ...entryFor(counted), evidence: CANARY });
  return { room, factors };
}

/** Connects each person and waits until its view is at the session's head. */
async function atHead(room: Room, ids: string[]): Promise<Map<string, TestClient>> {
  const out = new Map<string, TestClient>();
  for (const id of ids) out.set(id, track(await connect(srv!.url, tokenOf(linkFor(room.links, id)))));
  const head = (await srv!.store.read(room.sessionId)).length;
  for (const c of out.values()) await c.waitFor(() => c.seq >= head);
  return out;
}

/** Stops the server (keeping its data) and starts a new process's worth of it on the same directory. */
async function restart(room: Room): Promise<Room> {
  room.closeAll();
  for (const c of clients.splice(0)) c.close();
  const dataDir = srv!.dataDir;
  await srv!.close();
  srv = await startServer({ dataDir });
  return attachRoom(srv, room.sessionId, room.links);
}

describe('resume across a restart by section digests', () => {
  it('keeps the unchanged sections, resends a changed one, and ends at the view a fresh connection gets', async () => {
    const { room, factors } = await scoringRoom();
    const before = await atHead(room, ['M1', 'A1', 'S1']);
    const m1 = before.get('M1')!;
    const held = m1.replica.resume()!;
    expect(Object.keys(held.digests!.role!).length).toBeGreaterThan(3);
    // While M1 is away, M2 submits S1: the panel's progress (M1's role audience) changes.
    m1.close();
    await room.ok('M2', 'score:submit', { supplierId: 'S2', entries: sheetFor(factors, () => 0) });
    const changed = JSON.stringify((await room.client('A1')).view.scoring);

    const again = await restart(room);
    const back = track(await connect(srv!.url, tokenOf(linkFor(again.links, 'M1')), { replica: m1.replica }));
    expect(back.replica.resume()!.epoch).not.toBe(held.epoch);
    const ch = snapshotOf(back);
    // The role's channel: the changed scoring sent again, the rest kept by digest (not sent).
    const roleKeys = Object.keys(held.digests!.role!);
    expect(ch.role.keep).toEqual(expect.arrayContaining(roleKeys.filter((k) => k !== 'scoring' && k !== 'presence')));
    expect(ch.role.keep).not.toContain('scoring');
    expect(Object.keys(ch.role.view)).toContain('scoring');
    for (const k of ch.role.keep) expect(ch.role.view).not.toHaveProperty(k);
    // M1's own part did not change: kept whole.
    expect(ch.own.keep).toEqual(expect.arrayContaining(Object.keys(held.digests!.own!)));
    expect(Object.keys(ch.own.view)).toEqual([]);
    expect(changed).not.toBe(JSON.stringify(withoutPresence(m1.view).scoring));

    // The view it ends with is a fresh connection's (the same person, holding nothing).
    const fresh = track(await connect(srv!.url, tokenOf(linkFor(again.links, 'M1'))));
    expect(snapshotOf(fresh).role.keep).toBeUndefined();
    expect(withoutPresence(back.view)).toEqual(withoutPresence(fresh.view));
    expect(back.seq).toBe(fresh.seq);
    // And it keeps following: a later change reaches it as a patch that applies.
    const ack = await again.ok('M2', 'score:submit', { supplierId: 'S3', entries: sheetFor(factors, () => 0) });
    await back.waitFor(() => back.seq >= ack.seq);
    await fresh.waitFor(() => fresh.seq >= ack.seq);
    expect(withoutPresence(back.view)).toEqual(withoutPresence(fresh.view));
  });

  it('a wrong, forged or absent digest gets the section; a digest held from another audience keeps nothing that audience does not see', async () => {
    const { room } = await scoringRoom();
    const before = await atHead(room, ['M1', 'M2', 'S1']);
    const m1 = before.get('M1')!;
    const m2 = before.get('M2')!;
    const heldM1 = m1.replica.resume()!;
    const heldM2 = m2.replica.resume()!;
    const again = await restart(room);

    // M1 says a wrong digest for `session`, none for `stage`, one for a section its role is not sent
    // (the staff's log), and nothing for its own channel.
    const { session: _s, stage: _st, ...rest } = heldM1.digests!.role!;
    const forged: ResumeState = { epoch: heldM1.epoch, versions: heldM1.versions, digests: { role: { ...rest, session: 'A'.repeat(22), log: heldM1.digests!.role!.session } } };
    const back = track(await connect(srv!.url, tokenOf(linkFor(again.links, 'M1')), { replica: m1.replica, resume: forged }));
    const ch = snapshotOf(back);
    expect(ch.role.keep).not.toContain('session');
    expect(ch.role.keep).not.toContain('stage');
    expect(ch.role.keep).not.toContain('log');
    expect(Object.keys(ch.role.view)).toEqual(expect.arrayContaining(['session', 'stage']));
    expect(back.view).not.toHaveProperty('log');
    // No digest for a channel: the whole channel.
    expect(ch.own.keep).toBeUndefined();
    expect(Object.keys(ch.own.view).length).toBeGreaterThan(0);
    const freshM1 = track(await connect(srv!.url, tokenOf(linkFor(again.links, 'M1'))));
    expect(withoutPresence(back.view)).toEqual(withoutPresence(freshM1.view));

    // M1 presents M2's copies and digests (its own audience is M2's, not M1's): M2's own scoring is
    // not kept for M1, and M1 ends with its own view, without M2's draft.
    const asM2 = track(await connect(srv!.url, tokenOf(linkFor(again.links, 'M1')), { replica: m2.replica, resume: heldM2 }));
    expect(snapshotOf(asM2).own.keep ?? []).not.toContain('scoring');
    expect(withoutPresence(asM2.view)).toEqual(withoutPresence(freshM1.view));
    expect(JSON.stringify(asM2.view)).not.toContain(CANARY);
    expect(JSON.stringify(m2.view)).toContain(CANARY);

    // A supplier presents a member's copies and digests: whatever it keeps is a section its own view
    // has with that very content, and it ends with exactly a fresh supplier's view.
    const s1 = track(await connect(srv!.url, tokenOf(linkFor(again.links, 'S1')), { replica: m2.replica, resume: heldM2 }));
    const freshS1 = track(await connect(srv!.url, tokenOf(linkFor(again.links, 'S1'))));
    const kept = [...(snapshotOf(s1).role.keep ?? []), ...(snapshotOf(s1).own.keep ?? [])];
    for (const k of kept) expect(JSON.stringify(s1.view[k])).toBe(JSON.stringify(freshS1.view[k]));
    expect(withoutPresence(s1.view)).toEqual(withoutPresence(freshS1.view));
    expect(Object.keys(s1.view).sort()).toEqual(Object.keys(freshS1.view).sort());
    expect(JSON.stringify(s1.view)).not.toContain(CANARY);
  });
});
