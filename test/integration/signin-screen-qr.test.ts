import { describe, it, expect, afterAll } from 'vitest';
import { startServer, tokenOf, linkFor, ADMIN, type TestServer } from '../helpers/server';
import { openRoom, stageOf, type Room } from '../helpers/room';
import { signEveryoneIn } from '../helpers/steps/signin';
import { checkinCode } from '../../server/participants/checkin';

// The welcome wall shows the session's check-in QR code while sign-in is possible (issue 12): only the
// screen's own join token fetches it, it carries no person's link, token or check-in code, and it
// comes down once sign-in has closed (nobody may sign in after 签到截止).

let srv: TestServer;
let room: Room;
afterAll(async () => {
  room?.closeAll();
  await srv?.close(true);
});

describe('GET /api/sessions/:id/screen/qr', () => {
  it('serves the session’s check-in code to the screen only, during setup/signin; 403 for others, 409 after sign-in closes', async () => {
    srv = await startServer();
    room = await openRoom(srv);
    const url = `${srv.url}/api/sessions/${room.sessionId}/screen/qr`;
    const get = (id: string | null) => fetch(url, { headers: id ? { authorization: `Bearer ${tokenOf(linkFor(room.links, id))}` } : {} });

    // openRoom leaves the demo session in signin, sign-in still open.
    expect(await stageOf(room)).toBe('signin');
    const res = await get('P1');
    expect(res.status).toBe(200);
    const text = await res.text();
    const body = JSON.parse(text);
    expect(body.ok).toBe(true);
    expect(Object.keys(body.data)).toEqual(['checkin']);
    expect(body.data.checkin.url).toBe(`${srv.url}/join?s=${room.sessionId}`);
    expect(body.data.checkin.qrSvg).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
    // Nothing that lets anyone act as someone else: no token, no check-in code, no admin key.
    for (const l of room.links) {
      expect(text).not.toContain(tokenOf(l));
      expect(text).not.toContain(checkinCode(tokenOf(l)));
      expect(text).not.toContain(checkinCode(tokenOf(l)).replace('-', ''));
    }
    expect(text).not.toContain(ADMIN);
    expect(text).not.toMatch(/#[A-Za-z0-9_-]{20,}/);

    for (const id of ['M1', 'M5', 'S1', 'A1', 'O1']) {
      const r = await get(id);
      expect(r.status, id).toBe(403);
      const b = (await r.json()) as any;
      expect(b.error.code).toBe('forbidden');
      expect(b.error.message).toContain('投影');
      expect(b.error.messageEn).toMatch(/projector/);
    }
    expect((await get(null)).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: 'Bearer not-a-token-at-all-000000' } })).status).toBe(401);

    await signEveryoneIn(room);
    expect(await stageOf(room)).toBe('signin');
    const closed = await get('P1');
    expect(closed.status).toBe(409);
    const cb = (await closed.json()) as any;
    expect(cb.error.code).toBe('wrong_stage');
    expect(cb.error.message).toContain('签到已结束');
  }, 60_000);
});
