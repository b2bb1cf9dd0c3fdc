import { createHash } from 'node:crypto';
import type { Room } from '../room';
import { moderatorOf } from '../room';
import { cid, linkFor, tokenOf } from '../server';
import { signaturePath } from './report';

// A sitting kept in full (磋商记录, issue 13 item 3): started by the moderator, the minutes typed by the
// panel leader, a document handed in from the supplier's laptop (over HTTP, as the laptop sends it),
// ended, then signed by the supplier's representative and every member present.

/** A small real PDF: a supplier's written supplement handed over in the sitting. */
export const SITTING_PDF = Buffer.from('%PDF-1.4\n% 磋商补充说明（承诺缩短工期）\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
export const SITTING_MINUTES = '供应商承诺将调查周期由 90 天缩短为 75 天，并补充提交书面说明一份（MINUTES-CANARY）。';
export const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

export async function uploadSittingDocument(room: Room, personId: string, body: Record<string, unknown>): Promise<Response> {
  return fetch(`${room.srv.url}/api/sessions/${room.sessionId}/sitting-document`, {
    method: 'POST',
    headers: { authorization: `Bearer ${tokenOf(linkFor(room.links, personId))}`, 'content-type': 'application/vnd.panelroom.command+json' },
    body: JSON.stringify({ id: cid(), ...body }),
  });
}

export async function minutedSitting(room: Room): Promise<{ supplierId: string; sitting: number; sha256: string }> {
  const mod = moderatorOf(room);
  const started = await room.ok(mod, 'round:start', { seconds: 900 });
  const supplierId = started.data.supplierId as string;
  const c = await room.client(mod);
  await c.waitFor((v) => (v.minutes ?? []).length > 0 && v.minutes.at(-1).supplierId === supplierId, 10_000);
  const sitting = c.view.minutes.at(-1).n as number;
  const leader = room.ids('panel')[0];
  await room.ok(leader, 'round:minutes', { sitting, text: SITTING_MINUTES });
  const up = await uploadSittingDocument(room, supplierId, { sitting, name: '磋商补充说明.pdf', mime: 'application/pdf', dataBase64: SITTING_PDF.toString('base64') });
  const ack = await up.json();
  if (!ack.ok) throw new Error(`upload refused: ${JSON.stringify(ack)}`);
  await room.ok(mod, 'round:end', {});
  await room.ok(supplierId, 'round:sign_minutes', { sitting, name: '代表', signature: signaturePath(1) });
  for (const [k, m] of room.ids('panel').entries()) await room.ok(m, 'round:sign_minutes', { sitting, name: `成员${k + 1}`, signature: signaturePath(k) });
  return { supplierId, sitting, sha256: sha256(SITTING_PDF) };
}
