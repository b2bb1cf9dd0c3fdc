// Points the code's citations at the project's own reference (docs/rules.md, docs/anomaly.md,
// docs/views.md, docs/architecture.md, docs/rubrics.md, docs/evaluate.md), rewriting ONLY comment
// text: `rules.md §2.13` becomes `docs/rules.md §2.13`, `design/views.md` becomes `docs/views.md`, and
// a path into a reference folder outside the repository (`../shared/domain/anomaly.md`,
// `../shared/rubrics/README.md`, `evaluate-format.md`) becomes the shipped copy. Idempotent: run it
// again after a merge brings new comments (`node scripts/doc-citations.mjs`; `--check` lists what it
// would change and exits 1). test/unit/docs-citations.test.ts then checks every citation resolves.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, extname } from 'node:path';

const ROOTS = ['server', 'shared', 'client/src', 'test', 'scripts'];
const EXTS = new Set(['.ts', '.js', '.mjs', '.svelte', '.css']);

/** [start, end) ranges of comments in source text. `markup` = Svelte/HTML outside script/style. */
export function commentRanges(text, kind) {
  const out = [];
  if (kind === 'markup') {
    for (const m of text.matchAll(/<!--[\s\S]*?-->/g)) out.push([m.index, m.index + m[0].length]);
    return out;
  }
  if (kind === 'css') {
    for (const m of text.matchAll(/\/\*[\s\S]*?\*\//g)) out.push([m.index, m.index + m[0].length]);
    return out;
  }
  // TypeScript/JavaScript: strings, template literals (with ${} nesting), comments.
  let i = 0;
  const stack = []; // 'tpl' frames or brace depths inside ${}
  let depth = 0;
  while (i < text.length) {
    const c = text[i];
    const top = stack[stack.length - 1];
    if (top === 'tpl') {
      if (c === '\\') { i += 2; continue; }
      if (c === '`') { stack.pop(); i++; continue; }
      if (c === '$' && text[i + 1] === '{') { stack.push(depth); depth = 0; i += 2; continue; }
      i++;
      continue;
    }
    if (c === '/' && text[i + 1] === '/') {
      const end = text.indexOf('\n', i);
      const e = end < 0 ? text.length : end;
      out.push([i, e]);
      i = e;
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      const e = end < 0 ? text.length : end + 2;
      out.push([i, e]);
      i = e;
      continue;
    }
    if (c === '"' || c === "'") {
      i++;
      while (i < text.length && text[i] !== c && text[i] !== '\n') i += text[i] === '\\' ? 2 : 1;
      i++;
      continue;
    }
    if (c === '`') { stack.push('tpl'); i++; continue; }
    if (c === '{') { depth++; i++; continue; }
    if (c === '}') {
      if (depth === 0 && typeof top === 'number') { depth = stack.pop(); i++; continue; }
      depth--; i++; continue;
    }
    i++;
  }
  return out;
}

/** Comment ranges of a file by its kind (a .svelte file: its <script> and <style> blocks and markup). */
export function fileComments(text, ext) {
  if (ext === '.css') return commentRanges(text, 'css');
  if (ext !== '.svelte') return commentRanges(text, 'ts');
  const out = [];
  const blocks = [...text.matchAll(/(<script[^>]*>)([\s\S]*?)<\/script>|(<style[^>]*>)([\s\S]*?)<\/style>/g)];
  let last = 0;
  const markup = (a, b) => {
    for (const [s, e] of commentRanges(text.slice(a, b), 'markup')) out.push([a + s, a + e]);
  };
  for (const m of blocks) {
    markup(last, m.index);
    const isScript = m[1] !== undefined;
    const start = m.index + (isScript ? m[1] : m[3]).length;
    const body = isScript ? m[2] : m[4];
    for (const [s, e] of commentRanges(body, isScript ? 'ts' : 'css')) out.push([start + s, start + e]);
    last = m.index + m[0].length;
  }
  markup(last, text.length);
  return out;
}

/** The rewrite of one comment's text. */
export function rewriteComment(c) {
  return c
    .replace(/(?:\.\.\/)*(?:shared\/)?(?:domain|design)\/(rules|anomaly|views|architecture)\.md/g, 'docs/$1.md')
    .replace(/(?<![\w./-])(rules|anomaly|views|architecture)\.md/g, 'docs/$1.md')
    // The reference's rubric notes and evaluation-file format: the repo's docs/rubrics.md, docs/evaluate.md.
    .replace(/(?:\.\.\/)*shared\/rubrics\/README\.md/g, 'docs/rubrics.md')
    .replace(/(?:\.\.\/)*(?:shared\/)?(?:domain\/)?evaluate-format\.md/g, 'docs/evaluate.md');
}

function* files(dir) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* files(p);
    else if (EXTS.has(extname(p))) yield p;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const check = process.argv.includes('--check');
  let changed = 0;
  for (const root of ROOTS) {
    for (const p of files(root)) {
      if (p === 'scripts/doc-citations.mjs') continue;
      const text = readFileSync(p, 'utf8');
      let out = '';
      let last = 0;
      for (const [s, e] of fileComments(text, extname(p))) {
        out += text.slice(last, s) + rewriteComment(text.slice(s, e));
        last = e;
      }
      out += text.slice(last);
      if (out !== text) {
        changed++;
        if (check) console.log(p);
        else writeFileSync(p, out);
      }
    }
  }
  console.log(`${changed} file(s) ${check ? 'would change' : 'rewritten'}`);
  if (check && changed) process.exit(1);
}
