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

// The stages whose work each part of a device's page is (docs/views.md "Moderator console", "Panel tablet"): the
// console and the tablet show the current stage's parts first and fold the parts of earlier stages
// below (issue 17: in 报告签署 the signing card was far down a page of every earlier stage's cards; on
// the tablet the scoring form sat under the clarifications and the minutes).
export const PART_STAGES = {
  setup: ['setup'],
  signin: ['signin', 'opening'],
  review: ['review', 'final_review'],
  clarify: ['review', 'consultation', 'final_review'],
  rounds: ['consultation'],
  minutes: ['consultation', 'final_review', 'final_quote'],
  requirements: ['consultation', 'final_review', 'final_quote'],
  quotes: ['final_quote', 'scoring'],
  scoring: ['scoring', 'recheck'],
  report: ['signing', 'archived'],
} as const satisfies Record<string, readonly string[]>;
export type PartId = keyof typeof PART_STAGES;

/** Where a member works longer than the console: on the tablet scoring stays current while the report
 *  is signed, since a change after the summary (the four legal grounds, docs/rules.md) is proposed and
 *  decided from the tablet then. The report part is listed before it, so the signing card comes first. */
export const TABLET_PART_STAGES: Partial<Record<PartId, readonly string[]>> = { scoring: ['signing'] };

/** A part is earlier once every stage it serves has passed; after a termination nothing is folded. */
export function isEarlierPart(part: PartId, stageNow: string, extra: Partial<Record<PartId, readonly string[]>> = {}): boolean {
  const rail: string[] = STAGE_RAIL.map((x) => x.id);
  const now = rail.indexOf(stageNow);
  return now >= 0 && [...PART_STAGES[part], ...(extra[part] ?? [])].every((x) => rail.indexOf(x) < now);
}
