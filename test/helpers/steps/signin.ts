import { expect } from 'vitest';
import type { Room } from '../room';
import { moderatorOf } from '../room';
import { DISCIPLINE } from '../../../shared/protocol/signin';

// The least the room must do in the stage(s) of the signin concern before moving on (see room.ts driveTo):
// every active supplier signs in (in person-id order), every active member signs in declaring no
// recusal and acknowledging the discipline, and the moderator closes the suppliers' sign-in.
export async function signEveryoneIn(room: Room): Promise<void> {
  const mod = await room.client(moderatorOf(room));
  const seq = (await room.srv.store.read(room.sessionId)).length;
  await mod.waitFor(() => mod.seq >= seq);
  const v = mod.view.signin;
  expect(v, 'the console has a sign-in board').toBeTruthy();
  if (!v.closed) {
    for (const s of v.suppliers) if (!s.signedIn && s.status === 'active') await room.ok(s.id, 'signin:supplier', { representative: `代表${s.id}`, authorised: true });
  }
  const recusals = v.suppliers.map((s: any) => ({ supplierId: s.id, recuse: false }));
  for (const m of v.members)
    if (m.active && !m.signedIn) await room.ok(m.id, 'signin:member', { recusals, acknowledged: true, disciplineVersion: DISCIPLINE.version });
  if (!v.closed) await room.ok(moderatorOf(room), 'signin:close');
}

export const signinSteps: Record<string, (room: Room) => Promise<void>> = {
  signin: signEveryoneIn,
};
