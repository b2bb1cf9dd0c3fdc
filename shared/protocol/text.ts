import { z } from 'zod';

// Every piece of text a person types, once (issue 12, item 5; docs/rules.md §1.8: what one person writes is
// shown to others and kept in the report, so it must read there as it was meant). Each text field of
// every command, of session creation and of the agency's set-up goes through `line` or `prose`:
//   1. Unicode NFC, so that the same name typed on two devices is the same string;
//   2. bidi controls (U+202A–U+202E, U+2066–U+2069, U+200E/U+200F, U+061C) are removed: they would show a
//      name or a reason reversed on the console and in the report;
//   3. invisible characters (zero-width U+200B–U+200D, word joiner U+2060–U+2064, U+FEFF, soft hyphen,
//      U+180E) are removed, and control characters too (a line keeps none, prose keeps tab and newline);
//   4. what is left is trimmed; a required field that is empty now is refused with a bilingual error,
//      and every field has a length limit, counted after cleaning (and a bound on the raw string, so
//      that a payload of invisible characters cannot be large either).

export const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/g;
export const INVISIBLE = /[\u200B-\u200D\u2060-\u2064\uFEFF\u00AD\u180E]/g;
const LINE_CONTROLS = /[\u0000-\u001F\u007F-\u009F\u2028\u2029]/g;
const PROSE_CONTROLS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g;

/** One line (a name, a title, a file name): cleaned, runs of white space made one space. */
export function cleanLine(s: string): string {
  return s.normalize('NFC').replace(BIDI_CONTROLS, '').replace(INVISIBLE, '').replace(LINE_CONTROLS, ' ').replace(/\s+/g, ' ').trim();
}

/** Free text (notes, reasons, answers): cleaned, line breaks kept as \n. */
export function cleanProse(s: string): string {
  return s
    .normalize('NFC')
    .replace(BIDI_CONTROLS, '')
    .replace(INVISIBLE, '')
    .replace(/\r\n?|[\u2028\u2029]/g, '\n')
    .replace(PROSE_CONTROLS, '')
    .trim();
}

const tooLong = (max: number) => `不能超过 ${max} 个字符 / at most ${max} characters`;
const tooShort = (min: number) =>
  min <= 1 ? '不能为空（不可见字符不算内容） / must not be empty (invisible characters do not count)' : `至少 ${min} 个字符（不可见字符不算） / at least ${min} characters (invisible characters do not count)`;

function cleaned(clean: (s: string) => string, max: number, min: number, required?: string) {
  // The raw bound: what is removed by cleaning is at most one extra character per kept one, plus slack.
  return z
    .string()
    .max(max * 2 + 64, tooLong(max))
    .transform(clean)
    .pipe(min > 0 ? z.string().min(min, required ?? tooShort(min)).max(max, tooLong(max)) : z.string().max(max, tooLong(max)));
}

/** A one-line text field of at most `max` characters; `min` > 0 makes it required (default: may be empty). */
export const line = (max: number, min = 0, required?: string) => cleaned(cleanLine, max, min, required);
/** A free-text field (keeps line breaks) of at most `max` characters; `min` > 0 makes it required. */
export const prose = (max: number, min = 0, required?: string) => cleaned(cleanProse, max, min, required);
/** A person's or a company's name: one line, required, at most 100 characters. */
export const personName = line(100, 1);
