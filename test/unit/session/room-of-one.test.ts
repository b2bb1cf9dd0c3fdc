import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKernel } from '../../../server/session/kernel';
import { SessionRuntime } from '../../../server/session/runtime';
import { buildSession } from '../../../server/session/create';
import { sessionConcern } from '../../../server/session/core';
import { participantsConcern } from '../../../server/participants/concern';
import { projectorConcern } from '../../../server/projector/concern';
import { SqliteEventStore } from '../../../server/store/sqlite';
import { DEMO_SESSION } from '../../../server/demo/demo-session';
import type { StoredEvent } from '../../../server/store/types';
import type { Principal } from '../../../server/session/types';

// A concern in a room of one (issue 17): the kernel is handed just the projector concern and what
// creates a session, and runs its commands against a real SQLite log, without an HTTP server or a
// socket. The kernel imports no concern; the app hands it the room's (server/concerns.ts).

let dir = '';
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = '';
});

async function roomOfOne() {
  dir = mkdtempSync(join(tmpdir(), 'panelroom-one-'));
  const store = SqliteEventStore.open(dir);
  const kernel = createKernel([sessionConcern, participantsConcern, projectorConcern]);
  const built = buildSession(DEMO_SESSION, 1_700_000_000_000);
  await store.append({ sessionId: built.sessionId, actor: null, commandId: null, ts: 1_700_000_000_000, events: built.events, tokens: built.tokens, expectedSeq: 0 });
  const changes: StoredEvent[][] = [];
  const rt = await SessionRuntime.load(built.sessionId, store, (_s, evs) => changes.push(evs), kernel, () => 1_700_000_100_000);
  const moderator: Principal = { sessionId: built.sessionId, personId: 'A1', role: 'moderator' };
  const view = (viewer: Principal) => Object.assign({}, ...kernel.viewParts.map((p) => p.view(rt.state, viewer)));
  return { store, kernel, rt, moderator, changes, view };
}

describe('a concern in a room of one', () => {
  it('runs the projector concern alone: a command is authorised, validated, logged, folded and acknowledged', async () => {
    const { store, kernel, rt, moderator, changes, view } = await roomOfOne();
    try {
      // The participants' `me` is a part of its own (issue 15: one `people` per role).
      expect(kernel.viewParts.map((p) => p.name)).toEqual(['session', 'participants', 'participants:own', 'projector']);
      expect(rt.state.stage).toBe('signin');
      const seq = rt.state.seq;

      const ack = await rt.execute(moderator, 'screen:scene', { id: 'cmd-scene-0001', scene: 'signin' });
      expect(ack).toMatchObject({ ok: true, data: { scene: 'signin' }, seq: seq + 1 });
      expect(rt.state.screen.scene).toBe('signin');
      const log = await store.read(rt.id);
      expect(log.at(-1)).toMatchObject({ seq: seq + 1, type: 'screen:scene_changed', payload: { scene: 'signin' }, commandId: 'cmd-scene-0001' });
      expect(changes.at(-1)!.map((e) => e.type)).toEqual(['screen:scene_changed']);
      expect(view(moderator).screen).toMatchObject({ scene: 'signin', chosen: 'signin' });

      // A retry takes effect once.
      expect(await rt.execute(moderator, 'screen:scene', { id: 'cmd-scene-0001', scene: 'signin' })).toMatchObject({ ok: true, seq: seq + 1 });
      expect(await store.read(rt.id)).toHaveLength(seq + 1);

      // Replaying the log through the same kernel gives the same state.
      expect(kernel.fold(rt.id, await store.read(rt.id))).toEqual(rt.state);
    } finally {
      await store.close();
    }
  });

  it('refuses what the stage does not allow and what the role may not send, changing nothing', async () => {
    const { store, rt, moderator } = await roomOfOne();
    try {
      const seq = rt.state.seq;
      const round = await rt.execute(moderator, 'screen:scene', { id: 'cmd-scene-0002', scene: 'round' });
      expect(round).toMatchObject({ ok: false, error: { code: 'wrong_stage', field: 'scene' } });
      // Results are not released in this room (the scoring concern is not even there).
      expect(await rt.execute(moderator, 'screen:scene', { id: 'cmd-scene-0003', scene: 'results' })).toMatchObject({ ok: false, error: { code: 'wrong_stage' } });
      const member: Principal = { sessionId: rt.id, personId: 'M1', role: 'expert' };
      expect(await rt.execute(member, 'screen:scene', { id: 'cmd-scene-0004', scene: 'blank' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      // A command whose concern this room does not run is not known here.
      expect(await rt.execute(moderator, 'stage:advance', { id: 'cmd-stage-0001', to: 'opening' })).toMatchObject({ ok: false, error: { code: 'unknown_event' } });
      expect(rt.state.seq).toBe(seq);
      expect(await store.read(rt.id)).toHaveLength(seq);
    } finally {
      await store.close();
    }
  });

  it('refuses two concerns that claim one command', () => {
    expect(() => createKernel([projectorConcern, { ...projectorConcern, name: 'projector-2' }])).toThrow(/two handlers for screen:scene/);
    expect(() => createKernel([projectorConcern, projectorConcern])).toThrow(/two concerns named projector/);
  });
});
