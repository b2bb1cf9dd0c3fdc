import { performance } from 'node:perf_hooks';

// Measuring helpers (docs/architecture.md "Measuring"): warm-up discarded, p50/p99
// reported, and every result set against a floor measured in the same run.

export interface Stats {
  n: number;
  p50: number;
  p99: number;
  mean: number;
  max: number;
}

export function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i];
}

export function stats(samples: number[]): Stats {
  const s = [...samples].sort((a, b) => a - b);
  const sum = s.reduce((a, b) => a + b, 0);
  return { n: s.length, p50: percentile(s, 0.5), p99: percentile(s, 0.99), mean: sum / s.length, max: s[s.length - 1] };
}

/** Runs fn `warmup` times unmeasured, then `runs` times, and returns the durations in ms. */
export async function time(fn: () => unknown | Promise<unknown>, runs: number, warmup = Math.ceil(runs / 5)): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn();
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return out;
}

export const ms = (x: number): string => (Number.isFinite(x) ? x.toFixed(x < 10 ? 2 : 1) : '—');
export const ratio = (x: number, floor: number): string => (Number.isFinite(x) && floor > 0 ? `${(x / floor).toFixed(1)}×` : '—');

/** A small seeded generator, so every run measures the same data. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface BenchSection {
  title: string;
  /** Markdown body: tables with absolute figures and ratios to the floor. */
  markdown: string;
}
