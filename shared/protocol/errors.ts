// Error codes with their Chinese and English messages. Every refusal the server sends carries one.
export const ERRORS = {
  bad_request: { zh: '请求格式不正确。', en: 'The request is malformed.' },
  validation: { zh: '输入内容不符合要求。', en: 'The input is not valid.' },
  unknown_event: { zh: '未知的操作。', en: 'Unknown operation.' },
  forbidden: { zh: '您的角色无权执行此操作。', en: 'Your role may not do this.' },
  unauthenticated: { zh: '入场凭证无效、已撤销或不属于本场评审。请向代理机构索取新的入场卡。', en: 'The join token is invalid, revoked or not for this session. Ask the agency for a new join card.' },
  bad_origin: { zh: '请求来源不被允许。', en: 'The request origin is not allowed.' },
  protocol_mismatch: { zh: '客户端版本与服务器不一致，请刷新页面。', en: 'The client version does not match the server; reload the page.' },
  not_found: { zh: '找不到该对象。', en: 'Not found.' },
  wrong_stage: { zh: '当前阶段不允许此操作。', en: 'This is not allowed at the current stage.' },
  conflict: { zh: '操作与当前状态冲突。', en: 'The operation conflicts with the current state.' },
  too_large: { zh: '提交内容过大。', en: 'The payload is too large.' },
  device_pending: { zh: '等待主持人确认：本席位已在另一台设备上使用。', en: 'Waiting for the moderator: this seat is in use on another device.' },
  rate_limited: { zh: '操作过于频繁，请稍后再试。', en: 'Too many requests; try again shortly.' },
  command_reused: { zh: '该操作编号已被另一操作使用，本次操作未执行。', en: 'This command id was already used for another operation; nothing was done.' },
  session_closed: { zh: '本场评审已归档，入场凭证已失效。', en: 'This session is archived; its join tokens no longer work.' },
  internal: { zh: '服务器内部错误，操作未生效，请重试。', en: 'Internal server error; nothing was changed. Please retry.' },
} as const;

export type ErrorCode = keyof typeof ERRORS;

export interface ErrorBody {
  code: ErrorCode;
  /** Chinese message (zh-CN first). */
  message: string;
  /** English twin. */
  messageEn: string;
  /** The payload field at fault, dotted (`members[2].name`). */
  field?: string;
}

export function errorBody(code: ErrorCode, detail?: { zh: string; en: string } | null, field?: string): ErrorBody {
  const base = ERRORS[code];
  const body: ErrorBody = {
    code,
    message: detail ? detail.zh : base.zh,
    messageEn: detail ? detail.en : base.en,
  };
  if (field) body.field = field;
  return body;
}
