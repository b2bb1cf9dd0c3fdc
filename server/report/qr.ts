import QRCode from 'qrcode';

// The QR code of the log head printed on every page (issue 7), as an inline SVG built synchronously
// from the module matrix: no canvas, no async, the same bytes for the same text.
export function qrSvg(text: string, sizeMm = 16): string {
  const q = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const n = q.modules.size;
  const quiet = 2;
  let d = '';
  for (let y = 0; y < n; y++)
    for (let x = 0; x < n; x++) if (q.modules.data[y * n + x]) d += `M${x + quiet} ${y + quiet}h1v1h-1z`;
  const w = n + quiet * 2;
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${w} ${w}" width="${sizeMm}mm" height="${sizeMm}mm" shape-rendering="crispEdges"><rect width="${w}" height="${w}" fill="#fff"/><path d="${d}" fill="#000"/></svg>`;
}

/** The same SVG as a data URL (Chromium's PDF header and footer templates accept only inline images). */
export const qrDataUrl = (text: string, sizeMm = 16): string => `data:image/svg+xml;base64,${Buffer.from(qrSvg(text, sizeMm)).toString('base64')}`;
