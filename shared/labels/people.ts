import type { Text } from './text';

// How a person is named where names are not shown (the wall, the anonymised record) and in the
// report's tables (issue 13 item 7): an expert is 「专家 n」; the purchaser representative is named by
// its role, 「采购人代表」, never as an expert (docs/rules.md §1.3: the two are different kinds of member).
export interface Labelled {
  role: string;
  ordinal: number;
  org?: string | null;
  name: string;
}

export function personLabel(p: Labelled | null | undefined, all?: readonly Labelled[]): Text {
  if (!p) return { zh: '—', en: '—' };
  switch (p.role) {
    case 'expert':
      return { zh: `专家 ${p.ordinal}`, en: `Expert ${p.ordinal}` };
    case 'purchaser_rep': {
      // Numbered only when the panel has more than one purchaser representative.
      const reps = (all ?? []).filter((x) => x.role === 'purchaser_rep');
      const n = reps.length > 1 ? ` ${reps.findIndex((x) => x === p) + 1}` : '';
      return { zh: `采购人代表${n}`, en: `Purchaser rep.${n}` };
    }
    case 'supplier':
      return { zh: p.org ?? p.name, en: p.org ?? p.name };
    default:
      return { zh: p.name, en: p.name };
  }
}

/** The label of person `id` among a session's people (in their order), or `fallback` if unknown. */
export function labelIn(people: Record<string, Labelled>, order: readonly string[], id: string | null | undefined, fallback: Text = { zh: '—', en: '—' }): Text {
  const p = id ? people[id] : undefined;
  return p ? personLabel(p, order.map((x) => people[x])) : fallback;
}
