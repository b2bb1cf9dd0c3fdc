import type { Room } from '../room';
import { driveTo, moderatorOf } from '../room';
import { quotesSteps } from './quotes';
import { quoteSignature } from './quotes';
import type { Factor } from '../../../shared/domain/rubric/types';

// The least the room must do in the stage(s) of the scoring concern before moving on (see room.ts driveTo).

type Entry = { value: unknown; evidence?: string };

/** A valid entry for a leaf; `k` picks a different allowed value (0 = the highest). */
export function entryFor(f: Factor, k = 0): Entry {
  switch (f.kind) {
    case 'count_based': {
      const cr = f.count_rule!;
      if (cr.mode === 'checklist') return { value: { items: (cr.items ?? []).map((_, i) => i >= k) } };
      if (cr.mode === 'tiers') {
        const t = cr.tiers![Math.min(k, cr.tiers!.length - 1)];
        return { value: { count: t.min_count } };
      }
      const cap = Number(cr.cap ?? f.max_points);
      const ppu = Number(cr.points_per_unit);
      const n = Math.max(0, Math.round(cap / ppu) - k);
      return { value: { count: n }, evidence: `${n} 份合同` };
    }
    case 'yes_no':
      return { value: { yes: k % 2 === 0 } };
    case 'deduction':
      return { value: { unmet: k } };
    case 'range_bands':
      return { value: String(f.bands![Math.min(k, f.bands!.length - 1)].max) };
    case 'range':
      return { value: String(f.allowed_range[1]) };
    default: {
      const av = f.allowed_values ?? [];
      return { value: String(av[Math.min(k, av.length - 1)]) };
    }
  }
}

/** Entries for every leaf; `grade` maps (supplier index, factor) to k. */
export function sheetFor(factors: Factor[], k: (f: Factor) => number): Record<string, Entry> {
  return Object.fromEntries(factors.map((f) => [f.id, entryFor(f, k(f))]));
}

/** Every active member submits every active supplier; supplier i gets grade i on the first
 *  subjective factor so that no two suppliers tie, all members agree (no flags). */
export async function submitAll(room: Room, sheet?: (memberId: string, supplierId: string, i: number, factors: Factor[]) => Record<string, Entry>): Promise<void> {
  const panel = room.ids('panel');
  const first = await room.client(panel[0]);
  await first.waitFor((v) => !!v.scoringFactors && !!v.scoring?.suppliers);
  const factors = first.view.scoringFactors as Factor[];
  const suppliers = (first.view.scoring.suppliers as { id: string }[]).map((x) => x.id);
  const subjective = factors.find((f) => f.consistency_check === 'none');
  for (const m of panel) {
    const c = await room.client(m);
    await c.waitFor((v) => !!v.scoring?.suppliers);
    const mine = c.view.scoring.mine ?? {};
    for (const [i, sid] of suppliers.entries()) {
      if (mine[sid]?.submittedAt) continue;
      const entries = sheet ? sheet(m, sid, i, factors) : sheetFor(factors, (f) => (f === subjective ? i : 0));
      await room.ok(m, 'score:submit', { supplierId: sid, entries });
    }
  }
}

export const scoringSteps: Record<string, (room: Room) => Promise<void>> = {
  scoring: (room) => submitAll(room),
  recheck: async (room) => {
    const mod = await room.client(moderatorOf(room));
    const seq = (await room.srv.store.read(room.sessionId)).length;
    await mod.waitFor(() => mod.seq >= seq);
    const tie = mod.view.scoring?.tie;
    if (tie?.needed) {
      const order = (tie.set as { id: string }[]).map((x) => x.id);
      for (const m of room.ids('panel')) {
        const c = await room.client(m);
        if (c.view.scoring?.tie?.myVote) continue;
        const ack = await room.act(m, 'ranking:vote', { order });
        if (!ack.ok) break;
      }
    }
    if (!mod.view.scoring?.released) await room.ok(moderatorOf(room), 'results:release', {});
  },
};

/** The final-quote stage done here only while the quotes concern's own step is missing
 *  (test/helpers/steps/quotes.ts): open a short window, every active supplier quotes, close. */
export async function quoteStageFallback(room: Room, amounts: Record<string, string> = {}): Promise<void> {
  const { amountToWords } = await import('../../../shared/rules/money/words');
  const mod = moderatorOf(room);
  const c = await room.client(mod);
  await room.ok(mod, 'quotes:open', { deadline: Date.now() + 1500 });
  const defaults = ['1200000.00', '1300000.00', '1250000.00', '1400000.00', '1350000.00'];
  for (const [i, sid] of room.ids('supplier').entries()) {
    const amount = amounts[sid] ?? defaults[i % defaults.length];
    const policy = { enterprise: 'large', smeDeclaration: false, prisonEnterprise: false, disabledWelfareUnit: false, smallMicroShare: null, domesticShare: null };
    const ack = await room.act(sid, 'quotes:submit', { signature: quoteSignature(sid), sheet: { amount, amountInWords: amountToWords(amount), lines: [] }, policy });
    if (!ack.ok && ack.error.code !== 'conflict') throw new Error(JSON.stringify(ack.error));
  }
  await new Promise((r) => setTimeout(r, 1700));
  await room.ok(mod, 'quotes:close', {});
  await c.waitFor((v) => !v.stage?.next?.blockedBy || !/报价|quote/i.test(v.stage.next.blockedBy.en), 5000).catch(() => undefined);
}

/** Drives a room to the scoring stage with confirmed final quotes (the quotes concern's own step, or
 *  the short window above while it is missing). */
export async function driveToScoring(room: Room): Promise<Room> {
  await driveTo(room, 'final_quote');
  if (!quotesSteps.final_quote) await quoteStageFallback(room);
  await driveTo(room, 'scoring');
  return room;
}
