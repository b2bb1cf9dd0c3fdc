// The identifier rule of issue 13 (item 1): no code identifier reaches a page a person reads. Finds
// snake_case words, `a:b` event names, JSON braces and ISO timestamps in a page's visible text.
export function codeTokens(text: string): string[] {
  const found = new Set<string>();
  for (const re of [/\b[A-Za-z][A-Za-z0-9]*_[A-Za-z0-9_]+\b/g, /\b[a-z]+:[a-z_]+\b/g, /[{}]/g, /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/g]) for (const m of text.matchAll(re)) found.add(m[0]);
  return [...found];
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
