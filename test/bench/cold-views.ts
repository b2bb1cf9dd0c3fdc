import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createKernel } from '../../server/session/kernel';
import { installViewParts } from '../../server/session/fold';
import { ROOM_CONCERNS } from '../../server/concerns';
import { SessionViewMemo, ViewBuilder } from '../../server/realtime/view-memo';
import { AudienceChannel, channelRooms } from '../../server/realtime/audiences';
import type { Principal, SessionState } from '../../server/session/types';
import type { StoredEvent } from '../../server/store/types';
import { CHANNELS, type Channel } from '../../shared/protocol/view-sync';

// Issue 15 (the restart storm): the CPU of building every arriving socket's view on a cold server — a
// room folded from its log, nothing memoised — as snapshotFor does it (each person's view built through
// a fresh memo, its two channels updated and answered: whole, or by digests the client holds).
// A steadier figure than the storms bench for this one part. Not part of `npm run bench`:
//   npx tsx test/bench/cold-views.ts [rounds]   (the first run drives a room to the scoring stage and
//   keeps its log in /tmp/panelroom-cold-views.json; COLD_VIEWS_ONLY=resume: only the restart's case).
// For the figures of the deployed server, bundle it as scripts/build-server.mjs bundles the server and
// run it with MALLOC_ENV (server/malloc-env.ts) set; compare CPU per room, alternating before and after.

const FILE = process.env.COLD_VIEWS_LOG ?? '/tmp/panelroom-cold-views.json';

async function template(): Promise<{ sessionId: string; events: StoredEvent[] }> {
  if (existsSync(FILE)) return JSON.parse(readFileSync(FILE, 'utf8'));
  const { drivenTemplate } = await import('./fleet');
  const t = await drivenTemplate();
  writeFileSync(FILE, JSON.stringify({ sessionId: t.sessionId, events: t.events }));
  return { sessionId: t.sessionId, events: t.events };
}

const t = await template();
const kernel = createKernel(ROOM_CONCERNS);
installViewParts(kernel);
const rounds = Number(process.argv[2] ?? 60);

function principals(s: SessionState): Principal[] {
  return Object.values(s.people).map((p: any) => ({ sessionId: s.id, personId: p.id, role: p.role }));
}

/** One cold room: every person arrives once; `resume`: with the digests it held before (a restart). */
function arrivals(s: SessionState, held: Map<string, Record<string, string>> | null, out?: Map<string, Record<string, string>>): number {
  const memo = new SessionViewMemo();
  const channels = new Map<string, AudienceChannel>();
  let bytes = 0;
  for (const p of principals(s)) {
    const rooms = channelRooms(p);
    let split: Record<Channel, Map<string, any>> | null = null;
    for (const ch of CHANNELS) {
      let c = channels.get(rooms[ch]);
      if (!c) {
        channels.set(rooms[ch], (c = new AudienceChannel(rooms[ch])));
        split ??= new ViewBuilder(memo, s, {}).build(p).split;
        c.update(split[ch], s.seq);
      }
      const digests = held?.get(rooms[ch]);
      const r = (digests ? c.resumed(digests) : null) ?? c.full();
      bytes += (r.json as Buffer).length;
      if (out && !out.has(rooms[ch])) out.set(rooms[ch], r.digests ?? {});
    }
  }
  return bytes;
}

const fresh = () => kernel.fold(t.sessionId, t.events);
const held = new Map<string, Record<string, string>>();
arrivals(fresh(), null, held);
const people = principals(fresh()).length;

for (const resume of process.env.COLD_VIEWS_ONLY === 'resume' ? [true] : [false, true]) {
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const s = fresh();
    // CPU time, not wall-clock: steadier on a machine shared with other work.
    const c0 = process.cpuUsage();
    arrivals(s, resume ? held : null);
    const c = process.cpuUsage(c0);
    times.push((c.user + c.system) / 1000);
  }
  times.sort((a, b) => a - b);
  const med = times[times.length >> 1];
  const q1 = times[times.length >> 2];
  console.log(`${resume ? 'resume by digests' : 'whole channels   '}: ${people} people, CPU per room: median ${med.toFixed(2)} ms (${((med / people) * 1000).toFixed(0)} µs per arrival), lower quartile ${q1.toFixed(2)} ms, min ${times[0].toFixed(2)} ms, ${rounds} rounds`);
}
