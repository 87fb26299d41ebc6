/**
 * A video file for Chromium's fake camera (`--use-file-for-fake-video-capture=<file>.y4m`):
 * the given RGBA image (e.g. a screenshot of the rendered QR code), centred on a white frame,
 * as a few identical 4:2:0 frames (Chromium loops the file).
 */
import { writeFileSync } from 'node:fs';

export interface Rgba {
  width: number;
  height: number;
  data: Uint8Array;
}

export function writeY4m(file: string, image: Rgba, width = 640, height = 480, frames = 5): void {
  if (image.width > width || image.height > height) throw new Error('image larger than the video frame');
  const luma = new Uint8Array(width * height).fill(255);
  const x0 = Math.floor((width - image.width) / 2);
  const y0 = Math.floor((height - image.height) / 2);
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      const i = 4 * (y * image.width + x);
      const l = 0.299 * image.data[i]! + 0.587 * image.data[i + 1]! + 0.114 * image.data[i + 2]!;
      luma[(y0 + y) * width + x0 + x] = Math.round(l);
    }
  }
  const chroma = new Uint8Array((width / 2) * (height / 2)).fill(128);
  const header = Buffer.from(`YUV4MPEG2 W${width} H${height} F10:1 Ip A1:1 C420jpeg\n`);
  const frame = Buffer.concat([Buffer.from('FRAME\n'), luma, chroma, chroma]);
  writeFileSync(file, Buffer.concat([header, ...Array.from({ length: frames }, () => frame)]));
}
