import { describe, it, expect, afterAll, beforeAll } from 'vitest';
import fc from 'fast-check';
import { startServer, type TestServer } from '../helpers/server';
import { openRoom, type Room } from '../helpers/room';
import { COMMANDS, QUERIES } from '../../shared/protocol/commands';
import { ERRORS } from '../../shared/protocol/errors';
import { verifyChain } from '../../server/store/chain';

// Issue 8, fuzzing: every event of the protocol with wrong types, NaN, ±Infinity, 1e309, full-width
// digits, huge strings, deep nesting and `__proto__` keys, from several roles. No crash, no unhandled
// rejection, every invalid input refused with a structured error, nothing invalid stored: an accepted
// command's payload always passes its schema.
const RUNS = Number(process.env.FUZZ_RUNS ?? 12);

const nasty = fc.oneof(
  fc.constantFrom(Number.NaN, Infinity, -Infinity, 1e309, -0, 2 ** 53 + 1, '１２３４', '１２３.４５', '1e309', 'NaN', '', ' ', '\u0000', '<script>', '壹佰', null, true, [], {}),
  fc.string({ maxLength: 40 }),
  fc.integer(),
  fc.double(),
  fc.string({ minLength: 5000, maxLength: 20000 }),
);

const deep = (depth: number): unknown => (depth === 0 ? 'x' : { a: deep(depth - 1), b: [deep(depth - 1 > 3 ? 1 : 0)] });

function payloadArb(knownKeys: string[]): fc.Arbitrary<unknown> {
  const key = fc.oneof(fc.constantFrom(...(knownKeys.length ? knownKeys : ['x']), '__proto__', 'constructor', 'prototype', 'id'), fc.string({ maxLength: 10 }));
  return fc.oneof(
    nasty,
    fc.dictionary(key, fc.oneof(nasty, fc.constant(deep(30))), { maxKeys: 6 }),
    fc.record({ id: fc.oneof(fc.constant('fuzzcommand0001'), fc.string({ maxLength: 80 })) }).chain((base) =>
      fc.dictionary(key, nasty, { maxKeys: 4 }).map((d) => ({ ...base, ...d })),
    ),
    fc.constant(JSON.parse('{"__proto__":{"polluted":true},"id":"fuzzcommand0002"}')),
    fc.constant(deep(200)),
  );
}

const shapeKeys = (schema: any): string[] => {
  try {
    return Object.keys(schema.shape ?? schema._def?.shape ?? {});
  } catch {
    return [];
  }
};

let srv: TestServer;
let room: Room;
const unhandled: unknown[] = [];
const onUnhandled = (e: unknown) => unhandled.push(e);

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  // A synthetic driver: thousands of commands from one socket as fast as it can, far beyond a person's
  // fair share (server/realtime/fair-share.ts), which test/integration/fair-share.test.ts covers.
  srv = await startServer({ fairShare: false });
  room = await openRoom(srv);
});
afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  room.closeAll();
  await srv.close(true);
});

describe('fuzzing every event', () => {
  const names = [...Object.keys(COMMANDS), ...Object.keys(QUERIES), 'no:such', '__proto__', 'constructor'];
  for (const personId of ['A1', 'M1', 'S1']) {
    it(`refuses every malformed payload with a structured error (${personId})`, async () => {
      const c = await room.client(personId);
      let accepted = 0;
      for (const name of names) {
        const schema = (COMMANDS as any)[name] ?? (QUERIES as any)[name];
        await fc.assert(
          fc.asyncProperty(payloadArb(shapeKeys(schema)), async (payload) => {
            const ack: any = await c.socket.timeout(10_000).emitWithAck(name, payload);
            expect(typeof ack.ok).toBe('boolean');
            if (ack.ok) {
              accepted++;
              // An accepted input was valid: nothing invalid is ever stored.
              expect(schema?.safeParse(payload).success, `${name} accepted ${JSON.stringify(payload)?.slice(0, 200)}`).toBe(true);
            } else {
              expect(Object.keys(ERRORS)).toContain(ack.error.code);
              expect(ack.error.code).not.toBe('internal');
              expect(typeof ack.error.message).toBe('string');
              expect(typeof ack.error.messageEn).toBe('string');
            }
          }),
          { numRuns: RUNS, seed: 4242 },
        );
      }
      expect(accepted).toBeGreaterThanOrEqual(0);
    }, 300_000);
  }

  it('leaves the process healthy: no pollution, no unhandled rejection, a valid chain', async () => {
    expect(({} as any).polluted).toBeUndefined();
    expect(unhandled).toEqual([]);
    expect(verifyChain(room.sessionId, await srv.store.read(room.sessionId))).toBeNull();
    const c = await room.client('A1');
    expect((await c.send('time:sync', {})).ok).toBe(true);
  });

  it('survives raw malformed packets', async () => {
    const c = await room.client('M2');
    const engine = (c.socket.io as any).engine;
    for (const raw of ['42', '42[', '42[1,2,3]', '42["screen:scene"', '4' + 'x'.repeat(1000), '2probe', '6', '42[{"__proto__":1}]', '43["x"]', '9']) engine.write(raw);
    await new Promise((r) => setTimeout(r, 200));
    const fresh = await room.client('M2');
    expect((await fresh.send('time:sync', {})).ok).toBe(true);
  });
});
