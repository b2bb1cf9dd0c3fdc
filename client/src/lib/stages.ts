// The stage rail (docs/views.md, moderator console), in order.
export const STAGE_RAIL = [
  { id: 'setup', label: { zh: '准备', en: 'Set-up' } },
  { id: 'signin', label: { zh: '签到', en: 'Sign-in' } },
  { id: 'opening', label: { zh: '开启', en: 'Opening' } },
  { id: 'review', label: { zh: '资格与符合性审查', en: 'Review' } },
  { id: 'consultation', label: { zh: '磋商', en: 'Consultation' } },
  { id: 'final_review', label: { zh: '终审', en: 'Final review' } },
  { id: 'final_quote', label: { zh: '最后报价', en: 'Final quotes' } },
  { id: 'scoring', label: { zh: '评分', en: 'Scoring' } },
  { id: 'recheck', label: { zh: '复核', en: 'Re-check' } },
  { id: 'signing', label: { zh: '报告签署', en: 'Signing' } },
  { id: 'archived', label: { zh: '归档', en: 'Archived' } },
] as const;
