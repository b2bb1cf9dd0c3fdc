import { describe, expect, it } from 'vitest';
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

// No pairs made to walk a Map on the flush's path (issue 15: what the server allocates per command;
// docs/architecture.md "A Map walked by its keys"). On Node 20's V8, `for (const [k, v] of map)` makes a
// two-item array for every entry (a million walks of 25 entries: 1,557 scavenges, against 1 walking
// `map.keys()` with `map.get(k)`), and the channels' updates, the memo's lookups and the members'
// views walk their maps on every flush of every room.

/** The code on a flush's path: the realtime layer, the member's scoring view, the cluster's presence. */
const FLUSH_PATH = [
  ...readdirSync('server/realtime', { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join('server/realtime', f)),
  'server/scoring/view.ts',
  'server/cluster/presence.ts',
];

/** The project's own compiler options (tsconfig.json), so that every import resolves as in `tsc`. */
function projectOptions(): ts.CompilerOptions {
  const { config } = ts.readConfigFile('tsconfig.json', ts.sys.readFile);
  return ts.parseJsonConfigFileContent(config, ts.sys, '.').options;
}

/**
 * Where `files` walk a Map by its pairs: a for-of over a Map (or a Map's `entries()`, kept or not), and a
 * Map spread into an array or given to `Array.from`: file:line and the text. Also each file's type errors
 * (an import that did not resolve would leave its types unknown, and its walks unseen).
 */
export function pairWalks(files: string[]): { walks: string[]; errors: string[] } {
  const program = ts.createProgram(files, projectOptions());
  const checker = program.getTypeChecker();
  const isMapType = (t: ts.Type): boolean => {
    if (t.isUnion()) return t.types.some(isMapType);
    const sym = checker.getApparentType(t).getSymbol();
    if (!sym) return false;
    if (['Map', 'ReadonlyMap'].includes(sym.getName())) return true;
    // A class of its own that extends Map.
    return (t.isClassOrInterface() ? checker.getBaseTypes(t) : []).some(isMapType);
  };
  // A Map's entries(): an iterator of pairs (`MapIterator<[K, V]>`, or `IterableIterator` in older libs).
  const isPairIterator = (t: ts.Type): boolean => {
    if (t.isUnion()) return t.types.some(isPairIterator);
    const name = t.getSymbol()?.getName();
    if (name !== 'MapIterator' && name !== 'IterableIterator') return false;
    const [item] = checker.getTypeArguments(t as ts.TypeReference);
    return !!item && checker.isTupleType(item);
  };
  const byPairs = (e: ts.Expression): boolean => {
    const t = checker.getTypeAtLocation(e);
    return isMapType(t) || isPairIterator(t);
  };
  const walks: string[] = [];
  const errors: string[] = [];
  for (const f of files) {
    const src = program.getSourceFile(f)!;
    for (const d of ts.getPreEmitDiagnostics(program, src)) errors.push(`${f}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
    const found = (n: ts.Node) => walks.push(`${f}:${src.getLineAndCharacterOfPosition(n.getStart()).line + 1}: ${n.getText().split('\n')[0].slice(0, 100)}`);
    const visit = (n: ts.Node): void => {
      if (ts.isForOfStatement(n) && byPairs(n.expression)) found(n);
      else if (ts.isSpreadElement(n) && ts.isArrayLiteralExpression(n.parent) && byPairs(n.expression)) found(n);
      else if (ts.isCallExpression(n) && n.expression.getText() === 'Array.from' && n.arguments[0] && byPairs(n.arguments[0])) found(n);
      ts.forEachChild(n, visit);
    };
    visit(src);
  }
  return { walks, errors };
}

describe('walking a Map on the flush path', () => {
  it('the realtime layer, the member view and the cluster presence walk their maps by key, making no pair per entry', () => {
    const { walks, errors } = pairWalks(FLUSH_PATH);
    expect(errors).toEqual([]);
    expect(walks).toEqual([]);
  });

  it('the check finds the forms it forbids, through imports and unions, and leaves walks by key and arrays of pairs alone', () => {
    const f = join(process.env.TMPDIR ?? '/tmp', `pairs-${process.pid}.ts`);
    // The channel type comes from the project itself: a walk through an imported type is seen.
    const memo = join(process.cwd(), 'server/realtime/view-memo');
    writeFileSync(
      f,
      [
        `import type { SectionMap } from '${memo}';`,
        'const m = new Map<string, number>();',
        'const r: ReadonlyMap<string, number> = m;',
        'declare const sections: SectionMap;',
        'declare const maybe: Map<string, number> | undefined;',
        'class Counts extends Map<string, number> {}',
        'const counts = new Counts();',
        'const it = m.entries();',
        'for (const [k, v] of m) console.log(k, v);',
        'for (const [k, v] of m.entries()) console.log(k, v);',
        'for (const [k, v] of r) console.log(k, v);',
        'for (const [k, s] of sections) console.log(k, s);',
        'for (const [k, v] of maybe ?? []) console.log(k, v);',
        'for (const [k, v] of counts) console.log(k, v);',
        'for (const pair of it) console.log(pair);',
        'console.log([...m], Array.from(r));',
        'for (const [k, v] of [["a", 1]] as [string, number][]) console.log(k, v);',
        'for (const [k, v] of Object.entries({ a: 1 })) console.log(k, v);',
        'for (const k of m.keys()) console.log(k, m.get(k));',
        'console.log([...m.keys()], Array.from(m.values()));',
        '',
      ].join('\n'),
    );
    try {
      const { walks, errors } = pairWalks([f]);
      expect(errors).toEqual([]);
      expect(walks.map((x) => x.slice(f.length + 1).split(':')[0])).toEqual(['9', '10', '11', '12', '13', '14', '15', '16', '16']);
    } finally {
      rmSync(f, { force: true });
    }
  });
});
