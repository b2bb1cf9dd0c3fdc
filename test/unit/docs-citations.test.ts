// Every citation of the project's reference in the code resolves (issue 17): `docs/rules.md §2.13`
// names a section numbered 2.13 in docs/rules.md, `docs/anomaly.md R3` / `Ex. 5` a rule or worked
// example there, and a quoted name after a citation (`docs/views.md "Quote window"`) appears in that
// file. The files live under docs/, shipped with the code: nothing here reads outside the repository.
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, extname } from 'node:path';
// @ts-expect-error: a plain .mjs script without type declarations
import { fileComments } from '../../scripts/doc-citations.mjs';

const ROOT = join(__dirname, '..', '..');
const SCANNED = ['server', 'shared', 'client/src'];
const EXTS = new Set(['.ts', '.js', '.mjs', '.svelte', '.css']);

function* files(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* files(p);
    else if (EXTS.has(extname(p))) yield p;
  }
}

/** Letters only, lower case: a quote survives line breaks, punctuation and ⟨⟩ placeholders. */
const letters = (s: string) => (s.toLowerCase().match(/\p{L}/gu) ?? []).join('');

interface Doc { text: string; letters: string; sections: Set<string>; ids: Set<string> }
const docs = new Map<string, Doc | null>();
function doc(name: string): Doc | null {
  if (!docs.has(name)) {
    const p = join(ROOT, 'docs', name);
    if (!existsSync(p)) docs.set(name, null);
    else {
      const text = readFileSync(p, 'utf8');
      const sections = new Set<string>();
      for (const m of text.matchAll(/^#{1,6}\s+(\d+(?:\.\d+)*)\.?\s/gm)) sections.add(m[1]);
      const ids = new Set<string>();
      for (const m of text.matchAll(/\b(R\d+|TOTAL30|Ex\. ?\d+)\b/g)) ids.add(m[1].replace(/\s/g, ''));
      docs.set(name, { text, letters: letters(text), sections, ids });
    }
  }
  return docs.get(name)!;
}

// `[docs/]name.md`, then optionally `§a[-b]`, then optionally a rule id or a quoted name.
const CITATION =
  /(?<![\w.-])(?:docs\/)?(rules|anomaly|views|architecture|rubrics|evaluate)\.md(?:\s*§\s*(\d+(?:\.\d+)*)(?:\s*[-–]\s*§?(\d+(?:\.\d+)*))?)?(?:[\s,:;(]*(R\d+|TOTAL30|Ex\. ?\d+)\b)?(?:[\s:(]*"([^"\n]*))?/g;

interface Problem { file: string; line: number; citation: string; why: string }

function check(): { count: number; problems: Problem[] } {
  const problems: Problem[] = [];
  let count = 0;
  for (const root of SCANNED) {
    for (const p of files(join(ROOT, root))) {
      const text = readFileSync(p, 'utf8');
      for (const m of text.matchAll(CITATION)) {
        count++;
        const [citation, name, from, to, id, quote] = m;
        const line = text.slice(0, m.index).split('\n').length;
        const at = { file: p.slice(ROOT.length + 1), line, citation };
        const d = doc(`${name}.md`);
        if (!d) { problems.push({ ...at, why: `docs/${name}.md does not exist` }); continue; }
        for (const s of [from, to]) if (s && !d.sections.has(s)) problems.push({ ...at, why: `no § ${s} in docs/${name}.md` });
        if (id && !d.ids.has(id.replace(/\s/g, ''))) problems.push({ ...at, why: `no ${id} in docs/${name}.md` });
        const q = quote ? letters(quote).slice(0, 24) : '';
        if (q && !d.letters.includes(q)) problems.push({ ...at, why: `"${quote}" is not in docs/${name}.md` });
      }
    }
  }
  return { count, problems };
}

describe('citations of docs/ in the code', () => {
  it('point to a file, section, rule or passage that exists under docs/', () => {
    const { count, problems } = check();
    expect(count).toBeGreaterThan(100);
    expect(problems.map((p) => `${p.file}:${p.line} ${p.citation.trim()} — ${p.why}`)).toEqual([]);
  });

  it('catches a citation of a section that is not there', () => {
    const d = doc('rules.md')!;
    expect(d.sections.has('2.13')).toBe(true);
    expect(d.sections.has('5.13')).toBe(true);
    expect(d.sections.has('2.99')).toBe(false);
    const m = [...'see docs/rules.md §2.99 and docs/anomaly.md R3'.matchAll(CITATION)];
    expect(m.map((x) => [x[1], x[2], x[5] ?? x[4]])).toEqual([['rules', '2.99', undefined], ['anomaly', undefined, 'R3']]);
  });

  it('never point outside the repository (the reference folder is not shipped)', () => {
    // The reference's own files: its rules and format notes (*.md), its rubrics folder, seeds and
    // design notes. The repo's shared/domain/ code (rubric/, checklists …) is not among them.
    const outside: string[] = [];
    for (const root of SCANNED)
      for (const p of files(join(ROOT, root))) {
        const text = readFileSync(p, 'utf8');
        for (const m of text.matchAll(/(?:\.\.\/)+shared\/(?:(?:domain|design)\/[\w-]+\.md|rubrics\/|seeds\/|design\/)[\w./-]*|evaluate-format\.md/g))
          outside.push(`${p.slice(ROOT.length + 1)}:${text.slice(0, m.index).split('\n').length} ${m[0]}`);
      }
    expect(outside).toEqual([]);
  });
});

// The words people read cite the procurement document's own clauses or say it plainly; the project's
// reference files (docs/*.md) are for engineers (docs/views.md "Everywhere"). Only comments may cite them.
describe('citations of docs/ outside comments', () => {
  it('appear nowhere a person reads: no string, markup or label names a docs/ file', () => {
    const shown: string[] = [];
    for (const root of SCANNED)
      for (const p of files(join(ROOT, root))) {
        const text = readFileSync(p, 'utf8');
        let code = '';
        let last = 0;
        for (const [s, e] of fileComments(text, extname(p)) as [number, number][]) {
          code += text.slice(last, s) + ' '.repeat(e - s);
          last = e;
        }
        code += text.slice(last);
        for (const m of code.matchAll(/\b(?:rules|anomaly|views|architecture|rubrics|evaluate|glossary)\.md\b/g))
          shown.push(`${p.slice(ROOT.length + 1)}:${code.slice(0, m.index).split('\n').length} ${m[0]}`);
      }
    expect(shown).toEqual([]);
  });
});
