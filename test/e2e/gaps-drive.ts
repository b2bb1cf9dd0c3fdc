import { createSession } from './fixtures';
import { connect, tokenOf, linkFor, type TestServer } from '../helpers/server';
import { openRoom, driveTo } from '../helpers/room';
import { DEMO_SESSION } from '../../server/demo/demo-session';
import { NO_POLICY, serverNow, quoteSignature } from '../helpers/steps/quotes';
import { amountToWords } from '../../shared/rules/money/words';

// Run by gaps.spec.ts under tsx (Playwright's loader cannot import the server's JSON templates):
// creates a demo session on the running e2e server and drives it over sockets for one scenario, then
// prints the join links as JSON.
//   quote-window: in final_quote with the window open for 10 minutes (nobody has quoted).
//   exempt:       final_quote closed, S1 under 45% of the maximum price (4.1.3 alone), S2 a 4.1.4 review.
//   signing:      in the signing stage (scores locked, report not yet signed).
const [baseURL, scenario] = process.argv.slice(2);
let probe: Awaited<ReturnType<typeof connect>> | null = null;
const srv = {
  url: baseURL,
  createSession: (b: unknown) => createSession(baseURL, b),
  store: {
    read: async () => {
      const ack = await probe!.send('time:sync', {});
      return new Array(ack.seq);
    },
  },
} as unknown as TestServer;
const room = await openRoom(srv, DEMO_SESSION);
probe = await connect(baseURL, tokenOf(linkFor(room.links, 'A1')));
const sheet = (amount: string) => ({ amount, amountInWords: amountToWords(amount), lines: [{ item: '研究服务', unitPrice: amount, quantity: '1', total: amount }] });
if (scenario === 'quote-window') {
  await driveTo(room, 'final_quote');
  await room.ok('A1', 'quotes:open', { deadline: (await serverNow(room)) + 600_000 });
} else if (scenario === 'exempt') {
  await driveTo(room, 'final_quote');
  const deadline = (await serverNow(room)) + 1500;
  await room.ok('A1', 'quotes:open', { deadline });
  const amounts: Record<string, string> = { S1: '680371.19', S2: '1200000.00', S3: '1300000.00', S4: '1350000.00' };
  for (const [s, a] of Object.entries(amounts)) await room.ok(s, 'quotes:submit', { signature: quoteSignature(s), sheet: sheet(a), policy: NO_POLICY, missingItemsIncluded: true });
  while ((await serverNow(room)) < deadline) await new Promise((r) => setTimeout(r, 100));
  await room.ok('A1', 'quotes:close');
  await room.ok('M2', 'quotes:review_open', { supplierId: 'S2', reason: '报价明显偏低' });
} else if (scenario === 'signing') {
  await driveTo(room, 'signing');
}
room.closeAll();
probe.close();
process.stdout.write(JSON.stringify(room.links));
process.exit(0);
