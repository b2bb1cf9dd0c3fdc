import { describe, expect, expectTypeOf, it } from 'vitest';
import { buildSession } from '../../../server/session/create';
import { roomKernel } from '../../../server/concerns';
import { installViewParts } from '../../../server/session/fold';
import { buildView } from '../../../server/realtime/views';
import { DEMO_SESSION } from '../../../server/demo/demo-session';
import type { StoredEvent } from '../../../server/store/types';
import { ROLES } from '../../../shared/protocol/roles';
import { VIEW_SECTIONS } from '../../../shared/protocol/views';
import type { Socket as ClientSocketOf } from 'socket.io-client';
import type { Ack } from '../../../shared/protocol/ack';
import type { ClientToServerEvents, CommandInput, CommandResult, ServerPush, ServerToClientEvents } from '../../../shared/protocol/events';
import type { AnyView, MemberView, ProjectorView, StaffView, SupplierView, WallReportSection } from '../../../shared/protocol/views';
import type { ViewPatch } from '../../../shared/protocol/view-sync';
import type { Connection } from '../../../client/src/lib/connection.svelte';
import type { RoomServer } from '../../../server/realtime/socket';

// The typed edge (docs/architecture.md "The typed edge"; issue 15 item 6): a wrong payload, a wrong
// push or a view field the audience does not have does not compile. The `@ts-expect-error` lines are
// checked by `npm run typecheck` (tsc fails on an expected error that no longer occurs), a step of
// `npm test` (scripts/test.mjs).

describe('the typed edge, at compile time', () => {
  it('types each command by its zod schema and its ack by the Ack envelope', () => {
    expectTypeOf<CommandInput<'score:submit'>>().toHaveProperty('supplierId').toEqualTypeOf<string>();
    expectTypeOf<CommandInput<'screen:scene'>['scene']>().toEqualTypeOf<'welcome' | 'signin' | 'round' | 'change' | 'quotes' | 'reveal' | 'results' | 'signing' | 'blank'>();
    expectTypeOf<Parameters<ClientToServerEvents['scoring:change_propose']>[1]>().toEqualTypeOf<(ack: Ack<{ changeId: string }>) => void>();
    expectTypeOf<CommandResult<'results:release'>>().toBeUnknown();
    expectTypeOf<Parameters<ClientToServerEvents['time:sync']>[1]>().parameter(0).toEqualTypeOf<Ack<{ serverTime: number }>>();
    const conn = null as unknown as Connection;
    const never = () => {
      // @ts-expect-error a command that does not exist
      void conn.send('score:sumbit', { supplierId: 's1' });
      // @ts-expect-error a payload missing its required field
      void conn.send('score:submit', {});
      // @ts-expect-error a scene that does not exist
      void conn.send('screen:scene', { scene: 'podium' });
      // @ts-expect-error a field the command does not have (its schema is strict)
      void conn.send('screen:scene', { scene: 'welcome', force: true });
    };
    expect(typeof never).toBe('function');
  });

  it('types the pushes as a discriminated union, and the server and the browser sockets by them', () => {
    expectTypeOf<Extract<ServerPush, { event: 'view:patch' }>['data']>().toEqualTypeOf<ViewPatch>();
    type BrowserSocket = ClientSocketOf<ServerToClientEvents, ClientToServerEvents>;
    const io = null as unknown as RoomServer;
    const socket = null as unknown as BrowserSocket;
    const never = () => {
      // @ts-expect-error a patch without its channel versions
      io.to('room').emit('view:patch', { ch: 'role', seq: 1, set: {}, del: [] });
      // @ts-expect-error a push that does not exist
      io.to('room').emit('view:pach', {});
      // @ts-expect-error the browser listens to a push with the wrong shape
      socket.on('session:notice', (n: { text: string }) => n);
      // @ts-expect-error a query's payload of the wrong type
      socket.emit('session:resync', { lastSeq: 'latest' }, () => undefined);
    };
    expect(typeof never).toBe('function');
  });

  it('gives each audience its own view: a component cannot read a section its audience does not get', () => {
    expectTypeOf<StaffView['log']['tail'][number]['seq']>().toEqualTypeOf<number>();
    expectTypeOf<MemberView>().not.toHaveProperty('log');
    expectTypeOf<SupplierView>().not.toHaveProperty('setup');
    expectTypeOf<SupplierView>().not.toHaveProperty('report');
    // The wall's report says who has signed, as 专家 n: no name, no dissent (docs/rules.md §2.22).
    expectTypeOf<WallReportSection['members'][number]>().toEqualTypeOf<{ label: string; signed: boolean; deemed: boolean }>();
    // Every audience's view can be handed to a component shared by several audiences.
    expectTypeOf<Partial<MemberView>>().toExtend<AnyView>();
    const tablet = null as unknown as Connection<MemberView>;
    const laptop = null as unknown as Connection<SupplierView>;
    const wall = null as unknown as Connection<ProjectorView>;
    const never = () => {
      // @ts-expect-error the tablet's view has no log
      void tablet.view.log;
      // @ts-expect-error the laptop's view has no draft set-up
      void laptop.view.setup;
      // @ts-expect-error the wall's report has no signatures (nor their dissents)
      void wall.view.report?.signatures;
      // @ts-expect-error a field the stage section does not have
      void tablet.view.stage?.currentStage;
    };
    expect(typeof never).toBe('function');
  });
});

// At run time: the views the server builds have no section their audience's type does not name. The
// server checks this after every flush in check mode (server/realtime/socket.ts, on in vitest), so the
// integration suites check it at every stage; here, for every role of a fresh session.
describe('the view sections each audience gets', () => {
  it('are named by the audience\'s type', () => {
    const c = buildSession(DEMO_SESSION, 1_700_000_000_000);
    const events = c.events.map((e, i) => ({ ...e, sessionId: c.sessionId, seq: i + 1, ts: 1_700_000_000_000, actor: null, commandId: null, prevHash: '', hash: '' }));
    const s = roomKernel.fold(c.sessionId, events as StoredEvent[]);
    installViewParts(roomKernel);
    for (const role of ROLES) {
      const personId = s.order.find((id) => s.people[id].role === role)!;
      const view = buildView(s, { sessionId: s.id, personId, role }, {});
      const named: readonly string[] = VIEW_SECTIONS[role];
      expect(Object.keys(view).filter((k) => !named.includes(k)), role).toEqual([]);
      expect(Object.keys(view), role).toEqual(expect.arrayContaining(['session', 'me', 'people', 'stage', 'screen', 'presence']));
    }
  });
});
