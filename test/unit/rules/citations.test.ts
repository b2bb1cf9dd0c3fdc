import { describe, it, expect } from 'vitest';
import { cite, per, clauseEn, CLAUSE_KEYS } from '../../../shared/domain/rubric/citations';
import { loadTemplate, TEMPLATE_NAMES } from '../../../shared/domain/rubric/templates';
import { validateRubric } from '../../../shared/domain/rubric/validate';

// Issue 13 item 2: the room cites the session's own procurement document by its own clause numbers.
describe('citations from the procurement document', () => {
  it('cite seed 003 as 磋商文件第三章 3.3.1, seed 004 as 招标文件', () => {
    const r = loadTemplate('seed003');
    expect(cite(r, 'smallMicro')).toEqual({ zh: '磋商文件第三章 3.3.1', en: 'the consultation document Ch. 3 §3.3.1' });
    expect(per(r, 'abnormalLowJudgement').zh).toBe('（依据磋商文件第三章 4.1.4）');
    expect(cite(loadTemplate('seed004'), 'panel').zh).toBe('招标文件第五章 5.1.2');
    expect(clauseEn('第二章 2.17、第五章 5.2.3')).toBe('Ch. 2 §2.17, Ch. 5 §5.2.3');
  });

  it('cite the document as a whole where the rubric gives no clause, never a reference file number', () => {
    const r = loadTemplate('seed000');
    expect(cite(r, 'abnormalLowJudgement')).toEqual({ zh: '磋商文件', en: 'the consultation document' });
    const bare = structuredClone(loadTemplate('seed004'));
    delete bare.citations;
    expect(cite(bare, 'smallMicro').zh).toBe('招标文件');
    for (const n of TEMPLATE_NAMES) for (const k of CLAUSE_KEYS) expect(cite(loadTemplate(n), k).zh, `${n} ${k}`).not.toMatch(/\b00[034]\b/);
  });

  it('are part of the rubric: the templates validate, a bad clause is refused', () => {
    for (const n of TEMPLATE_NAMES) expect(validateRubric(loadTemplate(n)).ok, n).toBe(true);
    const bad = structuredClone(loadTemplate('seed003')) as any;
    bad.citations.clauses.nonsense = '第一章';
    bad.citations.clauses.smallMicro = '';
    const v = validateRubric(bad);
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.errors.map((e) => e.path).join(' ')).toContain('citations.clauses');
  });
});
