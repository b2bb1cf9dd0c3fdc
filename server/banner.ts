import { ROLE_LABEL } from '../shared/protocol/roles';
import type { SessionRegistry } from './session/registry';
import type { EventStore } from './store/types';
import { linksFor } from './http/sessions';
import { STAGE_LABEL } from './session/types';

// The start banner's join links (server/main.ts): only for sessions still open (issue 12, item 9). An
// archived session's tokens no longer connect, and its links are not printed; the console and /admin
// print cards for open sessions whenever they are needed. Nothing else of a token is ever logged.
export async function bannerLines(registry: SessionRegistry, store: EventStore, base: string): Promise<string[]> {
  const out: string[] = [];
  for (const rt of registry.all()) {
    if (rt.state.stage === 'archived') continue;
    const tokens = (await store.tokens(rt.id)).filter((t) => !t.revoked && rt.state.people[t.personId]?.tokenHash === t.tokenHash);
    out.push('', `■ ${rt.state.project.name}（${rt.state.project.projectNumber ?? '—'}） 阶段 stage: ${STAGE_LABEL[rt.state.stage].zh} / ${STAGE_LABEL[rt.state.stage].en}  id: ${rt.id}`);
    for (const l of linksFor(rt.state, tokens, base)) {
      const role = ROLE_LABEL[l.role as keyof typeof ROLE_LABEL];
      out.push(`  ${(role.zh + ' ' + l.label).padEnd(24, '　')} ${l.url}`);
    }
  }
  const archived = registry.all().filter((rt) => rt.state.stage === 'archived').length;
  if (archived > 0) out.push('', `已归档 ${archived} 场（不再打印入场链接） / ${archived} archived session(s): no join links printed`);
  return out;
}
