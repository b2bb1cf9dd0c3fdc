import type { Room } from '../helpers/room';
import { DEMO_SESSION } from '../../server/demo/demo-session';

/** A short checklist (two qualification items, two compliance items, one of them clarifiable) to keep tests quick. */
export const SHORT_CHECKLISTS = {
  qualification: [
    { id: 'Q1', text_zh: '营业执照等证明文件', clarificationAllowed: false },
    { id: 'Q4', text_zh: '磋商保证金', clarificationAllowed: false },
  ],
  compliance: [
    { id: 'C2', text_zh: '响应有效期', clarificationAllowed: false },
    { id: 'C9', text_zh: '技术参数表述一致', clarificationAllowed: true },
  ],
  final: [] as { id: string; text_zh: string; clarificationAllowed: boolean }[],
};
export const SHORT_SESSION = { ...DEMO_SESSION, checklists: SHORT_CHECKLISTS };
export const ITEMS = ['Q1', 'Q4', 'C2', 'C9'];
export const MEMBERS = ['M1', 'M2', 'M3', 'M4', 'M5'];

/** Every member votes on every item for one supplier: pass, except where `fails` names the item and the members failing it. */
export async function voteAll(r: Room, supplierId: string, fails: Record<string, string[]> = {}, items = ITEMS, members = MEMBERS): Promise<void> {
  await Promise.all(
    members.map(async (m) => {
      for (const it of items) {
        const fail = fails[it]?.includes(m);
        await r.ok(m, 'review:vote', { supplierId, itemId: it, pass: !fail, reason: fail ? `${it} 不符合要求（${m}）` : '' });
      }
    }),
  );
}
