import { isPanel, type Role } from '../../shared/protocol/roles';
import { newPersonToken } from '../session/create';
import { DomainError, type HandlerContext, type HandlerResult, type Person, type SessionState } from '../session/types';
import { setupSlice } from './slice';

// Who sits in the room, edited while the session is in set-up. Ids follow session creation
// (server/session/create.ts): members M1…, suppliers S1…, observers O1…; a removed id is never
// reused, so that the log never names two different people with one id.
const PREFIX: Record<string, string> = { expert: 'M', purchaser_rep: 'M', supplier: 'S', observer: 'O' };

export function nextPersonId(s: SessionState, role: Role): string {
  const prefix = PREFIX[role];
  return `${prefix}${(setupSlice(s).lastNumber[prefix] ?? 0) + 1}`;
}

const noPerson = (id: string) => new DomainError('not_found', { zh: `没有编号为 ${id} 的参与人`, en: `no participant ${id}` }, 'personId');

function leaderOnlyForMembers(role: Role, leader: boolean | undefined): void {
  if (leader && !isPanel(role))
    throw new DomainError('validation', { zh: '只有评审小组成员可以担任组长', en: 'Only a panel member can be the leader' }, 'leader');
}

export function addPerson({ state }: HandlerContext, p: { role: Role; name: string; org?: string | null; contact?: string | null; leader?: boolean }): HandlerResult {
  leaderOnlyForMembers(p.role, p.leader);
  const id = nextPersonId(state, p.role);
  const t = newPersonToken(state.id, id);
  return {
    events: [
      {
        type: 'person:added',
        payload: { id, name: p.name, role: p.role, leader: p.leader ?? false, org: p.org || null, contact: p.contact || null, tokenHash: t.tokenHash },
      },
    ],
    tokens: [t],
    data: { personId: id },
  };
}

export function updatePerson(
  { state }: HandlerContext,
  p: { personId: string; name?: string; org?: string | null; contact?: string | null; role?: 'expert' | 'purchaser_rep'; leader?: boolean },
): HandlerResult {
  const person = state.people[p.personId];
  if (!person) throw noPerson(p.personId);
  if (person.role === 'screen') throw new DomainError('forbidden', { zh: '投影屏幕不是参与人，不能编辑', en: 'The projector screen is not a participant and cannot be edited' }, 'personId');
  if (p.role && !isPanel(person.role))
    throw new DomainError('validation', { zh: '只有评审小组成员可以在专家与采购人代表之间变更', en: 'Only a panel member can switch between expert and purchaser representative' }, 'role');
  leaderOnlyForMembers(person.role, p.leader);
  const next: Pick<Person, 'name' | 'org' | 'contact' | 'role' | 'leader'> = {
    name: p.name ?? person.name,
    org: p.org !== undefined ? p.org || null : person.org,
    contact: p.contact !== undefined ? p.contact || null : person.contact,
    role: p.role ?? person.role,
    leader: p.leader ?? person.leader,
  };
  return { events: [{ type: 'setup:person_updated', payload: { personId: person.id, ...next } }], data: { personId: person.id } };
}

export function removePerson({ state }: HandlerContext, p: { personId: string }): HandlerResult {
  const person = state.people[p.personId];
  if (!person) throw noPerson(p.personId);
  if (!PREFIX[person.role])
    throw new DomainError('forbidden', { zh: '主持人和投影屏幕不能移除', en: 'The moderator and the projector screen cannot be removed' }, 'personId');
  return { events: [{ type: 'setup:person_removed', payload: { personId: person.id } }], revokeTokens: [person.tokenHash], data: { personId: person.id } };
}

/** Only one leader (评审小组组长): naming one steps the previous one down. */
function soleLeader(s: SessionState, leaderId: string): void {
  for (const id of s.order) if (id !== leaderId && s.people[id].leader) s.people[id].leader = false;
}

// Ordinals count within a role (issue 13 item 7, docs/rules.md §1.3): the purchaser representative takes
// no expert number, so experts stay 专家 1..n without a gap.
const sameKind = (a: Role, b: Role) => a === b;

/** "专家 1…n" labels follow the current list once someone is removed in set-up. */
function renumber(s: SessionState): void {
  for (const id of s.order) {
    const me = s.people[id];
    me.ordinal = s.order.slice(0, s.order.indexOf(id)).filter((o) => sameKind(s.people[o].role, me.role)).length + 1;
  }
}

export const peopleReducers = {
  'person:added': (s: SessionState, e: { payload: unknown }) => {
    const p = e.payload as { id: string; leader: boolean };
    const m = /^([A-Z])(\d+)$/.exec(p.id);
    if (m) {
      const slice = setupSlice(s);
      slice.lastNumber[m[1]] = Math.max(slice.lastNumber[m[1]] ?? 0, Number(m[2]));
    }
    if (p.leader) soleLeader(s, p.id);
  },
  'setup:person_updated': (s: SessionState, e: { payload: unknown }) => {
    const p = e.payload as { personId: string } & Pick<Person, 'name' | 'org' | 'contact' | 'role' | 'leader'>;
    const person = s.people[p.personId];
    const roleChanged = person.role !== p.role;
    Object.assign(person, { name: p.name, org: p.org, contact: p.contact, role: p.role, leader: p.leader });
    if (p.leader) soleLeader(s, p.personId);
    // A purchaser representative made an expert (or back) takes the number of its new kind: 专家 1..n
    // stay without a gap or a double.
    if (roleChanged) renumber(s);
  },
  'setup:person_removed': (s: SessionState, e: { payload: unknown }) => {
    const { personId } = e.payload as { personId: string };
    delete s.people[personId];
    s.order = s.order.filter((id) => id !== personId);
    const standing = (s.suppliers as { standing?: Record<string, unknown> } | undefined)?.standing;
    if (standing) delete standing[personId];
    renumber(s);
  },
};
