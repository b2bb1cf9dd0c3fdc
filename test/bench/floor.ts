import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, openSync, writeSync, fsyncSync, closeSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Server } from 'socket.io';
import { io as ioc, type Socket } from 'socket.io-client';
import { stats, time, type Stats } from './lib';

// The floors every room benchmark is compared with, measured in the same run (issue 8): a bare
// Socket.IO ack round trip, a bare room fan-out to 1…19 sockets, and the fsync latency of the data
// directory. Our paths cannot be faster than these; the ratio says what the room adds.

export interface Floors {
  ackRtt: Stats;
  fanout: Record<number, Stats>;
  fsync: Stats;
}

async function bareServer(): Promise<{ io: Server; url: string; close: () => Promise<void> }> {
  const http = createServer();
  const io = new Server(http, { serveClient: false });
  io.on('connection', (s) => {
    s.join('room');
    s.on('ping', (_p, ack) => ack({ ok: true }));
    s.on('fanout', (p) => io.to('room').emit('msg', p));
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  return { io, url, close: () => new Promise((r) => io.close(() => r())) };
}

const connect = (url: string): Promise<Socket> =>
  new Promise((resolve, reject) => {
    const s = ioc(url, { transports: ['websocket'], forceNew: true, reconnection: false });
    s.once('connect', () => resolve(s));
    s.once('connect_error', reject);
  });

export async function measureAckRtt(runs = 1000): Promise<Stats> {
  const srv = await bareServer();
  const c = await connect(srv.url);
  const samples = await time(() => c.emitWithAck('ping', { x: 1 }), runs);
  c.disconnect();
  await srv.close();
  return stats(samples);
}

/** Time from one socket's request until the last of n sockets in the room has the message. */
export async function measureFanout(n: number, runs = 200): Promise<Stats> {
  const srv = await bareServer();
  const sockets = await Promise.all(Array.from({ length: n }, () => connect(srv.url)));
  const samples = await time(
    () =>
      new Promise<void>((resolve) => {
        let left = n;
        const onMsg = () => {
          if (--left === 0) {
            for (const s of sockets) s.off('msg', onMsg);
            resolve();
          }
        };
        for (const s of sockets) s.on('msg', onMsg);
        sockets[0].emit('fanout', { section: 'x'.repeat(200) });
      }),
    runs,
  );
  for (const s of sockets) s.disconnect();
  await srv.close();
  return stats(samples);
}

export function measureFsync(dir = mkdtempSync(join(tmpdir(), 'panelroom-fsync-')), runs = 200): Stats {
  const file = join(dir, 'probe');
  const fd = openSync(file, 'w');
  const buf = Buffer.alloc(512, 1);
  const samples: number[] = [];
  for (let i = 0; i < runs + 20; i++) {
    const t0 = performance.now();
    writeSync(fd, buf);
    fsyncSync(fd);
    if (i >= 20) samples.push(performance.now() - t0);
  }
  closeSync(fd);
  rmSync(dir, { recursive: true, force: true });
  return stats(samples);
}

export async function measureFloors(): Promise<Floors> {
  const ackRtt = await measureAckRtt();
  const fanout: Record<number, Stats> = {};
  for (const n of [1, 5, 10, 19]) fanout[n] = await measureFanout(n);
  return { ackRtt, fanout, fsync: measureFsync() };
}
