import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeXlsx, columnName, XlsxError } from '../../../server/report/xlsx-writer';
import { readXlsx, unzipAll } from '../../helpers/xlsx';

// The archive's spreadsheet writer (server/report/xlsx-writer.ts): a valid zip of well-formed
// SpreadsheetML parts, with the right sheets, cells and bold header, byte-identical for the same input.

const meta = { creator: 'PanelRoom 评审室', date: new Date('2026-03-02T01:30:00Z') };
const sheets = [
  { name: '汇总', rows: [['排序', '供应商', '最终得分'], [1, '京华生态研究院 <A&B>', '84.40'], [2, '"引号"', '']], boldRows: [0] },
  { name: '专家 1', rows: [['评审因素', '满分'], ['技术方案', '30']], boldRows: [0], widths: { 0: 28 } },
];

describe('xlsx writer', () => {
  it('writes a zip that unzip tests clean, with the parts Excel needs', async () => {
    const buf = await writeXlsx(sheets, meta);
    const dir = mkdtempSync(join(tmpdir(), 'xlsx-'));
    const file = join(dir, 'scores.xlsx');
    writeFileSync(file, buf);
    expect(execFileSync('unzip', ['-t', file]).toString()).toContain('No errors detected');
    const parts = await unzipAll(buf);
    expect([...parts.keys()]).toEqual(expect.arrayContaining(['[Content_Types].xml', '_rels/.rels', 'xl/workbook.xml', 'xl/_rels/workbook.xml.rels', 'xl/styles.xml', 'xl/worksheets/sheet1.xml', 'xl/worksheets/sheet2.xml', 'docProps/core.xml']));
    // Every part is one well-formed XML element tree (balanced tags, escaped text).
    for (const [name, b] of parts) {
      const xml = b.toString('utf8').replace(/^<\?xml[^>]*\?>\s*/, '');
      const stack: string[] = [];
      for (const t of xml.matchAll(/<(\/?)([\w:]+)[^>]*?(\/?)>/g)) {
        if (t[3]) continue;
        if (t[1]) expect(stack.pop(), `${name}: </${t[2]}>`).toBe(t[2]);
        else stack.push(t[2]);
      }
      expect(stack, name).toEqual([]);
      expect(xml.replace(/<[^>]*>/g, ''), name).not.toMatch(/[<>]|&(?!amp;|lt;|gt;|quot;)/);
    }
  });

  it('reads back as the sheets, cells and bold header that were written', async () => {
    const book = await readXlsx(await writeXlsx(sheets, meta));
    expect(book.map((s) => s.name)).toEqual(['汇总', '专家 1']);
    // An empty cell is not written: the last row ends at its last value.
    expect(book[0].rows).toEqual([['排序', '供应商', '最终得分'], ['1', '京华生态研究院 <A&B>', '84.40'], ['2', '"引号"']]);
    expect(book[0].boldRows).toEqual([0]);
    expect(book[1].rows[1]).toEqual(['技术方案', '30']);
  });

  it('is byte-identical for the same input (the archive manifest sums it)', async () => {
    expect((await writeXlsx(sheets, meta)).equals(await writeXlsx(sheets, meta))).toBe(true);
  });

  it('names columns past Z and refuses sheet names Excel refuses', async () => {
    expect([0, 25, 26, 27, 701, 702].map(columnName)).toEqual(['A', 'Z', 'AA', 'AB', 'ZZ', 'AAA']);
    await expect(writeXlsx([{ name: 'a/b', rows: [] }], meta)).rejects.toThrow(XlsxError);
    await expect(writeXlsx([{ name: 'x'.repeat(32), rows: [] }], meta)).rejects.toThrow(XlsxError);
    await expect(writeXlsx([{ name: 'A', rows: [] }, { name: 'a', rows: [] }], meta)).rejects.toThrow(XlsxError);
    await expect(writeXlsx([], meta)).rejects.toThrow(XlsxError);
  });
});
