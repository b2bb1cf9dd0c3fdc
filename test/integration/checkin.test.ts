import { describe, it, expect } from 'vitest';
import { startServer, connect, tokenOf, linkFor, ADMIN, type TestServer } from '../helpers/server';
import { CHECKIN_LIMITS, CODE_ALPHABET, CheckinLimiter, checkinCode, normaliseCode } from '../../server/participants/checkin';
import { closeAfterEach } from '../helpers/per-test';

// Check-in by code (issue 12 item 1, docs/joining.md): every join card carries an 8-character code;
// on the session's check-in page (/join?s=<session>, the wall's QR code) the person types it and gets
// their own join link. Wrong codes lock out per address; a reissued card's old code stops working.

let srv: TestServer | null = null;
closeAfterEach(() => [srv]);

const admin = { authorization: `Bearer ${ADMIN}` };
const post = (body: unknown) => fetch(`${srv!.url}/api/checkin`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('check-in codes', () => {
  it('are 8 characters from an alphabet without look-alikes, one per card, and differ between people', async () => {
    let now = 1_800_000_000_000;
    srv = await startServer({ clock: () => now });
    const { sessionId, links } = await srv.createSession();
    const cards = (await (await fetch(`${srv.url}/api/sessions/${sessionId}/cards`, { headers: admin })).json()) as any;
    expect(cards.ok).toBe(true);
    const codes = cards.data.cards.map((c: any) => c.code);
    expect(codes).toHaveLength(links.length);
    for (const c of codes) {
      expect(c).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}$/);
      for (const ch of c.replace('-', '')) expect(CODE_ALPHABET).toContain(ch);
      expect(c).not.toMatch(/[01ILOUV]/);
    }
    expect(new Set(codes).size).toBe(codes.length);
    // The wall's poster is the session's check-in page: no person's link in it.
    expect(cards.data.checkin.url).toBe(`${srv.url}/join?s=${sessionId}`);
    expect(normaliseCode(' k7px m3qd ')).toBe('K7PXM3QD');
    expect(normaliseCode('K7PX-M3Q0')).toBeNull();
  });

  it('exchange the code typed at the door for the person’s own join link, and lock out guessing', async () => {
    let now = 1_800_000_000_000;
    srv = await startServer({ clock: () => now });
    const { sessionId, links } = await srv.createSession();
    const s2 = linkFor(links, 'S2');
    const code = checkinCode(tokenOf(s2));

    // The page's heading: the project, nothing about anyone.
    const head = (await (await fetch(`${srv.url}/api/checkin/${sessionId}`)).json()) as any;
    expect(Object.keys(head.data).sort()).toEqual(['name', 'projectNumber']);

    // Typed loosely (lower case, a space instead of the hyphen): it still matches.
    const ok = await post({ session: sessionId, code: code.toLowerCase().replace('-', ' ') });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('cache-control')).toBe('no-store');
    const okBody = (await ok.json()) as any;
    expect(okBody.data.url).toBe(s2.url);
    // The link it gives opens that person's seat.
    const c = await connect(srv.url, okBody.data.url.split('#')[1]);
    expect(c.view.me.id).toBe('S2');
    c.close();

    // Wrong codes: a clear error each time, then the address is locked out, even for a right code.
    for (let i = 0; i < CHECKIN_LIMITS.perAddress; i++) {
      const r = await post({ session: sessionId, code: i % 2 ? 'AAAA-AAAA' : 'not a code' });
      expect(r.status).toBe(400);
      const b = (await r.json()) as any;
      expect(b.error).toMatchObject({ code: 'validation', field: 'code' });
      expect(b.error.message).toContain('入场码不正确');
      expect(b.error.messageEn).toMatch(/code/);
    }
    const locked = await post({ session: sessionId, code });
    expect(locked.status).toBe(429);
    const lb = (await locked.json()) as any;
    expect(lb.error.code).toBe('rate_limited');
    expect(lb.error.message).toContain('入场卡上的二维码');
    expect(JSON.stringify(lb)).not.toContain(tokenOf(s2));
    // The lock lifts after its time.
    now += CHECKIN_LIMITS.lockMs + 1;
    expect((await post({ session: sessionId, code })).status).toBe(200);

    // A reissued card: the old code stops working at once, the new one works.
    const re = (await (await fetch(`${srv.url}/api/sessions/${sessionId}/people/S2/reissue`, { method: 'POST', headers: admin })).json()) as any;
    expect(re.ok).toBe(true);
    expect((await post({ session: sessionId, code })).status).toBe(400);
    const newCode = checkinCode(re.data.url.split('#')[1]);
    expect(newCode).not.toBe(code);
    expect(((await (await post({ session: sessionId, code: newCode })).json()) as any).data.url).toBe(re.data.url);

    // Another session's id, or none: not found, and no code is tried.
    expect((await post({ session: 'no-such-session', code: newCode })).status).toBe(404);
    expect((await post({ code: newCode })).status).toBe(404);
  });

  it('lock check-in by code for the whole session after many wrong codes from many addresses', () => {
    let now = 0;
    const lim = new CheckinLimiter({ ...CHECKIN_LIMITS, clock: () => now });
    // Spread over many addresses, each under its own limit, the session's count still trips.
    for (let i = 0; i < CHECKIN_LIMITS.perSession; i++) {
      expect(lim.lockedUntil('s1', `10.0.${i}.1`)).toBeNull();
      lim.fail('s1', `10.0.${i}.1`);
    }
    expect(lim.lockedUntil('s1', '10.9.9.9')).toBe(CHECKIN_LIMITS.lockMs);
    expect(lim.lockedUntil('s2', '10.9.9.9')).toBeNull();
    now += CHECKIN_LIMITS.lockMs + 1;
    expect(lim.lockedUntil('s1', '10.9.9.9')).toBeNull();
    // A random guess hits one of a session's ~15 codes once in ~3·10^10 tries; at the session's limit
    // per lock-out that is more than 10^8 lock-outs of a quarter of an hour (thousands of years).
    expect(CODE_ALPHABET.length ** 8 / 15 / CHECKIN_LIMITS.perSession).toBeGreaterThan(1e8);
  });
});
