import { describe, it, expect } from 'vitest';
import { startServer, type TestServer } from '../helpers/server';
import { openRoom, type Room } from '../helpers/room';
import { closeAfterEach } from '../helpers/per-test';

// The stage rail shows only the stages the session has (issue 14): seed 003 has no final review
// (终审: its final checklist is empty), a tender (seed 004) has no consultation; the wall and the
// suppliers are not sent the list.

let srv: TestServer | null = null;
let room: Room | null = null;
closeAfterEach(() => [room, srv]);

const TENDER = {
  rubric: 'seed004',
  moderator: { name: '主持' },
  members: [{ name: '甲', role: 'expert', leader: true }, { name: '乙', role: 'expert' }, { name: '丙', role: 'purchaser_rep' }],
  suppliers: [{ name: 'a', org: '甲公司' }, { name: 'b', org: '乙公司' }, { name: 'c', org: '丙公司' }],
};

describe('the stages a session has', () => {
  it('seed 003: no 终审; a tender: no 磋商; only the console and the observer get the list', async () => {
    srv = await startServer();
    room = await openRoom(srv);
    const mod = await room.client('A1');
    expect(mod.view.stage.stages).toEqual(['setup', 'signin', 'opening', 'review', 'consultation', 'final_quote', 'scoring', 'recheck', 'signing', 'archived']);
    expect((await room.client('O1')).view.stage.stages).toEqual(mod.view.stage.stages);
    expect((await room.client('S1')).view.stage.stages).toBeUndefined();
    expect((await room.client('P1')).view.stage.stages).toBeUndefined();
    room.closeAll();

    room = await openRoom(srv, TENDER);
    const tmod = await room.client(room.ids('moderator')[0]);
    expect(tmod.view.stage.stages).toEqual(['setup', 'signin', 'opening', 'review', 'final_quote', 'scoring', 'recheck', 'signing', 'archived']);
  });
});
