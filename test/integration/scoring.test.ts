import { DEMO_SESSION } from '../../server/demo/demo-session';
import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, tokenOf, linkFor, type TestServer } from '../helpers/server';
import { openRoom, advance, stageOf, type Room } from '../helpers/room';
import { driveToScoring, sheetFor, submitAll, entryFor } from '../helpers/steps/scoring';
import type { Factor } from '../../shared/domain/rubric/types';
import { closeAfterEach } from '../helpers/per-test';

// Issue 6, scoring concern: the blind first round, R0 at input, the anomaly review (R2 strict
// blocks, R3 answered and determined by the panel), the release of the results, and the evaluation
// file that `npm run evaluate` recomputes to the room's numbers.

let srv: TestServer | null = null;
let room: Room | null = null;
closeAfterEach(() => [room, srv]);

const MEMBERS = ['M1', 'M2', 'M3', 'M4', 'M5'];
const EVERYONE_ELSE = ['A1', 'O1', 'P1', 'S1', 'S2', 'S3', 'S4'];

/** A room in the scoring stage with confirmed final quotes. */
async function scoringRoom(): Promise<Room> {
  srv = await startServer();
  room = await driveToScoring(await openRoom(srv));
  for (const id of [...MEMBERS, ...EVERYONE_ELSE]) await room.client(id);
  return room;
}

async function factors(r: Room): Promise<Factor[]> {
  const c = await r.client('M1');
  await c.waitFor((v) => !!v.scoringFactors);
  return c.view.scoringFactors;
}

/** Every `scoring` section a client was ever sent (snapshots, whole in patches, or path ops inside it), as one string. */
const scoringFrames = (frames: { event: string; data: any }[]): string =>
  JSON.stringify(frames.map((f) => [f.data?.view?.scoring ?? f.data?.set?.scoring ?? f.data?.data?.view?.scoring ?? null, (f.data?.ops ?? []).filter((o: any) => o.p[0] === 'scoring')]));

const logLength = async (r: Room) => (await r.srv.store.read(r.sessionId)).length;

/** Waits until every client has seen the log up to now. */
async function settle(r: Room, ids = [...MEMBERS, ...EVERYONE_ELSE]): Promise<void> {
  const n = await logLength(r);
  for (const id of ids) {
    const c = await r.client(id);
    await c.waitFor(() => c.seq >= n);
  }
}

describe('independent scoring (blind first round)', () => {
  it("never lets member A's scores reach member B, the moderator, the observer, the wall or a supplier before B submits", async () => {
    const r = await scoringRoom();
    const fs = await factors(r);
    const CANARY = 'CANARY-M1-漏计第37页合同-7f3a';
    // M1 saves a draft with a canary in the evidence, then submits S1 with distinctive values.
    await r.ok('M1', 'score:save', { supplierId: 'S1', factorId: '2', value: { count: 3 }, evidence: CANARY });
    const m1 = await r.client('M1');
    await m1.waitFor((v) => v.scoring.mine.S1.entries['2']?.evidence === CANARY);
    expect(m1.view.scoring.mine.S1.entries['2'].points).toBe('6');
    await r.ok('M1', 'score:submit', { supplierId: 'S1', entries: { ...sheetFor(fs, () => 3), '2': { value: { count: 3 }, evidence: CANARY } } });
    // M3, M4, M5 submit S1 too; M2 has not.
    for (const m of ['M3', 'M4', 'M5']) await r.ok(m, 'score:submit', { supplierId: 'S1', entries: sheetFor(fs, () => 0) });
    await settle(r);

    const m2 = await r.client('M2');
    expect(m2.view.scoring.others.S1).toBeUndefined();
    expect(Object.keys(m2.view.scoring.mine.S1.entries)).toHaveLength(0);
    const mod = await r.client('A1');
    expect(mod.view.scoring.progress.find((p: any) => p.supplierId === 'S1')).toMatchObject({ submitted: 4, of: 5 });
    expect(mod.view.scoring.results).toBeNull();
    for (const id of ['M2', ...EVERYONE_ELSE]) {
      const frames = JSON.stringify((await r.client(id)).frames);
      expect(frames, id).not.toContain(CANARY);
      // No entry or points of anyone else travels to them at all.
      if (id !== 'M2') expect(scoringFrames((await r.client(id)).frames), id).not.toMatch(/"entries"|"points"|"memberTotals"|"others"/);
    }
    for (const s of ['S1', 'S2', 'S3', 'S4']) expect((await r.client(s)).view.scoring, s).toBeUndefined();
    // Submitted entries are locked.
    const locked = await r.act('M1', 'score:save', { supplierId: 'S1', factorId: '3', value: '10' });
    expect(locked.ok).toBe(false);
    expect(locked.error.code).toBe('conflict');

    // Once M2 submits, it sees the others' values for S1, anonymous and sorted — never the evidence.
    await r.ok('M2', 'score:submit', { supplierId: 'S1', entries: sheetFor(fs, () => 0) });
    await m2.waitFor((v) => !!v.scoring.others.S1);
    expect(m2.view.scoring.others.S1['2']).toEqual(['6', '10', '10', '10']);
    expect(JSON.stringify(m2.frames)).not.toContain(CANARY);
    // Other suppliers stay blind.
    expect(m2.view.scoring.others.S2).toBeUndefined();
    // The moderator still sees counts only until every supplier is submitted by everyone.
    await settle(r, ['A1']);
    expect(scoringFrames(mod.frames)).not.toMatch(/"entries"|"points"|"memberTotals"|"others"/);
  });

  it('refuses an R0 entry with the allowed list and appends nothing', async () => {
    const r = await scoringRoom();
    const fs = await factors(r);
    const before = await logLength(r);
    // Factor 7 allows only 12/8/5/2/0 (003 Ch3 L774); 10 is outside the scoring standard.
    const ack = await r.act('M1', 'score:save', { supplierId: 'S1', factorId: '7', value: '10' });
    expect(ack.ok).toBe(false);
    expect(ack.error.code).toBe('validation');
    expect(ack.error.field).toBe('value');
    expect(ack.error.message).toContain('分项评分超出评分标准范围');
    expect(ack.error.message).toContain('12/8/5/2/0');
    expect(ack.error.messageEn).toContain('12/8/5/2/0');
    const sub = await r.act('M1', 'score:submit', { supplierId: 'S1', entries: { ...sheetFor(fs, () => 0), '7': { value: '10' } } });
    expect(sub.ok).toBe(false);
    expect(sub.error.field).toBe('entries.7');
    expect(sub.error.message).toContain('12/8/5/2/0');
    // A count for a yes/no factor, a half point on a whole-point level: refused too.
    expect((await r.act('M1', 'score:save', { supplierId: 'S1', factorId: '4', value: { count: 2 } })).ok).toBe(false);
    expect((await r.act('M1', 'score:save', { supplierId: 'S1', factorId: '3', value: '6.5' })).ok).toBe(false);
    // An incomplete sheet is refused, naming what is missing.
    const partial = await r.act('M1', 'score:submit', { supplierId: 'S1', entries: { '3': { value: '10' } } });
    expect(partial.ok).toBe(false);
    expect(partial.error.message).toMatch(/尚有 12 项未评分/);
    expect(await logLength(r)).toBe(before);
    // Only members score; the moderator is refused by the authorization table.
    expect((await r.act('A1', 'score:save', { supplierId: 'S1', factorId: '3', value: '10' })).error.code).toBe('forbidden');
    // The valid count shows its points.
    const ok = await r.ok('M1', 'score:save', { supplierId: 'S1', factorId: '2', value: { count: 7 } });
    expect(ok.data.points).toBe('10');
    void entryFor;
  });
});

describe('the anomaly review', () => {
  it('a strict R2 disagreement blocks the results until the values agree', async () => {
    const r = await scoringRoom();
    const fs = await factors(r);
    // M4 counts 4 contracts for S2 where everyone else counts 5 (docs/anomaly.md Ex. 1).
    await submitAll(r, (m, sid, i, f) => ({ ...sheetFor(f, (x) => (x.id === '3' ? i : 0)), ...(m === 'M4' && sid === 'S2' ? { '2': { value: { count: 4 }, evidence: '4 份' } } : {}) }));
    await advance(r); // leaving scoring needs only every sheet submitted
    expect(await stageOf(r)).toBe('recheck');
    const mod = await r.client('A1');
    await mod.waitFor((v) => v.scoring?.allSubmitted);
    const r2 = mod.view.scoring.flags.find((f: any) => f.rule === 'R2');
    expect(r2).toMatchObject({ severity: 'block', member: 'M4', supplier: 'S2', factor: '2', blocking: true, mayKeep: false });
    // Members are named "专家 n" in flag messages, never by name or id (docs/rules.md §1.8).
    expect(r2.message.zh).toMatch(/专家 \d/);
    const m4 = await r.client('M4');
    await m4.waitFor((v) => v.scoring?.flags?.length > 0);
    for (const f of [...mod.view.scoring.flags, ...m4.view.scoring.flags]) {
      expect(f.message.zh).not.toMatch(/\bM\d\b/);
      expect(f.message.en).not.toMatch(/\bM\d\b/);
      for (const p of DEMO_SESSION.members) expect(f.message.zh).not.toContain(p.name);
    }
    // The flag is named by what it checks, never by its rule's code (issue 13).
    expect(mod.view.scoring.pending.zh).toContain('「客观评审因素评分不一致」须先解决');
    expect(mod.view.scoring.pending.zh).not.toMatch(/R\d/);
    const release = await r.act('A1', 'results:release', {});
    expect(release.ok).toBe(false);
    expect(release.error.message).toContain('客观评审因素评分不一致');
    expect(release.error.messageEn).toContain('Objective factor scored differently');
    expect(mod.view.stage.next.blockedBy.zh).toContain('客观评审因素评分不一致');
    expect(mod.view.stage.next.blockedBy.zh).not.toMatch(/R\d/);
    // Keeping an objective inconsistency is not allowed; only another member's answer is refused too.
    expect((await r.act('M4', 'anomaly:keep', { flagKey: r2.key, reason: '我认为只有四份合同符合时间要求。' })).ok).toBe(false);
    expect((await r.act('M3', 'score:revise', { supplierId: 'S2', factorId: '2', value: { count: 4 }, reason: '试图修改' })).ok).toBe(false);
    // M4 re-checks the documents and corrects, with its reason.
    await r.ok('M4', 'score:revise', { supplierId: 'S2', factorId: '2', value: { count: 5 }, reason: '漏计第37页合同', flagKey: r2.key });
    await mod.waitFor((v) => !v.scoring.flags.some((f: any) => f.rule === 'R2'));
    expect(mod.view.scoring.pending).toBeNull();
    expect(mod.view.scoring.revisions[0]).toMatchObject({ memberId: 'M4', supplierId: 'S2', factorId: '2', reason: '漏计第37页合同', old: { points: '8' }, new: { points: '10' } });
    // The log names the supplier and the factor as people do (issue 17), not by their ids.
    expect(mod.view.scoring.revisions[0].supplierLabel).toBe(DEMO_SESSION.suppliers[1].org);
    expect(mod.view.scoring.revisions[0].factorName.zh).toMatch(/[\u4e00-\u9fff]/);
    await r.ok('A1', 'results:release', {});
  });

  it('an R3 flag is kept with a reason and determined by a unanimous panel vote, all recorded', async () => {
    const r = await scoringRoom();
    // M5 gives S2 2 points on factor 7 (12/8/5/2/0) where the others give 12: three grades apart.
    await submitAll(r, (m, sid, i, f) => ({ ...sheetFor(f, (x) => (x.id === '3' ? i : 0)), ...(m === 'M5' && sid === 'S2' ? { '7': { value: '2' } } : {}) }));
    await advance(r);
    const m5 = await r.client('M5');
    await m5.waitFor((v) => v.scoring?.allSubmitted && v.scoring.flags.length > 0);
    const flag = m5.view.scoring.flags.find((f: any) => f.rule === 'R3');
    expect(flag).toMatchObject({ member: 'M5', mine: true, supplier: 'S2', factor: '7', severity: 'review', needsResponse: true, mayKeep: true, needsDetermination: true });
    // The dot plot's data: its own value and the others', anonymous.
    expect(flag.inputs.x).toBe('2');
    expect(flag.inputs.others).toEqual(['12', '12', '12', '12']);
    expect(flag.message.zh).toContain('评分偏离提示');
    // Addressed to M5 on M5's tablet; in the third person for another member and the console (issue 17).
    expect(flag.message.zh).toContain('（待复核）：您对供应商');
    const m1 = await r.client('M1');
    await m1.waitFor((v) => v.scoring?.flags?.some((f: any) => f.key === flag.key));
    const seen = [m1.view.scoring.flags.find((f: any) => f.key === flag.key), (await r.client('A1')).view.scoring.flags.find((f: any) => f.key === flag.key)];
    for (const f of seen) {
      expect(f.mine).toBe(false);
      expect(f.message.zh).toContain(`${f.memberLabel} 对供应商`);
      expect(f.message.zh).not.toContain('您');
      expect(f.message.en).not.toMatch(/\byou(r)?\b/i);
    }
    // Voting before the member has answered is refused; so is a keep with a short reason.
    expect((await r.act('M1', 'anomaly:vote', { flagKey: flag.key, verdict: 'not_abnormal', reason: '合理' })).ok).toBe(false);
    const short = await r.act('M5', 'anomaly:keep', { flagKey: flag.key, reason: '理由太短' });
    expect(short.ok).toBe(false);
    expect(short.error.field).toBe('reason');
    expect(short.error.message).toMatch(/15/);
    const reason = '该方案的监测点位与频次明显不满足招标要求，仅得2分';
    await r.ok('M5', 'anomaly:keep', { flagKey: flag.key, reason, category: '专业判断' });
    // Not yet decided: results blocked.
    expect((await r.act('A1', 'results:release', {})).ok).toBe(false);
    for (const m of MEMBERS) await r.ok(m, 'anomaly:vote', { flagKey: flag.key, verdict: m === 'M1' ? 'abnormal' : 'not_abnormal', reason: `${m} 的认定理由` });
    // A second vote by the same member is refused.
    expect((await r.act('M2', 'anomaly:vote', { flagKey: flag.key, verdict: 'abnormal', reason: '改变主意' })).ok).toBe(false);
    const mod = await r.client('A1');
    await mod.waitFor((v) => v.scoring.flags.find((f: any) => f.key === flag.key)?.determination);
    const done = mod.view.scoring.flags.find((f: any) => f.key === flag.key);
    // Unanimity is needed to determine 畸高畸低: one vote for 认定 is not enough.
    expect(done.determination.result).toBe('not_abnormal');
    expect(done.determination.rule).toBe('unanimous');
    expect(done.determination.votes).toHaveLength(5);
    expect(done.response).toMatchObject({ kind: 'keep', reason, category: '专业判断', old: '2' });
    expect(done.disposed).toBe(true);
    // Dealt with: no longer 「待复核」 for anyone.
    expect(done.message.zh).not.toContain('待复核');
    expect(done.message.en).not.toContain('to review');
    // Everything is in the log, in order, with the old value and the votes.
    const log = await r.srv.store.read(r.sessionId);
    const types = log.map((e) => e.type);
    expect(types).toContain('anomaly:kept');
    expect(types.filter((t) => t === 'anomaly:voted')).toHaveLength(5);
    expect(log.find((e) => e.type === 'anomaly:determined')!.payload).toMatchObject({ flagKey: flag.key, result: 'not_abnormal', rule: 'unanimous' });
    await r.ok('A1', 'results:release', {});
  });

  it('a score the panel determines abnormal must be corrected before the results', async () => {
    const r = await scoringRoom();
    await submitAll(r, (m, sid, i, f) => ({ ...sheetFor(f, (x) => (x.id === '3' ? i : 0)), ...(m === 'M5' && sid === 'S2' ? { '7': { value: '2' } } : {}) }));
    await advance(r);
    const m5 = await r.client('M5');
    await m5.waitFor((v) => v.scoring?.flags?.some((f: any) => f.rule === 'R3'));
    const flag = m5.view.scoring.flags.find((f: any) => f.rule === 'R3');
    await r.ok('M5', 'anomaly:keep', { flagKey: flag.key, reason: '该方案的监测点位与频次明显不满足要求' });
    for (const m of MEMBERS) await r.ok(m, 'anomaly:vote', { flagKey: flag.key, verdict: 'abnormal', reason: '明显偏离评分标准' });
    const mod = await r.client('A1');
    await mod.waitFor((v) => v.scoring.flags.find((f: any) => f.key === flag.key)?.awaitingCorrection);
    expect(mod.view.scoring.pending.zh).toMatch(/须修改/);
    expect((await r.act('A1', 'results:release', {})).ok).toBe(false);
    await r.ok('M5', 'score:revise', { supplierId: 'S2', factorId: '7', value: '12', reason: '经评审小组认定，按评分标准改为12分', flagKey: flag.key });
    await mod.waitFor((v) => v.scoring.pending === null);
    await r.ok('A1', 'results:release', {});
  });
});

describe('the results', () => {
  it('reach the wall only when the moderator releases them; the summary then locks', async () => {
    const r = await scoringRoom();
    await submitAll(r);
    await advance(r);
    // The wall cannot be switched to the results before they are released (docs/views.md).
    const early = await r.act('A1', 'screen:scene', { scene: 'results' });
    expect(early.error).toMatchObject({ code: 'wrong_stage' });
    expect(early.error.message).toContain('评审结果尚未发布');
    await settle(r);
    const wall = await r.client('P1');
    expect(wall.view.scoring).toEqual({ released: false, results: null });
    expect(JSON.stringify(wall.frames)).not.toMatch(/finalScore|memberTotals/);
    // Not released: the stage cannot be left.
    const mod = await r.client('A1');
    expect(mod.view.stage.next.blockedBy.zh).toMatch(/尚未公布/);
    await r.ok('A1', 'results:release', {});
    await r.ok('A1', 'screen:scene', { scene: 'results' });
    await wall.waitFor((v) => v.scoring?.released && v.screen.scene === 'results');
    const rows = wall.view.scoring.results.rows;
    expect(rows.map((x: any) => x.rank)).toEqual([1, 2, 3, 4]);
    expect(rows[0].finalScore).toBe(mod.view.scoring.results.rows[0].finalScore);
    // The wall never gets members' totals.
    expect(rows.every((x: any) => x.memberTotals === null)).toBe(true);
    for (const s of ['S1', 'S2']) expect(JSON.stringify((await r.client(s)).frames)).not.toMatch(/finalScore/);
    // Entering signing locks the summary: a revision is now refused; a change needs a legal ground
    // and a panel majority, and is recorded.
    await advance(r);
    await mod.waitFor((v) => !!v.scoring.locked);
    const rev = await r.act('M1', 'score:revise', { supplierId: 'S1', factorId: '3', value: '7', reason: '想改' });
    expect(rev.ok).toBe(false);
    expect(rev.error.code).toBe('wrong_stage');
    const prop = await r.ok('M1', 'scoring:change_propose', { supplierId: 'S4', factorId: '7', value: '8', ground: 'abnormal_score', reason: '经评审小组认定原评分畸低' });
    const changeId = prop.data.changeId;
    for (const m of ['M1', 'M2', 'M3']) await r.ok(m, 'scoring:change_vote', { changeId, approve: true, reason: '同意' });
    await mod.waitFor((v) => v.scoring.changes[0]?.status === 'applied');
    expect(mod.view.scoring.revisions.at(-1)).toMatchObject({ memberId: 'M1', supplierId: 'S4', factorId: '7', ground: 'abnormal_score', new: { points: '8' } });
  });

  it('exports the evaluation file, and `npm run evaluate` on it prints exactly the room’s numbers', async () => {
    const r = await scoringRoom();
    await submitAll(r, (m, sid, i, f) => ({ ...sheetFor(f, (x) => (x.id === '3' ? i : x.id === '7' && m === 'M3' ? 1 : 0)) }));
    await advance(r);
    const mod = await r.client('A1');
    await mod.waitFor((v) => v.scoring?.exportable);
    const url = `${r.srv.url}/api/sessions/${r.sessionId}/evaluation-file`;
    // Only the agency key or the moderator's own token.
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: `Bearer ${tokenOf(linkFor(r.links, 'M1'))}` } })).status).toBe(401);
    const res = await fetch(url, { headers: { authorization: `Bearer ${tokenOf(linkFor(r.links, 'A1'))}` } });
    expect(res.status).toBe(200);
    const file = (await res.json()) as any;
    expect(Object.keys(file).sort()).toEqual(['members', 'panelVoteOrder', 'rubric', 'scores', 'settings', 'suppliers']);
    expect(typeof file.rubric).toBe('object');
    expect(file.members).toHaveLength(5);
    expect(file.scores.M1.S1['2']).toEqual({ count: 5 });
    const dir = mkdtempSync(join(tmpdir(), 'evalfile-'));
    const path = join(dir, 'session.json');
    writeFileSync(path, JSON.stringify(file));
    const out = JSON.parse(execFileSync('node_modules/.bin/tsx', ['shared/rules/cli/evaluate-cli.ts', path], { encoding: 'utf8' }));
    const room = mod.view.scoring.results;
    expect(out.suppliers.map((x: any) => x.id)).toEqual(room.rows.map((x: any) => x.id));
    for (const [i, x] of out.suppliers.entries()) {
      const y = room.rows[i];
      for (const k of ['rank', 'candidate', 'tieUnresolved', 'finalQuote', 'evaluatedPrice', 'priceScore', 'finalScore', 'memberTotals', 'groupScores', 'status']) expect(y[k], `${x.id}.${k}`).toEqual(x[k]);
    }
    expect(room.recheckFocus).toEqual(out.recheckFocus);
    expect(room.outcome).toEqual(out.outcome);
    const roomFlags = mod.view.scoring.flags.map((f: any) => `${f.rule}|${f.member}|${f.supplier}|${f.factor}`).sort();
    const cliFlags = [...new Set(out.flags.map((f: any) => `${f.rule}|${f.member}|${f.supplier}|${f.factor}`))].sort();
    expect(roomFlags).toEqual(cliFlags);
    expect(room.rows[0].finalQuote).toMatch(/^\d+\.\d\d$/);
  });
});
