import type { Role } from './roles';
import type { CommandName, QueryName } from './commands';
import { setupRoles } from './setup';
import { signinRoles } from './signin';
import { reviewRoles } from './review';
import { policyRoles } from './policy';
import { clarifyRoles } from './clarify';
import { roundsRoles } from './rounds';
import { requirementsRoles } from './requirements';
import { resubmissionRoles } from './resubmission';
import { quotesRoles } from './quotes';
import { scoringRoles } from './scoring';
import { reportRoles } from './report';

// The one table of who may send what (docs/architecture.md "Views are projections per role").
// The server checks it before anything else; handlers then check what the table cannot express
// (e.g. that a member acts for itself, or that the purchaser representative confirms a change).
// Each concern contributes its rows from its own protocol file; test/unit/protocol/authz.test.ts pins it.
const EVERYONE: readonly Role[] = ['moderator', 'expert', 'purchaser_rep', 'supplier', 'observer', 'screen'];

export const COMMAND_ROLES: Record<CommandName, readonly Role[]> = {
  'participant:reissue': ['moderator'],
  'screen:scene': ['moderator'],
  'device:admit': ['moderator'],
  'device:refuse': ['moderator'],
  'stage:advance': ['moderator'],
  'session:terminate': ['moderator'],
  ...setupRoles,
  ...signinRoles,
  ...reviewRoles,
  ...policyRoles,
  ...clarifyRoles,
  ...roundsRoles,
  ...requirementsRoles,
  ...resubmissionRoles,
  ...quotesRoles,
  ...scoringRoles,
  ...reportRoles,
};

export const QUERY_ROLES: Record<QueryName, readonly Role[]> = {
  'time:sync': EVERYONE,
  'session:resync': EVERYONE,
};

export function mayCommand(role: Role, name: CommandName): boolean {
  return COMMAND_ROLES[name]?.includes(role) ?? false;
}
export function mayQuery(role: Role, name: QueryName): boolean {
  return QUERY_ROLES[name]?.includes(role) ?? false;
}
