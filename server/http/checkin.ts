import { Router, type Request } from 'express';
import QRCode from 'qrcode';
import { errorBody } from '../../shared/protocol/errors';
import { ROLE_PATH } from '../../shared/protocol/roles';
import type { SessionRegistry } from '../session/registry';
import { CHECKIN_LIMITS, CheckinLimiter, checkinCode, normaliseCode, sameCode } from '../participants/checkin';
import { extend } from '../../shared/extend';

// Check-in by code (issue 12 item 1). The wall shows the session's check-in QR code, which opens
// /join?s=<session> (no credential in it); the person types the code from their own join card and
// gets their join link back. Wrong codes are counted per address and per session and lock out.

/** The session's check-in page: the only thing about joining that a shared screen may show. */
export const checkinUrl = (base: string, sessionId: string): string => `${base}/join?s=${encodeURIComponent(sessionId)}`;

export const checkinQrSvg = (url: string): Promise<string> => QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 1 });

const CLOSED = new Set(['archived', 'terminated']);

export function checkinRouter(registry: SessionRegistry, opts: { publicUrl: string | null; clock: () => number; limiter?: CheckinLimiter }): Router {
  const r = Router();
  const limiter = opts.limiter ?? new CheckinLimiter(extend(CHECKIN_LIMITS, { clock: opts.clock }));
  const base = (req: Request) => opts.publicUrl ?? `${req.protocol}://${req.get('host')}`;

  /** The check-in page's heading: which session this is (public in the room: the project's name). */
  r.get('/api/checkin/:session', (req, res) => {
    const rt = registry.get(String(req.params.session));
    if (!rt || CLOSED.has(rt.state.stage)) {
      res.status(404).json({ ok: false, error: errorBody('not_found', { zh: '没有正在进行的这场评审', en: 'No such session in progress' }) });
      return;
    }
    res.json({ ok: true, data: { name: rt.state.project.name, projectNumber: rt.state.project.projectNumber } });
  });

  /** The code from a card → that person's join link. */
  r.post('/api/checkin', async (req, res) => {
    res.setHeader('cache-control', 'no-store');
    const sessionId = typeof req.body?.session === 'string' ? req.body.session : '';
    const address = req.ip ?? 'unknown';
    const rt = sessionId ? registry.get(sessionId) : undefined;
    if (!rt || CLOSED.has(rt.state.stage)) {
      res.status(404).json({ ok: false, error: errorBody('not_found', { zh: '没有正在进行的这场评审，请重新扫描墙上的二维码', en: 'No such session in progress; scan the code on the wall again' }, 'session') });
      return;
    }
    const until = limiter.lockedUntil(rt.id, address);
    if (until) {
      res.status(429).json({
        ok: false,
        error: errorBody(
          'rate_limited',
          { zh: '输错次数过多，暂时不能用入场码签到。请扫描入场卡上的二维码，或请工作人员协助。', en: 'Too many wrong codes; check-in by code is paused. Scan the QR code on your join card, or ask the staff.' },
          'code',
        ),
        retryAfter: until,
      });
      return;
    }
    const code = normaliseCode(req.body?.code);
    const wrong = () => {
      limiter.fail(rt.id, address);
      res.status(400).json({
        ok: false,
        error: errorBody('validation', { zh: '入场码不正确。请核对入场卡上的 8 位入场码后重新输入。', en: 'The code is not right. Check the 8-character code on your join card and type it again.' }, 'code'),
      });
    };
    if (!code) return wrong();
    const tokens = (await registry.store.tokens(rt.id)).filter((t) => !t.revoked && rt.state.people[t.personId]?.tokenHash === t.tokenHash);
    let match: (typeof tokens)[number] | null = null;
    for (const t of tokens) if (sameCode(checkinCode(t.token), code)) match = t;
    if (!match) return wrong();
    const person = rt.state.people[match.personId];
    res.json({
      ok: true,
      data: {
        url: `${base(req)}${ROLE_PATH[person.role]}?s=${encodeURIComponent(rt.id)}#${match.token}`,
        name: person.role === 'supplier' ? (person.org ?? person.name) : person.name,
      },
    });
  });
  return r;
}
