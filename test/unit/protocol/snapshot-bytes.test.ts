import { describe, expect, it } from 'vitest';
import { AudienceChannel } from '../../../server/realtime/audiences';
import type { Section, SectionMap } from '../../../server/realtime/view-memo';
import { ViewReplica, channelView, type ViewSnapshot } from '../../../shared/protocol/view-sync';

// A whole channel travels as UTF-8 bytes encoded once per channel version (issue 15: a reconnect
// storm's snapshots cost no encoding per socket); the client's replica reads it as Node's Buffer, the
// browser's ArrayBuffer, or a string.

const section = (key: string, value: unknown): Section => ({ key, value, json: JSON.stringify(value), personal: false });
const sections = (o: Record<string, unknown>): SectionMap => new Map(Object.entries(o).map(([k, v]) => [k, section(k, v)]));

describe('whole channels as bytes', () => {
  it('encodes a channel once per version and every socket at that version is sent the same bytes', () => {
    const c = new AudienceChannel('s:x:role:moderator');
    c.update(sections({ stage: { current: 'signin' }, screen: { scene: '签到' } }), 3);
    const a = c.full();
    const b = c.full();
    expect(a.json).toBeInstanceOf(Uint8Array);
    expect(b.json).toBe(a.json);
    expect(channelView(a)).toEqual({ stage: { current: 'signin' }, screen: { scene: '签到' } });
    c.update(sections({ stage: { current: 'review' }, screen: { scene: '签到' } }), 4);
    const next = c.full();
    expect(next.json).not.toBe(a.json);
    expect(next).toMatchObject({ version: a.version + 1, seq: 4 });
    expect(channelView(next)).toEqual({ stage: { current: 'review' }, screen: { scene: '签到' } });
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
});
