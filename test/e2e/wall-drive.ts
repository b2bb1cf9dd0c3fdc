import { createInterface } from 'node:readline';
import { createSession } from './fixtures';
import { connect, tokenOf, linkFor, type TestServer } from '../helpers/server';
import { openRoom, stageOf, advance } from '../helpers/room';
import { STEPS } from '../helpers/steps';
import { openWindow, closeAfter, settleAll, activeSupplierIds, plainSheet, NO_POLICY, PLAIN_QUOTES, quoteSignature } from '../helpers/steps/quotes';
import { DEMO_SESSION } from '../../server/demo/demo-session';

// Run by wall-credentials.spec.ts under tsx (Playwright's loader cannot import the server's JSON
// templates): one whole demo session, from sign-in to the archive, driven over sockets with each
// concern's own steps (test/helpers/steps). At every stage the moderator switches the wall to every
// scene the stage allows; for each, it prints `SCENE <stage> <scene>` and waits for the spec to answer
// a line (once it has looked at the wall and the observer). Prints `LINKS <json>` first, `END` last.
// In the consultation a supplier sits while the scenes are shown; in the final quote the scenes are
// shown with the window open, then again once it closed; elsewhere before the stage's step and after it.
const [baseURL] = process.argv.slice(2);
const SCENES = ['welcome', 'signin', 'round', 'change', 'quotes', 'reveal', 'results', 'signing', 'blank'];
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
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
const mod = room.ids('moderator')[0];
probe = await connect(baseURL, tokenOf(linkFor(room.links, mod)));
process.stdout.write(`LINKS ${JSON.stringify(room.links)}\n`);
await lines.next();

async function everyScene(stage: string): Promise<void> {
  for (const scene of SCENES) {
    const ack = await room.act(mod, 'screen:scene', { scene });
    if (!ack.ok) continue;
    process.stdout.write(`SCENE ${stage} ${scene}\n`);
    await lines.next();
  }
}

for (let guard = 0; guard < 20; guard++) {
  const stage = await stageOf(room);
  if (stage === 'consultation') {
    await room.ok(mod, 'round:start', { seconds: 900 });
    await everyScene(stage);
    await room.ok(mod, 'round:end', {});
  } else if (stage === 'final_quote') {
    const deadline = await openWindow(room);
    for (const [i, id] of (await activeSupplierIds(room)).entries()) {
      await room.ok(id, 'quotes:submit', { missingItemsIncluded: true, sheet: plainSheet(PLAIN_QUOTES[i % PLAIN_QUOTES.length]), policy: NO_POLICY, signature: quoteSignature(id, i) });
    }
    await everyScene(stage + '-open');
    await closeAfter(room, deadline);
    await settleAll(room);
    await everyScene(stage);
  } else {
    await everyScene(stage);
    if (stage === 'archived') break;
    const step = STEPS[stage];
    if (step) {
      await step(room);
      await everyScene(stage + '-done');
    }
  }
  if (stage === 'archived') break;
  await advance(room);
}
process.stdout.write('END\n');
room.closeAll();
probe.close();
process.exit(0);
