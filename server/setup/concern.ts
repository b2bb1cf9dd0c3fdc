import { sharedRubric } from '../session/rubric-share';
import { validateRubric } from '../../shared/domain/rubric/validate';
import type { Checklists } from '../../shared/domain/checklists';
import type { ProjectSettings, Rubric } from '../../shared/domain/rubric/types';
import { isPanel } from '../../shared/protocol/roles';
import { DomainError, type Concern, type Handler, type HandlerContext, type ProjectData, type SessionState } from '../session/types';
import { freezeRecord, hashOf } from './freeze';
import { addPerson, peopleReducers, removePerson, updatePerson } from './people';
import { setupProblems } from './problems';
import { setupEvent, setupSlice, type SetupEvents, type SetupSlice } from './slice';
import { typedReducers } from '../session/events';
import { extend } from '../../shared/extend';

// The setup concern: the agency's moderator edits a draft session (stage `setup`) from the console,
// one validated command at a time, each appended to the event log; the session opens for sign-in
// only when the whole setup validates, and then the rubric, rules and checklists are frozen.

/** Every setup command runs only while the session is a draft. */
function inSetup(handler: Handler): Handler {
  return (ctx, payload) => {
    if (ctx.state.stage !== 'setup')
      throw new DomainError('wrong_stage', {
        zh: '本场评审已开启，项目、评分标准、规则和审查清单已冻结，不能再修改',
        en: 'The session is open: the project, rubric, rules and checklists are frozen and cannot change',
      });
    return handler(ctx, payload);
  };
}

// The project's switches name the minimum-supplier exceptions they open (docs/rules.md §2.24; 003 Ch3
// §2.6-2.7 L641-643): those two follow their switch; the others are kept as chosen.
const DERIVED = {
  governmentServices: 'government_services_two_suppliers',
  researchOrTechTransfer: 'research_or_tech_transfer_two_final_quotes',
} as const;

function nextSettings(prev: ProjectSettings & Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = extend(prev, patch);
  const base = ((patch.exceptions ?? prev.exceptions ?? []) as string[]).filter((x) => !Object.values(DERIVED).includes(x as any));
  const derived = (Object.keys(DERIVED) as (keyof typeof DERIVED)[]).filter((k) => merged[k]).map((k) => DERIVED[k]);
  merged.exceptions = [...new Set([...base, ...derived])];
  return merged;
}

const setProject: Handler = ({ state }: HandlerContext, p: { project: Partial<ProjectData> }) => {
  const project = { ...state.project };
  for (const [k, v] of Object.entries(p.project)) if (v !== undefined) (project as any)[k] = v === '' ? null : v;
  if (!project.name) throw new DomainError('validation', { zh: '项目名称不能为空', en: 'The project needs a name' }, 'project.name');
  // The announcement media and the place of the opening are a 评标报告's (docs/tender.md "Report" ①):
  // refused for a consultation, and dropped when a tender becomes a consultation.
  if (project.method !== 'public_tender') {
    const given = (['announcementMedia', 'openingPlace'] as const).find((k) => p.project[k]);
    if (given)
      throw new DomainError(
        'validation',
        { zh: '招标公告刊登媒体和开标地点只用于公开招标项目（评标报告）', en: 'The announcement media and the place of the opening apply to a public tender only' },
        `project.${given}`,
      );
    delete project.announcementMedia;
    delete project.openingPlace;
  }
  return { events: [setupEvent('setup:project_changed', { project })], data: null };
};

const setSettings: Handler = ({ state }, p: { settings: Record<string, unknown> }) => ({
  events: [setupEvent('setup:settings_changed', { settings: nextSettings(state.settings as any, p.settings) })],
});

const setRubric: Handler = (_ctx, p: { rubric: unknown }) => {
  // The server re-validates what the editor validated for comfort (docs/architecture.md).
  const v = validateRubric(p.rubric);
  if (!v.ok) {
    const e = v.errors[0];
    const more = v.errors.length > 1 ? { zh: `（另有 ${v.errors.length - 1} 处问题）`, en: ` (and ${v.errors.length - 1} more)` } : { zh: '', en: '' };
    throw new DomainError('validation', { zh: `评分标准未保存：${e.message.zh}${more.zh}`, en: `Rubric not saved: ${e.message.en}${more.en}` }, 'rubric' + (e.path ? '.' + e.path : ''));
  }
  return { events: [setupEvent('setup:rubric_replaced', { rubric: v.rubric, rubricHash: hashOf(v.rubric) })], data: { rubricHash: hashOf(v.rubric) } };
};

const setChecklists: Handler = (_ctx, p: { checklists: Checklists }) => {
  for (const kind of ['qualification', 'compliance', 'final'] as const) {
    const ids = p.checklists[kind].map((i) => i.id);
    const dup = ids.find((id, i) => ids.indexOf(id) !== i);
    if (dup) throw new DomainError('validation', { zh: `审查清单条目编号「${dup}」重复`, en: `Checklist item id "${dup}" is used twice` }, `checklists.${kind}`);
  }
  return { events: [setupEvent('setup:checklists_changed', { checklists: p.checklists })] };
};

function blocking(s: SessionState) {
  const problems = setupProblems(s);
  if (!problems.length) return null;
  const first = problems[0].message;
  const more = problems.length > 1 ? { zh: `（共 ${problems.length} 项待完成）`, en: ` (${problems.length} items to fix)` } : { zh: '', en: '' };
  return { zh: `准备工作未完成：${first.zh}${more.zh}`, en: `Set-up is not complete: ${first.en}${more.en}` };
}

export const setupConcern: Concern = {
  name: 'setup',
  init: (s) => {
    s.setup = { lastNumber: {}, frozen: null } satisfies SetupSlice;
  },
  handlers: {
    'setup:project': inSetup(setProject),
    'setup:settings': inSetup(setSettings),
    'setup:rubric': inSetup(setRubric),
    'setup:checklists': inSetup(setChecklists),
    'setup:person_add': inSetup(addPerson),
    'setup:person_update': inSetup(updatePerson),
    'setup:person_remove': inSetup(removePerson),
  },
  reducers: {
    ...peopleReducers,
    ...typedReducers<Omit<SetupEvents, 'setup:person_updated' | 'setup:person_removed'>>({
      'setup:project_changed': (s, e) => {
        const { project } = e.payload;
        s.project = project;
        // The project's budget and maximum price are what the engine compares quotes with (docs/rules.md §2.15 5.4).
        s.settings = extend(s.settings, { budget: project.budget, maxPrice: project.maxPrice });
      },
      'setup:settings_changed': (s, e) => {
        s.settings = e.payload.settings;
      },
      'setup:rubric_replaced': (s, e) => {
        s.rubric = sharedRubric(e.payload.rubricHash, e.payload.rubric);
        s.rubricHash = e.payload.rubricHash;
      },
      'setup:checklists_changed': (s, e) => {
        s.checklists = e.payload.checklists;
      },
      'setup:frozen': (s, e) => {
        setupSlice(s).frozen = extend(e.payload, { at: e.ts, seq: e.seq });
        s.rubricHash = e.payload.rubricHash;
      },
    }),
  },
  leave: { setup: blocking },
  onEnter: { signin: (s) => (s.stage === 'setup' ? [setupEvent('setup:frozen', freezeRecord(s))] : []) },
  view: (s, viewer) => {
    // The draft (with contacts and the whole rubric) goes to the agency's console only; the observer
    // sees what was frozen; nobody else receives this section.
    if (viewer.role === 'observer') return { setup: { frozen: setupSlice(s).frozen } };
    if (viewer.role !== 'moderator') return {};
    const frozen = setupSlice(s).frozen;
    if (s.stage !== 'setup') return { setup: { editing: false, frozen } };
    return {
      setup: {
        editing: true,
        frozen,
        project: s.project,
        settings: s.settings,
        rubric: s.rubric,
        rubricHash: s.rubricHash,
        checklists: s.checklists,
        people: s.order
          .map((id) => s.people[id])
          .filter((p) => p.role !== 'screen')
          .map((p) => ({ id: p.id, role: p.role, name: p.name, org: p.org, contact: p.contact, leader: p.leader, ordinal: p.ordinal, member: isPanel(p.role) })),
        problems: setupProblems(s),
      },
    };
  },
};
