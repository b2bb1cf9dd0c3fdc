import type { Room } from '../room';
import { signaturePath } from './report';
import { amountToWords } from '../../../shared/rules/money/words';

// The least the room must do in the stage(s) of the quotes concern before moving on (see room.ts driveTo):
// open the window, every active supplier submits a plain quote, close after the deadline, confirm any
// correction, and decide any abnormal-low review (explanation, then every member accepts).

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Plain quotes that trigger nothing in seed 003: within 1,511,936.00, above 680,371.20, close together. */
export const PLAIN_QUOTES = ['1200000.00', '1250000.00', '1300000.00', '1350000.00', '1400000.00', '1450000.00'];

export const NO_POLICY = {
  enterprise: null,
  smeDeclaration: false,
  prisonEnterprise: false,
  disabledWelfareUnit: false,
  smallMicroShare: null,
  domesticShare: null,
};

/** A quote sheet whose words and figures agree, with one line that adds up. */
export function plainSheet(amount: string, item = '项目服务费') {
  return { amount, amountInWords: amountToWords(amount), lines: [{ item, unitPrice: amount, quantity: '1', total: amount }] };
}

/** The authorised representative's signature every consultation final quote carries (issue 13 item 4;
 *  server/quotes/window.ts refuses a quote without it). */
export function quoteSignature(supplierId: string, k = 0): { name: string; path: string } {
  return { name: `代表${supplierId}`, path: signaturePath(k) };
}

export async function serverNow(room: Room): Promise<number> {
  const mod = await room.client(room.ids('moderator')[0]);
  const ack = await mod.send('time:sync', {});
  return ack.data.serverTime as number;
}

/** The suppliers still in the evaluation, as the moderator's console shows them. */
export async function activeSupplierIds(room: Room): Promise<string[]> {
  const mod = await room.client(room.ids('moderator')[0]);
  const seq = (await room.srv.store.read(room.sessionId)).length;
  await mod.waitFor(() => mod.seq >= seq);
  const standing = (mod.view.suppliers?.standing ?? {}) as Record<string, { status: string }>;
  return room.ids('supplier').filter((id) => standing[id]?.status === 'active');
}

/** Opens the window with a deadline `windowMs` from now (server clock). Where the test can move the
 *  server's clock, the default is long (the suppliers submit whatever the machine's load, and
 *  closeAfter moves the clock past it); otherwise 1.5 s of real time. */
export async function openWindow(room: Room, windowMs = room.srv.advance ? 10 * 60_000 : 1500): Promise<number> {
  const deadline = (await serverNow(room)) + windowMs;
  await room.ok(room.ids('moderator')[0], 'quotes:open', { deadline, note: '磋商小组决定' });
  return deadline;
}

/** Moves the server's clock past `deadline` (or, on a server with the test's own clock, waits for
 *  it), then closes the window. */
export async function closeAfter(room: Room, deadline: number): Promise<void> {
  const now = await serverNow(room);
  if (now < deadline && room.srv.advance) room.srv.advance(deadline - now + 1);
  for (let i = 0; i < 200 && (await serverNow(room)) < deadline; i++) await sleep(50);
  await room.ok(room.ids('moderator')[0], 'quotes:close');
}

/** Confirms every outstanding correction and decides every open review by accepting it. */
export async function settleAll(room: Room): Promise<void> {
  const mod = await room.client(room.ids('moderator')[0]);
  const seq = (await room.srv.store.read(room.sessionId)).length;
  await mod.waitFor(() => mod.seq >= seq);
  for (const p of (mod.view.quotes?.pending ?? []) as { supplierId: string }[]) {
    await room.ok(p.supplierId, 'quotes:correction_respond', { accept: true });
  }
  const seq2 = (await room.srv.store.read(room.sessionId)).length;
  await mod.waitFor(() => mod.seq >= seq2);
  for (const r of (mod.view.quotes?.reviews ?? []) as { supplierId: string; decision: unknown; explanation: unknown }[]) {
    if (r.decision) continue;
    if (!r.explanation) await room.ok(r.supplierId, 'quotes:explain', { text: '成本测算：人工成本、设备折旧与管理费用明细见附件，报价可覆盖成本。' });
    const members = room.ids('panel');
    for (const m of members) {
      const ack = await room.act(m, 'quotes:review_vote', { supplierId: r.supplierId, verdict: 'accept', reason: '说明合理' });
      // A replaced (inactive) member may not vote; the sitting members decide.
      if (!ack.ok && ack.error.code !== 'forbidden') throw new Error(`vote ${m}: ${JSON.stringify(ack.error)}`);
    }
  }
}

/** Bid prices of a seed-004 tender within its 600,000.00 budget (docs/tender.md). */
export const TENDER_PRICES = ['498000.00', '520000.00', '560000.00', '540000.00', '580000.00', '590000.00'];

/** A tender's price stage: the agency enters each bidder's opening record (开标一览表), each bidder
 *  confirms it, the record is closed and any correction confirmed (server/quotes/opening.ts). */
export async function openingRecords(room: Room, prices = TENDER_PRICES): Promise<void> {
  const suppliers = await activeSupplierIds(room);
  const a = room.ids('moderator')[0];
  const mod = await room.client(a);
  const entered = new Map<string, { answer: string | null }>(((mod.view.quotes?.opening ?? []) as { supplierId: string; entered: boolean; answer: string | null }[]).filter((o) => o.entered).map((o) => [o.supplierId, o]));
  for (const [i, id] of suppliers.entries()) {
    // What a test entered itself stands (driveTo may pass through a stage the test began).
    const answer = entered.get(id)?.answer;
    if (answer === 'confirmed' || answer === 'absent') continue;
    const amount = prices[i % prices.length];
    await room.ok(a, 'quotes:opening_record', { supplierId: id, amount, amountInWords: amountToWords(amount), lines: [] });
    await room.ok(id, 'quotes:opening_confirm', { accept: true });
  }
  await room.ok(a, 'quotes:close');
  await settleAll(room);
}

export async function finalQuotes(room: Room): Promise<void> {
  const mod = await room.client(room.ids('moderator')[0]);
  if (mod.view.session?.method === 'public_tender') return openingRecords(room);
  const suppliers = await activeSupplierIds(room);
  const deadline = await openWindow(room);
  // No policy in the command: the statuses are the panel's determination (server/review/policy.ts).
  for (const [i, id] of suppliers.entries()) {
    await room.ok(id, 'quotes:submit', { missingItemsIncluded: true, sheet: plainSheet(PLAIN_QUOTES[i % PLAIN_QUOTES.length]), signature: quoteSignature(id, i) });
  }
  await closeAfter(room, deadline);
  await settleAll(room);
}

export const quotesSteps: Record<string, (room: Room) => Promise<void>> = {
  final_quote: finalQuotes,
};
