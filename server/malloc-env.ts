// Memory per room (issue 15, docs/deploy.md "Memory"). glibc's malloc raises its mmap threshold each
// time a block it had mapped is freed (up to 32 MB), after which blocks of that size come from its
// heaps, and what is freed there mostly stays in the process. A server that sends whole channels as
// Buffers of 10–200 KB to every arriving socket (server/realtime/audiences.ts `full`) frees many such
// blocks: with the default, its RSS kept ~6.5 MB per full room after a GC, against ~1.1 MB with these
// fixed thresholds (test/bench/heap.ts, 10 rooms, 2026-12-06). Fixed thresholds (either variable set
// turns the adjustment off) return blocks of 128 KB or more to the system when they are freed, and
// trim the heaps' free tops beyond 128 KB. `npm start` sets them (package.json; a test checks the
// two agree); the benchmarks' server child too (test/bench/fleet.ts). Read by glibc at process start
// only, so they must be in the environment the process starts with; other C libraries ignore them.
export const MALLOC_ENV = { MALLOC_MMAP_THRESHOLD_: '131072', MALLOC_TRIM_THRESHOLD_: '131072' } as const;

// The young generation (issue 15: the knee at 500 rooms). V8 collects short-lived objects in a young
// generation of two semi-spaces, 16 MB each on a 64-bit Node 20; a server building and sending views
// for hundreds of rooms filled them several times a second, and each scavenge copies what is still
// alive. With 32 MB the rooms bench at 500 rooms (test/bench/RESULTS.md, sixth session) had half the
// pauses (62–70 against 120–139 in 20 s) and a third less time in them, and its command tails shrank;
// the cost is up to 32 MB more of young generation in the process. `npm start` passes it (package.json;
// the test beside MALLOC_ENV's checks it), and so do the tests' and the benchmarks' server children.
//
// V8's concurrent markers (issue 15: the knee at 500 rooms). A mark-compact marks the live heap on helper
// threads beside the main thread, as many as V8's worker pool has: four on Node 20, whatever the cores.
// On a 2-core server those four markers and the event loop's thread share two cores for the third of a
// second a marking takes at 500 rooms, and the loop, descheduled, falls behind. With one marker the loop
// keeps a core: at 500 rooms, the benchmark's clients on the same two cores, the commands over 100 ms in a
// 20 s window were 2–52 against 52–301, and the score p99 46.0–107.3 ms against 83.3–208.0 ms
// (test/bench/RESULTS.md, twelfth session). Measured on 2 cores only (docs/deploy.md "Memory").
export const NODE_FLAGS = ['--max-semi-space-size=32', '--concurrent-marking-max-worker-num=1'] as const;
