#!/usr/bin/env node
// Renders public/icons/icon.svg to the PNG icons the web app manifest lists. Run by hand after
// changing the SVG; the PNGs are committed. Uses sharp (installed with miniflare/wrangler).
import { join } from 'node:path';
import sharp from 'sharp';
import { ROOT } from './steps.mjs';

const svg = join(ROOT, 'public/icons/icon.svg');
for (const size of [192, 512]) {
  // The artwork keeps its content inside the central 60 %, so one file serves "any" and "maskable".
  await sharp(svg, { density: 300 }).resize(size, size).png({ compressionLevel: 9 }).toFile(join(ROOT, `public/icons/icon-${size}.png`));
}
await sharp(svg, { density: 300 }).resize(180, 180).png({ compressionLevel: 9 }).toFile(join(ROOT, 'public/icons/apple-touch-icon.png'));
console.log('icons written to public/icons/');
