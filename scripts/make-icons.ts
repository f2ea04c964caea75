/**
 * Renders the web client's PNG icons from web/public/icon.svg. Run it again
 * after changing the logo, and commit what it writes:
 *
 *   node scripts/make-icons.ts
 *
 * - icon-192.png, icon-512.png: the logo as drawn (rounded square), for
 *   the manifest's "any" purpose and for notifications.
 * - icon-maskable-512.png: the logo's glyph on a full-bleed background, kept
 *   inside the 80 % safe circle that launchers may crop to.
 * - apple-touch-icon.png (180): opaque, since iOS draws transparent corners black.
 * - badge-96.png: the glyph alone in white, the monochrome badge Android shows
 *   in the status bar.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';

const root = path.resolve(import.meta.dirname, '..');
const publicDir = path.join(root, 'web/public');
const out = path.join(publicDir, 'icons');
const svg = readFileSync(path.join(publicDir, 'icon.svg'), 'utf8');

const background = /<rect[^>]*fill="([^"]+)"/.exec(svg)?.[1];
const found = /<rect[^>]*\/>(.*)<\/svg>/s.exec(svg)?.[1];
if (!background || !found) throw new Error('icon.svg: expected a <rect> background followed by the glyph');
const glyph: string = found;

/** The glyph centred at `scale` on a square of the background colour (or transparent). */
function composed(scale: number, fill: string | null, glyphColour?: string): Buffer {
  const offset = (512 * (1 - scale)) / 2;
  const shapes = glyphColour ? glyph.replace(/fill="[^"]+"/g, `fill="${glyphColour}"`) : glyph;
  const rect = fill ? `<rect width="512" height="512" fill="${fill}"/>` : '';
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512">${rect}` +
      `<g transform="translate(${offset} ${offset}) scale(${scale})">${shapes}</g></svg>`,
  );
}

async function render(source: Buffer | string, size: number, file: string): Promise<void> {
  await sharp(Buffer.from(source), { density: 300 })
    .resize(size, size)
    .png({ compressionLevel: 9 })
    .toFile(path.join(out, file));
  console.log(`wrote web/public/icons/${file} (${size}×${size})`);
}

mkdirSync(out, { recursive: true });
await render(svg, 192, 'icon-192.png');
await render(svg, 512, 'icon-512.png');
await render(composed(0.9, background), 512, 'icon-maskable-512.png');
await render(composed(0.9, background), 180, 'apple-touch-icon.png');
await render(composed(1.2, null, '#ffffff'), 96, 'badge-96.png');
