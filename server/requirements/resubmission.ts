import { isPanel } from '../../shared/protocol/roles';
import { NO_CHANGE_STATEMENT } from '../../shared/protocol/resubmission';
import { DomainError, type Concern, type HandlerContext, type Principal, type SessionState, type Stage } from '../session/types';
import { standing } from '../suppliers/status';
import { checkAttachment } from '../clarify/attachment';
import type { AttachmentMeta } from '../clarify/state';
import { latestFor, reqOf } from './state';
import { eventOf, typedReducers } from '../session/events';
import { extend } from '../../shared/extend';

/** This concern's events (server/session/events.ts): what its handlers write, its reducers fold. */
type ResubmissionEvents = {
  'resubmission:file_added': { supplierId: string; version: number; signer: string; file: AttachmentMeta & { data: string } };
  'resubmission:unchanged_signed': { supplierId: string; version: number; signer: string; statement: string };
};
const ev = eventOf<ResubmissionEvents>();

// Resubmission after a substantive change (docs/rules.md §2.8; 003 Ch3 §2.4 L631 "供应商应当按照磋商文件的
// 变动情况和磋商小组的要求重新提交响应文件，并由其法定代表人或授权代表签字或者加盖公章"; 000 §19.2.2
// L293). For the latest version sent to it, each supplier uploads the revised parts of its response
// (each file kept with its sha256, in the log and the archive, shown to the panel) or signs
// 「响应文件无需修改」. Until it has done one or the other, its final quote is refused (quotes/window.ts).

export interface ResubmittedFile extends AttachmentMeta {
  signer: string;
  at: number;
}

export interface Resubmission {
  files: ResubmittedFile[];
  /** The signed statement that the response needs no change. */
  unchanged: { signer: string; at: number } | null;
}

export interface ResubmissionSlice {
  /** version → supplierId → what came back. */
  byVersion: Record<number, Record<string, Resubmission>>;
  /** sha256 → the file (base64), for the panel's downloads and the archive. */
  files: Record<string, AttachmentMeta & { data: string }>;
}

export const resubmissionOf = (s: SessionState): ResubmissionSlice => s.resubmission as ResubmissionSlice;

export const resubmissionPath = (sessionId: string, sha: string) => `/api/sessions/${sessionId}/attachments/${sha}`;

/** The latest version sent to this supplier for which it has neither resubmitted nor signed 「响应文件无需修改」, or null. */
export function resubmissionPending(s: SessionState, supplierId: string): number | null {
  const v = latestFor(s, supplierId);
  if (!v) return null;
  const r = resubmissionOf(s).byVersion[v.version]?.[supplierId];
  return r && (r.files.length > 0 || r.unchanged) ? null : v.version;
}

/** Whether a viewer may download a resubmitted file: the panel, the moderator, the observer, or the supplier that sent it. */
export function mayReadResubmitted(s: SessionState, viewer: Principal, sha: string): boolean {
  if (!resubmissionOf(s).files[sha]) return false;
  if (viewer.role !== 'supplier') return viewer.role !== 'screen';
  return Object.values(resubmissionOf(s).byVersion).some((bySup) => bySup[viewer.personId]?.files.some((f) => f.sha256 === sha));
}

const STAGES: Stage[] = ['consultation', 'final_review', 'final_quote'];

function openFor(ctx: HandlerContext, version: number): void {
  const { state: s, actor } = ctx;
  if (!STAGES.includes(s.stage))
    throw new DomainError('wrong_stage', { zh: '最后报价截止后不能再重新提交响应文件', en: 'the response can no longer be resubmitted after the final quotes' });
  if (standing(s, actor.personId).status !== 'active')
    throw new DomainError('conflict', { zh: '贵单位已不在评审中', en: 'your company is no longer in the evaluation' });
  const latest = latestFor(s, actor.personId);
  if (!latest || !reqOf(s).versions.some((v) => v.version === version && v.recipients.includes(actor.personId)))
    throw new DomainError('not_found', { zh: `没有发给贵单位的第 ${version} 版变动`, en: `no version ${version} was sent to you` }, 'version');
  if (latest.version !== version)
    throw new DomainError('conflict', { zh: `已有更新的第 ${latest.version} 版，请按最新版本提交`, en: `version ${latest.version} is newer; respond to the latest version` }, 'version');
  if (resubmissionOf(s).byVersion[version]?.[actor.personId]?.unchanged)
    throw new DomainError('conflict', { zh: `已就第 ${version} 版签署「${NO_CHANGE_STATEMENT.zh}」`, en: `you already signed "${NO_CHANGE_STATEMENT.en}" for version ${version}` });
}

const entry = (sl: ResubmissionSlice, version: number, supplierId: string): Resubmission =>
  ((sl.byVersion[version] ??= {})[supplierId] ??= { files: [], unchanged: null });

export const resubmissionConcern: Concern = {
  name: 'resubmission',
  init: (s) => {
    s.resubmission = { byVersion: {}, files: {} } satisfies ResubmissionSlice;
  },
  handlers: {
    'resubmission:file': (ctx, p: { version: number; signer: string; attachment: { name: string; mime: string; dataBase64: string } }) => {
      openFor(ctx, p.version);
      const file = checkAttachment(p.attachment);
      const mine = resubmissionOf(ctx.state).byVersion[p.version]?.[ctx.actor.personId];
      if (mine?.files.some((f) => f.sha256 === file.sha256))
        throw new DomainError('conflict', { zh: `该文件已提交（${file.name}）`, en: `this file was already submitted (${file.name})` }, 'attachment');
      if ((mine?.files.length ?? 0) >= 20) throw new DomainError('conflict', { zh: '每版最多提交 20 份文件', en: 'at most 20 files per version' }, 'attachment');
      return {
        events: [ev('resubmission:file_added', { supplierId: ctx.actor.personId, version: p.version, signer: p.signer, file })],
        data: { sha256: file.sha256, size: file.size },
      };
    },
    'resubmission:unchanged': (ctx, p: { version: number; signer: string }) => {
      openFor(ctx, p.version);
      if (resubmissionOf(ctx.state).byVersion[p.version]?.[ctx.actor.personId]?.files.length)
        throw new DomainError('conflict', { zh: '贵单位已提交修改后的响应文件，不能再声明无需修改', en: 'you have already submitted revised parts; you cannot also declare that nothing changes' });
      return {
        events: [ev('resubmission:unchanged_signed', { supplierId: ctx.actor.personId, version: p.version, signer: p.signer, statement: NO_CHANGE_STATEMENT.zh })],
      };
    },
  },
  reducers: typedReducers<ResubmissionEvents>({
    'resubmission:file_added': (s, e) => {
      const p = e.payload;
      const sl = resubmissionOf(s);
      const { data, ...meta } = p.file;
      sl.files[meta.sha256] = extend(meta, { data });
      entry(sl, p.version, p.supplierId).files.push(extend(meta, { signer: p.signer, at: e.ts }));
    },
    'resubmission:unchanged_signed': (s, e) => {
      const p = e.payload;
      entry(resubmissionOf(s), p.version, p.supplierId).unchanged = { signer: p.signer, at: e.ts };
    },
  }),
  view: resubmissionView,
};

/** The supplier sees what it sent; the panel, the moderator and the observer what every supplier sent,
 *  per version (files as links, never their content in the view); the wall nothing. */
export function resubmissionView(s: SessionState, viewer: Principal): Record<string, unknown> {
  if (viewer.role === 'screen') return {};
  const sl = resubmissionOf(s);
  const shape = (r: Resubmission | undefined) => ({
    files: (r?.files ?? []).map((f) => ({ name: f.name, mime: f.mime, size: f.size, sha256: f.sha256, signer: f.signer, at: f.at, url: resubmissionPath(s.id, f.sha256) })),
    unchanged: r?.unchanged ?? null,
  });
  if (viewer.role === 'supplier') {
    const me = viewer.personId;
    const versions = reqOf(s).versions.filter((v) => v.recipients.includes(me)).map((v) => ({ version: v.version, ...shape(sl.byVersion[v.version]?.[me]) }));
    return { resubmission: { versions, pending: resubmissionPending(s, me) } };
  }
  if (viewer.role !== 'moderator' && viewer.role !== 'observer' && !isPanel(viewer.role)) return {};
  const label = (id: string) => s.people[id]?.org ?? s.people[id]?.name ?? id;
  return {
    resubmission: {
      versions: reqOf(s).versions.map((v) => ({
        version: v.version,
        suppliers: v.recipients.map((id) => ({ supplierId: id, label: label(id), status: standing(s, id).status, ...shape(sl.byVersion[v.version]?.[id]) })),
      })),
    },
  };
}
