import type { Browser } from '@playwright/test';
import { readFileSync } from 'node:fs';

const JSQR = readFileSync('node_modules/jsqr/dist/jsQR.js', 'utf8');

/**
 * Decodes a QR code from a screenshot (PNG) the way a phone would read it off the wall: in a blank
 * page of its own, with jsQR over the image's pixels. Null when no code can be read.
 */
export async function decodeQr(browser: Browser, png: Buffer): Promise<string | null> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.setContent('<html><body></body></html>');
    await page.addScriptTag({ content: JSQR });
    return await page.evaluate(async (b64: string) => {
      const img = new Image();
      img.src = 'data:image/png;base64,' + b64;
      await img.decode();
      const c = document.createElement('canvas');
      c.width = img.width;
      c.height = img.height;
      const g = c.getContext('2d')!;
      g.drawImage(img, 0, 0);
      const d = g.getImageData(0, 0, c.width, c.height);
      const r = (window as any).jsQR(d.data, d.width, d.height);
      return r ? (r.data as string) : null;
    }, png.toString('base64'));
  } finally {
    await context.close();
  }
}
