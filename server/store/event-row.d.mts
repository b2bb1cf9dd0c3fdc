// Types of event-row.mjs (a row of the `events` table as a stored event, issue 15 item 4).
import type { StoredEvent } from './types';

export interface EventRow {
  session_id: string;
  seq: number;
  type: string;
  ts: number;
  actor: string | null;
  command_id: string | null;
  payload: string;
  prev_hash: string;
  hash: string;
}
export declare function eventOfRow(r: EventRow): StoredEvent;
export declare const EVENT_COLUMNS: string;
export declare function eventsOfColumns(sessionId: string, rows: unknown[][]): StoredEvent[];
