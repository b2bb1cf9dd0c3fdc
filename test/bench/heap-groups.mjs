// Groups a V8 heap snapshot (test/bench/heap.ts writes them) by constructor: count, self size and
// retained size (by the dominator tree), and with a second snapshot the difference (issue 15: what each
// room and socket holds). `node test/bench/heap-groups.mjs after.heapsnapshot [before.heapsnapshot] [--paths NAME]`
// --paths NAME: for the biggest objects of constructor NAME, the chain of retainers that dominates them.
import { readFileSync } from 'node:fs';

function load(file) {
  const snap = JSON.parse(readFileSync(file, 'utf8'));
  const m = snap.snapshot.meta;
  const nf = m.node_fields, ef = m.edge_fields;
  const N = nf.length, E = ef.length;
  const nodeTypes = m.node_types[0], edgeTypes = m.edge_types[0];
  const iType = nf.indexOf('type'), iName = nf.indexOf('name'), iSize = nf.indexOf('self_size'), iEdges = nf.indexOf('edge_count');
  const eType = ef.indexOf('type'), eName = ef.indexOf('name_or_index'), eTo = ef.indexOf('to_node');
  const nodes = snap.nodes, edges = snap.edges, strings = snap.strings;
  const n = nodes.length / N;
  const firstEdge = new Uint32Array(n + 1);
  for (let i = 0, e = 0; i < n; i++) {
    firstEdge[i] = e;
    e += nodes[i * N + iEdges] * E;
  }
  firstEdge[n] = edges.length;
  const kind = (i) => nodeTypes[nodes[i * N + iType]];
  const name = (i) => strings[nodes[i * N + iName]];
  const size = (i) => nodes[i * N + iSize];
  const label = (i) => {
    const k = kind(i);
    if (k === 'object' || k === 'closure' || k === 'native') return `${k}:${name(i)}`;
    return `(${k})`;
  };
  // Dominators (Cooper, Harvey, Kennedy) over a DFS post-order from the root (node 0); weak edges skipped.
  const weak = edgeTypes.indexOf('weak'), shortcut = edgeTypes.indexOf('shortcut');
  const succ = (i, f) => {
    for (let e = firstEdge[i]; e < firstEdge[i + 1]; e += E) {
      const t = edges[e + eType];
      if (t === weak || t === shortcut) continue;
      f(edges[e + eTo] / N, e);
    }
  };
  const order = new Int32Array(n).fill(-1);
  const post = [];
  const stack = [0], it = [firstEdge[0]];
  order[0] = -2;
  while (stack.length) {
    const v = stack[stack.length - 1];
    let e = it[it.length - 1];
    let pushed = false;
    while (e < firstEdge[v + 1]) {
      const t = edges[e + eType], w = edges[e + eTo] / N;
      e += E;
      if (t === weak || t === shortcut) continue;
      if (order[w] === -1) {
        order[w] = -2;
        it[it.length - 1] = e;
        stack.push(w);
        it.push(firstEdge[w]);
        pushed = true;
        break;
      }
    }
    if (!pushed) {
      stack.pop();
      it.pop();
      order[v] = post.length;
      post.push(v);
    }
  }
  const preds = Array.from({ length: n }, () => []);
  for (const v of post) succ(v, (w) => { if (order[w] >= 0) preds[w].push(v); });
  const idom = new Int32Array(n).fill(-1);
  idom[0] = 0;
  const intersect = (a, b) => {
    while (a !== b) {
      while (order[a] < order[b]) a = idom[a];
      while (order[b] < order[a]) b = idom[b];
    }
    return a;
  };
  let changed = true;
  while (changed) {
    changed = false;
    for (let k = post.length - 1; k >= 0; k--) {
      const v = post[k];
      if (v === 0) continue;
      let nd = -1;
      for (const p of preds[v]) if (idom[p] !== -1) nd = nd === -1 ? p : intersect(p, nd);
      if (nd !== -1 && idom[v] !== nd) { idom[v] = nd; changed = true; }
    }
  }
  const retained = new Float64Array(n);
  for (const v of post) retained[v] += size(v);
  for (const v of post) if (v !== 0 && idom[v] >= 0) retained[idom[v]] += retained[v];
  const edgeName = (e) => { const t = edgeTypes[edges[e + eType]]; const x = edges[e + eName]; return t === 'element' || t === 'hidden' ? `[${x}]` : strings[x]; };
  return { n, kind, name, size, label, retained, idom, order, preds, succ, edgeName, firstEdge, edges, E, eTo, N };
}

function groups(h) {
  const g = new Map();
  for (let i = 0; i < h.n; i++) {
    if (h.order[i] < 0) continue;
    const l = h.label(i);
    let x = g.get(l);
    if (!x) g.set(l, (x = { count: 0, self: 0, retained: 0 }));
    x.count++;
    x.self += h.size(i);
    // Retained: only where the dominator is not of the same label (no double counting of a list's links).
    if (h.label(h.idom[i]) !== l) x.retained += h.retained[i];
  }
  return g;
}

const args = process.argv.slice(2);
const pi = args.indexOf('--paths');
const pathsOf = pi >= 0 ? args.splice(pi, 2)[1] : null;
for (const opt of ['--retainers', '--children']) {
  const i = args.indexOf(opt);
  if (i >= 0) args.splice(i, 2);
}
const [afterFile, beforeFile] = args.filter((x) => !x.startsWith('--'));
const a = load(afterFile);
const ga = groups(a);
const gb = beforeFile ? groups(load(beforeFile)) : new Map();
const rows = [...ga].map(([l, x]) => {
  const y = gb.get(l) ?? { count: 0, self: 0, retained: 0 };
  return { l, count: x.count - y.count, self: x.self - y.self, retained: x.retained - y.retained };
});
const kb = (b) => (b / 1024).toFixed(0).padStart(8);
console.log('by self size' + (beforeFile ? ' (difference)' : ''));
for (const r of rows.sort((p, q) => q.self - p.self).slice(0, 40)) console.log(`${kb(r.self)} KB self ${kb(r.retained)} KB retained ${String(r.count).padStart(8)}  ${r.l}`);
console.log('\nby retained size' + (beforeFile ? ' (difference)' : ''));
for (const r of rows.sort((p, q) => q.retained - p.retained).slice(0, 40)) console.log(`${kb(r.self)} KB self ${kb(r.retained)} KB retained ${String(r.count).padStart(8)}  ${r.l}`);
if (pathsOf) {
  const ids = [];
  for (let i = 0; i < a.n; i++) if (a.order[i] >= 0 && a.label(i) === pathsOf) ids.push(i);
  ids.sort((p, q) => a.retained[q] - a.retained[p]);
  for (const id of ids.slice(0, 5)) {
    console.log(`\n${pathsOf} #${id} retained ${kb(a.retained[id])} KB; dominators:`);
    let v = id;
    for (let k = 0; k < 14 && v !== 0; k++) {
      const d = a.idom[v];
      let via = '';
      a.succ(d, (w, e) => { if (w === v && !via) via = a.edgeName(e); });
      console.log(`   <-${via}- ${a.label(d)} (${kb(a.retained[d])} KB)`);
      v = d;
    }
  }
}
if (process.argv.includes("--sections")) {
  // Section objects (server/realtime/view-memo.ts: {key, value, json, personal}), grouped by key: how
  // many distinct ones are alive and the size of their JSON strings and of their values.
  const by = new Map();
  for (let i = 0; i < a.n; i++) {
    if (a.order[i] < 0 || a.label(i) !== 'object:Object') continue;
    const f = {};
    a.succ(i, (w, e) => { f[a.edgeName(e)] = w; });
    if (f.key === undefined || f.json === undefined || f.personal === undefined || f.value === undefined) continue;
    const k = a.name(f.key);
    let x = by.get(k);
    if (!x) by.set(k, (x = { n: 0, json: 0, value: 0, strings: new Set() }));
    x.n++;
    // A JSON string shared by several sections (view-memo.ts intern) is counted once.
    if (!x.strings.has(f.json)) x.json += a.retained[f.json];
    x.strings.add(f.json);
    x.value += a.retained[f.value];
  }
  console.log('\nsections by key: count, JSON strings, values (retained by the dominator tree)');
  for (const [k, x] of [...by].sort((p, q) => q[1].json - p[1].json)) console.log(`${String(x.n).padStart(6)} ${String(x.strings.size).padStart(6)} strings ${kb(x.json)} KB json ${kb(x.value)} KB value  ${k}`);
}
const ri = process.argv.indexOf('--retainers');
if (ri >= 0) {
  // For sections of one key: every retainer of a few of them, and one path of retainers up to the root.
  const key = process.argv[ri + 1];
  const preds = new Map();
  for (let i = 0; i < a.n; i++) if (a.order[i] >= 0) a.succ(i, (w, e) => { if (!preds.has(w)) preds.set(w, []); preds.get(w).push([i, a.edgeName(e)]); });
  let shown = 0;
  for (let i = 0; i < a.n && shown < 14; i++) {
    if (a.order[i] < 0 || a.label(i) !== 'object:Object') continue;
    const f = {};
    a.succ(i, (w, e) => { f[a.edgeName(e)] = w; });
    if (f.key === undefined || f.json === undefined || f.personal === undefined || a.name(f.key) !== key) continue;
    shown++;
    console.log(`\nsection ${key} #${i} json ${kb(a.retained[f.json])} KB, retained by:`);
    const chain = (v, depth, seen) => {
      for (const [p, via] of (preds.get(v) ?? []).slice(0, 6)) {
        console.log(`${'  '.repeat(depth)}<-${via}- ${a.label(p)}#${p}`);
        if (depth < 7 && !seen.has(p)) chain(p, depth + 1, new Set([...seen, p]));
      }
    };
    chain(i, 1, new Set([i]));
  }
}
const ci = process.argv.indexOf('--children');
if (ci >= 0) {
  // What the biggest node of a constructor dominates, one level down, by edge and label.
  const want = process.argv[ci + 1];
  let best = -1;
  for (let i = 0; i < a.n; i++) if (a.order[i] >= 0 && a.label(i) === want && (best < 0 || a.retained[i] > a.retained[best])) best = i;
  const kids = new Map();
  for (let i = 0; i < a.n; i++) if (a.order[i] >= 0 && a.idom[i] === best && i !== best) {
    let via = '';
    a.succ(best, (w, e) => { if (w === i && !via) via = a.edgeName(e); });
    const l = `${via || '(indirect)'} ${a.label(i)}`;
    kids.set(l, (kids.get(l) ?? 0) + a.retained[i]);
  }
  console.log(`\n${want} #${best} retains ${kb(a.retained[best])} KB:`);
  for (const [l, r] of [...kids].sort((p, q) => q[1] - p[1]).slice(0, 25)) console.log(`${kb(r)} KB  ${l}`);
}
