import type { Request, RequestHandler } from 'express';
import helmet from 'helmet';

// HTTP hardening in one place (issue 12, item 10), with helmet. A join token travels in the URL's
// fragment: no page of ours may be framed by another site (frame-ancestors 'none', X-Frame-Options),
// no referrer leaves (Referrer-Policy: no-referrer), and only our own scripts run (CSP).
//
// What the built Svelte client needs, and why each source is allowed (docs/security.md):
//   script-src 'self'                 the bundle only: no inline script, no eval;
//   style-src 'self' 'unsafe-inline'  Svelte's style attributes/directives and the report's own <style>
//                                     (the report is shown in a sandboxed srcdoc iframe, which inherits
//                                     this policy); styles cannot run code;
//   img-src 'self' data: blob:        the QR codes of the report and the signature previews are data: URLs;
//   connect-src 'self' ws(s)://host   Socket.IO and the Yjs endpoint on this very origin;
//   frame-src 'self'                  the report preview (srcdoc);
//   object-src 'none', base-uri 'none', form-action 'self', frame-ancestors 'none'.
export function securityHeaders(): RequestHandler {
  const wsOrigin = (req: Request): string => {
    const host = req.get('host') ?? '';
    return host ? `ws://${host} wss://${host}` : '';
  };
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        scriptSrcAttr: ["'none'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'", (req) => wsOrigin(req as Request)],
        frameSrc: ["'self'"],
        workerSrc: ["'self'", 'blob:'],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    noSniff: true,
    // Served over plain http on a local network as often as behind TLS: HSTS belongs to the TLS proxy.
    strictTransportSecurity: false,
    crossOriginEmbedderPolicy: false,
    crossOriginOpenerPolicy: { policy: 'same-origin' },
    crossOriginResourcePolicy: { policy: 'same-origin' },
  });
}
