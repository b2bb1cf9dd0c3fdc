import { describe, it, expect, afterEach } from 'vitest';
import { yjsProtocols } from '../../shared/protocol/yjs';
import WebSocket from 'ws';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import * as syncProtocol from 'y-protocols/sync';
import { WebsocketProvider } from 'y-websocket';
import { startServer, tokenOf, linkFor, type TestServer, type TestClient } from '../helpers/server';
import { openRoom, driveTo, advance, stageOf, type Room } from '../helpers/room';
import { STEPS } from '../helpers/steps';
import { openWindow, closeAfter, settleAll, plainSheet, NO_POLICY, PLAIN_QUOTES, activeSupplierIds, quoteSignature } from '../helpers/steps/quotes';
import { sheetFor } from '../helpers/steps/scoring';
import { liveText } from '../../server/requirements/live-text';
import { DEMO_SESSION } from '../../server/demo/demo-session';
import type { Factor } from '../../shared/domain/rubric/types';

// Issue 8, isolation: unique canary values are planted per supplier (its final quote, its answers to
// clarifications and the questions put to it, its signer's name on a requirement confirmation, its
// withdrawal reason) and per member (its scores' evidence in the blind round, its private notes).
// Every frame every client receives through a whole scripted session, with forced reconnects in the
// middle, is recorded; no foreign canary may ever arrive (docs/rules.md §1.8; 000 §21.1 L485: nothing about
// the review reaches suppliers; 003 Ch3 §2.1 L625: one supplier at a time, no supplier learns another's
// responses; blind scoring, docs/rules.md §2.16, 000 §20.3 L328; sealed quotes until the window closes).

const BODY = { ...DEMO_SESSION, suppliers: [...DEMO_SESSION.suppliers, { name: '冯退', org: '退出测试（北京）有限公司' }] };
const SUPPLIERS = ['S1', 'S2', 'S3', 'S4', 'S5'];
const MEMBERS = ['M1', 'M2', 'M3', 'M4', 'M5'];

const canary = {
  quote: (s: string) => `cnryQuote${s}x7`,
  question: (s: string) => `cnryAsk${s}x7`,
  answer: (s: string) => `cnryAnswer${s}x7`,
  answerSigner: (s: string) => `cnrySigA${s}x7`,
  signer: (s: string) => `cnrySigner${s}x7`,
  withdraw: (s: string) => `cnryWithdraw${s}x7`,
  note: (m: string) => `cnryNote${m}x7`,
  evidence: (m: string, s: string) => `cnryEv${m}${s}x7`,
};
const supplierCanaries = (s: string) => [canary.quote(s), canary.question(s), canary.answer(s), canary.answerSigner(s), canary.signer(s), canary.withdraw(s)];

let srv: TestServer | null = null;
let room: Room | null = null;
const providers: WebsocketProvider[] = [];
afterEach(async () => {
  for (const p of providers.splice(0)) p.destroy();
  room?.closeAll();
  room = null;
  if (srv) await srv.close(true);
  srv = null;
});

/** Every frame each person's clients ever receive, in arrival order, across reconnects. */
function record(r: Room): Map<string, string[]> {
  const log = new Map<string, string[]>();
  const seen = new WeakSet<TestClient>();
  const orig = r.client.bind(r);
  r.client = async (id: string) => {
    const c = await orig(id);
    if (!seen.has(c)) {
      seen.add(c);
      const arr = log.get(id) ?? [];
      log.set(id, arr);
      for (const f of c.frames) arr.push(JSON.stringify(f));
      c.socket.onAny((event: string, data: unknown) => arr.push(JSON.stringify({ event, data })));
    }
    return c;
  };
  return log;
}

/** Forced reconnect of everyone: every socket dropped, a fresh connection (and snapshot) each. */
async function reconnectAll(r: Room): Promise<void> {
  for (const l of r.links) (await r.client(l.personId)).close();
  await new Promise((res) => setTimeout(res, 50));
  for (const l of r.links) await r.client(l.personId);
}

const settle = async (r: Room) => {
  const seq = (await r.srv.store.read(r.sessionId)).length;
  for (const l of r.links) {
    const c = await r.client(l.personId);
    await c.waitFor(() => c.seq >= seq);
  }
};

async function editAndPublish(r: Room): Promise<number> {
  const doc = new Y.Doc();
  const p = new WebsocketProvider(r.srv.url.replace(/^http/, 'ws') + '/yjs', r.sessionId, doc, {
    protocols: yjsProtocols(tokenOf(linkFor(r.links, 'M1'))),
    WebSocketPolyfill: WebSocket as any,
    disableBc: true,
  });
  providers.push(p);
  for (let i = 0; !p.synced && i < 250; i++) await new Promise((res) => setTimeout(res, 20));
  const t = doc.getText('requirements');
  t.insert(t.length, '\n5. 质保期延长至三年。');
  for (let i = 0; !(liveText(r.sessionId) ?? '').endsWith('三年。') && i < 250; i++) await new Promise((res) => setTimeout(res, 20));
  const v = (await r.ok('A1', 'requirements:propose')).data.version as number;
  await r.ok('M5', 'requirements:confirm', { version: v });
  return v;
}

describe('isolation: no foreign canary ever reaches a client', () => {
  it('holds through a whole scripted session with forced reconnects', async () => {
    srv = await startServer();
    room = await openRoom(srv, BODY);
    const r = room;
    const log = record(r);
    for (const l of r.links) await r.client(l.personId);
    await driveTo(r, 'review');

    // Review: a clarification to every supplier, answered with its canaries (003 Ch3 §2.5.2 L637).
    for (const s of SUPPLIERS) {
      const d = await r.ok('M1', 'clarify:draft', { supplierId: s, question: `请说明 ${canary.question(s)} 的依据。`, minutes: 30 });
      const cid = d.data.clarificationId as string;
      await r.ok('A1', 'clarify:send', { clarificationId: cid });
      await r.ok(s, 'clarify:answer', { clarificationId: cid, text: `书面答复 ${canary.answer(s)}`, signer: canary.answerSigner(s), confirmStatement: true });
    }
    await reconnectAll(r);
    await driveTo(r, 'consultation');

    // Consultation: private notes, a published change signed by every supplier, and S5 withdraws.
    for (const m of MEMBERS) await r.ok(m, 'round:note', { supplierId: 'S1', text: `笔记 ${canary.note(m)}` });
    const v = await editAndPublish(r);
    for (const s of SUPPLIERS.slice(0, 4)) {
      await r.ok(s, 'requirements:received', { version: v });
      await r.ok(s, 'requirements:sign', { version: v, signer: canary.signer(s) });
      await r.ok(s, 'resubmission:unchanged', { version: v, signer: canary.signer(s), confirmStatement: true });
    }
    await r.ok('S5', 'supplier:withdraw', { reason: `因故退出 ${canary.withdraw('S5')}` });
    await reconnectAll(r);
    await driveTo(r, 'final_quote');

    // Final quotes, sealed until the window closes; everyone reconnects while it is open.
    const active = await activeSupplierIds(r);
    expect(active).toEqual(['S1', 'S2', 'S3', 'S4']);
    const deadline = await openWindow(r);
    for (const [i, s] of active.entries()) await r.ok(s, 'quotes:submit', { signature: quoteSignature(s), missingItemsIncluded: true, sheet: plainSheet(PLAIN_QUOTES[i], canary.quote(s)), policy: NO_POLICY });
    await reconnectAll(r);
    await settle(r);
    const beforeClose = new Map([...log].map(([id, a]) => [id, a.length]));
    await closeAfter(r, deadline);
    await settleAll(r);
    while ((await stageOf(r)) !== 'scoring') await advance(r);

    // Blind scoring: evidence canaries; each member's frames are marked when its own submission is acknowledged.
    const m1 = await r.client('M1');
    await m1.waitFor((x) => !!x.scoringFactors && !!x.scoring?.suppliers);
    const factors = m1.view.scoringFactors as Factor[];
    const subjective = factors.find((f) => f.consistency_check === 'none');
    const submittedAt = new Map<string, number>(); // `${member}|${supplier}` → frames before its own submission
    for (const [i, s] of active.entries()) {
      if (i === 2) await reconnectAll(r);
      for (const m of MEMBERS) {
        const entries = sheetFor(factors, (f) => (f === subjective ? i : 0)) as Record<string, { value: unknown; evidence?: string }>;
        entries[factors[0].id] = { ...entries[factors[0].id], evidence: canary.evidence(m, s) };
        submittedAt.set(`${m}|${s}`, log.get(m)!.length);
        await r.ok(m, 'score:submit', { supplierId: s, entries });
      }
    }
    await driveTo(r, 'recheck');
    await STEPS.recheck(r);
    if (STEPS.signing) {
      await advance(r);
      await STEPS.signing(r);
    }
    await settle(r);

    // Sanity: the canaries really are in the log, and their owners (or the panel) received them.
    const all = JSON.stringify(await r.srv.store.read(r.sessionId));
    for (const s of active) for (const c of [canary.quote(s), canary.answer(s), canary.signer(s)]) expect(all).toContain(c);
    expect(all).toContain(canary.withdraw('S5'));
    const joined = (id: string) => log.get(id)!.join('\n');
    expect(joined('S1')).toContain(canary.answer('S1'));
    expect(joined('M2')).toContain(canary.note('M2'));
    expect(joined('A1')).toContain(canary.answer('S2'));
    expect(joined('S2')).toContain(canary.quote('S2'));
    expect(joined('O1')).toContain(canary.withdraw('S5'));

    const people = r.links.map((l) => l.personId);
    for (const who of people) {
      const frames = log.get(who)!;
      const text = frames.join('\n');
      // A supplier never receives another supplier's canary, nor any member's.
      for (const s of SUPPLIERS)
        if (s !== who)
          for (const c of supplierCanaries(s)) {
            if (who.startsWith('S') || who === 'P1') {
              // The wall: nothing confidential at any time (quotes may be shown only after the close).
              if (who === 'P1' && c === canary.quote(s)) continue;
              expect(text.includes(c), `${who} received ${c}`).toBe(false);
            }
          }
      // Nobody receives a quote canary but its supplier before the window closes (sealed quotes).
      const early = frames.slice(0, beforeClose.get(who)).join('\n');
      for (const s of SUPPLIERS) if (s !== who) expect(early.includes(canary.quote(s)), `${who} received ${s}'s quote before the close`).toBe(false);
      // Private notes reach their member only (rounds: "only this member ever receives them back").
      for (const m of MEMBERS) if (m !== who) expect(text.includes(canary.note(m)), `${who} received ${m}'s note`).toBe(false);
      // Evidence: never to a supplier or the wall; to another member never before it has submitted that supplier.
      for (const m of MEMBERS)
        for (const s of active) {
          if (m === who) continue;
          if (who.startsWith('S') || who === 'P1') expect(text.includes(canary.evidence(m, s)), `${who} received ${m}'s evidence on ${s}`).toBe(false);
          if (MEMBERS.includes(who)) {
            const upto = submittedAt.get(`${who}|${s}`)!;
            expect(frames.slice(0, upto).join('\n').includes(canary.evidence(m, s)), `${who} received ${m}'s evidence on ${s} before submitting ${s}`).toBe(false);
          }
        }
    }
  }, 180_000);

  it('keeps suppliers and the wall out of the Yjs document, and read-only connections cannot change it', async () => {
    srv = await startServer();
    room = await openRoom(srv, BODY);
    const r = room;
    await driveTo(r, 'consultation');
    const base = `${r.srv.url.replace(/^http/, 'ws')}/yjs/${r.sessionId}`;
    const status = (id: string) =>
      new Promise<number>((res) => {
        const ws = new WebSocket(base, yjsProtocols(tokenOf(linkFor(r.links, id))));
        ws.on('unexpected-response', (_q, resp) => (res(resp.statusCode ?? 0), ws.terminate()));
        ws.on('open', () => (res(101), ws.close()));
        ws.on('error', () => undefined);
      });
    for (const s of SUPPLIERS) expect(await status(s), `${s} opens the live document`).toBe(403);
    expect(await status('P1')).toBe(403);

    /** A real y-protocols client: waits for the server's sync step 1, then sends an update inserting `mark`. */
    const rawEdit = (id: string, mark: string, kind: 'update' | 'step2') =>
      new Promise<void>((res, rej) => {
        const ws = new WebSocket(base, yjsProtocols(tokenOf(linkFor(r.links, id))));
        ws.binaryType = 'arraybuffer';
        ws.on('error', rej);
        ws.once('message', () => {
          const d = new Y.Doc();
          d.getText('requirements').insert(0, mark);
          const enc = encoding.createEncoder();
          encoding.writeVarUint(enc, 0); // messageSync
          if (kind === 'update') syncProtocol.writeUpdate(enc, Y.encodeStateAsUpdate(d));
          else syncProtocol.writeSyncStep2(enc, d);
          ws.send(encoding.toUint8Array(enc), () => setTimeout(() => (ws.close(), res()), 150));
        });
      });
    await rawEdit('M1', 'cnryPanelFirst', 'update'); // loads the document on the server
    const before = liveText(r.sessionId) ?? '';
    // A fresh document's insert lands at the start or after the seed's first run (Yjs orders concurrent
    // inserts by client id): only whether it is there matters.
    expect(before).toContain('cnryPanelFirst');
    for (const id of ['A1', 'O1']) {
      await rawEdit(id, `cnryReadOnly${id}U`, 'update');
      await rawEdit(id, `cnryReadOnly${id}S`, 'step2');
    }
    expect(liveText(r.sessionId)).toBe(before);
    // The same message from a panel member is applied: the messages above were well-formed.
    await rawEdit('M2', 'cnryPanelEdit', 'update');
    const after = liveText(r.sessionId) ?? '';
    expect(after).toContain('cnryPanelEdit');
    expect(after.replace('cnryPanelEdit', '')).toBe(before);
    const rows = srv.store.db.prepare('SELECT data FROM requirements_updates WHERE session_id = ?').all(r.sessionId) as { data: Buffer }[];
    const stored = rows.map((x) => x.data.toString('latin1')).join('');
    expect(stored).toContain('cnryPanelEdit');
    expect(stored).not.toContain('cnryReadOnly');
  }, 120_000);
});
