import { describe, it, expect } from 'vitest';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ROOM_CONCERNS as CONCERNS } from '../../../server/concerns';
import { EVENT_LABEL, eventLabel, GROUND_LABEL, RANK_KEY_LABEL, PRESET_LABEL, FLAG_RULE_LABEL, FLAG_SEVERITY_LABEL, METHOD_LABEL, DOCUMENT_LABEL, SUPPLIER_STATUS_LABEL, SITTING_STATUS_LABEL } from '../../../shared/labels/index';
import { bjDateTime, isoToBj, durationZh, yuanWithWords, personLabel } from '../../../shared/labels/index';
import { PRESETS } from '../../../shared/rules/anomaly/presets';
import { loadTemplate } from '../../../shared/domain/rubric/templates';

// Issue 13 item 1: every code a person could read has a label, Chinese and English, in a table that
// is total over its code set.

const ascii = /[A-Za-z_]+[:_][a-z_]+/;
function wellFormed(table: Record<string, { zh: string; en: string }>): void {
  for (const [k, v] of Object.entries(table)) {
    expect(v.zh.trim(), k).not.toBe('');
    expect(v.en.trim(), k).not.toBe('');
    expect(v.zh, k).not.toMatch(ascii);
    expect(v.zh, `${k}: the label is not the code`).not.toBe(k);
  }
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('label tables', () => {
  it('name every event type any concern folds', () => {
    const types = CONCERNS.flatMap((c) => Object.keys(c.reducers ?? {}));
    expect(types.length).toBeGreaterThan(60);
    for (const t of types) expect(EVENT_LABEL[t], `event ${t}`).toBeDefined();
    wellFormed(EVENT_LABEL);
    // An unknown type (a newer server) is named neutrally, never by its code.
    expect(eventLabel('x:unknown_event').zh).toBe('其他记录');
  });

  it('name every event type a handler emits', () => {
    const emitted = new Set<string>();
    // Written as an object literal or through a concern's event maker (eventOf: `ev('round:started', …)`,
    // `supplierEvent('supplier:invalidated', …)`; server/session/events.ts).
    for (const f of sourceFiles('server'))
      for (const m of readFileSync(f, 'utf8').matchAll(/(?:type: |\b(?:ev|[a-z]+Event)\()'([a-z_]+:[a-z_]+)'/g)) emitted.add(m[1]);
    expect(emitted.size).toBeGreaterThan(40);
    for (const t of emitted) expect(EVENT_LABEL[t], `event ${t}`).toBeDefined();
  });

  it('name every ground on which a supplier leaves the evaluation', () => {
    const grounds = new Set<string>();
    for (const f of sourceFiles('server')) for (const m of readFileSync(f, 'utf8').matchAll(/ground: (?:late \? )?'([a-z_]+)'(?: : '([a-z_]+)')?/g)) for (const g of [m[1], m[2]]) if (g) grounds.add(g);
    expect(grounds).toContain('review_failed');
    for (const g of grounds) expect(GROUND_LABEL[g], `ground ${g}`).toBeDefined();
    wellFormed(GROUND_LABEL);
  });

  it('name every ranking key of the shipped templates, every preset, flag rule and status', () => {
    for (const name of ['seed000', 'seed003', 'seed004'] as const) for (const k of loadTemplate(name).rules.ranking) expect(RANK_KEY_LABEL[k], `${name} ${k}`).toBeDefined();
    expect(Object.keys(PRESET_LABEL).sort()).toEqual(Object.keys(PRESETS).sort());
    for (const t of [RANK_KEY_LABEL, PRESET_LABEL, FLAG_RULE_LABEL, FLAG_SEVERITY_LABEL, METHOD_LABEL, DOCUMENT_LABEL, SUPPLIER_STATUS_LABEL, SITTING_STATUS_LABEL]) wellFormed(t);
  });
});

describe('dates, amounts and roles as a clerk writes them', () => {
  it('writes Beijing time as 2026年3月2日 9:30 whatever the zone', () => {
    const ms = Date.parse('2026-03-02T09:30:05+08:00');
    expect(bjDateTime(ms)).toBe('2026年3月2日 9:30');
    expect(bjDateTime(ms, true)).toBe('2026年3月2日 9:30:05');
    expect(isoToBj('2026-03-02T09:30:00+08:00')).toBe('2026年3月2日 9:30');
    expect(isoToBj('北京市丰台区')).toBe('北京市丰台区');
    expect(durationZh(2000)).toBe('2 秒');
    expect(durationZh(14 * 60_000 + 30_000)).toBe('14 分 30 秒');
  });

  it('states a price with thousands separators and in capital figures', () => {
    expect(yuanWithWords('1511936.00')).toBe('1,511,936.00 元（大写：壹佰伍拾壹万壹仟玖佰叁拾陆元整）');
  });

  it('never calls the purchaser representative an expert', () => {
    const people = [
      { role: 'expert', ordinal: 1, name: '李明' },
      { role: 'purchaser_rep', ordinal: 2, name: '赵敏' },
    ];
    expect(personLabel(people[0], people).zh).toBe('专家 1');
    expect(personLabel(people[1], people).zh).toBe('采购人代表');
    expect(personLabel(people[1], people).en).toBe('Purchaser rep.');
  });
});
