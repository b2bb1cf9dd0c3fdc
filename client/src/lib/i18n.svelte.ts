// Chinese first, English on a switch in the corner (docs/views.md "Everywhere"). Every string a
// person reads is written in both; `t` picks the one the reader chose.
import { inMethodEn, inMethodZh } from '../../../shared/labels/terms';

export type Lang = 'zh' | 'en';
export type Text = { zh: string; en: string };

const saved = typeof localStorage !== 'undefined' ? (localStorage.getItem('panelroom.lang') as Lang | null) : null;
/** `method`: the session's procurement method, set by the connection from its view: in a public tender
 *  every sentence is put in the tender's words (投标人, 评标委员会, 投标报价…; shared/labels/terms.ts). */
export const i18n = $state<{ lang: Lang; method: string | null }>({ lang: saved === 'en' ? 'en' : 'zh', method: null });

export function t(x: Text | null | undefined): string {
  if (!x) return '';
  return i18n.lang === 'en' ? inMethodEn(i18n.method, x.en) : inMethodZh(i18n.method, x.zh);
}

/** Shorthand for an inline pair: tt('签到', 'Sign-in'). */
export const tt = (zh: string, en: string): string => (i18n.lang === 'en' ? inMethodEn(i18n.method, en) : inMethodZh(i18n.method, zh));

export function setLang(l: Lang): void {
  i18n.lang = l;
  localStorage.setItem('panelroom.lang', l);
  document.documentElement.lang = l === 'zh' ? 'zh-CN' : 'en';
}

/** Beijing time (UTC+8) on screen, whatever the device's zone (docs/views.md). */
export function beijingTime(ms: number, withSeconds = true): string {
  return new Intl.DateTimeFormat('zh-CN', {
    timeZone: 'Asia/Shanghai',
    hour: '2-digit',
    minute: '2-digit',
    second: withSeconds ? '2-digit' : undefined,
    hour12: false,
  }).format(ms);
}

export function beijingDate(ms: number): string {
  return new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', year: 'numeric', month: 'long', day: 'numeric' }).format(ms);
}

/** The colon after a label: full-width in Chinese, ": " in English (issue 17: English mode reads as English). */
export const colon = (): string => tt('：', ': ');

/** A parenthetical: （…） in Chinese, " (…)" in English. */
export const paren = (s: string | number): string => (i18n.lang === 'en' ? ` (${s})` : `（${s}）`);
