// A line diff between two published versions of the requirements document (docs/rules.md §2.8 Derived:
// "a diff against the document"), so that a supplier reads only what changed before it signs.
// Longest common subsequence on lines after trimming the common head and tail; the documents are a
// few hundred lines, so the quadratic table is small. Above LIMIT cells the middle is reported as
// removed-then-added, which is still a correct (if coarse) diff.

export type DiffOp = '=' | '+' | '-';
export interface DiffLine {
  op: DiffOp;
  text: string;
}

const LIMIT = 4_000_000;

export const splitLines = (s: string): string[] => (s === '' ? [] : s.replace(/\r\n?/g, '\n').split('\n'));

export function lineDiff(before: string, after: string): DiffLine[] {
  const a = splitLines(before);
  const b = splitLines(after);
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const out: DiffLine[] = a.slice(0, head).map((text) => ({ op: '=' as const, text }));
  const am = a.slice(head, a.length - tail);
  const bm = b.slice(head, b.length - tail);
  if (am.length * bm.length > LIMIT) {
    for (const text of am) out.push({ op: '-', text });
    for (const text of bm) out.push({ op: '+', text });
  } else {
    // lcs[i][j] = length of the LCS of am[i..] and bm[j..]
    const n = am.length;
    const m = bm.length;
    const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
    for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) lcs[i][j] = am[i] === bm[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    let i = 0;
    let j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && am[i] === bm[j]) {
        out.push({ op: '=', text: am[i] });
        i++;
        j++;
      } else if (j < m && (i === n || lcs[i][j + 1] >= lcs[i + 1][j])) {
        out.push({ op: '+', text: bm[j++] });
      } else {
        out.push({ op: '-', text: am[i++] });
      }
    }
  }
  for (const text of a.slice(a.length - tail)) out.push({ op: '=', text });
  return out;
}

/** Only the changed lines (what the projector and the supplier's summary show). */
export const changedLines = (d: DiffLine[]): DiffLine[] => d.filter((l) => l.op !== '=');
