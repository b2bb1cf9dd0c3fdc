import { expect } from 'vitest';
import { connect, cid, linkFor, tokenOf, type TestClient, type TestServer } from './server';
import { DEMO_SESSION } from '../../server/demo/demo-session';
import type { JoinLink } from '../../server/http/sessions';
import { STEPS } from './steps';

/** A session on a test server with its people's clients, connected on first use. */
export interface Room {
  srv: TestServer;
  sessionId: string;
  links: JoinLink[];
  client(personId: string): Promise<TestClient>;
  /** Sends a command as that person and returns the ack. */
  act(personId: string, event: string, payload?: Record<string, unknown>): Promise<any>;
  /** Like act, but fails the test unless the ack is ok. */
  ok(personId: string, event: string, payload?: Record<string, unknown>): Promise<any>;
  ids(role: string): string[];
  closeAll(): void;
}

export async function openRoom(srv: TestServer, body: unknown = DEMO_SESSION): Promise<Room> {
  const { sessionId, links } = await srv.createSession(body);
  return attachRoom(srv, sessionId, links);
}

/** A room over a session that already exists (e.g. created in the browser), from its join links. */
export function attachRoom(srv: TestServer, sessionId: string, links: JoinLink[]): Room {
  const clients = new Map<string, TestClient>();
  const room: Room = {
    srv,
    sessionId,
    links,
    async client(personId) {
      let c = clients.get(personId);
      if (!c || !c.socket.connected) {
        c = await connect(srv.url, tokenOf(linkFor(links, personId)));
        clients.set(personId, c);
      }
      return c;
    },
    async act(personId, event, payload = {}) {
      const c = await room.client(personId);
      return c.send(event, { id: cid(), ...payload });
    },
    async ok(personId, event, payload = {}) {
      const ack = await room.act(personId, event, payload);
      expect(ack, `${personId} ${event} ${JSON.stringify(payload).slice(0, 200)}`).toMatchObject({ ok: true });
      return ack;
    },
    ids(role) {
      return links.filter((l) => l.role === role || (role === 'panel' && (l.role === 'expert' || l.role === 'purchaser_rep'))).map((l) => l.personId);
    },
    closeAll() {
      for (const c of clients.values()) c.close();
      clients.clear();
    },
  };
  return room;
}

export const moderatorOf = (room: Room): string => room.ids('moderator')[0];

/** The stage the moderator's console shows now. */
export async function stageOf(room: Room): Promise<string> {
  const c = await room.client(moderatorOf(room));
  const seq = (await room.srv.store.read(room.sessionId)).length;
  await c.waitFor(() => c.seq >= seq);
  return c.view.stage.current;
}

/** Moves the session to the next stage (the moderator presses the primary button). */
export async function advance(room: Room): Promise<string> {
  const c = await room.client(moderatorOf(room));
  const seq = (await room.srv.store.read(room.sessionId)).length;
  await c.waitFor(() => c.seq >= seq);
  const next = c.view.stage.next?.id;
  expect(next, 'there is a next stage').toBeTruthy();
  const ack = await room.act(moderatorOf(room), 'stage:advance', { to: next });
  expect(ack, `advance to ${next}: ${JSON.stringify(ack.error ?? '')}`).toMatchObject({ ok: true });
  return next;
}

/**
 * Drives the session to `target` doing, at each stage, the least that lets it move on. Each concern
 * owns the step of its stage in test/helpers/steps/<concern>.ts, so that tests of later stages keep
 * working as earlier stages gain their rules.
 */
export async function driveTo(room: Room, target: string): Promise<void> {
  for (let guard = 0; guard < 20; guard++) {
    const current = await stageOf(room);
    if (current === target) return;
    const step = STEPS[current];
    if (step) await step(room);
    await advance(room);
  }
  throw new Error(`could not reach stage ${target}`);
}
