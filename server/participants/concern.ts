import type { CommandResult } from '../../shared/protocol/events';
import type { DevicesSection, MeSection, PersonRow } from '../../shared/protocol/views';
import { isPanel } from '../../shared/protocol/roles';
import { newPersonToken } from '../session/create';
import { DomainError, type Concern, type Person, type SessionState, type Principal } from '../session/types';
import { typedReducers, type Cmd } from '../session/events';
import { personEvent, type ParticipantEvents } from './state';

const ev = personEvent;
import { labelIn } from '../../shared/labels/people';
import { deviceHandlers, deviceReducers, initDevices, waitingView } from './devices';
import { wallMayName } from '../projector/in-room';
import { extend } from '../../shared/extend';

// People in the room and their join tokens. A reissued token replaces the old one at once
// (issue 2: "The moderator can revoke and reissue a token (a lost tablet)").
export const participantsConcern: Concern = {
  name: 'participants',
  init: initDevices,
  handlers: {
    ...deviceHandlers,
    'participant:reissue': ({ state }, p: Cmd<'participant:reissue'>) => {
      const person = state.people[p.personId];
      if (!person) throw new DomainError('not_found', { zh: `没有编号为 ${p.personId} 的参与人`, en: `no participant ${p.personId}` }, 'personId');
      const t = newPersonToken(state.id, person.id);
      return {
        events: [ev('participant:reissued', { personId: person.id, tokenHash: t.tokenHash })],
        tokens: [t],
        revokeTokens: [person.tokenHash],
        data: { personId: person.id, token: t.token } satisfies CommandResult<'participant:reissue'>,
      };
    },
  },
  reducers: {
    ...withoutReissue(deviceReducers),
    ...typedReducers<ParticipantEvents>({
      'person:added': (s, e) => {
        const p = e.payload;
        const ordinal = s.order.filter((id) => sameKind(s.people[id].role, p.role)).length + 1;
        s.people[p.id] = extend(p, { ordinal, active: true, replaces: p.replaces ?? null });
        s.order.push(p.id);
      },
      'participant:reissued': (s, e) => {
        const p = e.payload;
        s.people[p.personId].tokenHash = p.tokenHash;
        deviceReducers['participant:reissued'](s, e);
      },
      'person:deactivated': (s, e) => {
        s.people[e.payload.personId].active = false;
        deviceReducers['person:deactivated'](s, e);
      },
    }),
  },
  // The console alone learns which devices wait for a seat (issue 12); nobody is sent a device's hash.
  view: (s, viewer) =>
    viewer.role === 'moderator' ? { people: peopleView(s, viewer), devices: { waiting: waitingView(s) } satisfies DevicesSection } : { people: peopleView(s, viewer) },
  // Who the viewer is, apart from who it may know about (issue 15: a cold server builds one `people`
  // per role, not one per person — with `me` beside it every viewer's `people` was its own; a supplier's
  // is still its own, as visiblePeople reads who it is).
  ownView: (s, viewer) => ({ me: meView(s, viewer) }),
};

function withoutReissue(r: typeof deviceReducers): typeof deviceReducers {
  const { 'participant:reissued': _a, 'person:deactivated': _b, ...rest } = r;
  return rest;
}

// Ordinals count within a role (issue 13 item 7, docs/rules.md §1.3): experts are 专家 1..n without a gap
// for the purchaser representative, who is 采购人代表 (numbered among the representatives, if several).
const sameKind = (a: string, b: string) => a === b;

/** One person as a viewer may know it: the `people` section's row (shared/protocol/views.ts). */
export type PersonView = PersonRow;

/** Who the viewer may know about (docs/rules.md §1.8): suppliers see only themselves and the agency. */
export function visiblePeople(s: SessionState, viewer: Principal): Person[] {
  const all = s.order.map((id) => s.people[id]);
  switch (viewer.role) {
    case 'supplier':
      return all.filter((p) => p.id === viewer.personId || p.role === 'moderator');
    case 'screen':
      // While a supplier sits in the room the wall names no other (issue 12, docs/projector.md).
      return all.filter((p) => p.role !== 'supplier' || wallMayName(s, p.id));
    default:
      return all;
  }
}

function label(s: SessionState, p: Person, lang: 'zh' | 'en' = 'zh'): string {
  switch (p.role) {
    case 'expert':
    case 'purchaser_rep':
      return labelIn(s.people, s.order, p.id)[lang];
    case 'supplier':
      return p.org ?? p.name;
    default:
      return p.name;
  }
}

function peopleView(s: SessionState, viewer: Principal): PersonView[] {
  // The wall and the suppliers never see members' names: expert identities stay confidential until
  // the award is published (docs/rules.md §1.3, 004 §3.7.2 L805).
  const hideMemberNames = viewer.role === 'screen' || viewer.role === 'supplier';
  return visiblePeople(s, viewer).map((p) => ({
    id: p.id,
    role: p.role,
    label: label(s, p),
    labelEn: label(s, p, 'en'),
    name: hideMemberNames && isPanel(p.role) ? null : p.name,
    org: p.org,
    leader: p.leader,
    active: p.active,
  }));
}

function meView(s: SessionState, viewer: Principal): MeSection {
  const p = s.people[viewer.personId];
  return { id: p.id, role: p.role, name: p.name, org: p.org, leader: p.leader, label: label(s, p), labelEn: label(s, p, 'en') };
}
