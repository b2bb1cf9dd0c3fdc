import { randomBytes } from 'node:crypto';
import { sha256 } from '../store/canonical';
import type { SessionRuntime } from '../session/runtime';
import { DomainError, type Handler, type SessionState } from '../session/types';
import { typedReducers } from '../session/events';
import { deviceEvent, type DeviceEvents, type ParticipantEvents } from './state';
import type { SetupEvents } from '../setup/slice';
import type { Bilingual } from '../session/types';

// One device per seat (issue 12 item 2). The first device that opens a join link claims the seat; a
// second device that presents the same token waits (「等待主持人确认」) until the moderator admits it,
// which moves the seat to it and signs the first device out, or refuses it, which keeps it out.
// Reissuing a card (participant:reissue) frees the seat together with the old token.
//
// A device is named by a key the browser generates once and keeps in localStorage; it travels in the
// Socket.IO handshake (auth.device). Only its hash is recorded. A client that sends no key is one
// more device ("a device that does not say"): it may hold a free seat, never one bound to a key.
// Every claim, request, admission and refusal is an event in the log and a line of the report.

export interface DeviceRequest {
  requestId: string;
  personId: string;
  device: string;
  at: number;
}
export interface DeviceHistoryEntry {
  kind: 'claimed' | 'requested' | 'admitted' | 'refused' | 'freed';
  personId: string;
  at: number;
}
export interface DevicesState {
  /** The device hash each seat is bound to, and since when. */
  bound: Record<string, { device: string; at: number }>;
  /** Second devices waiting for the moderator, by request id. */
  requests: Record<string, DeviceRequest>;
  /** Every binding event, in order (the report's attendance section). */
  history: DeviceHistoryEntry[];
}

/** At most this many devices may wait for one seat; a further one is refused until one is answered. */
export const MAX_WAITING_PER_SEAT = 3;

const KEY = /^[A-Za-z0-9_-]{16,128}$/;

/** The recorded name of a device: a hash of its key (the key itself would let anyone be that device). */
export function deviceHash(key: unknown): string | null {
  if (key === undefined || key === null || key === '') return sha256('device-key:');
  if (typeof key !== 'string' || !KEY.test(key)) return null;
  return sha256('device-key:' + key);
}

export const devicesOf = (s: SessionState): DevicesState => s.devices as DevicesState;

export function initDevices(s: SessionState): void {
  s.devices = { bound: {}, requests: {}, history: [] } satisfies DevicesState;
}

/** What frees a seat: a new card, a replaced member, a person removed in set-up. */
type SeatFreeing = Pick<ParticipantEvents, 'participant:reissued' | 'person:deactivated'> & Pick<SetupEvents, 'setup:person_removed'>;

export const deviceReducers = typedReducers<DeviceEvents & SeatFreeing>({
  'device:claimed': (s, e) => {
    const p = e.payload;
    const d = devicesOf(s);
    d.bound[p.personId] = { device: p.device, at: e.ts };
    d.history.push({ kind: 'claimed', personId: p.personId, at: e.ts });
  },
  'device:requested': (s, e) => {
    const p = e.payload;
    const d = devicesOf(s);
    d.requests[p.requestId] = { requestId: p.requestId, personId: p.personId, device: p.device, at: e.ts };
    d.history.push({ kind: 'requested', personId: p.personId, at: e.ts });
  },
  'device:admitted': (s, e) => {
    const p = e.payload;
    const d = devicesOf(s);
    const r = d.requests[p.requestId];
    if (r) d.bound[p.personId] = { device: r.device, at: e.ts };
    // The other devices waiting for this seat asked to replace a device that is no longer there.
    for (const [id, q] of Object.entries(d.requests)) if (q.personId === p.personId) delete d.requests[id];
    d.history.push({ kind: 'admitted', personId: p.personId, at: e.ts });
  },
  'device:refused': (s, e) => {
    const p = e.payload;
    const d = devicesOf(s);
    delete d.requests[p.requestId];
    d.history.push({ kind: 'refused', personId: p.personId, at: e.ts });
  },
  // A new card frees the seat: the old token stops working, and the next device to open the new
  // link claims it (issue 2: "revoke and reissue a token (a lost tablet)").
  'participant:reissued': (s, e) => freeSeat(s, e.payload.personId, e.ts),
  'person:deactivated': (s, e) => freeSeat(s, e.payload.personId, e.ts),
  'setup:person_removed': (s, e) => freeSeat(s, e.payload.personId, e.ts),
});

function freeSeat(s: SessionState, personId: string, at: number): void {
  const d = devicesOf(s);
  if (!personId) return;
  const had = !!d.bound[personId];
  delete d.bound[personId];
  for (const [id, q] of Object.entries(d.requests)) if (q.personId === personId) delete d.requests[id];
  if (had) d.history.push({ kind: 'freed', personId, at });
}

const noRequest = (requestId: string) =>
  new DomainError('not_found', { zh: '该设备请求已处理或已失效', en: 'this device request was already answered or is no longer valid' }, 'requestId');

export const deviceHandlers: Record<string, Handler> = {
  'device:admit': ({ state }, p: { requestId: string }) => {
    const r = devicesOf(state).requests[p.requestId];
    if (!r) throw noRequest(p.requestId);
    return { events: [deviceEvent('device:admitted', { personId: r.personId, requestId: r.requestId })], data: { personId: r.personId } };
  },
  'device:refuse': ({ state }, p: { requestId: string }) => {
    const r = devicesOf(state).requests[p.requestId];
    if (!r) throw noRequest(p.requestId);
    return { events: [deviceEvent('device:refused', { personId: r.personId, requestId: r.requestId })], data: { personId: r.personId } };
  },
};

/** What the console shows: the devices waiting for a seat and since when (never a device's hash). */
export function waitingView(s: SessionState): { requestId: string; personId: string; since: number }[] {
  return Object.values(devicesOf(s).requests)
    .sort((a, b) => a.at - b.at)
    .map((r) => ({ requestId: r.requestId, personId: r.personId, since: r.at }));
}

export type Admission = { kind: 'seated' } | { kind: 'waiting'; requestId: string; since: number } | { kind: 'refused'; why: Bilingual };

export const SIGNED_OUT: Bilingual = {
  zh: '主持人已允许另一台设备使用您的席位，本设备已退出。如有疑问，请联系代理机构工作人员。',
  en: 'The moderator let another device take your seat; this device has been signed out. Ask the agency staff if in doubt.',
};
export const REFUSED: Bilingual = {
  zh: '主持人未允许本设备使用该席位。请使用您本人的入场卡，或联系代理机构工作人员。',
  en: 'The moderator did not let this device take the seat. Use your own join card, or ask the agency staff.',
};
const TOO_MANY: Bilingual = {
  zh: '已有多台设备在等待使用该席位，请联系代理机构工作人员。',
  en: 'Several devices are already waiting for this seat; ask the agency staff.',
};

// Decisions about one session's seats are taken one at a time, so that two devices opening the same
// link at once cannot both claim it.
const queues = new Map<string, Promise<unknown>>();

/**
 * Decides whether a device may take a person's seat now: claims a free seat, seats the bound device,
 * and records a request (or finds the one already waiting) for any other device.
 */
export function admitDevice(rt: SessionRuntime, personId: string, device: string, newRequestId = () => 'd' + randomBytes(9).toString('base64url')): Promise<Admission> {
  const run = (queues.get(rt.id) ?? Promise.resolve()).then(async (): Promise<Admission> => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await decide(rt, personId, device, newRequestId);
      } catch (e) {
        // Another process appended first (a shared store, issue 9): follow the log and decide again.
        if (attempt >= 2) throw e;
        await rt.follow();
      }
    }
  });
  queues.set(
    rt.id,
    run.catch(() => undefined),
  );
  return run;
}

async function decide(rt: SessionRuntime, personId: string, device: string, newRequestId: () => string): Promise<Admission> {
  const d = devicesOf(rt.state);
  const bound = d.bound[personId];
  if (!bound) {
    await rt.appendSystem([deviceEvent('device:claimed', { personId, device })]);
    return { kind: 'seated' };
  }
  if (bound.device === device) return { kind: 'seated' };
  const waiting = Object.values(d.requests).filter((r) => r.personId === personId);
  const mine = waiting.find((r) => r.device === device);
  if (mine) return { kind: 'waiting', requestId: mine.requestId, since: mine.at };
  if (waiting.length >= MAX_WAITING_PER_SEAT) return { kind: 'refused', why: TOO_MANY };
  const requestId = newRequestId();
  await rt.appendSystem([deviceEvent('device:requested', { personId, device, requestId })]);
  const r = devicesOf(rt.state).requests[requestId];
  return { kind: 'waiting', requestId, since: r?.at ?? rt.state.updatedAt };
}

/** Where a waiting device stands now: still waiting, admitted (the seat is its own), or refused. */
export function requestOutcome(s: SessionState, personId: string, requestId: string, device: string): 'waiting' | 'admitted' | 'refused' {
  const d = devicesOf(s);
  if (d.requests[requestId]) return 'waiting';
  return d.bound[personId]?.device === device ? 'admitted' : 'refused';
}

/** Whether this device holds the seat now (commands are taken only from the bound device). */
export const holdsSeat = (s: SessionState, personId: string, device: string): boolean => devicesOf(s).bound[personId]?.device === device;

const RECORD_WORDING: Record<DeviceHistoryEntry['kind'], { zh: string; en: string }> = {
  claimed: { zh: '首次使用设备进入评审室（席位绑定该设备）', en: 'Entered the room on a device for the first time (the seat is bound to it)' },
  requested: { zh: '另一台设备请求使用该席位（等待主持人确认）', en: 'Another device asked to use the seat (awaiting the moderator)' },
  admitted: { zh: '主持人允许另一台设备接替，原设备已退出', en: 'The moderator let another device take over; the former device left' },
  refused: { zh: '主持人拒绝另一台设备使用该席位', en: 'The moderator refused another device the seat' },
  freed: { zh: '补发入场卡或更换人员，原设备绑定解除', en: 'A new entry card or a replacement: the former device was released' },
};

/** The attendance record of devices for the report (issue 12): when, who, what happened. */
export function deviceRecord(s: SessionState): { at: number; personId: string; what: { zh: string; en: string } }[] {
  return devicesOf(s).history.map((h) => ({ at: h.at, personId: h.personId, what: RECORD_WORDING[h.kind] }));
}
