import type { Room } from '../room';

// Policy status in the compliance review (server/review/policy.ts): record a claimed status with its
// document, and have every sitting member vote on it (accepting, or not accepting with a reason).
export async function determinePolicy(
  room: Room,
  supplierId: string,
  claim: { kind: string; enterprise?: 'small' | 'micro' | null; share?: string | null; document?: string },
  accept: boolean,
  reason = accept ? '' : '声明函未加盖供应商公章，不符合要求',
): Promise<void> {
  await room.ok(room.ids('panel')[0], 'policy:claim', {
    supplierId,
    kind: claim.kind,
    enterprise: claim.enterprise ?? null,
    share: claim.share ?? null,
    document: claim.document ?? '中小企业声明函（响应文件第 35 页）',
  });
  for (const m of room.ids('panel')) {
    const ack = await room.act(m, 'policy:vote', { supplierId, kind: claim.kind, accept, reason });
    // A replaced member may not vote; the determination comes with the last sitting member's vote.
    if (!ack.ok && !['conflict'].includes(ack.error.code)) throw new Error(`policy vote ${m}: ${JSON.stringify(ack.error)}`);
  }
}
