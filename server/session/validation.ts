import type { z } from 'zod';
import { DomainError } from './types';

/** The first problem of a zod error as a DomainError naming the field, in Chinese and English. */
export function zodToDomainError(err: z.ZodError): DomainError {
  const issue = err.issues[0];
  const field = issue ? issue.path.map((p, i) => (typeof p === 'number' ? `[${p}]` : (i ? '.' : '') + String(p))).join('') : '';
  const what = issue?.message ?? 'invalid';
  let zh = '输入内容不符合要求';
  switch (issue?.code) {
    case 'invalid_type':
      zh = '类型不正确';
      break;
    case 'too_big':
      zh = '过大或过长';
      break;
    case 'too_small':
      zh = '过小、过短或缺失';
      break;
    case 'unrecognized_keys':
      zh = '含有不允许的字段';
      break;
    case 'invalid_format':
      zh = '格式不正确';
      break;
    case 'invalid_value':
      zh = '取值不在允许范围内';
      break;
  }
  return new DomainError(
    'validation',
    { zh: `${field ? `字段 ${field}：` : ''}${zh}（${what}）`, en: `${field ? `${field}: ` : ''}${what}` },
    field || undefined,
  );
}
