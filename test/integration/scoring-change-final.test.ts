import { describe, it, expect, afterAll } from 'vitest';
import { startServer, type TestServer } from '../helpers/server';
import { openRoom, driveTo, type Room } from '../helpers/room';
import { signAll } from '../helpers/steps/report';

// A post-lock change (scoring:change_propose, 000 说明7; 003 §2.7) is possible while the report is
// being signed, never once it is final: the signed record would then contradict the results, so the
// panel must reopen the report first (report:reopen).

let srv: TestServer;
let room: Room;
afterAll(async () => {
  room?.closeAll();
  await srv?.close(true);
});

describe('scoring:change_propose and the final report', () => {
  it('is refused with a bilingual wrong_stage once the report is final, and nothing is appended', async () => {
    srv = await startServer();
    room = await openRoom(srv);
    await driveTo(room, 'signing');
    const log = await srv.store.read(room.sessionId);
    const sub = log.find((e) => e.type === 'score:submitted' && (e.payload as any).memberId === 'M1')!.payload as any;
    const factorId = Object.keys(sub.entries)[0];
    const old = sub.entries[factorId];
    // Before the report is final the command reaches the change rules (same value → validation).
    const same = await room.act('M1', 'scoring:change_propose', { supplierId: sub.supplierId, factorId, value: old.value, ground: 'summing_error', reason: '分值汇总计算错误，需更正' });
    expect(same.ok).toBe(false);
    expect(same.error.code).toBe('validation');
    await signAll(room);
    const before = (await srv.store.read(room.sessionId)).length;
    const ack = await room.act('M1', 'scoring:change_propose', { supplierId: sub.supplierId, factorId, value: old.value, ground: 'summing_error', reason: '分值汇总计算错误，需更正' });
    expect(ack.ok).toBe(false);
    expect(ack.error.code).toBe('wrong_stage');
    expect(ack.error.message).toMatch(/已签署定稿/);
    // In procurement words: who reopens it, on which clause; never a command name (issue 16).
    expect(ack.error.message).toMatch(/代理机构与评审小组组长依法组织重新评审/);
    expect(ack.error.message).not.toMatch(/report:/);
    expect(ack.error.messageEn).toMatch(/final.*reopen/);
    const after = await srv.store.read(room.sessionId);
    expect(after.length).toBe(before);
    expect(after.some((e) => e.type === 'scoring:change_proposed')).toBe(false);
  }, 120_000);
});
