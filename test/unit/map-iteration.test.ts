import { describe, expect, it } from 'vitest';
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

// No pairs made to walk a Map on the flush's path (issue 15: what the server allocates per command;
// docs/architecture.md "A Map walked by its keys"). On Node 20's V8, `for (const [k, v] of map)` makes a
// two-item array for every entry (a million walks of 25 entries: 1,557 scavenges, against 1 walking
// `map.keys()` with `map.get(k)`), and the channels' updates, the memo's lookups and the members'
// views walk their maps on every flush of every room.

/** The code on a flush's path: the realtime layer and the member's scoring view. */
const FLUSH_PATH = [
  ...readdirSync('server/realtime')
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join('server/realtime', f)),
  'server/scoring/view.ts',
];

/** `for (const [a, b] of x)` where x is a Map (or a Map's entries()): file:line and the text. */
export function pairWalks(files: string[]): string[] {
  const program = ts.createProgram(files, { strict: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, noEmit: true, skipLibCheck: true, types: ['node'] });
  const checker = program.getTypeChecker();
  const isMap = (t: ts.Type): boolean => ['Map', 'ReadonlyMap'].includes(checker.getApparentType(t).getSymbol()?.getName() ?? '');
  const out: string[] = [];
  for (const f of files) {
    const src = program.getSourceFile(f)!;
    const visit = (n: ts.Node): void => {
      if (ts.isForOfStatement(n) && ts.isVariableDeclarationList(n.initializer) && ts.isArrayBindingPattern(n.initializer.declarations[0].name)) {
        const e = n.expression;
        const entriesOf = ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && e.expression.name.text === 'entries' ? e.expression.expression : null;
        if (isMap(checker.getTypeAtLocation(entriesOf ?? e))) {
          const line = src.getLineAndCharacterOfPosition(n.getStart()).line + 1;
          out.push(`${f}:${line}: ${n.getText().split('\n')[0].slice(0, 100)}`);
        }
      }
      ts.forEachChild(n, visit);
    };
    visit(src);
  }
  return out;
}

describe('walking a Map on the flush path', () => {
  it('the realtime layer and the member view walk their maps by key, making no pair per entry', () => {
    expect(pairWalks(FLUSH_PATH)).toEqual([]);
  });

  it('the check finds the form it forbids, and leaves arrays of pairs and a map walked by key alone', () => {
    const f = join(process.env.TMPDIR ?? '/tmp', `pairs-${process.pid}.ts`);
    writeFileSync(
      f,
      [
        'const m = new Map<string, number>();',
        'const r: ReadonlyMap<string, number> = m;',
        'for (const [k, v] of m) console.log(k, v);',
        'for (const [k, v] of m.entries()) console.log(k, v);',
        'for (const [k, v] of r) console.log(k, v);',
        'for (const [k, v] of [["a", 1]] as [string, number][]) console.log(k, v);',
        'for (const [k, v] of Object.entries({ a: 1 })) console.log(k, v);',
        'for (const k of m.keys()) console.log(k, m.get(k));',
        '',
      ].join('\n'),
    );
    try {
      expect(pairWalks([f]).map((x) => x.slice(f.length + 1).split(':')[0])).toEqual(['3', '4', '5']);
    } finally {
      rmSync(f, { force: true });
    }
  });
});
