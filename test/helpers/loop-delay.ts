// The event loop's delay as the benchmarks report it (issue 15: the knee is where the server's loop
// delay p99 passes 20 ms). Node's monitorEventLoopDelay samples with a repeating timer and records the
// time between two of its callbacks: the timer's own period (its resolution) plus the delay. An idle
// loop sampled every 10 ms records about 10.1 ms, a task of 15 ms about 25 ms (checked on Node 20, and
// pinned by test/unit/bench/loop-delay.test.ts). The delay is what is left after the period.

/** How often the loop is sampled, ms. */
export const LOOP_RESOLUTION_MS = 10;

/** A value of the histogram (nanoseconds between two timer callbacks) as the loop's delay, ms. */
export function loopDelayMs(ns: number, resolutionMs = LOOP_RESOLUTION_MS): number {
  return Math.max(0, ns / 1e6 - resolutionMs);
}
