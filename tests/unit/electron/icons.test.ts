/** The committed icons (tools/make-icons.ts) are there for every tray state and platform, at the sizes each platform draws. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { trayIconFile } from '../../../src-main/electron/tray-state';

const root = join(__dirname, '../../..');
const pngSize = (buf: Buffer) => ({ w: buf.readUInt32BE(16), h: buf.readUInt32BE(20), rgba: buf[25] === 6 });
function icoSizes(buf: Buffer): number[] {
  expect(buf.readUInt16LE(2)).toBe(1);
  return Array.from({ length: buf.readUInt16LE(4) }, (_, i) => buf[6 + 16 * i] || 256);
}
/** Fraction of opaque pixels is not checkable without decoding; the alpha channel and sizes are. */
describe('icons', () => {
  for (const mode of ['online', 'degraded', 'offline'] as const) {
    it(`${mode}: a macOS template pair, a Windows .ico of 16-32 px, Linux PNGs of 22 and 24 px`, () => {
      const tray = (f: string) => readFileSync(join(root, 'resources/tray', f));
      expect(trayIconFile(mode, 'darwin')).toBe(`tray-${mode}-Template.png`);
      expect(pngSize(tray(`tray-${mode}-Template.png`))).toEqual({ w: 16, h: 16, rgba: true });
      expect(pngSize(tray(`tray-${mode}-Template@2x.png`))).toEqual({ w: 32, h: 32, rgba: true });
      expect(icoSizes(tray(trayIconFile(mode, 'win32')))).toEqual([16, 20, 24, 32]);
      expect(pngSize(tray(trayIconFile(mode, 'linux')))).toEqual({ w: 24, h: 24, rgba: true });
      expect(pngSize(tray(`tray-${mode}-22.png`))).toEqual({ w: 22, h: 22, rgba: true });
    });
  }

  it('the three states differ in shape, not only colour (the macOS images are black on transparent)', () => {
    const bytes = ['online', 'degraded', 'offline'].map((m) =>
      readFileSync(join(root, 'resources/tray', `tray-${m}-Template.png`)).toString('hex'),
    );
    expect(new Set(bytes).size).toBe(3);
  });

  it('the app icon exists as .png (1024), .ico (16-256) and .icns', () => {
    expect(pngSize(readFileSync(join(root, 'build/icon.png')))).toEqual({ w: 1024, h: 1024, rgba: true });
    expect(icoSizes(readFileSync(join(root, 'build/icon.ico')))).toEqual([16, 24, 32, 48, 64, 128, 256]);
    expect(readFileSync(join(root, 'build/icon.icns')).subarray(0, 4).toString('ascii')).toBe('icns');
  });
});
