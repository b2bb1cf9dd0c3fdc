import yazl from 'yazl';

// A small writer of .xlsx files (Office Open XML SpreadsheetML, ECMA-376): a zip of a few XML parts.
// The archive needs one plain workbook (text and whole numbers, a bold header row, a column width), so
// the room writes it itself with yazl, which it already uses for the archive, instead of carrying a
// spreadsheet library (exceljs: 23 MB and a second zip stack; docs/architecture.md "Dependencies").
// Strings are inline (`t="inlineStr"`, no shared-strings part); the bytes are a function of the input
// only (fixed zip times, fixed part order), so the archive's manifest sum is reproducible.

export type Cell = string | number | null | undefined;

export interface Sheet {
  name: string;
  rows: Cell[][];
  /** Rows (0-based) written in bold. */
  boldRows?: number[];
  /** Column widths in characters, by 0-based column. */
  widths?: Record<number, number>;
}

export interface WorkbookMeta {
  creator: string;
  /** Written as the document's created and modified time (so the bytes do not depend on "now"). */
  date: Date;
}

/** Excel refuses these in a sheet name, and names longer than 31 characters. */
const BAD_SHEET_NAME = /[\[\]:*?/\\]/;

export class XlsxError extends Error {}

/** XML text: escaped, and without the control characters XML 1.0 cannot carry. */
export function xmlText(s: string): string {
  return s
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/** 0 → A, 25 → Z, 26 → AA. */
export function columnName(i: number): string {
  let s = '';
  for (let n = i + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

const XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
const NS_MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const NS_REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const NS_PKG_REL = 'http://schemas.openxmlformats.org/package/2006/relationships';

function cellXml(ref: string, v: Cell, style: number): string {
  const s = style ? ` s="${style}"` : '';
  if (v === null || v === undefined || v === '') return style ? `<c r="${ref}"${s}/>` : '';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new XlsxError(`not a finite number in ${ref}`);
    return `<c r="${ref}"${s}><v>${v}</v></c>`;
  }
  return `<c r="${ref}"${s} t="inlineStr"><is><t xml:space="preserve">${xmlText(v)}</t></is></c>`;
}

function sheetXml(sh: Sheet): string {
  const bold = new Set(sh.boldRows ?? []);
  const cols = Object.entries(sh.widths ?? {})
    .map(([i, w]) => `<col min="${Number(i) + 1}" max="${Number(i) + 1}" width="${w}" customWidth="1"/>`)
    .join('');
  const rows = sh.rows
    .map((row, r) => {
      const style = bold.has(r) ? 1 : 0;
      return `<row r="${r + 1}">${row.map((v, c) => cellXml(`${columnName(c)}${r + 1}`, v, style)).join('')}</row>`;
    })
    .join('');
  return `${XML}<worksheet xmlns="${NS_MAIN}" xmlns:r="${NS_REL}">${cols ? `<cols>${cols}</cols>` : ''}<sheetData>${rows}</sheetData></worksheet>`;
}

/** The parts of the package, in the order they are zipped. */
export function xlsxParts(sheets: Sheet[], meta: WorkbookMeta): [string, string][] {
  if (sheets.length === 0) throw new XlsxError('a workbook needs at least one sheet');
  const seen = new Set<string>();
  for (const sh of sheets) {
    if (!sh.name || sh.name.length > 31 || BAD_SHEET_NAME.test(sh.name)) throw new XlsxError(`invalid sheet name: ${sh.name}`);
    if (seen.has(sh.name.toLowerCase())) throw new XlsxError(`repeated sheet name: ${sh.name}`);
    seen.add(sh.name.toLowerCase());
  }
  const when = meta.date.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const n = sheets.length;
  const sheetIdx = sheets.map((_, i) => i + 1);
  return [
    [
      '[Content_Types].xml',
      `${XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
        '<Default Extension="xml" ContentType="application/xml"/>' +
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
        sheetIdx.map((i) => `<Override PartName="/xl/worksheets/sheet${i}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`).join('') +
        '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>' +
        '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>' +
        '<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>' +
        '</Types>',
    ],
    [
      '_rels/.rels',
      `${XML}<Relationships xmlns="${NS_PKG_REL}">` +
        `<Relationship Id="rId1" Type="${NS_REL}/officeDocument" Target="xl/workbook.xml"/>` +
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>' +
        `<Relationship Id="rId3" Type="${NS_REL}/extended-properties" Target="docProps/app.xml"/>` +
        '</Relationships>',
    ],
    [
      'docProps/core.xml',
      `${XML}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">` +
        `<dc:creator>${xmlText(meta.creator)}</dc:creator>` +
        `<dcterms:created xsi:type="dcterms:W3CDTF">${when}</dcterms:created>` +
        `<dcterms:modified xsi:type="dcterms:W3CDTF">${when}</dcterms:modified>` +
        '</cp:coreProperties>',
    ],
    [
      'docProps/app.xml',
      `${XML}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Application>${xmlText(meta.creator)}</Application></Properties>`,
    ],
    [
      'xl/workbook.xml',
      `${XML}<workbook xmlns="${NS_MAIN}" xmlns:r="${NS_REL}"><sheets>` +
        sheets.map((sh, i) => `<sheet name="${xmlText(sh.name)}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`).join('') +
        '</sheets></workbook>',
    ],
    [
      'xl/_rels/workbook.xml.rels',
      `${XML}<Relationships xmlns="${NS_PKG_REL}">` +
        sheetIdx.map((i) => `<Relationship Id="rId${i}" Type="${NS_REL}/worksheet" Target="worksheets/sheet${i}.xml"/>`).join('') +
        `<Relationship Id="rId${n + 1}" Type="${NS_REL}/styles" Target="styles.xml"/>` +
        '</Relationships>',
    ],
    [
      'xl/styles.xml',
      // Style 0: normal; style 1: bold. The fills, borders and cellStyleXfs entries Excel requires.
      `${XML}<styleSheet xmlns="${NS_MAIN}">` +
        '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts>' +
        '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>' +
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>' +
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>' +
        '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>' +
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>' +
        '</styleSheet>',
    ],
    ...sheets.map((sh, i): [string, string] => [`xl/worksheets/sheet${i + 1}.xml`, sheetXml(sh)]),
  ];
}

/** The workbook as the bytes of an .xlsx file. */
export async function writeXlsx(sheets: Sheet[], meta: WorkbookMeta): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const [name, xml] of xlsxParts(sheets, meta)) zip.addBuffer(Buffer.from(xml, 'utf8'), name, { mtime: meta.date });
  zip.end();
  const chunks: Buffer[] = [];
  for await (const c of zip.outputStream as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}
