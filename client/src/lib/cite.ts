import type { Text } from './i18n.svelte';

// Citations from the session's own procurement document (issue 13 item 2): the session view carries
// each clause the screens cite (server/session/core.ts, shared/domain/rubric/citations.ts).
type ClauseKey = import('../../../shared/domain/rubric/citations').ClauseKey;

/** 「依据磋商文件第三章 3.3.1」's citation part, from the view; the document alone if the view has none. */
export function citeOf(view: any, key: ClauseKey): Text {
  return view?.session?.citations?.[key] ?? { zh: '采购文件', en: 'the procurement document' };
}
