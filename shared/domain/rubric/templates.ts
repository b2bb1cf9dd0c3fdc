// The rubrics the project ships (transcribed from the seed documents; docs/rubrics.md).
// Imported statically so that the browser bundle has them too; validated on load.
import seed000 from './templates/seed000.json';
import seed003 from './templates/seed003.json';
import seed004 from './templates/seed004.json';
import type { Rubric } from './types';
import { validateRubric } from './validate';

export const TEMPLATE_NAMES = ['seed000', 'seed003', 'seed004'] as const;
export type TemplateName = (typeof TEMPLATE_NAMES)[number];

const RAW: Record<TemplateName, unknown> = { seed000, seed003, seed004 };
const cache = new Map<TemplateName, Rubric>();

export function isTemplateName(name: string): name is TemplateName {
  return (TEMPLATE_NAMES as readonly string[]).includes(name);
}

/** A shipped rubric, validated. Throws when the name is unknown or the file fails validation. */
export function loadTemplate(name: string): Rubric {
  if (!isTemplateName(name)) {
    throw new Error(`unknown rubric template "${name}" (known: ${TEMPLATE_NAMES.join(', ')}) / 未知的评分标准模板「${name}」`);
  }
  const hit = cache.get(name);
  if (hit) return hit;
  // A deep copy, so that no caller can change the shared module object.
  const result = validateRubric(JSON.parse(JSON.stringify(RAW[name])));
  if (!result.ok) {
    const first = result.errors[0];
    throw new Error(`rubric template ${name} is invalid: ${first.path}: ${first.message.en} / 评分标准模板 ${name} 无效：${first.message.zh}`);
  }
  cache.set(name, result.rubric);
  return result.rubric;
}
