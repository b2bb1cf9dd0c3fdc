import { z } from 'zod';
import { command, id } from './schema-helpers';

// Projector scenes (docs/views.md "Projector screen"). The console offers only those the stage allows.
export const SCENES = ['welcome', 'signin', 'round', 'change', 'quotes', 'reveal', 'results', 'signing', 'blank'] as const;
export type Scene = (typeof SCENES)[number];

export const foundationCommands = {
  /** Moderator: reissue a participant's join token (a lost tablet); the old one stops working at once. */
  'participant:reissue': command({ personId: id }),
  /** Moderator: choose what the wall shows. */
  'screen:scene': command({ scene: z.enum(SCENES) }),
  /** Moderator: let a second device take a seat (the device that held it is signed out), issue 12. */
  'device:admit': command({ requestId: id }),
  /** Moderator: refuse a second device that asked for a seat; it stays out. */
  'device:refuse': command({ requestId: id }),
};

/** Requests that read and change nothing (not logged). */
export const foundationQueries = {
  'time:sync': z.strictObject({ t0: z.number().finite().optional() }),
  'session:resync': z.strictObject({ lastSeq: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER) }),
};
