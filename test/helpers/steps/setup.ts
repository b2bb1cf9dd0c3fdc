import type { Room } from '../room';

// The least the room must do in the stage(s) of the setup concern before moving on (see room.ts driveTo).
// A draft (openForSignin:false) may lack suppliers or a panel that satisfies rules.panel: add what
// is missing, as the agency would in the console, until the set-up validates.
export const setupSteps: Record<string, (room: Room) => Promise<void>> = {
  setup: async (room) => {
    const a1 = await room.client('A1');
    const problems = () => (a1.view.setup?.problems ?? []) as { section: string }[];
    const settle = () => a1.waitFor(() => true);
    if (problems().some((p) => p.section === 'suppliers'))
      for (let i = 1; i <= 3; i++) await room.ok('A1', 'setup:person_add', { role: 'supplier', name: `供应商代表${i}`, org: `测试供应商${i}有限公司` });
    for (let i = 0; i < 21 && problems().some((p) => p.section === 'panel'); i++) {
      const seq = (await room.ok('A1', 'setup:person_add', { role: 'expert', name: `评审专家${i + 1}` })).seq;
      await a1.waitFor(() => a1.seq >= seq);
    }
    await settle();
  },
};
