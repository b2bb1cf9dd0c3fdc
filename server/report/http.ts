import { Router, type Request, type Response } from 'express';
import { bearerOf, isAdminKey } from '../http/guard';
import { errorBody } from '../../shared/protocol/errors';
import type { SessionRegistry } from '../session/registry';
import type { SessionRuntime } from '../session/runtime';
import type { Role } from '../../shared/protocol/roles';
import { reportOf, currentRevision } from './state';
import { buildArchive } from './archive';
import type { ReportService } from './service';

// The report over HTTP (the tablet reads it, the console downloads it). Who may read it: the panel,
// the moderator and the observer (and the agency's admin key); never a supplier, never the wall
// (docs/rules.md §1.8: the score summary is for the panel and the agency). Authorization: Bearer <join token>.
const READERS: readonly Role[] = ['expert', 'purchaser_rep', 'moderator', 'observer'];
/** The archive holds the whole log (sealed quotes included): the agency and the observer only. */
const ARCHIVERS: readonly Role[] = ['moderator', 'observer'];

type Who = { admin: true } | { admin: false; role: Role; personId: string };

export function reportRouter(registry: SessionRegistry, service: ReportService, opts: { adminToken: string }): Router {
  const r = Router();

  function authorize(req: Request, res: Response, roles: readonly Role[]): { rt: SessionRuntime; who: Who } | null {
    const id = String(req.params.id);
    const bearer = bearerOf(req);
    const admin = isAdminKey(bearer, opts.adminToken);
    const rt = registry.get(id);
    if (admin) {
      if (!rt) return void res.status(404).json({ ok: false, error: errorBody('not_found') }), null;
      return { rt, who: { admin: true } };
    }
    const who = registry.resolveToken(bearer);
    if (!who || who.sessionId !== id || !rt) return void res.status(401).json({ ok: false, error: errorBody('unauthenticated') }), null;
    const person = rt.state.people[who.personId];
    if (!person || !roles.includes(person.role)) return void res.status(403).json({ ok: false, error: errorBody('forbidden') }), null;
    return { rt, who: { admin: false, role: person.role, personId: person.id } };
  }

  const notYet = (res: Response) =>
    res.status(409).json({ ok: false, error: errorBody('wrong_stage', { zh: '评审报告在报告签署阶段生成', en: 'the report exists from the signing stage on' }) });

  // No caching anywhere: the report changes with every signature and is confidential.
  const privateHeaders = (res: Response) => {
    res.setHeader('cache-control', 'no-store');
    res.setHeader('x-content-type-options', 'nosniff');
  };

  r.get('/api/sessions/:id/report.html', async (req, res) => {
    const a = authorize(req, res, READERS);
    if (!a) return;
    if (!currentRevision(a.rt.state)) return notYet(res);
    privateHeaders(res);
    // The report runs no script and loads nothing: inline styles and inline SVG only.
    res.setHeader('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; img-src data:");
    // ?lang=en: the English twin of the report (issue 13 item 1), for reading; the filed PDF is Chinese.
    res.type('html').send(await service.html(a.rt, req.query.lang === 'en' ? 'en' : 'zh'));
  });

  r.get('/api/sessions/:id/report.pdf', async (req, res) => {
    const a = authorize(req, res, READERS);
    if (!a) return;
    const s = a.rt.state;
    const cur = currentRevision(s);
    if (!cur) return notYet(res);
    const want = req.query.revision !== undefined ? Number(req.query.revision) : null;
    const rev = want === null ? cur : reportOf(s).revisions.find((x) => x.n === want);
    if (!rev) return void res.status(404).json({ ok: false, error: errorBody('not_found', { zh: `没有第 ${want} 版报告`, en: `no revision ${want}` }) });
    privateHeaders(res);
    res.type('application/pdf');
    const num = s.project.projectNumber ?? s.id;
    if (rev.final) {
      // A final revision is served as recorded: the bytes whose sha256 the log holds.
      const pdf = await service.files.get(rev.final.sha256);
      if (!pdf) return void res.status(500).json({ ok: false, error: errorBody('internal') });
      res.setHeader('content-disposition', `attachment; filename="report-${encodeURIComponent(num)}-r${rev.n}.pdf"`);
      res.setHeader('x-report-sha256', rev.final.sha256);
      return void res.send(pdf);
    }
    if (rev !== cur) return void res.status(404).json({ ok: false, error: errorBody('not_found') });
    try {
      const pdf = await service.draftPdf(a.rt);
      res.setHeader('content-disposition', `inline; filename="report-${encodeURIComponent(num)}-r${rev.n}-draft.pdf"`);
      res.send(pdf);
    } catch (e) {
      console.error('[report] draft render failed:', e);
      res.status(503).json({ ok: false, error: errorBody('internal', { zh: 'PDF 生成失败，请稍后重试', en: 'the PDF could not be rendered; try again shortly' }) });
    }
  });

  r.get('/api/sessions/:id/archive.zip', async (req, res) => {
    const a = authorize(req, res, ARCHIVERS);
    if (!a) return;
    const s = a.rt.state;
    if (!reportOf(s).revisions.some((x) => x.final))
      return void res.status(409).json({ ok: false, error: errorBody('conflict', { zh: '报告尚未定稿，不能归档', en: 'the report is not final yet; nothing to archive' }) });
    const { state, events } = await service.snapshot(a.rt);
    const zip = await buildArchive(state, events, service.files);
    privateHeaders(res);
    res.type('application/zip');
    res.setHeader('content-disposition', `attachment; filename="archive-${encodeURIComponent(s.project.projectNumber ?? s.id)}-seq${events.length}.zip"`);
    res.send(zip);
  });

  // The moderator retries a final render that failed (the room keeps working meanwhile).
  r.post('/api/sessions/:id/report/finalize', async (req, res) => {
    const a = authorize(req, res, ['moderator']);
    if (!a) return;
    await service.finalize(a.rt.id);
    res.json({ ok: true, data: { final: currentRevision(a.rt.state)?.final ?? null } });
  });

  return r;
}
