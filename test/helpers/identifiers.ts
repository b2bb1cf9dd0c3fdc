// The identifier rule of issue 13 (item 1): no code identifier reaches a page a person reads. Finds
// snake_case words, `a:b` event names, JSON braces, ISO timestamps and camelCase words in a page's
// visible text. The report's tests (test/integration/report*.test.ts, test/e2e/report.spec.ts) and the
// screens sweep (test/e2e/words.ts) share it.
const RULES: RegExp[] = [
  /\b[A-Za-z][A-Za-z0-9]*_[A-Za-z0-9_]+\b/g, // snake_case: review_failed, public_tender
  /\b[a-z]+:[a-z_]+\b/g, // event names: score:revised, quotes:submitted
  /[{}]/g, // JSON
  /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/g, // ISO timestamps
  /\b[a-z]+(?:[A-Z][a-z0-9]*)+\b/g, // camelCase: priceScore, finalQuote
];

export function codeTokens(text: string): string[] {
  const found = new Set<string>();
  for (const re of RULES) for (const m of text.matchAll(re)) found.add(m[0]);
  return [...found];
}

/** Each identifier-looking token with a little of the text around it, for a failure that says where. */
export function codeTokensInContext(text: string, around = 30): string[] {
  const out: string[] = [];
  for (const re of RULES)
    for (const m of text.matchAll(re)) out.push(`${m[0]}  ‹${text.slice(Math.max(0, m.index! - around), m.index! + m[0].length + around).replace(/\s+/g, ' ')}›`);
  return out;
}

/** The visible text of an HTML page: no style, no tags, no attributes, entities decoded. */
export function visibleText(html: string): string {
  return html
    .replace(/<style[\s\S]*?<\/style>/g, ' ')
    .replace(/<svg[\s\S]*?<\/svg>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}
