import { Router, type Request } from 'express';
import { requireAdmin } from './guard';
import { ROLE_PATH } from '../../shared/protocol/roles';
import { errorBody } from '../../shared/protocol/errors';
import type { SessionRegistry } from '../session/registry';
import { DomainError } from '../session/types';
import type { SessionState } from '../session/types';

export interface JoinLink {
  personId: string;
  name: string;
  role: string;
  label: string;
  url: string;
}

/**
 * A person's join link: the token rides in the fragment, so it never reaches a server log. The session
 * id rides in the query (`?s=`) so that a load balancer sends all of a session's connections to one
 * process (issue 9, deploy/nginx.conf); it grants nothing by itself.
 */
export const joinUrl = (base: string, role: keyof typeof ROLE_PATH, token: string, sessionId?: string): string =>
  `${base}${ROLE_PATH[role]}${sessionId ? `?s=${encodeURIComponent(sessionId)}` : ''}#${token}`;

export function linksFor(s: SessionState, tokens: { personId: string; token: string }[], base: string): JoinLink[] {
  const byPerson = new Map(tokens.map((t) => [t.personId, t.token]));
  return s.order
    .filter((id) => byPerson.has(id))
    .map((id) => {
      const p = s.people[id];
      return { personId: id, name: p.name, role: p.role, label: p.role === 'supplier' ? (p.org ?? p.name) : p.name, url: joinUrl(base, p.role, byPerson.get(id)!, s.id) };
    });
}

export function baseUrlOf(req: Request, publicUrl: string | null): string {
  return publicUrl ?? `${req.protocol}://${req.get('host')}`;
}

// The agency's HTTP API: create and list sessions. Guarded by the admin key (Authorization: Bearer …).
export function sessionsRouter(registry: SessionRegistry, opts: { adminToken: string; publicUrl: string | null }): Router {
  const r = Router();
  const admin = requireAdmin(opts.adminToken);

  r.post('/api/sessions', admin, async (req, res) => {
    try {
      const { runtime, tokens } = await registry.create(req.body);
      res.status(201).json({ ok: true, data: { sessionId: runtime.id, links: linksFor(runtime.state, tokens, baseUrlOf(req, opts.publicUrl)) } });
    } catch (e) {
      if (e instanceof DomainError) {
        res.status(400).json({ ok: false, error: errorBody(e.code, e.detail, e.field) });
        return;
      }
      console.error('session creation failed', e);
      res.status(500).json({ ok: false, error: errorBody('internal') });
    }
  });

  r.get('/api/sessions', admin, (_req, res) => {
    res.json({
      ok: true,
      data: registry.all().map((rt) => ({
        id: rt.id,
        name: rt.state.project.name,
        projectNumber: rt.state.project.projectNumber,
        stage: rt.state.stage,
        createdAt: rt.state.createdAt,
        updatedAt: rt.state.updatedAt,
        seq: rt.state.seq,
      })),
    });
  });

  r.get('/api/sessions/:id/links', admin, async (req, res) => {
    // Several processes (issue 9): a session created on another process may not be loaded here yet.
    const rt = registry.get(String(req.params.id)) ?? (await registry.load(String(req.params.id)));
    if (!rt) {
      res.status(404).json({ ok: false, error: errorBody('not_found') });
      return;
    }
    const tokens = (await registry.store.tokens(rt.id)).filter((t) => !t.revoked && rt.state.people[t.personId]?.tokenHash === t.tokenHash);
    res.json({ ok: true, data: { sessionId: rt.id, links: linksFor(rt.state, tokens, baseUrlOf(req, opts.publicUrl)) } });
  });
  return r;
}
