import type { z } from 'zod';
import type { Ack } from './ack';
import { COMMANDS, QUERIES, type CommandName, type QueryName } from './commands';
import type { ViewPatch, ViewSnapshot } from './view-sync';
import type { Presence } from './views';

// The typed edge, events (docs/architecture.md "The typed edge"; issue 15 item 6): every event that
// crosses the socket, in both directions, typed once here from the protocol's own zod schemas. The
// server is a `Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>`
// (server/realtime/socket.ts) and the browser a `Socket<ServerToClientEvents, ClientToServerEvents>`
// (client/src/lib/connection.svelte.ts), in the way of Socket.IO's typed events
// (https://socket.io/docs/v4/typescript): a wrong payload or a wrong ack does not compile.

/** What a command's payload is on the wire (its schema's input, command id included). */
export type CommandPayload<K extends CommandName> = z.input<(typeof COMMANDS)[K]>;
/** What a client passes to `send` (the connection adds the command id, docs/architecture.md "Reconnect"). */
export type CommandInput<K extends CommandName> = Omit<CommandPayload<K>, 'id'>;
export type QueryPayload<K extends QueryName> = z.input<(typeof QUERIES)[K]>;

/** What each query answers (data of its ack). */
export interface QueryResults {
  'time:sync': { serverTime: number };
  'session:resync': ViewSnapshot;
}

/** What a command answers (data of its ack) where a client reads it; the handlers return it with
 *  `satisfies CommandResult<…>`. Other commands' data is `unknown` to the client. */
export interface CommandResults {
  /** A member proposed a change after the summary (server/scoring/handlers.ts). */
  'scoring:change_propose': { changeId: string };
  /** The moderator replaced a member (server/signin/concern.ts): the new member's join path. */
  'signin:replace': { personId: string; role: string; token: string; path: string };
  /** The moderator reissued a join token (server/participants/concern.ts). */
  'participant:reissue': { personId: string; token: string };
}
export type CommandResult<K extends CommandName> = K extends keyof CommandResults ? CommandResults[K] : unknown;

/** Every acknowledgement is the one envelope (shared/protocol/ack.ts); a command's data is its own. */
export type AckCallback<T = unknown> = (ack: Ack<T>) => void;

/** Client → server: every command and query by name, its payload and its ack. */
export type ClientToServerEvents = {
  [K in CommandName]: (payload: CommandPayload<K>, ack: AckCallback<CommandResult<K>>) => void;
} & {
  [K in QueryName]: (payload: QueryPayload<K>, ack: AckCallback<QueryResults[K]>) => void;
};

/** Why this socket may no longer act (its join token was reissued, another device took its seat, or it was refused). */
export interface Revocation {
  message: string;
  messageEn: string;
  reason?: 'device_refused' | 'device_replaced';
}

/** A live notice to one audience (not in the log): e.g. the moderator told that a device trips its rate limit. */
export interface Notice {
  kind: 'rate_limited';
  personId?: string;
  message: string;
  messageEn: string;
}

/** A second device waits for the moderator to let it take a seat (issue 12), since when. */
export interface DeviceWaiting {
  message: string;
  messageEn: string;
  since: number;
}

/** Server → client: the pushes (views and notices). */
export interface ServerToClientEvents {
  /** The views of this socket's audiences on connecting (whole channels, or what changed since what it holds). */
  'view:snapshot': (s: ViewSnapshot) => void;
  /** One audience's change. */
  'view:patch': (p: ViewPatch) => void;
  'session:revoked': (r: Revocation) => void;
  'session:notice': (n: Notice) => void;
  'device:waiting': (w: DeviceWaiting) => void;
  'device:admitted': (a: Record<string, never>) => void;
}

/** What one process tells the others of its sockets' presence (server/cluster/presence.ts, issue 9). */
export interface PresenceReport {
  node: string;
  at: number;
  sessions: Record<string, Presence>;
}

/** Process → process, through the adapter (serverSideEmit). */
export interface InterServerEvents {
  'panelroom:presence': (r: PresenceReport) => void;
}

type Pushes<E> = { [K in keyof E]: E[K] extends (arg: infer A, ...rest: never[]) => void ? { event: K; data: A } : never }[keyof E];

/** Every push as one discriminated union on `event` (for code that logs, records or relays pushes). */
export type ServerPush = Pushes<ServerToClientEvents>;
/** Every command and query a client sends, as one discriminated union on `event`. */
export type ClientMessage = Pushes<ClientToServerEvents>;

/** Names of the events each side may send (runtime lists, for tests and tools). */
export const CLIENT_EVENTS = [...Object.keys(COMMANDS), ...Object.keys(QUERIES)] as (CommandName | QueryName)[];
