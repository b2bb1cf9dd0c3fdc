import { Router, type Request, type Response } from 'express';
import { bearerOf, isAdminKey } from '../http/guard';
import { errorBody } from '../../shared/protocol/errors';
import type { SessionRegistry } from '../session/registry';
import { roomEvaluation } from './evaluation-file';

// GET /api/sessions/:id/evaluation-file: the session as an evaluation file
// (docs/evaluate.md), for `npm run evaluate` away from the room. The agency's
// admin key or the session moderator's own join token (Authorization: Bearer …) may download it.
export function scoringRouter(registry: SessionRegistry, opts: { adminToken: string }): Router {
  const r = Router();
  r.get('/api/sessions/:id/evaluation-file', (req: Request, res: Response) => {
    const id = String(req.params.id);
    const rt = registry.get(id);
    const bearer = bearerOf(req);
    const admin = isAdminKey(bearer, opts.adminToken);
    const who = admin ? null : registry.resolveToken(bearer);
    const moderator = !!who && !!rt && who.sessionId === id && rt.state.people[who.personId]?.role === 'moderator';
    if (!admin && !moderator) {
      res.status(401).json({ ok: false, error: errorBody('unauthenticated') });
      return;
    }
    if (!rt) {
      res.status(404).json({ ok: false, error: errorBody('not_found') });
      return;
    }
    const ev = roomEvaluation(rt.state);
    if (ev.pricePending) {
      res.status(409).json({
        ok: false,
        error: errorBody('conflict', { zh: '最后报价尚未确认，评审文件无法计算价格分，暂不能导出', en: 'no final quote is confirmed yet; the file could not be evaluated, so it is not exported yet' }),
      });
      return;
    }
    res.setHeader('content-disposition', `attachment; filename="evaluation-${id}-seq${rt.state.seq}.json"`);
    res.json(ev.file);
  });
  return r;
}
