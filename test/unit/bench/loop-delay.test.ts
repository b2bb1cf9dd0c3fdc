import { describe, expect, it } from 'vitest';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { LOOP_RESOLUTION_MS, loopDelayMs } from '../../helpers/loop-delay';

// The benchmarks' loop delay (issue 15's knee) is the histogram's value less the sampling timer's period:
// an idle loop has no delay, a blocked one the length of the block.
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const block = (ms: number) => {
  const t = performance.now();
  while (performance.now() - t < ms);
};

describe('loop delay (benchmarks)', () => {
  it('takes the timer period off the histogram value', () => {
    expect(loopDelayMs(10.2e6)).toBeCloseTo(0.2, 6);
    expect(loopDelayMs(25e6)).toBeCloseTo(15, 6);
    expect(loopDelayMs(9.5e6)).toBe(0);
    expect(loopDelayMs(3e6, 1)).toBeCloseTo(2, 6);
  });

  it('an idle loop shows next to no delay; the histogram alone would show the timer period', async () => {
    const h = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
    h.enable();
    await sleep(300);
    h.disable();
    // The raw median is the period itself…
    expect(h.percentile(50) / 1e6).toBeGreaterThanOrEqual(LOOP_RESOLUTION_MS - 1);
    // …of which the delay is a small remainder (bounded loosely: a busy CI machine adds some).
    expect(loopDelayMs(h.percentile(50))).toBeLessThan(LOOP_RESOLUTION_MS / 2);
  });

  it('a blocked loop shows about the block', async () => {
    const h = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
    h.enable();
    await sleep(30);
    block(60);
    await sleep(30);
    h.disable();
    // The block is at least 60 ms; the timer due during it fires after it: a delay of 50–60 ms and more.
    expect(loopDelayMs(h.max)).toBeGreaterThanOrEqual(60 - LOOP_RESOLUTION_MS);
  });
});
