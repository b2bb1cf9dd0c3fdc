/** A word a person reads, Chinese first with its English twin (client/src/lib/i18n.svelte.ts). */
export type Text = { zh: string; en: string };
