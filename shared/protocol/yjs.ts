// The requirements document's Yjs websocket (/yjs/<sessionId>): how a client presents its join token
// and what the server's close codes mean (issue 12, items 6 and 9; docs/security.md).
//
// The token never rides in the URL (proxies log URLs): the client offers two WebSocket subprotocols,
// `panelroom-yjs` and `auth.<token>` (Sec-WebSocket-Protocol header); the server answers with
// `panelroom-yjs` only, so the token is not echoed back. A join token is base64url, which is a valid
// subprotocol token.

export const YJS_SUBPROTOCOL = 'panelroom-yjs';
const AUTH_PREFIX = 'auth.';

/** The subprotocols a client offers: the endpoint's name and its join token. */
export const yjsProtocols = (token: string): string[] => [YJS_SUBPROTOCOL, AUTH_PREFIX + token];

/** The join token in a Sec-WebSocket-Protocol header, or '' when there is none. */
export function tokenFromProtocols(header: string | undefined): string {
  for (const p of (header ?? '').split(',')) {
    const v = p.trim();
    if (v.startsWith(AUTH_PREFIX)) return v.slice(AUTH_PREFIX.length);
  }
  return '';
}

/**
 * Close codes (4400–4499: y-websocket does not reconnect by itself; the editor decides) with what the
 * tablet shows.
 */
export const YJS_CLOSE = {
  /** The token was reissued, the member replaced, or the document is no longer for this person. */
  revoked: 4401,
  /** An edit would take the document past its limit, or one edit alone is too large: it was not applied. */
  tooLarge: 4413,
  /** Too many edits too fast (a fair share per connection): the edit was not applied. */
  rateLimited: 4429,
} as const;

export const YJS_CLOSE_MESSAGE: Record<number, { zh: string; en: string }> = {
  [YJS_CLOSE.revoked]: { zh: '您的入场凭证已失效或已被替换，文档已断开。', en: 'Your join token is no longer valid; the document was disconnected.' },
  [YJS_CLOSE.tooLarge]: {
    zh: '本次修改未保存：文档将超过上限（20 万字），或单次粘贴的内容过大。请删减后再试。',
    en: 'This edit was not saved: the document would exceed its limit (200,000 characters), or one paste was too large. Shorten it and try again.',
  },
  [YJS_CLOSE.rateLimited]: { zh: '修改过于频繁，本次修改未保存，请稍后再试。', en: 'Edits came too fast; this edit was not saved. Try again shortly.' },
};
