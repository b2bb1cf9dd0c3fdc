import { randomBytes, randomUUID } from 'node:crypto';
import { sessionCreateSchema } from '../../shared/protocol/session-create';
import { validateRubric } from '../../shared/domain/rubric/validate';
import { loadTemplate, TEMPLATE_NAMES } from '../../shared/domain/rubric/templates';
import type { Rubric } from '../../shared/domain/rubric/types';
import type { Role } from '../../shared/protocol/roles';
import { canonicalJson, sha256 } from '../store/canonical';
import type { NewEvent, TokenRecord } from '../store/types';
import { DomainError } from './types';
import { zodToDomainError } from './validation';
import { defaultChecklists } from '../../shared/domain/checklists';
import { TEMPLATE_CHECKLISTS } from '../../shared/domain/checklists-seed000';
import { personEvent } from '../participants/state';
import { sessionEvent } from './core';
import { extend } from '../../shared/extend';

/** A join token: 192 random bits (issue 2 asks for at least 128), URL-safe. */
export function newToken(): string {
  return randomBytes(24).toString('base64url');
}
export const tokenHash = (token: string): string => sha256('join-token:' + token);

export function newPersonToken(sessionId: string, personId: string): TokenRecord {
  const token = newToken();
  return { token, tokenHash: tokenHash(token), sessionId, personId };
}

export interface CreatedSession {
  sessionId: string;
  events: NewEvent[];
  tokens: TokenRecord[];
}

function resolveRubric(r: string | Record<string, unknown>): Rubric {
  if (typeof r === 'string') {
    if (!(TEMPLATE_NAMES as readonly string[]).includes(r))
      throw new DomainError(
        'validation',
        { zh: `没有名为「${r}」的评分标准模板（可选：${TEMPLATE_NAMES.join('、')}）`, en: `no rubric template named "${r}" (available: ${TEMPLATE_NAMES.join(', ')})` },
        'rubric',
      );
    return loadTemplate(r as (typeof TEMPLATE_NAMES)[number]);
  }
  const v = validateRubric(r);
  if (!v.ok) {
    const e = v.errors[0];
    throw new DomainError('validation', e.message, 'rubric' + (e.path ? '.' + e.path : ''));
  }
  return v.rubric;
}

/** Validates a creation request and turns it into the session's first events. */
export function buildSession(body: unknown, now: number): CreatedSession {
  const parsed = sessionCreateSchema.safeParse(body);
  if (!parsed.success) throw zodToDomainError(parsed.error);
  const input = parsed.data;
  const rubric = resolveRubric(input.rubric);
  const sessionId = randomUUID();
  const rp = rubric.project;
  const p = input.project ?? {};
  const project = extend(
    {
      name: p.name ?? rp.name_zh,
      projectNumber: p.projectNumber ?? (rp.project_number as string | null) ?? null,
      purchaser: p.purchaser ?? rp.purchaser_zh ?? null,
      agency: p.agency ?? rp.agency_zh ?? null,
      method: p.method ?? rp.procurement_method,
      budget: p.budget !== undefined ? p.budget : rubric.rules.budget,
      maxPrice: p.maxPrice !== undefined ? p.maxPrice : rubric.rules.maxPrice,
      scheduledAt: p.scheduledAt ?? rp.opening_time ?? null,
      ...((p.method ?? rp.procurement_method) === 'public_tender' ? { announcementMedia: p.announcementMedia?.trim() || null, openingPlace: p.openingPlace?.trim() || null } : {}),
    },
    { requirements: input.requirements?.trim() || null },
  );
  const s = input.settings ?? {};
  const settings = {
    reservedForSme: s.reservedForSme ?? false,
    consortiumOrSubcontractingAllowed: s.consortiumOrSubcontractingAllowed ?? false,
    goods: s.goods ?? false,
    governmentServices: s.governmentServices ?? false,
    researchOrTechTransfer: s.researchOrTechTransfer ?? false,
    // The project's switches name the minimum-supplier exceptions they open (docs/rules.md §2.24; 003 Ch3 §2.7).
    exceptions: [
      ...new Set([
        ...(s.exceptions ?? []),
        ...(s.governmentServices ? ['government_services_two_suppliers' as const] : []),
        ...(s.researchOrTechTransfer ? ['research_or_tech_transfer_two_final_quotes' as const] : []),
      ]),
    ],
    anomalyPreset: s.anomalyPreset ?? 'standard',
    budget: project.budget,
    maxPrice: project.maxPrice,
  };
  if (input.members.filter((m) => m.leader).length > 1)
    throw new DomainError('validation', { zh: '评审小组只能有一名组长', en: 'the panel can have only one leader' }, 'members');

  const events: NewEvent[] = [
    // A template's own checklists (seed 000), else the method's (a tender's: the 招标文件's lists).
    sessionEvent('session:created', { project, settings, rubric, rubricHash: sha256(canonicalJson(rubric)), checklists: structuredClone(input.checklists ?? (typeof input.rubric === 'string' ? TEMPLATE_CHECKLISTS[input.rubric] : undefined) ?? defaultChecklists(project.method)), stage: input.openForSignin === false ? 'setup' : 'signin' }),
  ];
  const tokens: TokenRecord[] = [];
  const add = (role: Role, person: { name: string; org?: string; contact?: string; leader?: boolean }, idPrefix: string, i: number) => {
    const personId = `${idPrefix}${i + 1}`;
    const t = newPersonToken(sessionId, personId);
    tokens.push(t);
    events.push(personEvent('person:added', {
      id: personId,
      name: person.name,
      role,
      leader: person.leader ?? false,
      org: person.org ?? null,
      contact: person.contact ?? null,
      tokenHash: t.tokenHash,
    }));
  };
  add('moderator', input.moderator, 'A', 0);
  add('screen', { name: '投影屏幕' }, 'P', 0);
  input.members.forEach((m, i) => add(m.role, m, 'M', i));
  input.suppliers.forEach((sp, i) => add('supplier', sp, 'S', i));
  (input.observers ?? []).forEach((o, i) => add('observer', o, 'O', i));
  return { sessionId, events, tokens };
}
