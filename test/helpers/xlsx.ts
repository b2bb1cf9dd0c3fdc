import yauzl from 'yauzl';

// Reads back what server/report/xlsx-writer.ts writes (and what any SpreadsheetML writer writes with
// inline or shared strings): the sheets by name, in workbook order, as rows of cell texts. Small on
// purpose: the tests check the file's content, and `unzip -t` / the XML parse check its form.

export function unzipAll(buf: Buffer): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) =>
    yauzl.fromBuffer(buf, { lazyEntries: true }, (err, zip) => {
      if (err) return reject(err);
      const out = new Map<string, Buffer>();
      zip.on('entry', (e: yauzl.Entry) =>
        zip.openReadStream(e, (er, st) => {
          if (er) return reject(er);
          const ch: Buffer[] = [];
          st.on('data', (c: Buffer) => ch.push(c));
          st.on('end', () => {
            out.set(e.fileName, Buffer.concat(ch));
            zip.readEntry();
          });
        }),
      );
      zip.on('end', () => resolve(out));
      zip.on('error', reject);
      zip.readEntry();
    }),
  );
}

const unxml = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');
const colIndex = (ref: string) => [...ref.replace(/\d+$/, '')].reduce((n, ch) => n * 26 + ch.charCodeAt(0) - 64, 0) - 1;

export interface ReadSheet { name: string; rows: string[][]; boldRows: number[] }

export async function readXlsx(buf: Buffer): Promise<ReadSheet[]> {
  const files = await unzipAll(buf);
  const text = (n: string) => {
    const b = files.get(n);
    if (!b) throw new Error(`${n} is missing from the workbook`);
    return b.toString('utf8');
  };
  const shared = files.has('xl/sharedStrings.xml') ? [...text('xl/sharedStrings.xml').matchAll(/<si>([\s\S]*?)<\/si>/g)].map((m) => unxml(m[1].replace(/<[^>]+>/g, ''))) : [];
  const rels = new Map([...text('xl/_rels/workbook.xml.rels').matchAll(/<Relationship [^>]*Id="([^"]+)"[^>]*Target="([^"]+)"/g)].map((m) => [m[1], m[2]]));
  const boldXf = new Set<number>();
  const xfs = text('xl/styles.xml').match(/<cellXfs[^>]*>([\s\S]*?)<\/cellXfs>/)?.[1] ?? '';
  const fonts = [...(text('xl/styles.xml').match(/<fonts[^>]*>([\s\S]*?)<\/fonts>/)?.[1] ?? '').matchAll(/<font>([\s\S]*?)<\/font>/g)].map((m) => m[1].includes('<b/>'));
  [...xfs.matchAll(/<xf [^>]*fontId="(\d+)"/g)].forEach((m, i) => fonts[Number(m[1])] && boldXf.add(i));
  const out: ReadSheet[] = [];
  for (const m of text('xl/workbook.xml').matchAll(/<sheet name="([^"]*)"[^>]*r:id="([^"]+)"/g)) {
    const xml = text(`xl/${rels.get(m[2])}`);
    const rows: string[][] = [];
    const boldRows: number[] = [];
    for (const r of xml.matchAll(/<row r="(\d+)"[^>]*>([\s\S]*?)<\/row>/g)) {
      const cells: string[] = [];
      let bold = false;
      for (const c of r[2].matchAll(/<c r="([A-Z]+\d+)"([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g)) {
        const attrs = c[2];
        const body = c[3] ?? '';
        if (boldXf.has(Number(attrs.match(/ s="(\d+)"/)?.[1] ?? 0))) bold = true;
        const v = body.match(/<v>([\s\S]*?)<\/v>/)?.[1];
        const t = attrs.match(/ t="(\w+)"/)?.[1];
        cells[colIndex(c[1])] = t === 'inlineStr' ? unxml((body.match(/<t[^>]*>([\s\S]*?)<\/t>/)?.[1] ?? '')) : t === 's' ? shared[Number(v)] : unxml(v ?? '');
      }
      rows[Number(r[1]) - 1] = Array.from(cells, (x) => x ?? '');
      if (bold) boldRows.push(Number(r[1]) - 1);
    }
    out.push({ name: unxml(m[1]), rows: Array.from(rows, (x) => x ?? []), boldRows });
  }
  return out;
}
