import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { extend } from '../../shared/extend';

// One shape per kind of object (issue 15; shared/extend.ts, docs/architecture.md "One shape per kind of
// object"): an object literal that adds fields after a spread gets a hidden class of its own on Node
// 20's V8; `extend` gives the same object with the class shared.

/** Every `.ts` file under `dir`, tests left out. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile() && d.name.endsWith('.ts') && !d.name.endsWith('.test.ts') && !d.name.endsWith('.d.ts'))
    .map((d) => join(d.parentPath, d.name));
}

/** The object literals inside a function that add a field or another spread after a spread: file:line
 *  and the text. One made once, as a module loads (a table of handlers), is left as it is. */
export function spreadsThenFields(files: string[]): string[] {
  const out: string[] = [];
  for (const f of files) {
    const src = ts.createSourceFile(f, readFileSync(f, 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (n: ts.Node): void => {
      if (ts.isObjectLiteralExpression(n) && ts.findAncestor(n, ts.isFunctionLike)) {
        const first = n.properties.findIndex((p) => ts.isSpreadAssignment(p));
        if (first >= 0 && first < n.properties.length - 1) {
          const line = src.getLineAndCharacterOfPosition(n.getStart()).line + 1;
          out.push(`${f}:${line}: ${n.getText().replace(/\s+/g, ' ').slice(0, 100)}`);
        }
      }
      ts.forEachChild(n, visit);
    };
    visit(src);
  }
  return out;
}

describe('extend (one shape per kind of object)', () => {
  it('is `{ ...base, ...more }`: the same fields, values and order', () => {
    const base = { id: 'S1', name: '甲公司', 2: 'two', status: 'active' };
    const more = { status: 'invalid', reason: '报价超出预算', 1: 'one' };
    const got = extend(base, more);
    expect(got).toEqual({ ...base, ...more });
    expect(Object.keys(got)).toEqual(Object.keys({ ...base, ...more }));
    expect(JSON.stringify(got)).toBe(JSON.stringify({ ...base, ...more }));
    // Neither argument is changed, and the result is a new object.
    expect(base.status).toBe('active');
    expect(got).not.toBe(base);
  });

  it('adds nothing for a missing base, as a spread of undefined does', () => {
    const out: Record<string, { reason: string | null }> = {};
    expect(extend(out['S9'], { reason: null })).toEqual({ ...out['S9'], reason: null });
  });

  it('copies a field named __proto__ as a field, as a spread does, never as the prototype', () => {
    const parsed = JSON.parse('{"__proto__": {"admin": true}, "id": "M1"}') as object;
    const got = extend(parsed, { label: '专家1' }) as Record<string, unknown>;
    expect(Object.getPrototypeOf(got)).toBe(Object.prototype);
    expect(got.admin).toBeUndefined();
    expect(Object.keys(got)).toEqual(['__proto__', 'id', 'label']);
    expect(JSON.stringify(got)).toBe(JSON.stringify({ ...parsed, label: '专家1' }));
  });

  it("gives the objects it makes one shared hidden class (V8's own check, in a child process)", () => {
    const probe =
      "import('./shared/extend.ts').then(({ extend }) => {" +
      "  const p = { id: 'M1', name: '专家', role: 'expert', active: true };" +
      '  const xs = []; for (let i = 0; i < 200; i++) xs.push(extend(p, { ordinal: i, replaces: null }));' +
      '  let same = 0; for (let i = 1; i < xs.length; i++) if (%HaveSameMap(xs[i], xs[0])) same++;' +
      '  console.log(same); })';
    const out = execFileSync(process.execPath, ['--allow-natives-syntax', '--import', 'tsx', '-e', probe], { encoding: 'utf8' });
    expect(Number(out.trim())).toBe(199);
  });

  it('the server and the shared code add no field after a spread (each would get a class of its own)', () => {
    const found = spreadsThenFields([...sources('server'), ...sources('shared')]);
    expect(found).toEqual([]);
  });

  it('the check finds the form it forbids', () => {
    const f = join(process.env.TMPDIR ?? '/tmp', `spread-${process.pid}.ts`);
    // Written where no source lives: a field after a spread, a spread after a spread, and two allowed forms.
    writeFileSync(f, 'const f = () => [{ ...b, c: 1 },\n{ ...e, ...g },\n{ i: 1, ...j },\n{ ...l }];\nconst once = { ...m, n: 1 };\n');
    try {
      expect(spreadsThenFields([f]).map((x) => x.slice(f.length + 1, f.length + 2))).toEqual(['1', '2']);
    } finally {
      rmSync(f, { force: true });
    }
  });
});
