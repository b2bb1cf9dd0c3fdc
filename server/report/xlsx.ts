import type { SessionState } from '../session/types';
import { scoredLeaves } from '../../shared/domain/rubric/index';
import { activeMembers } from '../participants/concern';
import { supplierIds } from '../suppliers/status';
import { roomEvaluation } from '../scoring/evaluation-file';
import { scoringOf } from '../scoring/state';
import { writeXlsx, type Cell, type Sheet } from './xlsx-writer';

// The scores as a spreadsheet for the archive (issue 7): a summary sheet and a sheet per member.
// Values are written as the exact decimal strings the room computed (never a float): a reader who
// wants to add them up converts deliberately.
export async function scoresWorkbook(s: SessionState): Promise<Buffer> {
  const label = (id: string) => s.people[id]?.org ?? s.people[id]?.name ?? id;
  const members = activeMembers(s);
  const ev = roomEvaluation(s);
  const out = ev.detail?.output.suppliers ?? [];
  const sheets: Sheet[] = [];

  const sum: Cell[][] = [['排序', '供应商', ...members.map((m) => `专家 ${m.ordinal} ${m.name}`), '评审价', '价格分', '最终得分', '推荐', '状态']];
  for (const r of [...out].sort((a, b) => (a.rank ?? 999) - (b.rank ?? 999)))
    sum.push([r.rank ?? '', label(r.id), ...members.map((m) => r.memberTotals?.[m.id] ?? ''), r.evaluatedPrice ?? '', r.priceScore ?? '', r.finalScore ?? '', r.candidate ? '推荐' : '', r.status === 'responsive' ? '有效' : `无效：${r.invalidReason ?? ''}`]);
  sheets.push({ name: '汇总', rows: sum, boldRows: [0] });

  const leaves = scoredLeaves(s.rubric);
  const sc = scoringOf(s);
  const sups = supplierIds(s).filter((id) => Object.values(sc.entries).some((m) => m[id]));
  for (const m of s.order.map((id) => s.people[id]).filter((p) => sc.entries[p.id])) {
    const rows: Cell[][] = [['评审因素', '满分', ...sups.map(label)]];
    for (const f of leaves) rows.push([f.name_zh, String(f.max_points), ...sups.map((sid) => sc.entries[m.id]?.[sid]?.[f.id]?.points ?? '')]);
    rows.push(['合计（含价格分）', String(s.rubric.total_points), ...sups.map((sid) => out.find((x) => x.id === sid)?.memberTotals?.[m.id] ?? '')]);
    sheets.push({ name: `专家 ${m.ordinal}`, rows, boldRows: [0], widths: { 0: 28 } });
  }
  // Fixed dates keep the file's bytes a function of the session, not of the moment of export.
  return writeXlsx(sheets, { creator: 'PanelRoom 评审室', date: new Date(s.updatedAt) });
}
