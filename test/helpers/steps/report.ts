import type { Room } from '../room';
import { moderatorOf } from '../room';

// The least the room must do in the `signing` stage (report concern) before it can be left: every
// sitting member signs the current revision, then the final PDF is rendered and recorded
// (`report:finalized`), which the moderator's view shows.

/** A plausible drawn signature (SVG path in the 600×200 box), different per member. */
export function signaturePath(k = 0): string {
  const pts = [
    [40 + k * 7, 140],
    [90, 40 + k * 5],
    [150, 150],
    [210, 50],
    [280, 130 - k * 3],
    [360, 70],
    [450, 120],
  ];
  return pts.map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${x} ${y}`).join(' ');
}

export async function signAll(room: Room, dissent: Record<string, { item: string; position: string; reasons: string }> = {}): Promise<void> {
  const mod = await room.client(moderatorOf(room));
  await mod.waitFor((v) => !!v.report?.members, 10_000);
  const revision = mod.view.report.revision as number;
  for (const [k, m] of (mod.view.report.members as { id: string; name: string; signed: boolean }[]).entries()) {
    if (m.signed || (m as { deemed?: boolean }).deemed) continue;
    await room.ok(m.id, 'report:sign', { revision, name: m.name, signature: signaturePath(k), dissent: dissent[m.id] ?? null });
  }
  // The final PDF is rendered outside the command path; wait for its record.
  await mod.waitFor((v) => !!v.report?.final, 60_000);
}

export const reportSteps: Record<string, (room: Room) => Promise<void>> = {
  signing: (room) => signAll(room),
};
