import { describe, it, expect } from 'vitest';
import { startServer, type TestServer } from '../helpers/server';
import { openRoom, driveTo, type Room } from '../helpers/room';
import { DEMO_SESSION } from '../../server/demo/demo-session';
import { closeAfterEach } from '../helpers/per-test';

// Projector scenes (docs/views.md "Projector screen": "Nothing confidential can be sent to the wall:
// the scene list offers only what the stage allows"): the server refuses the others, saying why.

let srv: TestServer | null = null;
let room: Room | null = null;
closeAfterEach(() => [room, srv]);

const settle = async (r: Room, ids: string[]) => {
  const seq = (await r.srv.store.read(r.sessionId)).length;
  for (const id of ids) {
    const c = await r.client(id);
    await c.waitFor(() => c.seq >= seq);
  }
};

describe('projector scenes', () => {
  it('offers and accepts only the scenes the stage allows, with a bilingual reason for the others', async () => {
    srv = await startServer();
    room = await openRoom(srv);
    const r = room;
    const mod = await r.client('A1');
    const wall = await r.client('P1');
    await settle(r, ['A1', 'P1']);
    expect(mod.view.screen.allowed).toEqual(['welcome', 'blank', 'signin']);
    // The wall and everyone else learn only the scene, not the console's list.
    expect(wall.view.screen).toEqual({ scene: 'welcome' });

    for (const [scene, zh, en] of [
      ['results', '评审结果尚未发布', 'results have not been released'],
      ['reveal', '最后报价截止前', 'before the window has closed'],
      ['round', '磋商阶段', 'consultation'],
      ['signing', '签署阶段', 'signing'],
      ['quotes', '最后报价尚未开始', 'not opened'],
      ['change', '尚未发布', 'no substantive change'],
    ] as const) {
      const ack = await r.act('A1', 'screen:scene', { scene });
      expect(ack.ok, scene).toBe(false);
      expect(ack.error.code).toBe('wrong_stage');
      expect(ack.error.message).toContain(zh);
      expect(ack.error.messageEn).toContain(en);
    }
    expect((await srv.store.read(r.sessionId)).some((e) => e.type === 'screen:scene_changed')).toBe(false);
    await r.ok('A1', 'screen:scene', { scene: 'signin' });

    await driveTo(r, 'consultation');
    await settle(r, ['A1', 'P1']);
    expect(mod.view.screen.allowed).toContain('round');
    expect(mod.view.screen.allowed).not.toContain('results');
    // The sign-in board chosen earlier is no longer allowed: the wall falls back to the welcome scene.
    expect(wall.view.screen.scene).toBe('welcome');
    await r.ok('A1', 'screen:scene', { scene: 'round' });
    await settle(r, ['P1']);
    expect(wall.view.screen.scene).toBe('round');

    await driveTo(r, 'final_quote');
    await settle(r, ['A1', 'P1']);
    expect(wall.view.screen.scene).toBe('welcome');
    expect(mod.view.screen.allowed).not.toContain('round');
    expect(mod.view.screen.allowed).not.toContain('reveal');
    expect((await r.act('A1', 'screen:scene', { scene: 'reveal' })).error.code).toBe('wrong_stage');
    // Every frame the wall received named only scenes allowed when it was sent.
    const scenes = wall.frames.flatMap((f: any) => [f.data?.view?.screen?.scene, f.data?.set?.screen?.scene]).filter(Boolean);
    expect(new Set(scenes)).toEqual(new Set(['welcome', 'signin', 'round']));
  });

  // Issue 12 item 4 (docs/projector.md; server/projector/in-room.ts wallMayName): while one supplier
  // sits in the room, the wall receives no other supplier's name, not even in a section its scene
  // does not show (the quotes concern's list of who has submitted).
  it('sends the wall no other supplier’s name while one sits', async () => {
    srv = await startServer();
    room = await openRoom(srv);
    const r = room;
    const wall = await r.client('P1');
    await driveTo(r, 'consultation');
    await r.ok('A1', 'screen:scene', { scene: 'round' });
    await settle(r, ['P1']);
    // Before anyone sits, the wall may know every supplier (the quotes section lists them all).
    expect(wall.view.quotes.submitted.map((x: any) => x.supplierId)).toEqual(['S1', 'S2', 'S3', 'S4']);
    const from = wall.frames.length;
    const started = await r.ok('A1', 'round:start', { seconds: 600 });
    expect(started.data.supplierId).toBe('S1');
    await settle(r, ['A1', 'P1']);
    expect(wall.view.quotes.submitted.map((x: any) => x.supplierId)).toEqual(['S1']);
    const others = DEMO_SESSION.suppliers.slice(1).flatMap((x) => [x.name, x.org]);
    const seen = JSON.stringify(wall.view) + JSON.stringify(wall.frames.slice(from));
    expect(wall.frames.length).toBeGreaterThan(from);
    expect(seen).toContain(DEMO_SESSION.suppliers[0].org);
    for (const name of others) expect(seen, name).not.toContain(name);
    // Once the sitting ends, the wall may list them again.
    await r.ok('A1', 'round:end', {});
    await settle(r, ['A1', 'P1']);
    expect(wall.view.quotes.submitted.map((x: any) => x.supplierId)).toEqual(['S1', 'S2', 'S3', 'S4']);
  });
});
