// Sums a CPU profile (.cpuprofile, from BENCH_CPU_PROF_DIR) by function: self and inclusive time (a
// function counted once per sample however often it is on the stack), and by what the server was doing
// (the first of BUCKETS whose rule matches a sample's stack). Issue 15: where the restart storm's time goes.
//   node test/bench/profile-sum.mjs FILE.cpuprofile [N=40] [--buckets]
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith('-') && !/^\d+$/.test(a));
const N = Number(args.find((a) => /^\d+$/.test(a)) ?? 40);
if (!file) throw new Error('usage: node test/bench/profile-sum.mjs FILE.cpuprofile [N] [--buckets]');
const p = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const short = (u) => u.replace(/^.*node_modules\//, 'nm/').replace(/^file:\/\/.*?\/(server|shared|test)\//, '$1/');
const key = (f) => `${f.functionName || '(anon)'} ${short(f.url)}`;
const stackOf = (id) => {
  const s = [];
  for (let c = id; c !== undefined; c = parent.get(c)) s.push(byId.get(c).callFrame);
  return s;
};

// Leaf to root, the first rule that matches names the bucket.
const has = (s, ...names) => names.some((n) => s.some((f) => f.functionName === n));
const BUCKETS = [
  ['GC', (s) => s[0].functionName === '(garbage collector)'],
  ['idle', (s) => s[0].functionName === '(idle)'],
  ['replay (loadAll)', (s) => has(s, 'loadAll', 'listSessionIds')],
  ['snapshot: digests', (s) => has(s, 'snapshotFor') && has(s, 'digestOf')],
  ['snapshot: view build', (s) => has(s, 'snapshotFor') && has(s, 'build')],
  ['snapshot: channel update / resumed', (s) => has(s, 'snapshotFor')],
  ['snapshot: the rest of a connection', (s) => has(s, 'onConnection')],
  ['flush: view build', (s) => has(s, 'flushSession') && has(s, 'build')],
  ['flush: channel update', (s) => has(s, 'flushSession') && has(s, 'update')],
  ['flush: emit', (s) => has(s, 'flushSession')],
  ['commands (route)', (s) => has(s, 'route')],
  ['auth (handshake middleware)', (s) => has(s, 'authenticate')],
  ['socket writes (deferred)', (s) => has(s, 'writev', 'writeUtf8String', 'writeBuffer', 'sendFrame')],
  ['engine.io / ws handshake', (s) => has(s, 'handleUpgrade', 'handshake', 'onWebSocket', 'completeUpgrade')],
  ['incoming frames', (s) => has(s, 'tryParse', 'decode', 'receiverOnMessage', 'onPacket', 'onStreamRead')],
  ['other', () => true],
];

const self = new Map();
const inc = new Map();
const buckets = new Map();
let total = 0;
const bucketOf = new Map();
for (let i = 0; i < p.samples.length; i++) {
  const d = p.timeDeltas[i + 1] ?? 0;
  total += d;
  const id = p.samples[i];
  const s = stackOf(id);
  const k0 = key(s[0]);
  self.set(k0, (self.get(k0) ?? 0) + d);
  const seen = new Set();
  for (const f of s) {
    const k = key(f);
    if (seen.has(k)) continue;
    seen.add(k);
    inc.set(k, (inc.get(k) ?? 0) + d);
  }
  let b = bucketOf.get(id);
  if (!b) bucketOf.set(id, (b = BUCKETS.find(([, rule]) => rule(s))[0]));
  buckets.set(b, (buckets.get(b) ?? 0) + d);
}
const line = (t, k) => `${(t / 1e3).toFixed(0).padStart(7)} ms ${((100 * t) / total).toFixed(1).padStart(5)} %  ${k}`;
console.log(`${file}: ${(total / 1e6).toFixed(2)} s sampled, ${((total - (buckets.get('idle') ?? 0)) / 1e6).toFixed(2)} s busy`);
if (args.includes('--buckets')) {
  for (const [b] of BUCKETS) if (buckets.get(b)) console.log(line(buckets.get(b), b));
} else {
  for (const [title, m] of [['self', self], ['inclusive', inc]]) {
    console.log(`\n== ${title}`);
    for (const [k, t] of [...m].sort((a, b) => b[1] - a[1]).slice(0, N)) console.log(line(t, k));
  }
}
