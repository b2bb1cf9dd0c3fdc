// `npm run evaluate -- FILE` (shared/rules/cli/evaluate-cli.ts) as a child process, on the examples
// in docs/examples: exit 0 with the expected ranking; malformed input → exit 2, one stderr line.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../..');
const TSX = join(ROOT, 'node_modules/.bin/tsx');

function run(file: string) {
  const r = spawnSync(TSX, ['shared/rules/cli/evaluate-cli.ts', file], { cwd: ROOT, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

type Out = {
  suppliers: { id: string; rank: number | null; status: string; candidate: boolean; correction: unknown; deductionRate: string | null; abnormalLow: string[]; finalScore: string | null; priceScore: string | null; invalidReason: string | null }[];
  flags: { rule: string; supplier: string | null }[];
  outcome: { status: string };
  recheckFocus: Record<string, unknown>;
};

describe('evaluate CLI', () => {
  it('seed003-full: 5 members × 4 suppliers', () => {
    const r = run('docs/examples/seed003-full.json');
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout.startsWith('{\n  "suppliers": [')).toBe(true);
    const o = JSON.parse(r.stdout) as Out;
    expect(o.suppliers.map((s) => [s.id, s.rank, s.candidate])).toEqual([
      ['C', 1, true],
      ['B', 2, true],
      ['A', 3, true],
      ['D', 4, false],
    ]);
    const s = Object.fromEntries(o.suppliers.map((x) => [x.id, x]));
    expect(s.B.correction).not.toBeNull();
    expect(s.C.deductionRate).toBe('0.10');
    expect(s.D.abnormalLow).toEqual(['4.1.2', '4.1.3']);
    expect(s.C.finalScore).toBe('84.74');
    expect(o.flags.some((f) => f.rule === 'R8' && f.supplier === 'D')).toBe(true);
    expect(o.outcome.status).toBe('continue');
    expect(o.recheckFocus).toEqual({ firstRanked: 'C', lowestQuote: 'D', lowestEvaluatedPrice: 'D', invalid: [] });
  });

  it('seed000-tie: equal final scores, broken by the evaluated price', () => {
    const r = run('docs/examples/seed000-tie.json');
    expect(r.status).toBe(0);
    const o = JSON.parse(r.stdout) as Out;
    expect(o.suppliers.map((s) => [s.id, s.rank, s.finalScore])).toEqual([
      ['A', 1, '77.00'],
      ['B', 2, '77.00'],
      ['C', 3, '49.23'],
    ]);
  });

  it('seed004-price-only: price part, no ranking', () => {
    const r = run('docs/examples/seed004-price-only.json');
    expect(r.status).toBe(0);
    const o = JSON.parse(r.stdout) as Out;
    expect(o.suppliers.map((s) => [s.id, s.rank, s.priceScore, s.status])).toEqual([
      ['A', null, '24.03', 'responsive'],
      ['B', null, '26.01', 'responsive'],
      ['C', null, null, 'invalid'],
      ['D', null, '30.00', 'responsive'],
      ['E', null, null, 'withdrawn'],
    ]);
    expect(o.suppliers[2].invalidReason).toBe('over_budget');
    expect(o.recheckFocus).toEqual({ firstRanked: null, lowestQuote: 'D', lowestEvaluatedPrice: 'D', invalid: ['C'] });
  });

  it('malformed: exit 2 and one stderr line naming the field', () => {
    const r = run('docs/examples/malformed.json');
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^suppliers\[2\]\.finalQuote: "12,0000" is not a decimal amount/);
  });

  it('unreadable or invalid JSON files, and a missing rubric: exit 2', () => {
    const dir = mkdtempSync(join(tmpdir(), 'evaluate-cli-'));
    expect(run(join(dir, 'none.json')).status).toBe(2);
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{"rubric": ');
    const b = run(broken);
    expect(b.status).toBe(2);
    expect(b.stderr.trimEnd().split('\n')).toHaveLength(1);
    const noRubric = join(dir, 'norubric.json');
    writeFileSync(noRubric, JSON.stringify({ rubric: 'missing.json', members: [], suppliers: [] }));
    const n = run(noRubric);
    expect(n.status).toBe(2);
    expect(n.stderr).toMatch(/^rubric: /);
  });

  it('an absolute rubric path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'evaluate-cli-'));
    const f = join(dir, 'rel.json');
    writeFileSync(
      f,
      JSON.stringify({
        rubric: join(ROOT, 'shared/domain/rubric/templates/seed004.json'),
        members: [],
        suppliers: [{ id: 'A', finalQuote: '500000.00' }],
      }),
    );
    const r = run(f);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).outcome).toEqual({ status: 'terminate', responsive: 1, minimum: 3, reason: 'fewer_than_minimum' });
  });
});
