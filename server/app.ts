import express from 'express';
import { createServer, type Server as HttpServer } from 'node:http';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { errorBody } from '../shared/protocol/errors';
import { PROTOCOL_VERSION } from '../shared/protocol/version';
import type { EventStore } from './store/types';
import { SessionRegistry } from './session/registry';
import { createKernel } from './session/kernel';
import { installViewParts } from './session/fold';
import { ROOM_CONCERNS } from './concerns';
import type { Concern } from './session/types';
import { RealtimeServer } from './realtime/socket';
import { sessionsRouter } from './http/sessions';
import { localDocRelay, type DocRelay } from './cluster/doc-relay';
import { scoringRouter } from './scoring/http';
import { attachmentsRouter } from './http/attachments';
import { attachRequirementsYjs } from './requirements/yjs-endpoint';
import { setupRouter } from './http/setup';
import { checkinRouter } from './http/checkin';
import { ReportService } from './report/service';
import { reportRouter } from './report/http';
import { securityHeaders } from './http/headers';
import { FairShare, fairShareLimits, KIND_LABEL, type FairShareLimits, type Trip } from './realtime/fair-share';

export interface AppOptions {
  store: EventStore;
  adminToken: string;
  publicUrl?: string | null;
  allowedOrigins?: string[];
  /** The built client (dist/); omitted in tests that need no pages. */
  clientDir?: string | null;
  clock?: () => number;
  /** Tests of several processes only (PANELROOM_TEST_CLOCK=1): moves this process's clock forward,
   *  through `POST /api/test/clock` with the agency key, so that timed events need no waiting. */
  clockControl?: { advance(ms: number): void } | null;
  maxMessageBytes?: number;
  /** The room's concerns (default: all of server/concerns.ts), handed to the session kernel. */
  concerns?: readonly Concern[];
  /**
   * Rate limits per socket and per person (issue 12, item 8): `false` turns them off (synthetic load
   * drivers), a partial object overrides the defaults; unset: PANELROOM_FAIR_SHARE (off / a scale).
   */
  fairShare?: Partial<FairShareLimits> | false;
  /**
   * Listen at once and replay the stored sessions in the background (issue 15: a restart's reconnect
   * storm). A handshake waits for its own session's load, the HTTP API for every session
   * (`registry.ready`). Unset: createApplication resolves only after every session is replayed.
   */
  loadInBackground?: boolean;
}

/**
 * The listening socket's accept queue (issue 15: the restart storm). Node's default is 511: after a
 * restart every device of every room reconnects within about a second (shared/protocol/reconnect.ts)
 * while the event loop is busy replaying and answering the first arrivals, and a connection completed
 * beyond a full queue is dropped by the kernel — the device then waits for TCP's retransmission (1 s,
 * then 3 s, 7 s…), which made the storm's tail. 2,000 sockets must fit; the kernel caps it at
 * net.core.somaxconn (4096 on current Linux; docs/deploy.md).
 */
export const LISTEN_BACKLOG = 4096;

export interface App {
  http: HttpServer;
  registry: SessionRegistry;
  realtime: RealtimeServer;
  /** Keeps a session's Yjs document the same across processes (issue 9); a no-op with one process. */
  docRelay: DocRelay;
  /** The report's final renders and files (issue 7). */
  report: ReportService;
  listen(port: number, host?: string): Promise<number>;
  close(): Promise<void>;
}

// One http.Server carries Express (pages, HTTP API) and Socket.IO (the room). createApplication takes
// its store from the caller so that tests run a real server on port 0 against a temporary database.
export async function createApplication(opts: AppOptions): Promise<App> {
  const clock = opts.clock ?? Date.now;
  // The concerns are handed to the kernel here, as Hocuspocus takes its extensions: the session
  // folder imports none of them (docs/architecture.md "Concerns and stages").
  const kernel = createKernel(opts.concerns ?? ROOM_CONCERNS);
  installViewParts(kernel);
  const registry = new SessionRegistry(opts.store, kernel, clock);
  // In the background the replay starts once the server is built (below), a session at a time.
  if (!opts.loadInBackground) await registry.loadAll();

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  // CSP, frame protection, nosniff, no referrer: every response (server/http/headers.ts).
  app.use(securityHeaders());
  app.use(express.json({ limit: '2mb' }));
  app.get('/api/health', (_req, res) => {
    // Answered while the sessions replay too (`ready` false, `sessions` those loaded so far).
    res.json({ ok: true, data: { protocol: PROTOCOL_VERSION, sessions: registry.all().length, ready: registry.isReady, store: opts.store.kind } });
  });
  // Every other route of the API waits for the replay of every session (issue 15: loadInBackground).
  app.use('/api', (_req, _res, next) => {
    if (registry.isReady) return next();
    registry.ready.then(() => next(), next);
  });
  app.use(sessionsRouter(registry, { adminToken: opts.adminToken, publicUrl: opts.publicUrl ?? null }));
  app.use(scoringRouter(registry, { adminToken: opts.adminToken }));
  app.use(attachmentsRouter(registry));
  app.use(setupRouter(registry, { adminToken: opts.adminToken, publicUrl: opts.publicUrl ?? null }));
  app.use(checkinRouter(registry, { publicUrl: opts.publicUrl ?? null, clock }));
  const report = new ReportService(registry, opts.store);
  app.use(reportRouter(registry, report, { adminToken: opts.adminToken }));
  const control = opts.clockControl;
  if (control) {
    app.post('/api/test/clock', async (req, res) => {
      if (req.headers.authorization !== `Bearer ${opts.adminToken}`) return void res.status(401).json({ ok: false, error: errorBody('unauthenticated') });
      const ms = Number((req.body as { advanceMs?: unknown })?.advanceMs);
      if (!Number.isInteger(ms) || ms < 0 || ms > 7 * 24 * 3600_000) return void res.status(400).json({ ok: false, error: errorBody('validation') });
      control.advance(ms);
      await registry.checkTimers();
      res.json({ ok: true, data: { now: clock() } });
    });
  }
  app.use('/api', (_req, res) => {
    res.status(404).json({ ok: false, error: errorBody('not_found') });
  });

  const clientDir = opts.clientDir === undefined ? resolve('dist') : opts.clientDir;
  if (clientDir && existsSync(join(clientDir, 'index.html'))) {
    app.use(express.static(clientDir, { index: false, maxAge: '1h' }));
    // The single-page app serves every view; the path decides which one.
    app.get(/^\/(console|screen|tablet|laptop|observer|admin|join)?\/?$/, (_req, res) => {
      res.sendFile(join(clientDir, 'index.html'));
    });
  }
  // Bad JSON and other request errors: a clear answer, and the process keeps running.
  app.use((err: any, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    const code = err?.type === 'entity.too.large' ? 'too_large' : 'bad_request';
    res.status(err?.status && err.status < 500 ? err.status : 400).json({ ok: false, error: errorBody(code) });
  });

  const http = createServer(app);
  const limits = fairShareLimits(opts.fairShare);
  // A trip is told to the session's moderator (a live notice, at most one per person per minute) and
  // noted in the server's log — by person id, never by token.
  const onTrip = (t: Trip) => {
    const rt = registry.get(t.sessionId);
    const person = rt?.state.people[t.personId];
    const who = person ? (person.role === 'supplier' ? (person.org ?? person.name) : person.name) : t.personId;
    const what = KIND_LABEL[t.kind];
    console.warn(`[fair-share] session ${t.sessionId}: ${t.personId} exceeded the ${what.en} limit (${t.refused} refused)`);
    realtime.notice(t.sessionId, 'moderator', {
      kind: 'rate_limited',
      personId: t.personId,
      message: `${who} 的设备${what.zh}过于频繁，已暂时限制（本分钟内被拒 ${t.refused} 次）。`,
      messageEn: `${who}'s device sent too many ${what.en}; it is held back for now (${t.refused} refused this minute).`,
    });
  };
  const fairShare = limits ? new FairShare(limits, clock, onTrip) : null;
  const realtime = new RealtimeServer(http, registry, {
    allowedOrigins: opts.allowedOrigins ?? [],
    maxMessageBytes: opts.maxMessageBytes ?? 1_000_000,
    clock,
    fairShare,
  });
  const yjs = attachRequirementsYjs(http, registry, { store: opts.store, allowedOrigins: opts.allowedOrigins ?? [], relay: localDocRelay, fairShare });
  if (opts.loadInBackground)
    void registry.loadAll({ yieldEvery: true }).catch((e) => console.error('[registry] replay failed:', e));

  return {
    http,
    registry,
    realtime,
    // Set by joinCluster after start-up (server/main.ts): the requirements endpoint re-attaches its documents.
    get docRelay() {
      return yjs.relay;
    },
    set docRelay(r: DocRelay) {
      yjs.useRelay(r);
    },
    report,
    listen: (port, host) =>
      new Promise((res, rej) => {
        http.once('error', rej);
        http.listen({ port, host, backlog: LISTEN_BACKLOG }, () => res((http.address() as AddressInfo).port));
      }),
    close: async () => {
      registry.timers.stop();
      await yjs.flush();
      await realtime.close();
      await report.close();
      await new Promise<void>((r) => (http.listening ? http.close(() => r()) : r()));
      http.closeAllConnections?.();
    },
  };
}
