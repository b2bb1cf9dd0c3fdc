import { connect, tokenOf, linkFor, type TestServer } from '../helpers/server';
import { attachRoom } from '../helpers/room';
import { determinePolicy } from '../helpers/steps/policy';
import { plainSheet } from '../helpers/steps/quotes';
import { signaturePath } from '../helpers/steps/report';
import { submitAll } from '../helpers/steps/scoring';
import type { JoinLink } from '../../server/http/sessions';

// Run by seed000-consultation.spec.ts under tsx (Playwright's loader cannot import the server's JSON
// templates): acts over sockets, as the people of a session created in the browser through /admin,
// for the parts the spec does not drive on the screens. It never acts as the moderator: the console's
// seat belongs to the browser that created the draft (one device per seat), so the console does that.
//   review: the panel determines the claimed policy statuses (S1 accepted, S2 not) and every member
//           passes every item of the initial review (初审).
//   quotes: S2 and S3 submit their signed final quotes in the open window.
//   scores: every member scores every supplier.
const [baseURL, sessionId, linksJson, phase, amounts = '{}'] = process.argv.slice(2);
const links = JSON.parse(linksJson) as JoinLink[];
let probe: Awaited<ReturnType<typeof connect>> | null = null;
const srv = {
  url: baseURL,
  store: {
    read: async () => {
      const ack = await probe!.send('time:sync', {});
      return new Array(ack.seq);
    },
  },
} as unknown as TestServer;
const room = attachRoom(srv, sessionId, links);
probe = await connect(baseURL, tokenOf(linkFor(links, 'M1')));
if (phase === 'review') {
  await determinePolicy(room, 'S1', { kind: 'small_micro', enterprise: 'small', document: '中小企业声明函（服务）（响应文件第 52 页）' }, true);
  await determinePolicy(room, 'S2', { kind: 'small_micro', enterprise: 'micro', document: '中小企业声明函（服务）（响应文件第 48 页）' }, false, '声明函所列服务承接单位为大型企业，不符合全部由小微企业承接的条件');
  const m1 = await room.client('M1');
  await m1.waitFor((v) => !!v.review?.items);
  const r = m1.view.review as { items: { id: string }[]; suppliers: { id: string }[] };
  for (const m of ['M1', 'M2', 'M3']) for (const sup of r.suppliers) for (const it of r.items) await room.ok(m, 'review:vote', { supplierId: sup.id, itemId: it.id, pass: true, reason: '' });
} else if (phase === 'quotes') {
  for (const [id, amount] of Object.entries(JSON.parse(amounts) as Record<string, string>))
    await room.ok(id, 'quotes:submit', { missingItemsIncluded: true, sheet: plainSheet(amount, '平台运营服务费'), signature: { name: `代表${id}`, path: signaturePath(Number(id.slice(1))) } });
} else if (phase === 'scores') {
  await submitAll(room);
}
room.closeAll();
probe.close();
process.stdout.write('ok');
process.exit(0);
