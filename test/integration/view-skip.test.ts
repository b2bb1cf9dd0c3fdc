import { describe, it, expect } from 'vitest';
import { startServer, type TestServer } from '../helpers/server';
import { openRoom, type Room } from '../helpers/room';
import { driveToScoring, sheetFor } from '../helpers/steps/scoring';
import { closeAfterEach } from '../helpers/per-test';
import { SessionViewMemo, ViewBuilder } from '../../server/realtime/view-memo';
import { stateVersions } from '../../server/realtime/state-keys';
import { digestCount, digestOf, jsonDigest } from '../../server/realtime/audiences';
import { heldForm } from '../../server/realtime/section-json';
import type { Principal, SessionState } from '../../server/session/types';
import type { Factor } from '../../shared/domain/rubric/types';

// Issue 15: a viewer whose view did not change is neither rebuilt nor diffed, and a member's draft or
// a submission that reveals nobody changes that member's own scoring only (sub-keys of `scoring`,
// server/realtime/state-keys.ts). Built on the live state of a real server in the scoring stage; the
// integration suites also run with PANELROOM_CHECK_VIEWS=1, which compares every audience after every
// flush with a view built from scratch.

let srv: TestServer | null = null;
let room: Room | null = null;
closeAfterEach(() => [room, srv]);

const MEMBERS = ['M1', 'M2', 'M3', 'M4', 'M5'];

async function scoringRoom(): Promise<Room> {
  srv = await startServer();
  room = await driveToScoring(await openRoom(srv));
  return room;
}

/** The very section objects, in the same order, in each channel (an unchanged build makes its maps
 *  again when asked for, view-memo.ts UnchangedBuild). */
function expectSameSections(a: Record<'role' | 'own', Map<string, unknown>>, b: Record<'role' | 'own', Map<string, unknown>>, who: string): void {
  for (const ch of ['role', 'own'] as const) {
    expect([...a[ch].keys()], `${who} ${ch}`).toEqual([...b[ch].keys()]);
    for (const [k, sec] of b[ch]) expect(a[ch].get(k), `${who} ${ch} ${k}`).toBe(sec);
  }
}

describe('views of a flush (issue 15)', () => {
  it("reuses a viewer's whole view while nothing it read changed, and a draft rebuilds only its author's own scoring", async () => {
    const r = await scoringRoom();
    const rt = srv!.app.registry.get(r.sessionId)!;
    const who = (personId: string, role: Principal['role']): Principal => ({ sessionId: r.sessionId, personId, role });
    const m1 = who('M1', 'expert');
    const m2 = who('M2', 'expert');
    const s1 = who('S1', 'supplier');
    const wall = who('P1', 'screen');
    // Every member's tablet is connected first (a device taking its seat is an event of its own).
    for (const m of MEMBERS) await r.client(m);
    const c1 = await r.client('M1');
    const fs: Factor[] = (await c1.waitFor((v) => !!v.scoringFactors)).scoringFactors;
    const memo = new SessionViewMemo();
    const flush = (s: SessionState) => new ViewBuilder(memo, s, {});

    const first = flush(rt.state);
    const b1 = { m1: first.build(m1), m2: first.build(m2), s1: first.build(s1), wall: first.build(wall) };
    expect(Object.values(b1).map((b) => b.unchanged)).toEqual([false, false, false, false]);
    expect(b1.m1.split.own.get('scoring')).toBeDefined();

    // Nothing happened: every viewer's very sections again, nothing rebuilt.
    const again = flush(rt.state);
    for (const [p, b] of [[m1, b1.m1], [m2, b1.m2], [s1, b1.s1], [wall, b1.wall]] as const) {
      const b2 = again.build(p);
      expect(b2.unchanged, p.personId).toBe(true);
      expectSameSections(b2.split, b.split, p.personId);
    }

    // Only who is connected changed: the concern sections are the very same objects, the presence new.
    const arrived = new ViewBuilder(memo, rt.state, { M2: { connected: true, lastSeen: 1 } }).build(m2);
    expect(arrived.unchanged).toBe(false);
    expect(arrived.split.own.get('scoring')).toBe(b1.m2.split.own.get('scoring'));
    expect(arrived.split.role.get('scoringFactors')).toBe(b1.m2.split.role.get('scoringFactors'));
    expect(arrived.split.role.get('presence')).not.toBe(b1.m2.split.role.get('presence'));
    flush(rt.state).build(m2);

    // M1 saves a draft: M1's own scoring sub-key moves, M2's does not.
    const own = (id: string) => stateVersions(rt.state).keys.get(`scoring/own:${id}`) ?? 0;
    const [m1Before, m2Before] = [own('M1'), own('M2')];
    const scoringBefore = stateVersions(rt.state).keys.get('scoring');
    await r.ok('M1', 'score:save', { supplierId: 'S1', factorId: '2', value: { count: 3 } });
    expect(own('M1')).toBeGreaterThan(m1Before);
    expect(own('M2')).toBe(m2Before);

    // A draft is the member's private working state: it touches M1's own sub-key alone, not the
    // scoring slice that the panel's, the console's and the wall's views read.
    expect(stateVersions(rt.state).keys.get('scoring')).toBe(scoringBefore);
    const after = flush(rt.state);
    const a = { m1: after.build(m1), m2: after.build(m2), s1: after.build(s1), wall: after.build(wall) };
    // A supplier reads nothing of the scoring: its view is reused whole. The wall reads only whether
    // the results are released, M2 the panel's common part and its own: their scoring sections are the
    // very ones they had, neither rebuilt nor re-encoded (their views moved only by who is connected,
    // which the check above changed and changed back).
    expect(a.s1.unchanged).toBe(true);
    expectSameSections(a.s1.split, b1.s1.split, 'S1');
    expect(a.wall.split.role.get('scoring')).toBe(b1.wall.split.role.get('scoring'));
    expect(a.m2.split.role.get('scoring')).toBe(b1.m2.split.role.get('scoring'));
    expect(a.m2.split.own.get('scoring')).toBe(b1.m2.split.own.get('scoring'));
    // A second draft with nobody arriving: M2's and the wall's whole views are reused.
    const settled = flush(rt.state);
    const held = { m2: settled.build(m2), wall: settled.build(wall) };
    await r.ok('M1', 'score:save', { supplierId: 'S1', factorId: '2', value: { count: 2 } });
    const next = flush(rt.state);
    for (const k of ['m2', 'wall'] as const) {
      const b = next.build(k === 'm2' ? m2 : wall);
      expect(b.unchanged, k).toBe(true);
      expectSameSections(b.split, held[k].split, k);
    }
    await r.ok('M1', 'score:save', { supplierId: 'S1', factorId: '2', value: { count: 3 } });
    const a1 = flush(rt.state).build(m1);
    expect(a1.unchanged).toBe(false);
    // M1's own part is new and holds the draft.
    expect(a1.split.own.get('scoring')).not.toBe(b1.m1.split.own.get('scoring'));
    expect((a1.split.own.get('scoring')!.value as any).mine.S1.entries['2'].points).toBe('6');

    // Every member submits S1: the last submission reveals it, which changes every member's own part.
    for (const m of MEMBERS.slice(0, 4)) await r.ok(m, 'score:submit', { supplierId: 'S1', entries: sheetFor(fs, () => 0) });
    const beforeReveal = flush(rt.state);
    const m2Held = beforeReveal.build(m2).split.own.get('scoring');
    const m2Version = own('M2');
    await r.ok('M5', 'score:submit', { supplierId: 'S1', entries: sheetFor(fs, () => 0) });
    expect(own('M2')).toBe(m2Version);
    expect(stateVersions(rt.state).keys.get('scoring/own:*')).toBeGreaterThan(0);
    const revealedBuild = flush(rt.state).build(m2);
    const revealed = revealedBuild.split.own.get('scoring')!;
    // The panel's scoring part was rebuilt, but the rubric's factors (about 50 KB) are the same list,
    // encoded once: not built and encoded again with every submission.
    expect(revealedBuild.split.role.get('scoring')).not.toBe(b1.m2.split.role.get('scoring'));
    expect(revealedBuild.split.role.get('scoringFactors')!.value).toBe(b1.m2.split.role.get('scoringFactors')!.value);
    // M2's sheet for S2 (nothing changed in it) is the very object it was: the diff does not walk it.
    expect((revealed.value as any).mine.S2).toBe((m2Held!.value as any).mine.S2);
    expect(revealed).not.toBe(m2Held);
    expect((revealed.value as any).others.S1).toBeDefined();
    expect((m2Held!.value as any).others.S1).toBeUndefined();
  });
});

describe('a cold server (issue 15: the restart storm)', () => {
  it("builds one `people` for a role, not one per person: a member's `me` is its own, a supplier's `people` too", async () => {
    const r = await scoringRoom();
    const rt = srv!.app.registry.get(r.sessionId)!;
    const b = new ViewBuilder(new SessionViewMemo(), rt.state, {});
    const view = (personId: string, role: Principal['role']) => b.build({ sessionId: r.sessionId, personId, role }).split;
    const [m1, m2, s1, s2] = [view('M1', 'expert'), view('M2', 'expert'), view('S1', 'supplier'), view('S2', 'supplier')];
    // The panel's members share one section (one view call, one JSON string, one digest)…
    expect(m1.role.get('people')).toBe(m2.role.get('people'));
    expect(m1.own.has('people')).toBe(false);
    // …and each has its own `me`, in its own audience.
    expect((m1.own.get('me')!.value as { id: string }).id).toBe('M1');
    expect((m2.own.get('me')!.value as { id: string }).id).toBe('M2');
    expect(m1.own.get('me')!.personal).toBe(true);
    // A supplier's list names itself (and the agency) only: its own, never another supplier's.
    const ids = (sp: typeof s1) => (sp.own.get('people')!.value as { id: string }[]).map((p) => p.id);
    expect(s1.role.has('people')).toBe(false);
    expect(ids(s1)).toContain('S1');
    expect(ids(s1)).not.toContain('S2');
    expect(ids(s2)).toContain('S2');
    expect(ids(s2)).not.toContain('S1');
  });
});

describe('memory per room (issue 15)', () => {
  it("the panel's two roles keep one JSON string of each section they see alike", async () => {
    const r = await scoringRoom();
    const rt = srv!.app.registry.get(r.sessionId)!;
    const memo = new SessionViewMemo();
    const b = new ViewBuilder(memo, rt.state, {});
    const expert = b.build({ sessionId: r.sessionId, personId: 'M1', role: 'expert' }).split.role;
    expect(memo.interned).toBe(0);
    const rep = b.build({ sessionId: r.sessionId, personId: 'M5', role: 'purchaser_rep' }).split.role;
    // The review, the quotes and the factors: the same JSON, held once (each section its own value).
    for (const k of ['review', 'scoringFactors']) {
      expect(rep.get(k)!.json).toBe(expert.get(k)!.json);
      expect(rep.get(k)).not.toBe(expert.get(k));
    }
    expect(memo.interned).toBeGreaterThanOrEqual(2);
  });

  it('hashes a JSON string the two roles share once (the digest of resume across a restart)', async () => {
    const r = await scoringRoom();
    const rt = srv!.app.registry.get(r.sessionId)!;
    const b = new ViewBuilder(new SessionViewMemo(), rt.state, {});
    const expert = b.build({ sessionId: r.sessionId, personId: 'M1', role: 'expert' }).split.role;
    const rep = b.build({ sessionId: r.sessionId, personId: 'M5', role: 'purchaser_rep' }).split.role;
    // Asked in either order: the second of two sections holding one string is not hashed again.
    const before = digestCount.computed;
    const d1 = digestOf(rep.get('review')!);
    expect(digestOf(expert.get('review')!)).toBe(d1);
    expect(digestCount.computed - before).toBe(1);
    expect(digestOf(expert.get('scoringFactors')!)).toBe(digestOf(rep.get('scoringFactors')!));
    expect(digestCount.computed - before).toBe(2);
    // And it is the digest of exactly that JSON.
    expect(d1).toBe(jsonDigest(heldForm(rep.get('review')!.json!)));
  });
});

describe('flushing many rooms (issue 15)', () => {
  it('flushes rooms in slices of a tick, and every room still gets its change', async () => {
    srv = await startServer();
    const rooms = [await openRoom(srv), await openRoom(srv), await openRoom(srv)];
    const rt = srv.app.realtime;
    rt.flushSliceMs = 0;
    rt.flushSliceMaxMs = 0;
    // Three sessions due at once: one tick flushes one of them; the others follow in the next ticks.
    const before = rt.flushCpu.flushes;
    for (const r of rooms) rt.markDirty(r.sessionId);
    rt.flush();
    expect(rt.flushCpu.flushes - before).toBe(1);
    for (let i = 0; i < 5; i++) await new Promise((res) => setImmediate(res));
    expect(rt.flushCpu.flushes - before).toBe(3);

    // Every room's wall shows its moderator's scene, each room's ack after its own change.
    for (const r of rooms) await r.client('P1');
    await Promise.all(rooms.map((r) => r.ok('A1', 'screen:scene', { scene: 'signin' })));
    for (const r of rooms) {
      const wall = await r.client('P1');
      await wall.waitFor((v) => v.screen?.scene === 'signin');
      expect(wall.view.screen.scene).toBe('signin');
    }
    for (const r of rooms) r.closeAll();
  });
});
