import { Router, type Request, type Response } from 'express';
import { randomUUID } from 'node:crypto';
import { requireAdmin } from './guard';
import QRCode from 'qrcode';
import { errorBody } from '../../shared/protocol/errors';
import { ROLE_LABEL } from '../../shared/protocol/roles';
import type { SessionRegistry } from '../session/registry';
import type { SessionRuntime } from '../session/runtime';
import { DomainError, STAGE_LABEL } from '../session/types';
import { baseUrlOf, linksFor } from './sessions';
import { duplicateBody } from '../setup/duplicate';
import { signinOf } from '../signin/state';
import { checkinCode } from '../participants/checkin';
import { checkinQrSvg, checkinUrl } from './checkin';

// The agency's set-up pages over HTTP (admin key): join cards with QR codes, reissuing a card, and
// duplicating a session as the start of a new one. Reissue runs the room's own `participant:reissue`
// command through the session runtime as the moderator, so it is validated and logged the same way.
export function setupRouter(registry: SessionRegistry, opts: { adminToken: string; publicUrl: string | null }): Router {
  const r = Router();
  const admin = requireAdmin(opts.adminToken);
  const session = (req: Request, res: Response): SessionRuntime | null => {
    const rt = registry.get(String(req.params.id));
    if (!rt) res.status(404).json({ ok: false, error: errorBody('not_found', { zh: '没有这场评审', en: 'No such session' }) });
    return rt ?? null;
  };
  const currentLinks = async (req: Request, rt: SessionRuntime) => {
    const tokens = (await registry.store.tokens(rt.id)).filter((t) => !t.revoked && rt.state.people[t.personId]?.tokenHash === t.tokenHash);
    return linksFor(rt.state, tokens, baseUrlOf(req, opts.publicUrl));
  };

  /**
   * One card per participant: name, role, QR code (SVG) of the personal link, and the check-in code to
   * type on the session's check-in page (issue 12); plus the session's check-in QR for the wall poster,
   * which carries no credential.
   */
  r.get('/api/sessions/:id/cards', admin, async (req, res) => {
    const rt = session(req, res);
    if (!rt) return;
    const s = rt.state;
    const links = await currentLinks(req, rt);
    const codes = new Map((await registry.store.tokens(rt.id)).filter((t) => !t.revoked && s.people[t.personId]?.tokenHash === t.tokenHash).map((t) => [t.personId, checkinCode(t.token)]));
    const checkin = checkinUrl(baseUrlOf(req, opts.publicUrl), s.id);
    const cards = await Promise.all(
      links.map(async (l) => {
        const p = s.people[l.personId];
        return {
          personId: l.personId,
          name: p.name,
          org: p.org,
          role: p.role,
          roleLabel: ROLE_LABEL[p.role],
          leader: p.leader,
          url: l.url,
          code: codes.get(l.personId) ?? null,
          qrSvg: await QRCode.toString(l.url, { type: 'svg', errorCorrectionLevel: 'M', margin: 1 }),
        };
      }),
    );
    res.json({
      ok: true,
      data: {
        session: { id: s.id, name: s.project.name, projectNumber: s.project.projectNumber, scheduledAt: s.project.scheduledAt, stage: s.stage, stageLabel: STAGE_LABEL[s.stage] },
        cards,
        checkin: { url: checkin, qrSvg: await checkinQrSvg(checkin) },
      },
    });
  });

  /**
   * The welcome wall (docs/views.md "Projector", welcome scene): the session's check-in QR code during
   * setup/signin only. It opens the check-in page, where each person types the code from their own
   * card (issue 12: no join link, token or hash on a shared screen). Authorised by the screen's own
   * join token; no other role.
   */
  r.get('/api/sessions/:id/screen/qr', async (req, res) => {
    const rt = session(req, res);
    if (!rt) return;
    const bearer = (req.get('authorization') ?? '').replace(/^Bearer\s+/i, '');
    const who = registry.resolveToken(bearer);
    if (!who || who.sessionId !== rt.id) {
      res.status(401).json({ ok: false, error: errorBody('unauthenticated') });
      return;
    }
    const s = rt.state;
    if (s.people[who.personId]?.role !== 'screen') {
      res.status(403).json({ ok: false, error: errorBody('forbidden', { zh: '只有投影屏可以获取签到二维码', en: 'Only the projector may fetch the sign-in codes' }) });
      return;
    }
    // Once sign-in has closed nobody else may sign in (003 Ch2 签到截止), so the code comes down.
    if ((s.stage !== 'setup' && s.stage !== 'signin') || signinOf(s).closed) {
      res.status(409).json({ ok: false, error: errorBody('wrong_stage', { zh: '签到已结束，不再展示签到二维码', en: 'Sign-in is over; the codes are no longer shown' }) });
      return;
    }
    const url = checkinUrl(baseUrlOf(req, opts.publicUrl), s.id);
    res.setHeader('cache-control', 'no-store');
    res.json({ ok: true, data: { checkin: { url, qrSvg: await checkinQrSvg(url) } } });
  });

  /** A lost card: a new token; the old one stops working at once. */
  r.post('/api/sessions/:id/people/:personId/reissue', admin, async (req, res) => {
    const rt = session(req, res);
    if (!rt) return;
    const moderator = rt.state.order.find((id) => rt.state.people[id].role === 'moderator')!;
    const ack = await rt.execute({ sessionId: rt.id, personId: moderator, role: 'moderator' }, 'participant:reissue', {
      id: randomUUID().replace(/-/g, ''),
      personId: String(req.params.personId),
    });
    if (!ack.ok) {
      res.status(ack.error.code === 'not_found' ? 404 : 400).json(ack);
      return;
    }
    const link = (await currentLinks(req, rt)).find((l) => l.personId === req.params.personId);
    res.json({ ok: true, data: { personId: req.params.personId, url: link?.url ?? null } });
  });

  /** A new draft session starting from this one's project, rubric, checklists and people. */
  r.post('/api/sessions/:id/duplicate', admin, async (req, res) => {
    const rt = session(req, res);
    if (!rt) return;
    try {
      const { runtime, tokens } = await registry.create(duplicateBody(rt.state));
      res.status(201).json({ ok: true, data: { sessionId: runtime.id, links: linksFor(runtime.state, tokens, baseUrlOf(req, opts.publicUrl)) } });
    } catch (e) {
      if (e instanceof DomainError) {
        res.status(400).json({ ok: false, error: errorBody(e.code, e.detail, e.field) });
        return;
      }
      console.error('duplicate failed', e);
      res.status(500).json({ ok: false, error: errorBody('internal') });
    }
  });
  return r;
}
