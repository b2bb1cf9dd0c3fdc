import { expect } from 'vitest';
import type { Room } from '../room';
import { moderatorOf } from '../room';

// The least the room must do in the stage(s) of the review concern before moving on (see room.ts driveTo):
// every sitting member votes pass on every item for every active supplier, and the moderator concludes.
// Works for the review and, where the document has one, the final review (终审).
export async function passEveryone(room: Room): Promise<void> {
  const modId = moderatorOf(room);
  const mod = await room.client(modId);
  const seq = (await room.srv.store.read(room.sessionId)).length;
  await mod.waitFor(() => mod.seq >= seq && !!mod.view.review);
  const r = mod.view.review;
  const members: string[] = mod.view.signin.members.filter((m: any) => m.active).map((m: any) => m.id);
  const todo = r.suppliers.filter((s: any) => s.status === 'active' && !s.concluded);
  await Promise.all(
    members.map(async (m) => {
      for (const s of todo)
        for (const it of r.items) {
          const mine = s.items[it.id].votes.find((v: any) => v.memberId === m);
          if (!mine?.pass) await room.ok(m, 'review:vote', { supplierId: s.id, itemId: it.id, pass: true, reason: '' });
        }
    }),
  );
  for (const s of todo) {
    const ack = await room.act(modId, 'review:conclude', { supplierId: s.id });
    expect(ack, `conclude ${s.id}: ${JSON.stringify(ack.error ?? '')}`).toMatchObject({ ok: true, data: { result: 'pass' } });
  }
}

export const reviewSteps: Record<string, (room: Room) => Promise<void>> = {
  review: passEveryone,
  final_review: passEveryone,
};
