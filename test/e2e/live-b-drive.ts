import { openRemoteRoom } from './remote-room';
import { driveTo } from '../helpers/room';
import { minutedSitting } from '../helpers/steps/minutes';

// Run by live-b-consultation.spec.ts under tsx (Playwright's loader cannot import the server's JSON
// templates): creates a session on the running e2e server and drives it over sockets to a stage,
// with each concern's own steps (test/helpers/steps), lets the listed suppliers withdraw, then prints
// the join links as JSON.
const [baseURL, stage, body, withdraw = '', extra = ''] = process.argv.slice(2);
const { room, probe } = await openRemoteRoom(baseURL, JSON.parse(body));
// `minutes`: a whole meeting keeps one sitting in full on the way (test/helpers/steps/minutes.ts).
if (extra === 'minutes') {
  await driveTo(room, 'consultation');
  await minutedSitting(room);
}
await driveTo(room, stage);
// Suppliers that leave on arrival (退出, 003 Ch3 §2.9 L647), for a test that needs fewer than opened.
for (const id of withdraw.split(',').filter(Boolean)) await room.ok(id, 'supplier:withdraw', { reason: '本单位决定退出本次磋商' });
room.closeAll();
probe.close();
process.stdout.write(JSON.stringify(room.links));
process.exit(0);
