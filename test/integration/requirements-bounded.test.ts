import { describe, it, expect } from 'vitest';
import WebSocket from 'ws';
import * as Y from 'yjs';
import * as syncProtocol from 'y-protocols/sync';
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';
import { startServer, tokenOf, linkFor, type TestServer } from '../helpers/server';
import { openRoom, driveTo, type Room } from '../helpers/room';
import { liveText } from '../../server/requirements/live-text';
import { MAX_LIVE_CHARS, MAX_UPDATE_BYTES } from '../../server/requirements/yjs-limits';
import { yjsProtocols, YJS_CLOSE, YJS_CLOSE_MESSAGE } from '../../shared/protocol/yjs';
import { closeAfterEach } from '../helpers/per-test';

// Issue 12, item 6: the live requirements document is bounded. A raw Yjs client (y-protocols over a
// plain websocket) sends what a misbehaving tablet could: an insert past the limit, one oversized
// update, content that is not the text. Each is refused whole (never applied, never stored, never sent
// to anyone), and the sender is told why with a close code the tablet turns into a message.

let srv: TestServer | null = null;
let room: Room | null = null;
const sockets: WebSocket[] = [];
closeAfterEach(() => [sockets.splice(0), room, srv]);

interface Raw {
  doc: Y.Doc;
  ws: WebSocket;
  closed: Promise<{ code: number; reason: string }>;
  /** Sends everything local the server lacks, as one update message. */
  push(update: Uint8Array): void;
}

/** A raw y-protocols client; resolves once it holds the server's document. */
function raw(r: Room, personId: string): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const doc = new Y.Doc();
    const ws = new WebSocket(`${r.srv.url.replace(/^http/, 'ws')}/yjs/${r.sessionId}`, yjsProtocols(tokenOf(linkFor(r.links, personId))));
    sockets.push(ws);
    ws.binaryType = 'arraybuffer';
    const closed = new Promise<{ code: number; reason: string }>((res) => ws.on('close', (code, reason) => res({ code, reason: reason.toString() })));
    const push = (update: Uint8Array) => {
      const enc = encoding.createEncoder();
      encoding.writeVarUint(enc, 0);
      syncProtocol.writeUpdate(enc, update);
      ws.send(encoding.toUint8Array(enc));
    };
    ws.on('error', reject);
    ws.on('message', (data: ArrayBuffer) => {
      const dec = decoding.createDecoder(new Uint8Array(data));
      if (decoding.readVarUint(dec) !== 0) return;
      const reply = encoding.createEncoder();
      encoding.writeVarUint(reply, 0);
      const kind = syncProtocol.readSyncMessage(dec, reply, doc, 'server');
      if (encoding.length(reply) > 1) ws.send(encoding.toUint8Array(reply));
      if (kind === syncProtocol.messageYjsSyncStep1) {
        // Ask for the server's state too, and wait until it is here.
        const ask = encoding.createEncoder();
        encoding.writeVarUint(ask, 0);
        syncProtocol.writeSyncStep1(ask, doc);
        ws.send(encoding.toUint8Array(ask));
      }
      if (kind === syncProtocol.messageYjsSyncStep2) resolve({ doc, ws, closed, push });
    });
  });
}

/** What the client's doc would send for a change: the diff against the server's state. */
function edit(c: Raw, change: (d: Y.Doc) => void): Uint8Array {
  const sv = Y.encodeStateVector(c.doc);
  change(c.doc);
  return Y.encodeStateAsUpdate(c.doc, sv);
}

const storedText = (s: TestServer, id: string) =>
  (s.store.db.prepare('SELECT data FROM requirements_updates WHERE session_id = ?').all(id) as { data: Buffer }[]).map((x) => x.data.toString('utf8')).join('');

async function consultation(): Promise<Room> {
  srv = await startServer();
  room = await openRoom(srv);
  await driveTo(room, 'consultation');
  return room;
}

const until = async (pred: () => boolean, ms = 5000) => {
  const t = Date.now();
  while (!pred()) {
    if (Date.now() - t > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('a bounded shared document', () => {
  it('refuses an insert that would take the document past its limit; the sender is told why; nothing is applied, stored or relayed', async () => {
    const r = await consultation();
    const m1 = await raw(r, 'M1');
    const m2 = await raw(r, 'M2');
    const before = m1.doc.getText('requirements').toString();
    expect(liveText(r.sessionId)).toBe(before);

    // An ordinary edit goes through.
    m1.push(edit(m1, (d) => d.getText('requirements').insert(before.length, '\n合法修改')));
    await until(() => m2.doc.getText('requirements').toString().endsWith('合法修改'));
    const ok = liveText(r.sessionId)!;

    // 600,000 characters in one insert (as in the issue): refused.
    const big = edit(m1, (d) => d.getText('requirements').insert(0, 'x'.repeat(600_000)));
    expect(big.byteLength).toBeLessThan(MAX_UPDATE_BYTES);
    m1.push(big);
    expect(await m1.closed).toEqual({ code: YJS_CLOSE.tooLarge, reason: 'document_too_large' });
    expect(liveText(r.sessionId)).toBe(ok);
    expect(storedText(srv!, r.sessionId)).not.toContain('xxxxxxxxxx');
    // The other tablet never received it, and stays connected.
    await new Promise((res) => setTimeout(res, 200));
    expect(m2.doc.getText('requirements').toString()).toBe(ok);
    expect(m2.ws.readyState).toBe(WebSocket.OPEN);
    // The tablet has words for it, in Chinese and English.
    expect(YJS_CLOSE_MESSAGE[YJS_CLOSE.tooLarge].zh).toContain('未保存');
    expect(YJS_CLOSE_MESSAGE[YJS_CLOSE.tooLarge].en).toContain('not saved');
  });

  it('judges a replace near the limit exactly, refuses the first character too many, and refuses one oversized update and non-text content', async () => {
    const r = await consultation();
    const m1 = await raw(r, 'M1');
    const start = liveText(r.sessionId)!.length;
    // Fill to exactly the limit in a few edits.
    let left = MAX_LIVE_CHARS - start;
    while (left > 0) {
      const n = Math.min(left, 60_000);
      m1.push(edit(m1, (d) => d.getText('requirements').insert(d.getText('requirements').length, 'a'.repeat(n))));
      left -= n;
    }
    await until(() => liveText(r.sessionId)!.length === MAX_LIVE_CHARS);
    // A replace of 50,000 characters at the limit keeps the length: accepted.
    m1.push(
      edit(m1, (d) => {
        const t = d.getText('requirements');
        d.transact(() => {
          t.delete(start, 50_000);
          t.insert(start, 'b'.repeat(50_000));
        });
      }),
    );
    await until(() => liveText(r.sessionId)!.includes('bbbbbbbbbb'));
    expect(liveText(r.sessionId)!.length).toBe(MAX_LIVE_CHARS);
    // One more character: refused.
    m1.push(edit(m1, (d) => d.getText('requirements').insert(0, '多')));
    expect((await m1.closed).code).toBe(YJS_CLOSE.tooLarge);
    expect(liveText(r.sessionId)!.length).toBe(MAX_LIVE_CHARS);
    expect(liveText(r.sessionId)!.startsWith('多')).toBe(false);

    // One update larger than MAX_UPDATE_BYTES, whatever it would do to the length.
    const m2 = await raw(r, 'M2');
    const huge = edit(m2, (d) => {
      const t = d.getText('requirements');
      d.transact(() => {
        t.delete(0, t.length);
        t.insert(0, '大'.repeat(400_000));
      });
    });
    expect(huge.byteLength).toBeGreaterThan(MAX_UPDATE_BYTES);
    m2.push(huge);
    expect(await m2.closed).toEqual({ code: YJS_CLOSE.tooLarge, reason: 'update_too_large' });

    // Content that is not the text (another shared type the length would not count): refused.
    const m3 = await raw(r, 'M3');
    m3.push(edit(m3, (d) => d.getMap('elsewhere').set('k', 'z'.repeat(100_000))));
    expect(await m3.closed).toEqual({ code: YJS_CLOSE.tooLarge, reason: 'not_text' });
    expect(liveText(r.sessionId)!.length).toBe(MAX_LIVE_CHARS);
    expect(storedText(srv!, r.sessionId)).not.toContain('zzzzzzzzzz');
  }, 60_000);
});
