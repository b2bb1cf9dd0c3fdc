import { describe, expect, it } from 'vitest';
import { AudienceChannel, TEXT_MAX, sweepChannelCaches } from '../../../server/realtime/audiences';
import type { Section, SectionMap } from '../../../server/realtime/view-memo';
import { ViewReplica, appliedOps, channelView, type ViewSnapshot } from '../../../shared/protocol/view-sync';

// A whole channel travels as UTF-8 bytes encoded once per channel version (issue 15: a reconnect
// storm's snapshots cost no encoding per socket); the client's replica reads it as Node's Buffer, the
// browser's ArrayBuffer, or a string.

const section = (key: string, value: unknown): Section => ({ key, value, json: JSON.stringify(value), personal: false });
const sections = (o: Record<string, unknown>): SectionMap => new Map(Object.entries(o).map(([k, v]) => [k, section(k, v)]));

// A long list of items, its JSON well beyond TEXT_MAX.
const long = (n: number) => ({ items: Array.from({ length: 300 }, (_, i) => ({ id: `I${i}`, text: `审查项${i}`, votes: i === 0 ? n : 0 })) });

describe('whole channels as bytes', () => {
  it('encodes a channel once per version and every socket at that version is sent the same bytes', () => {
    const c = new AudienceChannel('s:x:role:moderator');
    c.update(sections({ stage: { current: 'signin' }, review: long(0) }), 3);
    const a = c.full();
    const b = c.full();
    expect(a.json).toBeInstanceOf(Uint8Array);
    expect((a.json as Uint8Array).length).toBeGreaterThanOrEqual(TEXT_MAX);
    expect(b.json).toBe(a.json);
    expect(channelView(a)).toEqual({ stage: { current: 'signin' }, review: long(0) });
    c.update(sections({ stage: { current: 'review' }, review: long(0) }), 4);
    const next = c.full();
    expect(next.json).not.toBe(a.json);
    expect(next).toMatchObject({ version: a.version + 1, seq: 4 });
    expect(channelView(next)).toEqual({ stage: { current: 'review' }, review: long(0) });
  });

  it('a short channel is sent as text, one frame with its snapshot instead of an attachment each (issue 15: the restart storm)', () => {
    const c = new AudienceChannel('s:x:role:moderator');
    c.update(sections({ stage: { current: 'signin' }, screen: { scene: '签到' } }), 3);
    const a = c.full();
    expect(typeof a.json).toBe('string');
    expect(a.json).toBe(JSON.stringify({ stage: { current: 'signin' }, screen: { scene: '签到' } }));
    expect(c.full().json).toBe(a.json);
    expect(channelView(a)).toEqual({ stage: { current: 'signin' }, screen: { scene: '签到' } });
    // A section held as bytes (≥ 1 KB) goes into the text as its characters.
    const mid = { rows: Array.from({ length: 40 }, (_, i) => `第${i}行`) };
    const withBytes: SectionMap = new Map([['mid', { key: 'mid', value: mid, json: Buffer.from(JSON.stringify(mid)), personal: false }], ['stage', section('stage', { current: 'review' })]]);
    c.update(withBytes, 4);
    expect(c.full().json).toBe(JSON.stringify({ stage: { current: 'review' }, mid }));
  });

  it('a replica reads a whole channel from a Buffer, an ArrayBuffer or a string', () => {
    const text = JSON.stringify({ screen: { scene: '欢迎' } });
    const bytes = new TextEncoder().encode(text);
    for (const json of [Buffer.from(text), bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength), text]) {
      const r = new ViewReplica();
      const s: ViewSnapshot = { epoch: 'e', seq: 7, serverTime: 0, channels: { role: { version: 1, seq: 7, json } } };
      expect(r.snapshot(s)).toBe(true);
      expect(r.view).toEqual({ screen: { scene: '欢迎' } });
      expect(r.resume()).toEqual({ epoch: 'e', versions: { role: 1 }, digests: { role: {} } });
    }
  });

  it('a channel unused for a whole sweep drops its caches, and sends the same afterwards (memory per room, issue 15)', () => {
    // A big section (path ops) and a small one; two channels, one kept busy.
    const review = long;
    const idle = new AudienceChannel('s:x:role:observer');
    const busy = new AudienceChannel('s:x:role:expert');
    let held: Record<string, unknown> = {};
    for (const c of [idle, busy]) c.update(sections({ review: review(0), stage: { current: 'review' } }), 1);
    // A change inside the big section goes as ops (the channel keeps its parsed copy for the next diff).
    const first = idle.update(sections({ review: review(1), stage: { current: 'review' } }), 2)!;
    expect(first.ops.length).toBeGreaterThan(0);
    busy.update(sections({ review: review(1), stage: { current: 'review' } }), 2);
    const bytes = idle.full().json;
    held = channelView(idle.full());
    sweepChannelCaches(); // used since the last sweep: kept
    expect(idle.full().json).toBe(bytes);
    sweepChannelCaches();
    busy.full();
    sweepChannelCaches(); // idle unused for a whole interval: dropped; busy used meanwhile: kept
    const again = idle.full();
    expect(again.json).not.toBe(bytes);
    expect(Buffer.compare(again.json as Buffer, bytes as Buffer)).toBe(0);
    // The next change is diffed from the held JSON: the same ops, and they rebuild the section.
    const next = idle.update(sections({ review: review(2), stage: { current: 'review' } }), 3)!;
    expect(next.ops).toEqual(busy.update(sections({ review: review(2), stage: { current: 'review' } }), 3)!.ops);
    expect(appliedOps(held, next.ops)).toEqual({ review: review(2), stage: { current: 'review' } });
  });
});
