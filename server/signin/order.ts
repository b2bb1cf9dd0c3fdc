import type { SessionState } from '../session/types';
import { activeSuppliers } from '../suppliers/status';
import { signinOf } from './state';

// The consultation order is the order in which suppliers signed in: "按照递交首次磋商响应文件签到的
// 正顺序依次……分别进行磋商" (000 §19.1 L287); 003 sets no order, so the sign-in order is the default
// (docs/rules.md §2.7 ⚠). The moderator may change it, only with a recorded reason (signin:reorder).

/** Every supplier that signed in, in consultation order (the moderator's order when it set one). */
export function signedInOrder(s: SessionState): string[] {
  const sl = signinOf(s);
  if (!sl.override) return [...sl.arrival];
  const rest = sl.arrival.filter((id) => !sl.override!.includes(id));
  return [...sl.override.filter((id) => sl.arrival.includes(id)), ...rest];
}

/** The suppliers still in the evaluation, in consultation order (for the rounds' queue). */
export function consultationOrder(s: SessionState): string[] {
  const active = new Set(activeSuppliers(s));
  return signedInOrder(s).filter((id) => active.has(id));
}
