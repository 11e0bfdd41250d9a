/**
 * A Y4M video (what Chromium's fake camera plays: `--use-file-for-fake-video-capture`) showing one
 * grey image centred on white, written directly (4:2:0, neutral chroma), so no ffmpeg is needed.
 */
import { writeFileSync } from 'node:fs';

export function writeStillY4m(
  path: string,
  gray: Uint8Array,
  width: number,
  height: number,
  opts: { frameW?: number; frameH?: number; frames?: number } = {},
): void {
  const fw = opts.frameW ?? 640;
  const fh = opts.frameH ?? 480;
  if (width > fw || height > fh) throw new Error(`image ${width}x${height} does not fit a ${fw}x${fh} frame`);
  const y = Buffer.alloc(fw * fh, 235);
  const x0 = Math.floor((fw - width) / 2);
  const y0 = Math.floor((fh - height) / 2);
  for (let row = 0; row < height; row++) {
    for (let col = 0; col < width; col++)
      y[(y0 + row) * fw + x0 + col] = 16 + Math.round((gray[row * width + col] * 219) / 255);
  }
  const chroma = Buffer.alloc((fw / 2) * (fh / 2) * 2, 128);
  const frame = Buffer.concat([Buffer.from('FRAME\n'), y, chroma]);
  const header = Buffer.from(`YUV4MPEG2 W${fw} H${fh} F10:1 Ip A1:1 C420jpeg\n`);
  writeFileSync(path, Buffer.concat([header, ...Array.from({ length: opts.frames ?? 5 }, () => frame)]));
}
