import yazl from 'yazl';
import type { SessionState } from '../session/types';
import type { StoredEvent } from '../store/types';
import { evaluationFile } from '../scoring/evaluation-file';
import { reportOf } from './state';
import { sha256Hex, type ReportFiles } from './files';
import { scoresWorkbook } from './xlsx';
import { resubmissionOf } from '../requirements/resubmission';
import { roundsOf, sittingFileName } from '../rounds/state';

// The archive (归档, issue 7): one zip with the final report PDF (and every earlier final revision),
// the evaluation file, the full event log as JSON lines, the scores as .xlsx, the documents exchanged
// in the consultation sittings, the response parts resubmitted after a change
// (responses/v<n>/<supplier>/…), and manifest.json with
// the sha256 of every file. `npm run verify -- archive.zip` checks it offline (verify-archive.ts).

export const ARCHIVE = { report: 'report.pdf', log: 'events.jsonl', evaluation: 'evaluation-file.json', scores: 'scores.xlsx', manifest: 'manifest.json' } as const;

export interface Manifest {
  format: 'panelroom-archive/1';
  sessionId: string;
  projectNumber: string | null;
  projectName: string;
  head: string;
  seq: number;
  report: { revision: number; sha256: string; finalizedSeq: number };
  files: { name: string; sha256: string; size: number }[];
}

export async function buildArchive(s: SessionState, events: StoredEvent[], files: ReportFiles): Promise<Buffer> {
  const revs = reportOf(s).revisions.filter((r) => r.final);
  const last = revs.at(-1);
  if (!last?.final) throw new Error('no final report');
  const entries: { name: string; data: Buffer }[] = [];
  for (const r of revs) {
    const pdf = await files.get(r.final!.sha256);
    if (!pdf) throw new Error(`the PDF of revision ${r.n} (${r.final!.sha256}) is missing from the store`);
    entries.push({ name: r === last ? ARCHIVE.report : `revisions/report-r${r.n}.pdf`, data: pdf });
  }
  entries.push({ name: ARCHIVE.evaluation, data: Buffer.from(JSON.stringify(evaluationFile(s), null, 2) + '\n') });
  entries.push({ name: ARCHIVE.log, data: Buffer.from(events.map((e) => JSON.stringify(e)).join('\n') + '\n') });
  entries.push({ name: ARCHIVE.scores, data: await scoresWorkbook(s) });
  // The revised parts of the responses resubmitted after a substantive change (issue 14), as sent.
  const rs = resubmissionOf(s);
  for (const [version, bySupplier] of Object.entries(rs.byVersion))
    for (const [supplierId, r] of Object.entries(bySupplier))
      for (const f of r.files) {
        const stored = rs.files[f.sha256];
        if (stored) entries.push({ name: `responses/v${version}/${supplierId}/${f.sha256.slice(0, 8)}-${f.name.replace(/[\\/]/g, '_')}`, data: Buffer.from(stored.data, 'base64') });
      }
  // The documents exchanged in the sittings (磋商记录, issue 13 item 3), each under a name that
  // carries its sitting and sha256; verify checks each against the sha256 the log recorded.
  for (const x of roundsOf(s).sittings)
    for (const d of x.documents) entries.push({ name: sittingFileName(x.n, d), data: Buffer.from(roundsOf(s).files[d.sha256].data, 'base64') });
  const manifest: Manifest = {
    format: 'panelroom-archive/1',
    sessionId: s.id,
    projectNumber: s.project.projectNumber,
    projectName: s.project.name,
    head: events.at(-1)?.hash ?? s.head,
    seq: events.length,
    report: { revision: last.n, sha256: last.final.sha256, finalizedSeq: last.final.seq },
    files: entries.map((e) => ({ name: e.name, sha256: sha256Hex(e.data), size: e.data.length })),
  };
  const zip = new yazl.ZipFile();
  const mtime = new Date(s.updatedAt);
  for (const e of entries) zip.addBuffer(e.data, e.name, { mtime, compress: !e.name.endsWith('.pdf') && !e.name.endsWith('.xlsx') });
  zip.addBuffer(Buffer.from(JSON.stringify(manifest, null, 2) + '\n'), ARCHIVE.manifest, { mtime });
  zip.end();
  const chunks: Buffer[] = [];
  for await (const c of zip.outputStream as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}
