import { validateRubric } from '../../shared/domain/rubric/validate';
import { checkPanel, citedPanelCheck } from '../../shared/rules/panel';
import type { Bilingual, SessionState } from '../session/types';
import { activeMembers } from '../participants/state';
import type { MemberRole } from '../../shared/domain/rubric/types';
import { per } from '../../shared/domain/rubric/citations';

/** One reason the draft session cannot be opened yet, with the part of the editor it belongs to. */
export interface SetupProblem {
  section: 'project' | 'rubric' | 'panel' | 'suppliers' | 'moderator' | 'checklists';
  /** Where in that part (a rubric path such as `factors[2].max_points`, a person id…), when known. */
  field: string | null;
  message: Bilingual;
}

// What must hold before a session leaves set-up: a valid rubric (its arithmetic adds up,
// ../shared/rubrics/README.md), a panel composed as rules.panel says (004 §5.1.1-5.1.2 L1063-1071;
// 000 and 003 state nothing, docs/rules.md §5.13), at least one supplier, and the agency's moderator.
export function setupProblems(s: SessionState): SetupProblem[] {
  const out: SetupProblem[] = [];
  if (!s.project.name.trim()) out.push({ section: 'project', field: 'name', message: { zh: '项目名称不能为空', en: 'The project needs a name' } });

  const v = validateRubric(s.rubric);
  if (!v.ok) for (const e of v.errors) out.push({ section: 'rubric', field: e.path, message: e.message });

  const members = activeMembers(s).map((p) => ({ id: p.id, role: p.role as MemberRole }));
  const panel = checkPanel(members, s.rubric?.rules?.panel ?? null);
  // The refusal cites the session's own document (招标文件第五章 5.1.2 for seed 004; docs/tender.md).
  const cited = citedPanelCheck(panel, s.rubric?.rules?.panel ? per(s.rubric, 'panel', s.project.method) : null);
  for (const r of cited.reasons) out.push({ section: 'panel', field: null, message: r });
  if (activeMembers(s).filter((p) => p.leader).length > 1)
    out.push({ section: 'panel', field: 'leader', message: { zh: '评审小组只能有一名组长', en: 'The panel can have only one leader' } });

  if (!s.order.some((id) => s.people[id].role === 'supplier'))
    out.push({ section: 'suppliers', field: null, message: { zh: '至少需要登记 1 家供应商', en: 'Register at least one supplier' } });
  if (!s.order.some((id) => s.people[id].role === 'moderator' && s.people[id].name.trim()))
    out.push({ section: 'moderator', field: null, message: { zh: '缺少代理机构主持人', en: 'The agency moderator is missing' } });

  for (const kind of ['qualification', 'compliance', 'final'] as const) {
    const seen = new Set<string>();
    for (const item of s.checklists[kind]) {
      if (seen.has(item.id))
        out.push({ section: 'checklists', field: `${kind}.${item.id}`, message: { zh: `审查清单条目编号「${item.id}」重复`, en: `Checklist item id "${item.id}" is used twice` } });
      seen.add(item.id);
    }
  }
  return out;
}
