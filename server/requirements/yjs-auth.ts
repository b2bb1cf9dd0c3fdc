import type { IncomingMessage } from 'node:http';
import { isPanel } from '../../shared/protocol/roles';
import { tokenFromProtocols, YJS_SUBPROTOCOL } from '../../shared/protocol/yjs';
import { originAllowed } from '../realtime/socket';
import { tokenHash } from '../session/create';
import type { SessionRegistry } from '../session/registry';
import type { SessionState } from '../session/types';
import { isAtOrAfter } from '../stage/machine';

// Who may open the requirements document (the endpoint's "authenticate" part). The join token comes
// the way Socket.IO's does — never in the URL (issue 12, item 9): in the Sec-WebSocket-Protocol header
// (shared/protocol/yjs.ts). Panel members edit; the moderator and the observer read; suppliers and the
// wall are refused (issue 5); an archived session's tokens no longer open anything.

export const PATH = /^\/yjs\/([0-9a-fA-F-]{36})\/?$/;

export interface YjsPrincipal {
  sessionId: string;
  personId: string;
  tokenHash: string;
}

export type UpgradeVerdict = { ok: true; who: YjsPrincipal; state: SessionState } | { ok: false; status: number; text: string };

export function mayRead(s: SessionState, personId: string): boolean {
  const p = s.people[personId];
  return !!p && ((isPanel(p.role) && p.active) || p.role === 'moderator' || p.role === 'observer');
}

/** The subprotocol the server answers with: ours, never the one carrying the token. */
export function chooseProtocol(offered: Set<string>): string | false {
  return offered.has(YJS_SUBPROTOCOL) ? YJS_SUBPROTOCOL : false;
}

export function authenticateUpgrade(req: IncomingMessage, sessionId: string, registry: SessionRegistry, allowedOrigins: string[]): UpgradeVerdict {
  const no = (status: number, text: string): UpgradeVerdict => ({ ok: false, status, text });
  if (!originAllowed(req, allowedOrigins)) return no(403, 'Forbidden');
  const token = tokenFromProtocols(req.headers['sec-websocket-protocol']);
  const who = registry.resolveToken(token);
  if (!who || who.sessionId !== sessionId) return no(401, 'Unauthorized');
  const rt = registry.get(who.sessionId);
  if (!rt) return no(401, 'Unauthorized');
  // An archived session is closed: its tokens open nothing any more (issue 12, item 9).
  if (rt.state.stage === 'archived') return no(410, 'Gone');
  // Suppliers and the wall never receive the live document (issue 5); nor does a replaced member.
  if (!mayRead(rt.state, who.personId)) return no(403, 'Forbidden');
  // The document exists from the consultation on (docs/rules.md §2.8: changes are made while consulting).
  if (rt.state.project.method !== 'competitive_consultation' || !isAtOrAfter(rt.state, 'consultation') || rt.state.stage === 'terminated')
    return no(409, 'Conflict');
  return { ok: true, who: { sessionId: who.sessionId, personId: who.personId, tokenHash: tokenHash(token) }, state: rt.state };
}

/** Who a connection is now, re-read on every message: a reissued token or a replaced member loses access at once. */
export function currentAccess(registry: SessionRegistry, c: YjsPrincipal): { state: SessionState; writable: boolean } | null {
  const rt = registry.get(c.sessionId);
  const p = rt?.state.people[c.personId];
  if (!rt || !p || p.tokenHash !== c.tokenHash || !mayRead(rt.state, c.personId) || rt.state.stage === 'archived') return null;
  return { state: rt.state, writable: isPanel(p.role) && p.active && rt.state.stage === 'consultation' };
}
