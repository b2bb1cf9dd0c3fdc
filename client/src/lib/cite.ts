import type { Text } from './i18n.svelte';

// Citations from the session's own procurement document (issue 13 item 2): the session view carries
// each clause the screens cite (server/session/core.ts, shared/domain/rubric/citations.ts).
type ClauseKey = import('../../../shared/domain/rubric/citations').ClauseKey;

/** 「依据磋商文件第三章 3.3.1」's citation part, from the view; the document alone if the view has none. */
export function citeOf(view: any, key: ClauseKey): Text {
  return view?.session?.citations?.[key] ?? { zh: '采购文件', en: 'the procurement document' };
}

/**
 * What the session calls its panel (issue 17; docs/glossary.md): 磋商小组 in a competitive consultation
 * (磋商文件), 评标委员会 in a public tender (招标文件), from the session's procurement method.
 */
export function panelOf(view: any): Text {
  return view?.session?.method === 'public_tender' ? { zh: '评标委员会', en: 'evaluation committee' } : { zh: '磋商小组', en: 'consultation panel' };
}
