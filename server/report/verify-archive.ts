import yauzl from 'yauzl';
import { verifyChain } from '../store/chain';
import type { StoredEvent } from '../store/types';
import { sha256Hex } from './files';
import { ARCHIVE, type Manifest } from './archive';
import { sittingFileName, type MinutesEvents } from '../rounds/state';
import { logOf } from '../session/events';
import { type ReportEvents } from './state';

// Offline check of an archive (issue 7: `npm run verify -- archive.zip`), in this order so that the
// first problem named is the most telling one: (1) the event log's hash chain, (2) the report PDF
// against the sha256 the log recorded in `report:finalized` (and every earlier final revision),
// (2b) each document exchanged in a sitting against the sha256 the log recorded, (3) the manifest's
// sums for every other file.

export type ArchiveCheck =
  | { ok: true; sessionId: string; events: number; head: string; revision: number; reportSha256: string; files: number }
  | { ok: false; problem: { zh: string; en: string } };

function readZip(buf: Buffer): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(buf, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err ?? new Error('not a zip'));
      const out = new Map<string, Buffer>();
      zip.on('entry', (entry: yauzl.Entry) => {
        if (entry.fileName.endsWith('/')) return zip.readEntry();
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e ?? new Error('unreadable entry'));
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('error', reject);
          stream.on('end', () => {
            out.set(entry.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
        });
      });
      zip.on('end', () => resolve(out));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

const bad = (zh: string, en: string): ArchiveCheck => ({ ok: false, problem: { zh, en } });

export async function verifyArchive(buf: Buffer): Promise<ArchiveCheck> {
  let files: Map<string, Buffer>;
  try {
    files = await readZip(buf);
  } catch (e) {
    return bad(`无法读取压缩包：${(e as Error).message}`, `cannot read the zip: ${(e as Error).message}`);
  }
  const mf = files.get(ARCHIVE.manifest);
  if (!mf) return bad('缺少 manifest.json', 'manifest.json is missing');
  let manifest: Manifest;
  try {
    manifest = JSON.parse(mf.toString('utf8'));
  } catch {
    return bad('manifest.json 不是有效的 JSON', 'manifest.json is not valid JSON');
  }

  // 1. The chain.
  const log = files.get(ARCHIVE.log);
  if (!log) return bad(`缺少事件日志 ${ARCHIVE.log}`, `${ARCHIVE.log} is missing`);
  const events: StoredEvent[] = [];
  const lines = log.toString('utf8').split('\n').filter((l) => l.length > 0);
  for (const [i, line] of lines.entries()) {
    try {
      events.push(JSON.parse(line));
    } catch {
      return bad(`事件日志第 ${i + 1} 行不是有效的 JSON（内容被改动）`, `${ARCHIVE.log} line ${i + 1} is not valid JSON (altered)`);
    }
  }
  if (events.length === 0) return bad('事件日志为空', 'the event log is empty');
  const sessionId = events[0].sessionId;
  if (manifest.sessionId !== sessionId) return bad('manifest 的评审编号与事件日志不一致', 'the manifest names another session than the log');
  const chain = verifyChain(sessionId, events);
  if (chain) return bad(`事件日志：${chain.message.zh}`, `event log: ${chain.message.en}`);
  const head = events[events.length - 1].hash;

  // 2. The report against the log.
  const finals = logOf<ReportEvents>()(events, 'report:finalized');
  if (finals.length === 0) return bad('事件日志中没有定稿报告记录（report:finalized）', 'the log records no final report (report:finalized)');
  const last = finals[finals.length - 1];
  const lp = last.payload;
  for (const f of finals) {
    const p = f.payload;
    const name = f === last ? ARCHIVE.report : `revisions/report-r${p.revision}.pdf`;
    const pdf = files.get(name);
    if (!pdf) return bad(`缺少第 ${p.revision} 版报告 ${name}`, `the report of revision ${p.revision} (${name}) is missing`);
    const h = sha256Hex(pdf);
    if (h !== p.sha256)
      return bad(`报告 ${name} 的 sha256（${h}）与日志第 ${f.seq} 条记录的 ${p.sha256} 不符：报告被改动`, `${name}: sha256 ${h} differs from ${p.sha256} recorded at seq ${f.seq}: the report was altered`);
    const at = events[p.headSeq - 1];
    if (!at || at.hash !== p.head)
      return bad(`第 ${p.revision} 版报告所印日志哈希与日志第 ${p.headSeq} 条不符`, `revision ${p.revision}: the head printed on the report does not match event ${p.headSeq}`);
  }

  // 2b. Every document exchanged in a sitting, against the sha256 the log recorded when it was handed in.
  for (const e of logOf<MinutesEvents>()(events, 'round:document_uploaded')) {
    const d = e.payload;
    const name = sittingFileName(d.sitting, d);
    const data = files.get(name);
    if (!data) return bad(`缺少第 ${d.sitting} 次磋商的文件「${d.name}」（${name}）`, `the document "${d.name}" of sitting ${d.sitting} (${name}) is missing`);
    const h = sha256Hex(data);
    if (h !== d.sha256)
      return bad(`第 ${d.sitting} 次磋商的文件「${d.name}」的 sha256（${h}）与日志第 ${e.seq} 条记录的 ${d.sha256} 不符：文件被改动`, `${name}: sha256 ${h} differs from ${d.sha256} recorded at seq ${e.seq}: the document was altered`);
  }

  // 3. The manifest's sums, and nothing unlisted.
  if (manifest.report?.sha256 !== lp.sha256) return bad('manifest 记录的报告哈希与日志不符', 'the manifest names another report hash than the log');
  const listed = new Set<string>();
  for (const f of manifest.files ?? []) {
    listed.add(f.name);
    const data = files.get(f.name);
    if (!data) return bad(`缺少 manifest 所列文件 ${f.name}`, `${f.name} is listed in the manifest but missing`);
    const h = sha256Hex(data);
    if (h !== f.sha256) return bad(`文件 ${f.name} 的 sha256 与 manifest 不符：文件被改动`, `${f.name}: sha256 does not match the manifest: the file was altered`);
  }
  for (const name of files.keys()) if (name !== ARCHIVE.manifest && !listed.has(name)) return bad(`压缩包含有 manifest 未列出的文件 ${name}`, `${name} is not listed in the manifest`);
  return { ok: true, sessionId, events: events.length, head, revision: lp.revision, reportSha256: lp.sha256, files: listed.size };
}
