// Chinese first, English on a switch in the corner (docs/views.md "Everywhere"). Every string a
// person reads is written in both; `t` picks the one the reader chose.
export type Lang = 'zh' | 'en';
export type Text = { zh: string; en: string };

const saved = typeof localStorage !== 'undefined' ? (localStorage.getItem('panelroom.lang') as Lang | null) : null;
export const i18n = $state<{ lang: Lang }>({ lang: saved === 'en' ? 'en' : 'zh' });

export function t(x: Text | null | undefined): string {
  if (!x) return '';
  return i18n.lang === 'en' ? x.en : x.zh;
}

/** Shorthand for an inline pair: tt('签到', 'Sign-in'). */
export const tt = (zh: string, en: string): string => (i18n.lang === 'en' ? en : zh);

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
