import type { SessionCreateInput } from '../../shared/protocol/session-create';
import { isPanel } from '../../shared/protocol/roles';
import type { Person, SessionState } from '../session/types';
import { extend } from '../../shared/extend';

const opt = (v: string | null | undefined): string | undefined => (v === null || v === undefined || v === '' ? undefined : v);

function person(p: Person) {
  return extend({ name: p.name, ...(opt(p.org) ? { org: p.org! } : {}) }, opt(p.contact) ? { contact: p.contact! } : {});
}

/**
 * A new draft that starts where `s` is: the same project, switches, rubric, checklists and people
 * (fresh ids and tokens, replaced members left out), in set-up again. Nothing of the old session's
 * proceedings (sign-in, quotes, scores) is carried over.
 */
export function duplicateBody(s: SessionState): SessionCreateInput {
  const people = s.order.map((id) => s.people[id]);
  const settings = s.settings as Record<string, any>;
  return extend(
    {
      project: {
        name: `${s.project.name}（副本）`.slice(0, 300),
        projectNumber: opt(s.project.projectNumber),
        purchaser: opt(s.project.purchaser),
        agency: opt(s.project.agency),
        method: s.project.method,
        budget: s.project.budget,
        maxPrice: s.project.maxPrice,
        scheduledAt: opt(s.project.scheduledAt),
        ...(s.project.method === 'public_tender' ? { announcementMedia: opt(s.project.announcementMedia ?? null), openingPlace: opt(s.project.openingPlace ?? null) } : {}),
      },
      ...(s.project.requirements ? { requirements: s.project.requirements } : {}),
    },
    {
      rubric: structuredClone(s.rubric) as unknown as Record<string, unknown>,
      settings: {
        reservedForSme: settings.reservedForSme,
        consortiumOrSubcontractingAllowed: settings.consortiumOrSubcontractingAllowed,
        goods: settings.goods,
        governmentServices: settings.governmentServices,
        researchOrTechTransfer: settings.researchOrTechTransfer,
        exceptions: settings.exceptions,
        anomalyPreset: settings.anomalyPreset,
      },
      moderator: person(people.find((p) => p.role === 'moderator')!),
      members: people.filter((p) => isPanel(p.role) && p.active).map((p) => extend(person(p), { role: p.role as 'expert' | 'purchaser_rep', leader: p.leader })),
      suppliers: people.filter((p) => p.role === 'supplier').map(person),
      observers: people.filter((p) => p.role === 'observer').map(person),
      checklists: structuredClone(s.checklists),
      openForSignin: false,
    },
  );
}
