import { describe, it, expect } from 'vitest';
import { AudienceChannel, digestOf, jsonDigest, sweepChannelCaches } from '../../../server/realtime/audiences';
import { sectionValue, type Section, type SectionMap } from '../../../server/realtime/view-memo';
import { PACK_MIN, PackedJson, held, heldForm, jsonSize, jsonText, packLater, packingDrained, sameJson } from '../../../server/realtime/section-json';
import { appliedOps } from '../../../shared/protocol/view-sync';
import { viewJson, whileUnchanged } from '../../../server/realtime/state-keys';
import type { SessionState } from '../../../server/session/types';

// Memory per room (issue 15, server/realtime/section-json.ts `packed`): a big section whose channel went
// idle and let go of its value keeps its JSON deflated. Whatever reads it again — a whole channel for
// an arriving client, a resume by digest or by delta, the next change's diff — reads the very same
// bytes, and a section's digest does not change.

const section = (key: string, value: unknown): Section => ({ key, value, json: held(JSON.stringify(value)), personal: false });
const review = (n: number) => ({ items: Array.from({ length: 300 }, (_, i) => ({ id: `I${i}`, text: `审查项${i}：资格证明文件（营业执照、财务报告、纳税证明）`, votes: i === 0 ? n : 0 })) });
const view = (sec: Section): SectionMap =>
  new Map([
    ['review', sec],
    ['stage', section('stage', { current: 'review' })],
  ]);

/** The bytes of a channel's whole JSON, as a socket is sent them. */
const bytes = (j: unknown): Buffer => (Buffer.isBuffer(j) ? j : Buffer.from(j as string));

describe('an idle big section keeps its JSON packed (issue 15)', () => {
  it('packs on an idle sweep, and sends the very same bytes and digest afterwards: whole, resumed, by delta, by ops', async () => {
    const big = section('review', review(0));
    const original = big.json as Buffer;
    expect(original.length).toBeGreaterThanOrEqual(PACK_MIN);
    const c = new AudienceChannel('s:x:role:observer', true);
    const base = c.version;
    c.update(view(big), 1);
    const whole = bytes(c.full().json);
    const digest = digestOf(big);
    const delta = c.since(base);
    sweepChannelCaches();
    sweepChannelCaches(); // unused for a whole interval: the value goes, the JSON is packed (off the loop)
    expect(big.released).toBe(true);
    expect(big.json).toBe(original);
    await packingDrained();
    expect(big.json).toBeInstanceOf(PackedJson);
    const p = big.json as PackedJson;
    // Far smaller than the bytes (a review repeats itself), and it says exactly the same.
    expect(p.deflated.length * 5).toBeLessThan(original.length);
    expect(jsonSize(p)).toBe(original.length);
    expect((heldForm(p) as Buffer).equals(original)).toBe(true);
    expect(jsonText(p)).toBe(JSON.stringify(review(0)));
    expect(sectionValue(big)).toEqual(review(0));
    // The digest is the bytes' digest, as before.
    expect(digestOf(big)).toBe(digest);
    expect(jsonDigest(heldForm(p))).toBe(digest);
    // The whole channel, for a client arriving now: the same bytes.
    expect(bytes(c.full().json).equals(whole)).toBe(true);
    // A client resuming with the section's digest keeps it; by delta, the same answer as before.
    expect(c.resumed({ review: digest })!.keep).toEqual(['review']);
    expect(c.since(base)).toEqual(delta);
    // The same JSON built again is the same section; another is not.
    expect(sameJson(p, held(JSON.stringify(review(0))))).toBe(true);
    expect(sameJson(held(JSON.stringify(review(1))), p)).toBe(false);
    expect(c.update(view(section('review', review(0))), 2)).toBeNull();
    // The next change: the same ops as a channel that never packed, and they rebuild the section.
    const next = c.update(view(section('review', review(1))), 3)!;
    const plain = new AudienceChannel('s:x:role:moderator', true);
    plain.update(view(section('review', review(0))), 1);
    expect(next.ops).toEqual(plain.update(view(section('review', review(1))), 3)!.ops);
    expect(appliedOps({ review: review(0) }, next.ops)).toEqual({ review: review(1) });
    expect(c.checkMirror()).toBeNull();
  });

  it('sections sharing one JSON share one packed form, made once', async () => {
    const b = held(JSON.stringify(review(0))) as Buffer;
    const [p, q] = await Promise.all([packLater(b), packLater(b)]);
    expect(p).toBeInstanceOf(PackedJson);
    expect(q).toBe(p);
    expect(await packLater(b)).toBe(p);
  });

  it('a section that changed while it was being packed keeps its new JSON', async () => {
    const big = section('review', review(0));
    const c = new AudienceChannel('s:y:role:observer', true);
    c.update(view(big), 1);
    c.full(); // used: the next sweep but one finds it idle
    sweepChannelCaches();
    sweepChannelCaches();
    expect(big.released).toBe(true);
    // Meanwhile the section took other bytes (as a view rebuilt in place would): the packed form of
    // the old ones is not put on it.
    const other = held(JSON.stringify(review(2)));
    big.json = other;
    await packingDrained();
    expect(big.json).toBe(other);
    // The same bytes packed again are the form made then, in an allocation of its own.
    const p = (await packLater(held(JSON.stringify(review(0))) as Buffer))!;
    expect(p.deflated.buffer.byteLength).toBe(p.deflated.length);
  });

  it('diffs the next change from a packed section: the same ops as from the bytes', async () => {
    const big = section('review', review(0));
    const c = new AudienceChannel('s:z:role:observer', true);
    c.update(view(big), 1);
    c.full();
    sweepChannelCaches();
    sweepChannelCaches();
    await packingDrained();
    expect(big.json).toBeInstanceOf(PackedJson);
    const next = c.update(view(section('review', review(1))), 2)!;
    const plain = new AudienceChannel('s:z:role:moderator', true);
    plain.update(view(section('review', review(0))), 1);
    expect(next.ops.length).toBeGreaterThan(0);
    expect(next.ops).toEqual(plain.update(view(section('review', review(1))), 2)!.ops);
    expect(c.checkMirror()).toBeNull();
  });

  it('a shared part whose JSON was a slice of the packed bytes lets go of them', async () => {
    const s = { seq: 0 } as unknown as SessionState;
    const part = whileUnchanged(s, 'demo.packedPart', () => review(0));
    const value = { reveal: part, at: 1 };
    const json = viewJson(value) as Buffer;
    // The part's JSON is kept as a slice of the section's bytes.
    expect((viewJson(part) as Buffer).buffer).toBe(json.buffer);
    const sec: Section = { key: 'quotes', value, json, personal: false };
    const c = new AudienceChannel('s:w:role:observer', true);
    c.update(new Map([['quotes', sec]]), 1);
    c.full();
    sweepChannelCaches();
    sweepChannelCaches();
    await packingDrained();
    expect(sec.json).toBeInstanceOf(PackedJson);
    // Encoded again, not a view of the packed section's bytes; the same text.
    const again = viewJson(part) as Buffer;
    expect(again.buffer).not.toBe(json.buffer);
    expect(jsonText(again)).toBe(JSON.stringify(review(0)));
  });
});
