import express, { Router, type Request } from 'express';
import { errorBody } from '../../shared/protocol/errors';
import type { SessionRegistry } from '../session/registry';
import type { Principal } from '../session/types';
import { clarifyOf } from '../clarify/state';
import { mayReadAttachment } from '../clarify/concern';
import { mayReadResubmitted, resubmissionOf } from '../requirements/resubmission';
import { mayReadSittingDocument } from '../rounds/minutes';
import { roundsOf } from '../rounds/state';

// Clarification attachments (澄清附件). The socket keeps its 1 MB cap (issue 2); an answer that
// carries a file (≤ 2 MB, ≈ 2.8 MB as base64) comes over HTTP instead, as the same `clarify:answer`
// command, run by the same runtime (authorize → validate → append → broadcast). Attachments are not
// sent in views (a view is re-sent on every change): a device downloads one with its own join token,
// and only if its role may see it: the panel, the moderator, the observer, or the supplier that sent it.
export const ANSWER_CONTENT_TYPE = 'application/vnd.panelroom.command+json';

function principalOf(registry: SessionRegistry, req: Request): Principal | null {
  const token = (req.get('authorization') ?? '').replace(/^Bearer\s+/i, '');
  const who = registry.resolveToken(token);
  if (!who || who.sessionId !== req.params.sessionId) return null;
  const person = registry.get(who.sessionId)?.state.people[who.personId];
  return person ? { sessionId: who.sessionId, personId: person.id, role: person.role } : null;
}

export function attachmentsRouter(registry: SessionRegistry): Router {
  const r = Router();
  // A command whose payload is too large for the socket (a file), sent over HTTP with the join token:
  // the same command, the same runtime, the same ack.
  const commandOverHttp = (path: string, command: string) =>
    r.post(path, express.text({ type: ANSWER_CONTENT_TYPE, limit: '3mb' }), async (req, res) => {
      const p = principalOf(registry, req);
      if (!p) {
        res.status(401).json({ ok: false, error: errorBody('unauthenticated') });
        return;
      }
      let payload: unknown;
      try {
        payload = JSON.parse(typeof req.body === 'string' ? req.body : '');
      } catch {
        res.status(400).json({ ok: false, error: errorBody('bad_request') });
        return;
      }
      const ack = await registry.get(p.sessionId)!.execute(p, command, payload);
      res.status(ack.ok ? 200 : 400).json(ack);
    });
  // A clarification answer with its attachment (server/clarify/).
  commandOverHttp('/api/sessions/:sessionId/clarify-answer', 'clarify:answer');
  // A revised part of the response after a substantive change (server/requirements/resubmission.ts).
  commandOverHttp('/api/sessions/:sessionId/resubmission', 'resubmission:file');
  // A document exchanged in a sitting (磋商记录, issue 13 item 3), from the console or the supplier's
  // laptop; read back with the join token by the panel, the moderator, the observer and that supplier.
  commandOverHttp('/api/sessions/:sessionId/sitting-document', 'round:upload');
  r.get('/api/sessions/:sessionId/sitting-documents/:sha', (req, res) => {
    const p = principalOf(registry, req);
    if (!p) {
      res.status(401).json({ ok: false, error: errorBody('unauthenticated') });
      return;
    }
    const state = registry.get(p.sessionId)!.state;
    const sha = String(req.params.sha);
    if (!/^[0-9a-f]{64}$/.test(sha) || !mayReadSittingDocument(state, p, sha)) {
      res.status(404).json({ ok: false, error: errorBody('not_found') });
      return;
    }
    const f = roundsOf(state).files[sha];
    res.set('content-type', f.mime);
    res.set('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(f.name)}`);
    res.set('x-content-type-options', 'nosniff');
    res.set('cache-control', 'private, no-store');
    res.send(Buffer.from(f.data, 'base64'));
  });
  r.get('/api/sessions/:sessionId/attachments/:sha', (req, res) => {
    const p = principalOf(registry, req);
    if (!p) {
      res.status(401).json({ ok: false, error: errorBody('unauthenticated') });
      return;
    }
    const state = registry.get(p.sessionId)!.state;
    const sha = String(req.params.sha);
    const clarified = /^[0-9a-f]{64}$/.test(sha) && mayReadAttachment(state, p, sha);
    if (!clarified && !(/^[0-9a-f]{64}$/.test(sha) && mayReadResubmitted(state, p, sha))) {
      res.status(404).json({ ok: false, error: errorBody('not_found') });
      return;
    }
    const f = clarified ? clarifyOf(state).files[sha] : resubmissionOf(state).files[sha];
    res.set('content-type', f.mime);
    res.set('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(f.name)}`);
    res.set('x-content-type-options', 'nosniff');
    res.set('cache-control', 'private, no-store');
    res.send(Buffer.from(f.data, 'base64'));
  });
  return r;
}
