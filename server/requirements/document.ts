import type { SessionState } from '../session/types';
import { sha256 } from '../store/canonical';

// The requirements document (采购需求中的技术、服务要求以及合同草案条款): the only part of the
// procurement document the panel may change during consultation (000 §19.2 L289; 003 Ch3 §2.2 L627).
// The rest of the document is locked, so the shared text holds just these three parts.

/** The name of the Y.Text inside the session's Yjs document. */
export const REQUIREMENTS_TEXT = 'requirements';

/** Largest document we accept, characters (a proposal is frozen into one event). */
export const MAX_DOCUMENT_CHARS = 200_000;

/** The starting text, built from the session's project; frozen as version 0 when consultation starts. */
export function initialText(s: SessionState): string {
  const p = s.project;
  const head = `${p.name}${p.projectNumber ? `（项目编号：${p.projectNumber}）` : ''}`;
  // The project's own requirements when the agency gave them (the demo session does: issue 14).
  if (p.requirements) return [head, '采购需求（技术、服务要求）及合同草案条款', '', p.requirements].join('\n');
  return [
    `${p.name}${p.projectNumber ? `（项目编号：${p.projectNumber}）` : ''}`,
    '采购需求（技术、服务要求）及合同草案条款',
    '',
    '一、技术要求',
    '1. 按磋商文件第五章《采购需求》执行。',
    '',
    '二、服务要求',
    '1. 服务期限、地点与成果按磋商文件第五章《采购需求》执行。',
    '',
    '三、合同草案条款',
    `1. 采购人：${p.purchaser ?? '（见磋商文件）'}。`,
    '2. 付款方式按磋商文件第四章合同草案条款执行。',
  ].join('\n');
}

export const contentHash = (content: string): string => sha256(Buffer.from(content, 'utf8'));
