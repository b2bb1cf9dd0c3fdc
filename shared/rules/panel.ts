// Panel composition (评标委员会组成): rules.panel of the rubric. 004 §5.1.1-5.1.2 L1063-1071: at least
// 5 members, an odd number, experts at least two thirds. 000 and 003 state nothing (docs/rules.md §5.13):
// then only "at least one member" is required.
import { dec } from './decimal';
import type { Bilingual } from './types';
import type { MemberRole, RubricRules } from '../domain/rubric/types';
import { extend } from '../extend';

export interface PanelCheck {
  ok: boolean;
  reasons: Bilingual[];
  members: number;
  experts: number;
}

/** Check the panel against rules.panel. minExpertFraction ("2/3") is compared as an exact fraction. */
export function checkPanel(members: { id: string; role: MemberRole }[], panel: RubricRules['panel']): PanelCheck {
  const n = members.length;
  const experts = members.filter((m) => m.role === 'expert').length;
  const reasons: Bilingual[] = [];
  if (n < 1) reasons.push({ zh: '评审小组至少需要 1 名成员', en: 'The panel needs at least one member' });
  if (panel) {
    if (n < panel.minMembers) {
      reasons.push({ zh: `评标委员会成员 ${n} 人，少于 ${panel.minMembers} 人`, en: `The panel has ${n} members, fewer than ${panel.minMembers}` });
    }
    if (panel.odd && n % 2 === 0) {
      reasons.push({ zh: `评标委员会成员须为单数，现为 ${n} 人`, en: `The panel must have an odd number of members; it has ${n}` });
    }
    const [num, den] = panel.minExpertFraction.split('/');
    // experts / n ≥ num / den  ⇔  experts × den ≥ num × n (exact).
    if (n > 0 && dec(experts).times(dec(den)).lt(dec(num).times(n))) {
      reasons.push({
        zh: `专家 ${experts} 人，不足成员总数 ${n} 人的 ${panel.minExpertFraction}`,
        en: `${experts} experts out of ${n} members is less than ${panel.minExpertFraction}`,
      });
    }
  }
  return { ok: reasons.length === 0, reasons, members: n, experts };
}

/** The check with each reason citing the document's own clause (「（依据招标文件第五章 5.1.2）」). */
export function citedPanelCheck(check: PanelCheck, cite: Bilingual | null): PanelCheck {
  if (!cite) return check;
  return extend(check, { reasons: check.reasons.map((r) => ({ zh: r.zh + cite.zh, en: r.en + cite.en })) });
}
