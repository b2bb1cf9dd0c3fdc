import { describe, expect, it } from 'vitest';
import { AudienceChannel, PATH_PATCH_MIN, digestOf, jsonDigest } from '../../../server/realtime/audiences';
import type { Section, SectionMap } from '../../../server/realtime/view-memo';
import { ViewReplica, type ViewPatch, type ViewSnapshot } from '../../../shared/protocol/view-sync';

// Section digests (issue 15: resume across a restart). The server's channel gives every section it
// sends a digest of exactly its JSON; the client's replica keeps them through snapshots, deltas and
// patches, and drops one whose section changed without a new digest, so that a resume never claims a
// section the client may not hold as the server has it.

const section = (key: string, value: unknown): Section => ({ key, value, json: JSON.stringify(value), personal: false });
const sections = (o: Record<string, unknown>): SectionMap => new Map(Object.entries(o).map(([k, v]) => [k, section(k, v)]));
const big = (n: number) => ({ rows: Array.from({ length: 60 }, (_, i) => ({ i, text: `第${i}行`, n })) });

describe('section digests', () => {
  it('a channel answers a resume with the sections whose digest matches kept, the rest sent, and null when none matches', () => {
    const before = new AudienceChannel('s:x:role:expert');
    before.update(sections({ stage: { current: 'scoring' }, screen: { scene: '评分' }, presence: { M1: true } }), 5);
    const held = new ViewReplica();
    held.snapshot({ epoch: 'old', seq: 5, serverTime: 0, channels: { role: before.full() } });
    const digests = held.resume()!.digests!.role!;
    expect(digests.stage).toBe(jsonDigest(JSON.stringify({ current: 'scoring' })));

    // A new process (another channel, another epoch): the same stage and screen, another presence.
    const after = new AudienceChannel('s:x:role:expert');
    after.update(sections({ stage: { current: 'scoring' }, screen: { scene: '评分' }, presence: { M1: false } }), 5);
    const r = after.resumed(digests)!;
    expect(r.keep).toEqual(['stage', 'screen']);
    expect(JSON.parse(Buffer.from(r.json as Uint8Array).toString())).toEqual({ presence: { M1: false } });
    expect(held.snapshot({ epoch: 'new', seq: 5, serverTime: 0, channels: { role: r } })).toBe(true);
    expect(held.view).toEqual({ stage: { current: 'scoring' }, screen: { scene: '评分' }, presence: { M1: false } });
    expect(held.resume()!.digests!.role).toEqual({ stage: digests.stage, screen: digests.screen, presence: jsonDigest(JSON.stringify({ M1: false })) });

    // A forged digest, or one of another section, matches nothing.
    expect(after.resumed({ stage: 'A'.repeat(22), screen: digests.stage })).toBeNull();
    // A kept section the client does not hold: the replica says the snapshot does not apply (it resyncs).
    expect(new ViewReplica().snapshot({ epoch: 'new', seq: 5, serverTime: 0, channels: { role: r } })).toBe(false);
  });

  it('the devices of one audience holding the same sections are given one answer per version (issue 15: the restart storm)', () => {
    const before = new AudienceChannel('s:x:role:expert');
    before.update(sections({ stage: { current: 'scoring' }, screen: { scene: '评分' }, presence: { M1: true } }), 5);
    const held = new ViewReplica();
    held.snapshot({ epoch: 'old', seq: 5, serverTime: 0, channels: { role: before.full() } });
    const digests = held.resume()!.digests!.role!;
    const after = new AudienceChannel('s:x:role:expert');
    after.update(sections({ stage: { current: 'scoring' }, screen: { scene: '评分' }, presence: { M1: false } }), 5);
    const a = after.resumed(digests)!;
    const b = after.resumed({ ...digests })!;
    // Short: sent as text inside the snapshot's frame, the same text for both.
    expect(typeof a.json).toBe('string');
    expect(b.json).toBe(a.json);
    expect(b).toEqual(a);
    expect(b.keep).not.toBe(a.keep);
    // Another device holding less is answered for what it holds.
    const fewer = after.resumed({ stage: digests.stage })!;
    expect(fewer.keep).toEqual(['stage']);
    expect(JSON.parse(fewer.json as string)).toEqual({ screen: { scene: '评分' }, presence: { M1: false } });
    // A new version: a new answer.
    after.update(sections({ stage: { current: 'scoring' }, screen: { scene: '评分' }, presence: { M1: true } }), 6);
    const c = after.resumed(digests)!;
    expect(c.keep).toEqual(['stage', 'screen', 'presence']);
    expect(c.json).toBe('{}');
    expect(c.version).toBe(a.version + 1);
    const r = new ViewReplica();
    r.snapshot({ epoch: 'old', seq: 5, serverTime: 0, channels: { role: before.full() } });
    expect(r.snapshot({ epoch: 'new', seq: 6, serverTime: 0, channels: { role: b } })).toBe(true);
    expect(r.view).toEqual({ stage: { current: 'scoring' }, screen: { scene: '评分' }, presence: { M1: false } });
  });

  it('patches carry the new digest of each changed section (whole or by path), and the replica follows', () => {
    const c = new AudienceChannel('s:x:role:moderator');
    c.update(sections({ review: big(1), stage: { current: 'review' } }), 1);
    const r = new ViewReplica();
    r.snapshot({ epoch: 'e', seq: 1, serverTime: 0, channels: { role: c.full() } });
    const next = sections({ review: big(1), stage: { current: 'scoring' } });
    (next.get('review')!.value as ReturnType<typeof big>).rows[3] = { i: 3, text: '改', n: 1 };
    next.set('review', section('review', next.get('review')!.value));
    expect(next.get('review')!.json!.length).toBeGreaterThanOrEqual(PATH_PATCH_MIN);
    const change = c.update(next, 2)!;
    expect(change.ops.length).toBeGreaterThan(0);
    expect(change.digests).toEqual({ review: digestOf(next.get('review')!), stage: digestOf(next.get('stage')!) });
    const patch: ViewPatch = { ch: 'role', seq: 2, base: change.base, version: c.version, serverTime: 0, set: change.set, del: change.del, ops: change.ops, digests: change.digests };
    expect(r.patch(patch)).toBe(true);
    expect(r.resume()!.digests!.role).toEqual({ review: jsonDigest(JSON.stringify(r.view.review)), stage: jsonDigest(JSON.stringify(r.view.stage)) });

    // A change without a digest (an older server) leaves the section without one: it is sent again on a resume.
    expect(r.patch({ ch: 'role', seq: 3, base: c.version, version: c.version + 1, serverTime: 0, set: { stage: { current: 'done' } }, del: [] })).toBe(true);
    expect(r.resume()!.digests!.role).not.toHaveProperty('stage');
    expect(r.resume()!.digests!.role).toHaveProperty('review');
  });

  it('a delta within one epoch carries the digests of the sections it sends', () => {
    const c = new AudienceChannel('s:x:projector:P1');
    c.update(sections({ screen: { scene: 'welcome' } }), 1);
    const r = new ViewReplica();
    const snap: ViewSnapshot = { epoch: 'e', seq: 1, serverTime: 0, channels: { role: c.full() } };
    r.snapshot(snap);
    const v = c.version;
    c.update(sections({ screen: { scene: 'signin' } }), 2);
    const d = c.since(v)!;
    expect(d.digests).toEqual({ screen: jsonDigest(JSON.stringify({ scene: 'signin' })) });
    expect(r.snapshot({ epoch: 'e', seq: 2, serverTime: 0, channels: { role: d } })).toBe(true);
    expect(r.resume()!.digests!.role).toEqual(d.digests);
  });
});
