/**
 * What can be checked of the desktop build without Electron's binary: the electron-vite output (ESM
 * main, CommonJS preload, renderer with its CSP), electron-builder.yml against electron-builder's
 * own JSON schema, and a real packaging run (`electron-builder --linux dir`) with a stand-in for
 * the Electron binary, whose file lists are then checked: the app code in app.asar, native modules
 * unpacked, only linux-x64 binaries, no devDependencies, the tray icons beside it.
 */
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listPackage } from '@electron/asar';
import Ajv from 'ajv';
import { load as parseYaml } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = join(__dirname, '../../..');
const out = join(root, 'out');
let scratch: string;

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'hn-package-'));
  if (!existsSync(join(out, 'main/index.js')) || !existsSync(join(out, 'preload/index.cjs'))) {
    const build = spawnSync(
      process.execPath,
      [join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'],
      { cwd: root, encoding: 'utf8', timeout: 240_000 },
    );
    if (build.status !== 0) throw new Error(`electron-vite build failed:\n${build.stdout}\n${build.stderr}`);
  }
}, 300_000);

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

function builderConfig(): Record<string, unknown> {
  return parseYaml(readFileSync(join(root, 'electron-builder.yml'), 'utf8')) as Record<string, unknown>;
}

describe('electron-vite build output', () => {
  it('main is an ES module, the preload CommonJS that requires only electron, the renderer carries the CSP', () => {
    const main = readFileSync(join(out, 'main/index.js'), 'utf8');
    expect(main.startsWith('import ')).toBe(true);
    expect(main).not.toMatch(/^"use strict"|module\.exports|exports\.\w+ =/m);
    const preload = readFileSync(join(out, 'preload/index.cjs'), 'utf8');
    expect(preload.startsWith('"use strict"')).toBe(true);
    expect(preload).not.toMatch(/^import |^export /m);
    expect([...preload.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1])).toEqual(['electron']);
    expect(preload).toContain('exposeInMainWorld');
    const html = readFileSync(join(out, 'renderer/index.html'), 'utf8');
    expect(html).toMatch(/Content-Security-Policy[^>]*script-src 'self' 'wasm-unsafe-eval'/);
    expect(html).not.toMatch(/src="https?:/);
  });
});

describe('electron-builder.yml', () => {
  it('is valid against electron-builder’s schema and names every installer and native-module rule', () => {
    const schema = JSON.parse(readFileSync(join(root, 'node_modules/app-builder-lib/scheme.json'), 'utf8')) as object;
    const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);
    const config = builderConfig();
    expect(validate(config), JSON.stringify(validate.errors, null, 2)).toBe(true);
    const targets = (k: string) => (config[k] as { target: Array<{ target: string }> }).target.map((t) => t.target);
    expect(targets('mac')).toEqual(['dmg']);
    expect(targets('win')).toEqual(['nsis']);
    expect(targets('linux')).toEqual(['AppImage', 'deb']);
    expect(config.asarUnpack).toEqual(
      expect.arrayContaining([
        'node_modules/better-sqlite3/**',
        'node_modules/@node-llama-cpp/**',
        'node_modules/onnxruntime-node/bin/**',
      ]),
    );
    expect((config.protocols as Array<{ schemes: string[] }>)[0].schemes).toEqual(['hearthnet']);
    expect((config.mac as { extendInfo: Record<string, string> }).extendInfo.NSCameraUsageDescription).toMatch(
      /camera/,
    );
    for (const icon of ['build/icon.icns', 'build/icon.ico', 'build/icon.png', 'build/entitlements.mac.plist'])
      expect(existsSync(join(root, icon)), icon).toBe(true);
  });
});

describe('release workflow', () => {
  it('builds on macOS, Windows and Linux with plain electron-builder and uploads the installers', () => {
    const wf = parseYaml(readFileSync(join(root, '.github/workflows/release.yml'), 'utf8')) as {
      jobs: {
        installers: {
          strategy: { matrix: { include: Array<{ os: string; artifacts: string }> } };
          steps: Array<{ run?: string; uses?: string }>;
        };
      };
    };
    const job = wf.jobs.installers;
    const oses = job.strategy.matrix.include.map((m) => m.os);
    expect(oses.some((o) => o.startsWith('macos'))).toBe(true);
    expect(oses.some((o) => o.startsWith('windows'))).toBe(true);
    expect(oses.some((o) => o.startsWith('ubuntu'))).toBe(true);
    expect(job.strategy.matrix.include.map((m) => m.artifacts).join(' ')).toMatch(
      /\.dmg[\s\S]*\.exe[\s\S]*\.AppImage[\s\S]*\.deb/,
    );
    expect(job.steps.map((s) => s.run)).toContain('npx electron-builder --publish never');
    expect(job.steps.some((s) => s.uses?.startsWith('actions/upload-artifact'))).toBe(true);
  });
});

describe('packaging dry run (stand-in Electron binary)', () => {
  it('packs the app code into app.asar, unpacks native modules, keeps only linux-x64 binaries and no devDependencies', () => {
    const electronDist = join(scratch, 'electron-dist');
    mkdirSync(electronDist, { recursive: true });
    writeFileSync(join(electronDist, 'electron'), '#!/bin/sh\necho "stand-in for the Electron binary"\n');
    chmodSync(join(electronDist, 'electron'), 0o755);
    writeFileSync(
      join(electronDist, 'version'),
      readFileSync(join(root, 'node_modules/electron/package.json'), 'utf8').match(/"version": "([^"]+)"/)![1],
    );
    const output = join(scratch, 'release');
    const run = spawnSync(
      process.execPath,
      [
        join(root, 'node_modules/electron-builder/cli.js'),
        '--linux',
        'dir',
        '--x64',
        '--publish',
        'never',
        `-c.electronDist=${electronDist}`,
        '-c.npmRebuild=false',
        `-c.directories.output=${output}`,
      ],
      { cwd: root, encoding: 'utf8', timeout: 400_000, env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' } },
    );
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    const app = join(output, 'linux-unpacked');
    expect(existsSync(join(app, 'hearthnet'))).toBe(true);
    const asar = listPackage(join(app, 'resources/app.asar'), { isPack: false }).map((p) => p.replace(/\\/g, '/'));
    for (const f of ['/out/main/index.js', '/out/preload/index.cjs', '/out/renderer/index.html', '/package.json'])
      expect(asar, f).toContain(f);
    for (const dev of ['electron', 'vitest', 'typescript', 'electron-builder', 'tsx', 'esbuild']) {
      expect(asar.filter((p) => p.startsWith(`/node_modules/${dev}/`)).slice(0, 3), dev).toEqual([]);
    }
    expect(asar.some((p) => p.endsWith('.map'))).toBe(false);
    const unpacked = join(app, 'resources/app.asar.unpacked/node_modules');
    expect(existsSync(join(unpacked, 'better-sqlite3/build/Release/better_sqlite3.node'))).toBe(true);
    expect(readdirSync(join(unpacked, '@node-llama-cpp')).every((d) => d.startsWith('linux-x64'))).toBe(true);
    expect(readdirSync(join(unpacked, 'onnxruntime-node/bin/napi-v6'))).toEqual(['linux']);
    expect(readdirSync(join(unpacked, 'onnxruntime-node/bin/napi-v6/linux'))).toEqual(['x64']);
    expect(readdirSync(join(app, 'resources/tray')).sort()).toEqual(readdirSync(join(root, 'resources/tray')).sort());
  }, 420_000);
});
