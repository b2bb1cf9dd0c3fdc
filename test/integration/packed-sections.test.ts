import { describe, it, expect } from 'vitest';
import { connect, linkFor, startServer, tokenOf, type TestServer } from '../helpers/server';
import { openRoom, type Room } from '../helpers/room';
import { driveToScoring, sheetFor } from '../helpers/steps/scoring';
import { closeAfterEach } from '../helpers/per-test';
import { sweepChannelCaches, type AudienceChannel } from '../../server/realtime/audiences';
import { PackedJson, packingDrained } from '../../server/realtime/section-json';
import type { Factor } from '../../shared/domain/rubric/types';

// Memory per room (issue 15, server/realtime/section-json.ts `packed`), in a real room: once the room's
// channels go idle, the big sections that no longer change (the review, the quotes, the rubric's
// factors) keep their JSON packed; a tablet arriving then is sent exactly what the others hold, a
// reconnecting one resumes by digest, and the next score goes out as before. The suite runs with
// PANELROOM_CHECK_VIEWS=1: after every flush each audience is compared with a view built from scratch.

let srv: TestServer | null = null;
let room: Room | null = null;
closeAfterEach(() => [room, srv]);

/** The keys of the packed sections of each of the session's channels, by channel. */
function packedKeys(s: TestServer, sessionId: string): Record<string, string[]> {
  const channels = (s.app.realtime as unknown as { channels: Map<string, Map<string, AudienceChannel>> }).channels.get(sessionId)!;
  const out: Record<string, string[]> = {};
  for (const [name, c] of channels) {
    const keys = [...c.jsonByKey()].filter(([, j]) => j instanceof PackedJson).map(([k]) => k);
    if (keys.length) out[name.replace(/^.*?:/, '')] = keys.sort();
  }
  return out;
}

describe('idle sections packed in a live room (issue 15)', () => {
  it('packs the idle review, quotes and factors, and still sends, resumes and scores exactly', async () => {
    srv = await startServer();
    const r = (room = await driveToScoring(await openRoom(srv)));
    const m1 = await r.client('M1');
    const a1 = await r.client('A1');
    await r.client('O1');
    const factors: Factor[] = (await m1.waitFor((v) => !!v.scoringFactors)).scoringFactors;
    expect(packedKeys(srv, r.sessionId)).toEqual({});
    sweepChannelCaches();
    sweepChannelCaches();
    await packingDrained();
    const packed = packedKeys(srv, r.sessionId);
    // The panel's, the console's and the observer's big sections.
    const all = new Set(Object.values(packed).flat());
    for (const k of ['review', 'quotes', 'scoringFactors']) expect(all, k).toContain(k);
    expect(Object.keys(packed).length).toBeGreaterThanOrEqual(3);

    // A tablet arriving now (no resume): the very view its colleague holds.
    const m2 = await r.client('M2');
    for (const k of ['review', 'quotes', 'scoringFactors']) expect(m2.view[k], k).toEqual(m1.view[k]);
    // The console reconnecting with what it holds, as after a restart (the digests decide): the packed
    // sections are kept, not sent again, and its view is what it was.
    const before = structuredClone(a1.view);
    const held = a1.replica.resume()!;
    a1.close();
    const again = await connect(srv.url, tokenOf(linkFor(r.links, 'A1')), { replica: a1.replica, resume: { ...held, epoch: 'another' } });
    const snap = again.frames.find((f) => f.event === 'view:snapshot')!.data as { channels: Record<string, { keep?: string[] }> };
    const kept = Object.values(snap.channels).flatMap((c) => c.keep ?? []);
    for (const k of ['review', 'quotes', 'scoringFactors']) expect(kept, k).toContain(k);
    for (const k of ['review', 'quotes', 'scoringFactors']) expect(again.view[k], k).toEqual(before[k]);

    // The next score: acknowledged, and every audience checked against a fresh build (check mode).
    const sid = (m1.view.scoring.suppliers as { id: string }[])[0].id;
    const ack = await m1.send('score:submit', { id: `pk${Date.now().toString(36)}`.padEnd(12, 'x'), supplierId: sid, entries: sheetFor(factors, () => 0) });
    expect(ack.ok).toBe(true);
    await again.waitFor((v) => (v.scoring?.progress as { supplierId: string; submitted: number }[] | undefined)?.some((p) => p.supplierId === sid && p.submitted >= 1) ?? false);
  });
});
