import type { ErrorBody } from './errors';

/** The one acknowledgement envelope of every command. */
export type Ack<T = unknown> = { ok: true; data: T; seq: number } | { ok: false; error: ErrorBody };
