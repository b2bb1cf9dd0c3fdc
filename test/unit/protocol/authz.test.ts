import { describe, it, expect } from 'vitest';
import { COMMAND_ROLES, QUERY_ROLES, mayCommand } from '../../../shared/protocol/authz';
import { COMMANDS, QUERIES } from '../../../shared/protocol/commands';
import { ROLES } from '../../../shared/protocol/roles';
import { roomKernel } from '../../../server/concerns';

// The authorization table is the single place that says who may send what; pin it.
describe('authorization table', () => {
  it('has an entry for every command and query, and a handler for every command', () => {
    expect(Object.keys(COMMAND_ROLES).sort()).toEqual(Object.keys(COMMANDS).sort());
    expect(Object.keys(QUERY_ROLES).sort()).toEqual(Object.keys(QUERIES).sort());
    for (const name of Object.keys(COMMANDS)) expect(roomKernel.handlers.has(name), name).toBe(true);
  });

  it('names only known roles', () => {
    for (const roles of [...Object.values(COMMAND_ROLES), ...Object.values(QUERY_ROLES)]) for (const r of roles) expect(ROLES).toContain(r);
  });

  it('lets no supplier, observer or screen change the projector or reissue tokens', () => {
    for (const r of ['supplier', 'observer', 'screen', 'expert', 'purchaser_rep'] as const) {
      expect(mayCommand(r, 'screen:scene')).toBe(false);
      expect(mayCommand(r, 'participant:reissue')).toBe(false);
    }
    expect(mayCommand('moderator', 'participant:reissue')).toBe(true);
  });

  it('gives the observer and the screen no command at all (read-only roles)', () => {
    for (const [name, roles] of Object.entries(COMMAND_ROLES)) {
      expect(roles, name).not.toContain('observer');
      expect(roles, name).not.toContain('screen');
    }
  });
});
