import { dec } from '../rules/decimal';
import { formatYuan } from '../rules/money/amount';
import { amountToWords } from '../rules/money/words';

// Dates, times and amounts as a clerk writes them (issue 13 item 1): 2026年3月2日 9:30 in Beijing time
// (UTC+8, whatever the server's zone; docs/views.md), amounts with thousands separators and, where a
// price is stated, in capital figures (大写, as the quote forms ask: 003 第六章).

const parts = (ms: number) => {
  const d = new Date(ms + 8 * 3600_000);
  return { y: d.getUTCFullYear(), mo: d.getUTCMonth() + 1, d: d.getUTCDate(), h: d.getUTCHours(), mi: d.getUTCMinutes(), s: d.getUTCSeconds() };
};
const p2 = (n: number) => String(n).padStart(2, '0');

/** 2026年3月2日 9:30 (Beijing time); with seconds: 2026年3月2日 9:30:05. */
export function bjDateTime(ms: number | null | undefined, seconds = false): string {
  if (ms === null || ms === undefined) return '—';
  const x = parts(ms);
  return `${x.y}年${x.mo}月${x.d}日 ${x.h}:${p2(x.mi)}${seconds ? `:${p2(x.s)}` : ''}`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** The English twin of bjDateTime: 2 Mar 2026 9:30 (Beijing time); with seconds 2 Mar 2026 9:30:05. */
export function bjDateTimeEn(ms: number | null | undefined, seconds = false): string {
  if (ms === null || ms === undefined) return '—';
  const x = parts(ms);
  return `${x.d} ${MONTHS[x.mo - 1]} ${x.y} ${x.h}:${p2(x.mi)}${seconds ? `:${p2(x.s)}` : ''}`;
}

/** 9:30:05 (Beijing time), for a time on the same day as its context. */
export function bjTime(ms: number | null | undefined, seconds = true): string {
  if (ms === null || ms === undefined) return '—';
  const x = parts(ms);
  return `${x.h}:${p2(x.mi)}${seconds ? `:${p2(x.s)}` : ''}`;
}

/** An ISO date-time written in a document ("2026-03-02T09:30:00+08:00") as 2026年3月2日 9:30; other text unchanged. */
export function isoToBj(v: string | null | undefined): string {
  if (!v) return '—';
  const ms = Date.parse(v);
  return /^\d{4}-\d{2}-\d{2}T/.test(v) && !Number.isNaN(ms) ? bjDateTime(ms) : v;
}

/** A duration in words: 「2 秒」, 「14 分 30 秒」, 「1 小时 5 分」. */
export function durationZh(ms: number): string {
  const t = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const s = t % 60;
  if (h) return `${h} 小时${m ? ` ${m} 分` : ''}`;
  if (m) return `${m} 分${s ? ` ${s} 秒` : ''}`;
  return `${s} 秒`;
}

/** The English twin of durationZh: 「2 s」, 「14 min 30 s」, 「1 h 5 min」. */
export function durationEn(ms: number): string {
  const t = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const s = t % 60;
  if (h) return `${h} h${m ? ` ${m} min` : ''}`;
  if (m) return `${m} min${s ? ` ${s} s` : ''}`;
  return `${s} s`;
}

// Accepts a plain decimal string ("1511936.00") or one already grouped ("1,511,936.00").
const plain = (v: string) => dec(v.replace(/,/g, ''));

/** 1,511,936.00: the one way an amount is written on a screen (issue 17), with thousands separators
 *  and two decimals, whatever the decimal string it was given ("1511936", "1511936.00"). */
export function money(v: string | null | undefined): string {
  return v === null || v === undefined ? '—' : formatYuan(plain(v));
}

/** 1,511,936.00 元 */
export function yuan(v: string | null | undefined): string {
  return v === null || v === undefined ? '—' : `${money(v)} 元`;
}

/** 1,511,936.00 元（大写：壹佰伍拾壹万壹仟玖佰叁拾陆元整） */
export function yuanWithWords(v: string | null | undefined): string {
  return v === null || v === undefined ? '—' : `${formatYuan(plain(v))} 元（大写：${amountToWords(plain(v))}）`;
}
