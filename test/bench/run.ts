import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import type { BenchSection } from './lib';
import { evaluateBench } from './evaluate.bench';
import { roomBench } from './room.bench';
import { pathsBench } from './paths.bench';
import { roomsBench } from './rooms.bench';
import { stormsBench } from './storms.bench';
import { clusterBench } from './cluster.bench';
import { reportBench } from './report.bench';

// `npm run bench`: runs the benchmarks and writes test/bench/RESULTS.md. `npm run bench -- NAME…`
// runs only those and prints them; with `--write` it also replaces those sections in RESULTS.md (each
// section carries the time it was measured). Each section reports against a floor measured in the
// same run (README.md here).
const BENCHES: Record<string, () => Promise<BenchSection>> = {
  evaluate: evaluateBench,
  room: roomBench,
  paths: pathsBench,
  rooms: roomsBench,
  storms: stormsBench,
  cluster: clusterBench,
  report: reportBench,
};

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const names = wanted.length ? wanted : Object.keys(BENCHES);
const sections: BenchSection[] = [];
for (const n of names) {
  const b = BENCHES[n];
  if (!b) {
    console.error(`unknown benchmark ${n}; known: ${Object.keys(BENCHES).join(', ')}`);
    process.exit(2);
  }
  console.log(`running ${n}…`);
  const s = await b();
  console.log(`\n## ${s.title}\n\n${s.markdown}\n`);
  sections.push(s);
}

const stamp = `Measured ${new Date().toISOString()} — Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB.`;
const header = [
  '# Benchmark results',
  '',
  'Written by `npm run bench`. Absolute times vary between machines and runs; the ratios to the floor measured in the same run are what to compare (see README.md beside this file).',
  '',
];
const file = new URL('./RESULTS.md', import.meta.url);
const render = (s: BenchSection) => [`## ${s.title}`, '', `_${stamp}_`, '', s.markdown, ''].join('\n');
if (!wanted.length) writeFileSync(file, header.join('\n') + '\n' + sections.map(render).join('\n'));
else if (process.argv.includes('--write')) {
  // Replace the re-measured sections in place; keep the others as they were.
  const old = existsSync(file) ? readFileSync(file, 'utf8') : header.join('\n');
  const parts = old.split(/^(?=## )/m);
  const head = parts[0].startsWith('## ') ? header.join('\n') + '\n' : parts[0];
  const kept = (parts[0].startsWith('## ') ? parts : parts.slice(1)).map((p) => ({ title: p.split('\n')[0].slice(3).trim(), text: p }));
  for (const s of sections) {
    const i = kept.findIndex((k) => k.title === s.title);
    const text = render(s) + '\n';
    if (i >= 0) kept[i].text = text;
    else kept.push({ title: s.title, text });
  }
  writeFileSync(file, head + kept.map((k) => k.text.replace(/\n*$/, '\n\n')).join('').replace(/\n+$/, '\n'));
}
// Servers and clients of the sections may still hold handles: the run is over.
process.exit(0);
