import type { SessionState } from '../session/types';
import { scoredLeaves } from '../../shared/domain/rubric/index';
import { activeMembers } from '../participants/concern';
import { supplierIds } from '../suppliers/status';
import { roomEvaluation } from '../scoring/evaluation-file';
import { scoringOf } from '../scoring/state';
import { labelIn } from '../../shared/labels/people';

// The scores as a spreadsheet for the archive (issue 7): a summary sheet and a sheet per member.
// Values are written as the exact decimal strings the room computed (never a float): a reader who
// wants to add them up converts deliberately.
export async function scoresWorkbook(s: SessionState): Promise<Buffer> {
  // Loaded when the archive is built, not at every server start (it takes a third of a second).
  const { default: ExcelJS } = await import('exceljs');
  const wb = new ExcelJS.Workbook();
  wb.creator = 'PanelRoom 评审室';
  // Fixed dates keep the file's bytes a function of the session, not of the moment of export.
  wb.created = new Date(s.updatedAt);
  wb.modified = new Date(s.updatedAt);
  const label = (id: string) => s.people[id]?.org ?? s.people[id]?.name ?? id;
  const members = activeMembers(s);
  const ev = roomEvaluation(s);
  const out = ev.detail?.output.suppliers ?? [];

  const sum = wb.addWorksheet('汇总');
  sum.addRow(['排序', '供应商', ...members.map((m) => `${labelIn(s.people, s.order, m.id).zh} ${m.name}`), '评审价', '价格分', '最终得分', '推荐', '状态']);
  for (const r of [...out].sort((a, b) => (a.rank ?? 999) - (b.rank ?? 999)))
    sum.addRow([r.rank ?? '', label(r.id), ...members.map((m) => r.memberTotals?.[m.id] ?? ''), r.evaluatedPrice ?? '', r.priceScore ?? '', r.finalScore ?? '', r.candidate ? '推荐' : '', r.status === 'responsive' ? '有效' : `无效：${r.invalidReason ?? ''}`]);
  sum.getRow(1).font = { bold: true };

  const leaves = scoredLeaves(s.rubric);
  const sc = scoringOf(s);
  const sups = supplierIds(s).filter((id) => Object.values(sc.entries).some((m) => m[id]));
  for (const m of s.order.map((id) => s.people[id]).filter((p) => sc.entries[p.id])) {
    const ws = wb.addWorksheet(labelIn(s.people, s.order, m.id).zh);
    ws.addRow(['评审因素', '满分', ...sups.map(label)]);
    for (const f of leaves) ws.addRow([f.name_zh, String(f.max_points), ...sups.map((sid) => sc.entries[m.id]?.[sid]?.[f.id]?.points ?? '')]);
    ws.addRow(['合计（含价格分）', String(s.rubric.total_points), ...sups.map((sid) => out.find((x) => x.id === sid)?.memberTotals?.[m.id] ?? '')]);
    ws.getRow(1).font = { bold: true };
    ws.getColumn(1).width = 28;
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}
