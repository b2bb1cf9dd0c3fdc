import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createApplication } from '../../server/app';
import { SqliteEventStore } from '../../server/store/sqlite';
import { ADMIN } from './server';

// A real server in a child process, for tests that kill it (SIGKILL) and start it again on the same
// data directory. Prints "PORT <n>" once it listens.
// Opt-in (benchmarks, test/bench/rooms.bench.ts): with PANELROOM_METRICS=1 it also serves its own
// event-loop delay, CPU and memory as JSON on a second loopback port, printed as "METRICS <n>" before
// "PORT <n>"; `POST /reset` starts a new measuring window.
let metricsPort = 0;
if (process.env.PANELROOM_METRICS === '1') {
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  let cpu0 = process.cpuUsage();
  let t0 = performance.now();
  const http = createServer((req, res) => {
    if (req.method === 'POST') {
      loop.reset();
      cpu0 = process.cpuUsage();
      t0 = performance.now();
      globalThis.gc?.();
    }
    const cpu = process.cpuUsage(cpu0);
    const ns = (q: number) => loop.percentile(q) / 1e6;
    res.setHeader('content-type', 'application/json');
    res.end(
      JSON.stringify({
        loop: { p50: ns(50), p99: ns(99), max: loop.max / 1e6, n: loop.count },
        cpu: { userMs: cpu.user / 1000, systemMs: cpu.system / 1000, wallMs: performance.now() - t0 },
        memory: process.memoryUsage(),
      }),
    );
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
  metricsPort = (http.address() as AddressInfo).port;
}
// Held (PANELROOM_CHILD_HOLD=1, test/helpers/child.ts prepareChild): the modules are loaded, but the data
// directory is not touched until a line arrives on stdin, so that a test can load the next server
// while the current one still runs and then start it the moment the current one is killed.
if (process.env.PANELROOM_CHILD_HOLD === '1') {
  process.stdout.write('HELD\n');
  await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));
}
const store = SqliteEventStore.open(process.env.DATA_DIR!);
const app = await createApplication({ store, adminToken: ADMIN, clientDir: null });
const port = await app.listen(Number(process.env.PORT ?? 0), '127.0.0.1');
if (metricsPort) process.stdout.write(`METRICS ${metricsPort}\n`);
process.stdout.write(`PORT ${port}\n`);
