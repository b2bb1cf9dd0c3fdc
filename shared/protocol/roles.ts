// Who is in the room (docs/rules.md §1). A panel member is an expert (评审专家) or the purchaser
// representative (采购人代表); both score and count equally (docs/rules.md §1.3, Derived).
export const ROLES = ['moderator', 'expert', 'purchaser_rep', 'supplier', 'observer', 'screen'] as const;
export type Role = (typeof ROLES)[number];

export const PANEL_ROLES: readonly Role[] = ['expert', 'purchaser_rep'];
export const isPanel = (r: Role): boolean => r === 'expert' || r === 'purchaser_rep';

/** The path of each role's view in the single-page app. */
export const ROLE_PATH: Record<Role, string> = {
  moderator: '/console',
  expert: '/tablet',
  purchaser_rep: '/tablet',
  supplier: '/laptop',
  observer: '/observer',
  screen: '/screen',
};

export const ROLE_LABEL: Record<Role, { zh: string; en: string }> = {
  moderator: { zh: '代理机构（主持）', en: 'Agency (moderator)' },
  expert: { zh: '评审专家', en: 'Evaluation expert' },
  purchaser_rep: { zh: '采购人代表', en: 'Purchaser representative' },
  supplier: { zh: '供应商代表', en: 'Supplier representative' },
  observer: { zh: '监督', en: 'Observer' },
  screen: { zh: '投影屏幕', en: 'Projector screen' },
};
