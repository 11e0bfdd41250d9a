import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { memoryLogger } from '../../support/memory-logger';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../../src-main/runtime/identity';
import { KNOWN_ENDPOINTS_PER_NODE, KnownPeers } from '../../../src-main/runtime/discovery';

const dirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'hn-known-'));
  dirs.push(d);
  return join(d, 'sub', 'known-peers.json');
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('KnownPeers', () => {
  it('persists worked endpoints, bootstrap and manual entries across instances', () => {
    const path = tmp();
    const a = generateKeyPair().nodeIdFull;
    let t = 1000;
    const k1 = new KnownPeers(path, { now: () => t, transport: 'http' });
    k1.recordSuccess(a, { transport: 'http', host: '10.0.0.2', port: 8443 }, 'Kitchen');
    t = 2000;
    k1.recordSuccess(a, { transport: 'http', host: '10.0.0.3', port: 8443 });
    k1.addBootstrap([{ transport: 'https', host: '10.0.0.9', port: 8443 }]);
    expect(k1.addManual('192.168.1.20', 8443)).toEqual({ transport: 'http', host: '192.168.1.20', port: 8443 });
    k1.addManual('192.168.1.20', 8443); // duplicate ignored

    const k2 = new KnownPeers(path);
    expect(k2.endpointsOf(a)).toEqual([
      { transport: 'http', host: '10.0.0.3', port: 8443, last_ok: 2000 },
      { transport: 'http', host: '10.0.0.2', port: 8443, last_ok: 1000 },
    ]);
    expect(k2.snapshot().nodes[a].display_name).toBe('Kitchen');
    expect(k2.targets().map((x) => `${x.source}:${x.endpoint.host}`)).toEqual([
      'manual:192.168.1.20',
      'invite:10.0.0.9',
      'cache:10.0.0.3',
      'cache:10.0.0.2',
    ]);
    expect(k2.targets().find((x) => x.source === 'cache')?.nodeIdFull).toBe(a);
    // Atomic write leaves no temp files behind.
    expect(readdirSync(join(path, '..'))).toEqual(['known-peers.json']);
  });

  it('bounds endpoints per node', () => {
    const k = new KnownPeers(null);
    const a = generateKeyPair().nodeIdFull;
    for (let i = 0; i < 10; i++) k.recordSuccess(a, { transport: 'https', host: `10.0.0.${i}`, port: 1 });
    expect(k.endpointsOf(a)).toHaveLength(KNOWN_ENDPOINTS_PER_NODE);
    expect(k.endpointsOf(a)[0].host).toBe('10.0.0.9');
  });

  it('moves a corrupt file aside instead of deleting it, and starts empty', () => {
    const path = tmp();
    new KnownPeers(path).addManual('10.0.0.1', 1); // creates the folder
    writeFileSync(path, '{ not json');
    const { log, records } = memoryLogger('discovery');
    const k = new KnownPeers(path, { now: () => 42, log });
    expect(k.targets()).toEqual([]);
    expect(readFileSync(`${path}.corrupt-42`, 'utf8')).toBe('{ not json');
    expect(existsSync(path)).toBe(false);
    expect(records.filter((r) => r.level === 'warn')).toHaveLength(1);
  });

  it('removeManual and forget change only what they name', () => {
    const path = tmp();
    const k = new KnownPeers(path);
    const a = generateKeyPair().nodeIdFull;
    k.addManual('10.0.0.1', 1);
    k.recordSuccess(a, { transport: 'https', host: '10.0.0.5', port: 1 });
    expect(k.removeManual('10.0.0.2', 1)).toBe(false);
    expect(k.removeManual('10.0.0.1', 1)).toBe(true);
    k.forget(a);
    expect(new KnownPeers(path).targets()).toEqual([]);
  });
});
