import type { Request, Response, NextFunction, RequestHandler } from 'express';
import { createHash, timingSafeEqual } from 'node:crypto';
import { errorBody } from '../../shared/protocol/errors';

// The agency's key (Authorization: Bearer <admin key>), checked in one place (issue 12, item 10).
// Both sides are hashed first, so the comparison takes the same time whatever the length guessed.

/** The bearer credential of a request ('' when none). */
export const bearerOf = (req: Request): string => (req.get('authorization') ?? '').replace(/^Bearer\s+/i, '');

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** Whether `presented` is the agency's key, in constant time. */
export function isAdminKey(presented: string, adminToken: string): boolean {
  return presented.length > 0 && timingSafeEqual(digest(presented), digest(adminToken));
}

/** Express middleware: only the agency's key passes; anything else gets 401 with the bilingual error. */
export function requireAdmin(adminToken: string): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    if (!isAdminKey(bearerOf(req), adminToken)) {
      res.status(401).json({ ok: false, error: errorBody('unauthenticated') });
      return;
    }
    next();
  };
}
