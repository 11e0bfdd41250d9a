/**
 * Draws the app and tray icons from simple shapes and writes them as committed files:
 *   build/icon.png (1024), build/icon.ico (16-256), build/icon.icns (128-1024): the app icon, a
 *     house on a warm disc, for electron-builder;
 *   resources/tray/: per state (online, degraded, offline)
 *     macOS   tray-<state>-Template.png (16) and @2x (32): black on transparent, the menu bar tints
 *             them, so the state is in the shape: full disc, half disc, ring with a cross;
 *     Windows tray-<state>.ico with 16, 20, 24 and 32 px;
 *     Linux   tray-<state>-24.png and -22.png, in colour (green, amber, red) with the same shapes.
 * Run: npx tsx tools/make-icons.ts (deterministic: same bytes every run).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

type Rgba = readonly [number, number, number, number];
/** Coverage of the unit square [0,1]² at (x, y): 1 inside the shape, 0 outside. */
type Shape = (x: number, y: number) => number;
type Layer = { shape: Shape; color: Rgba };

const SUPERSAMPLE = 4;

// ---- PNG, ICO, ICNS encoders ------------------------------------------------------------------

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}
function png(size: number, pixels: Uint8Array): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0; // filter: none
    Buffer.from(pixels.buffer, pixels.byteOffset + y * size * 4, size * 4).copy(raw, y * (size * 4 + 1) + 1);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
/** ICO with PNG-compressed entries (Windows Vista and later). */
function ico(images: Array<{ size: number; png: Buffer }>): Buffer {
  const header = Buffer.alloc(6);
  header.writeUInt16LE(1, 2);
  header.writeUInt16LE(images.length, 4);
  let offset = 6 + 16 * images.length;
  const entries = images.map(({ size, png: data }) => {
    const e = Buffer.alloc(16);
    e[0] = size >= 256 ? 0 : size;
    e[1] = size >= 256 ? 0 : size;
    e.writeUInt16LE(1, 4); // planes
    e.writeUInt16LE(32, 6); // bits per pixel
    e.writeUInt32LE(data.length, 8);
    e.writeUInt32LE(offset, 12);
    offset += data.length;
    return e;
  });
  return Buffer.concat([header, ...entries, ...images.map((i) => i.png)]);
}
/** ICNS with PNG entries: ic07 128, ic08 256, ic09 512, ic10 1024. */
function icns(images: Array<{ type: string; png: Buffer }>): Buffer {
  const parts = images.map(({ type, png: data }) => {
    const h = Buffer.alloc(8);
    h.write(type, 0, 'ascii');
    h.writeUInt32BE(data.length + 8, 4);
    return Buffer.concat([h, data]);
  });
  const body = Buffer.concat(parts);
  const h = Buffer.alloc(8);
  h.write('icns', 0, 'ascii');
  h.writeUInt32BE(body.length + 8, 4);
  return Buffer.concat([h, body]);
}

// ---- shapes -----------------------------------------------------------------------------------

const disc =
  (cx: number, cy: number, r: number): Shape =>
  (x, y) =>
    (x - cx) ** 2 + (y - cy) ** 2 <= r * r ? 1 : 0;
const ring =
  (cx: number, cy: number, r: number, w: number): Shape =>
  (x, y) => {
    const d = Math.hypot(x - cx, y - cy);
    return d <= r && d >= r - w ? 1 : 0;
  };
const halfDisc =
  (cx: number, cy: number, r: number): Shape =>
  (x, y) =>
    x <= cx && (x - cx) ** 2 + (y - cy) ** 2 <= r * r ? 1 : 0;
const bar =
  (x0: number, y0: number, x1: number, y1: number, w: number): Shape =>
  (x, y) => {
    const dx = x1 - x0;
    const dy = y1 - y0;
    const t = Math.max(0, Math.min(1, ((x - x0) * dx + (y - y0) * dy) / (dx * dx + dy * dy)));
    return Math.hypot(x - (x0 + t * dx), y - (y0 + t * dy)) <= w / 2 ? 1 : 0;
  };
const union =
  (...shapes: Shape[]): Shape =>
  (x, y) =>
    shapes.some((s) => s(x, y) > 0) ? 1 : 0;
const rect =
  (x0: number, y0: number, x1: number, y1: number): Shape =>
  (x, y) =>
    x >= x0 && x <= x1 && y >= y0 && y <= y1 ? 1 : 0;
const triangle =
  (ax: number, ay: number, bx: number, by: number, cx: number, cy: number): Shape =>
  (x, y) => {
    const s = (px: number, py: number, qx: number, qy: number) => (x - qx) * (py - qy) - (px - qx) * (y - qy);
    const d1 = s(ax, ay, bx, by);
    const d2 = s(bx, by, cx, cy);
    const d3 = s(cx, cy, ax, ay);
    return (d1 < 0 || d2 < 0 || d3 < 0) && (d1 > 0 || d2 > 0 || d3 > 0) ? 0 : 1;
  };
const minus =
  (a: Shape, b: Shape): Shape =>
  (x, y) =>
    a(x, y) > 0 && b(x, y) === 0 ? 1 : 0;

function render(size: number, layers: readonly Layer[]): Uint8Array {
  const out = new Uint8Array(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0,
        g = 0,
        b = 0,
        a = 0;
      for (let sy = 0; sy < SUPERSAMPLE; sy++) {
        for (let sx = 0; sx < SUPERSAMPLE; sx++) {
          const x = (px + (sx + 0.5) / SUPERSAMPLE) / size;
          const y = (py + (sy + 0.5) / SUPERSAMPLE) / size;
          // Last layer on top: composite each sample "over".
          let sr = 0,
            sg = 0,
            sb = 0,
            sa = 0;
          for (const { shape, color } of layers) {
            if (!shape(x, y)) continue;
            const ca = color[3] / 255;
            sr = color[0] * ca + sr * (1 - ca);
            sg = color[1] * ca + sg * (1 - ca);
            sb = color[2] * ca + sb * (1 - ca);
            sa = ca + sa * (1 - ca);
          }
          r += sr;
          g += sg;
          b += sb;
          a += sa;
        }
      }
      const n = SUPERSAMPLE * SUPERSAMPLE;
      const i = (py * size + px) * 4;
      const alpha = a / n;
      out[i] = alpha > 0 ? Math.round(r / n / alpha) : 0;
      out[i + 1] = alpha > 0 ? Math.round(g / n / alpha) : 0;
      out[i + 2] = alpha > 0 ? Math.round(b / n / alpha) : 0;
      out[i + 3] = Math.round(alpha * 255);
    }
  }
  return out;
}

// ---- the icons ----------------------------------------------------------------------------------

export const TRAY_STATES = ['online', 'degraded', 'offline'] as const;
type TrayStateName = (typeof TRAY_STATES)[number];

/** The state's shape, in the unit square (with a margin so panels do not clip it). */
export function trayShape(state: TrayStateName): Shape {
  if (state === 'online') return disc(0.5, 0.5, 0.4);
  if (state === 'degraded') return union(ring(0.5, 0.5, 0.4, 0.11), halfDisc(0.5, 0.5, 0.4));
  return union(ring(0.5, 0.5, 0.4, 0.11), bar(0.3, 0.3, 0.7, 0.7, 0.12), bar(0.7, 0.3, 0.3, 0.7, 0.12));
}

const COLOURS: Record<TrayStateName, Rgba> = {
  online: [46, 160, 67, 255],
  degraded: [219, 150, 0, 255],
  offline: [207, 34, 46, 255],
};
const BLACK: Rgba = [0, 0, 0, 255];

function appIcon(size: number): Buffer {
  const house = union(triangle(0.24, 0.5, 0.5, 0.24, 0.76, 0.5), rect(0.32, 0.48, 0.68, 0.76));
  const door = rect(0.45, 0.6, 0.55, 0.76);
  return png(
    size,
    render(size, [
      { shape: disc(0.5, 0.5, 0.48), color: [217, 108, 40, 255] },
      { shape: minus(house, door), color: [255, 248, 238, 255] },
    ]),
  );
}

function main(): void {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const tray = join(root, 'resources/tray');
  mkdirSync(tray, { recursive: true });
  mkdirSync(join(root, 'build'), { recursive: true });
  for (const state of TRAY_STATES) {
    const shape = trayShape(state);
    writeFileSync(join(tray, `tray-${state}-Template.png`), png(16, render(16, [{ shape, color: BLACK }])));
    writeFileSync(join(tray, `tray-${state}-Template@2x.png`), png(32, render(32, [{ shape, color: BLACK }])));
    const coloured = (size: number) => png(size, render(size, [{ shape, color: COLOURS[state] }]));
    writeFileSync(
      join(tray, `tray-${state}.ico`),
      ico([16, 20, 24, 32].map((size) => ({ size, png: coloured(size) }))),
    );
    writeFileSync(join(tray, `tray-${state}-24.png`), coloured(24));
    writeFileSync(join(tray, `tray-${state}-22.png`), coloured(22));
  }
  writeFileSync(join(root, 'build/icon.png'), appIcon(1024));
  writeFileSync(
    join(root, 'build/icon.ico'),
    ico([16, 24, 32, 48, 64, 128, 256].map((size) => ({ size, png: appIcon(size) }))),
  );
  writeFileSync(
    join(root, 'build/icon.icns'),
    icns(
      [
        ['ic07', 128],
        ['ic08', 256],
        ['ic09', 512],
        ['ic10', 1024],
      ].map(([type, size]) => ({ type: type as string, png: appIcon(size as number) })),
    ),
  );
}

if (process.argv[1] && /make-icons\.ts$/.test(process.argv[1])) main();
