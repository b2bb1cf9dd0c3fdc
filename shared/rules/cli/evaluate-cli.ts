// `npm run evaluate -- FILE.json` (docs/evaluate.md): recompute an evaluation away
// from the room. Reads one evaluation file, resolves its rubric (a path relative to the file, the
// object itself, or a shipped template name such as "seed003"), runs the same engine the room runs
// and prints the result as JSON (2-space indent). Exit 0 on success; exit 2 with ONE line on stderr
// naming the field when the file cannot be read or is not of the documented form.
// This is the only file of the rules engine that does I/O.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { evaluate, parseEvaluationFile, EvaluationInputError } from '../evaluate';
import { isTemplateName, TEMPLATE_NAMES } from '../../domain/rubric/templates';
import seed000 from '../../domain/rubric/templates/seed000.json';
import seed003 from '../../domain/rubric/templates/seed003.json';
import seed004 from '../../domain/rubric/templates/seed004.json';

const TEMPLATES: Record<(typeof TEMPLATE_NAMES)[number], unknown> = { seed000, seed003, seed004 };

function fail(line: string): never {
  process.stderr.write(`${line.replace(/[\r\n]+/g, ' ')}\n`);
  process.exit(2);
}

function main(argv: string[]): void {
  const args = argv.filter((a) => a !== '--');
  if (args.length !== 1) fail('usage: npm run evaluate -- FILE.json');
  const file = resolve(args[0]);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    fail(`(file): cannot read ${args[0]}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    fail(`(file): ${args[0]} is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  const resolveRubric = (ref: string): unknown => {
    if (isTemplateName(ref)) return JSON.parse(JSON.stringify(TEMPLATES[ref]));
    const path = resolve(dirname(file), ref);
    let body: string;
    try {
      body = readFileSync(path, 'utf8');
    } catch (e) {
      throw new Error(`${(e as NodeJS.ErrnoException).code ?? 'unreadable'} (${path})`);
    }
    try {
      return JSON.parse(body.replace(/^\uFEFF/, ''));
    } catch (e) {
      throw new Error(`not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
  const parsed = parseEvaluationFile(json, resolveRubric);
  if (!parsed.ok) fail(`${parsed.field}: ${parsed.message}`);
  let out: unknown;
  try {
    out = evaluate(parsed.input, parsed.rubric);
  } catch (e) {
    if (e instanceof EvaluationInputError) fail(`${e.field}: ${e.detail}`);
    // Anything else the engine refuses is still reported on one line.
    fail(`(file): cannot evaluate: ${e instanceof Error ? e.message : String(e)}`);
  }
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
}

main(process.argv.slice(2));
