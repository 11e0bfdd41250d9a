import { describe, expect, it } from 'vitest';
import { MANIFEST_TTL_SECONDS } from '../../../src-main/common';
import {
  buildNodeManifest,
  detectHardware,
  generateKeyPair,
  isNodeManifestExpired,
  parseNodeManifest,
  signPayload,
  verifyNodeManifest,
  type KeyPair,
  type NodeManifest,
} from '../../../src-main/runtime/identity';
import { IdentityError } from '../../../src-main/runtime/identity';

const NOW = new Date('2026-05-26T08:14:22.500Z');
const root = generateKeyPair();

function build(kp: KeyPair = generateKeyPair(), now = NOW): NodeManifest {
  return buildNodeManifest({
    kp,
    communityId: root.nodeIdFull,
    displayName: 'Kitchen laptop',
    profile: 'hearth',
    endpoints: [{ transport: 'https', host: '192.168.1.20', port: 7443 }],
    hardware: { gpu: null, vram_gb: 0, ram_gb: 15.5, cpu_cores: 8, disk_free_gb: 120.3 },
    capabilities: [
      {
        name: 'llm.chat',
        version: '1.0',
        stability: 'beta',
        schema_hash: 'blake3:ab',
        params: { models: ['qwen'] },
        max_concurrent: 2,
      },
    ],
    uptimeSeconds: 3600.7,
    load: { mode: 'online', cpu: 0.25 },
    now,
  });
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(IdentityError);
    return (err as IdentityError).code;
  }
  throw new Error('expected a throw');
}

describe('node manifest', () => {
  it('builds a signed version-1 manifest that verifies and round-trips through JSON bytes', () => {
    const kp = generateKeyPair();
    const m = build(kp);
    expect(m.version).toBe(1);
    expect(m.contract_version).toBe('1.0');
    expect(m.node_id).toBe(kp.nodeIdFull);
    expect(m.issued_at).toBe('2026-05-26T08:14:22Z');
    expect(m.expires_at).toBe('2026-05-26T08:14:52Z');
    expect(m.uptime_seconds).toBe(3600);
    expect(m.signature).toMatch(/^ed25519:[A-Za-z0-9_-]{86}$/);
    expect(() => verifyNodeManifest(m, { now: NOW })).not.toThrow();
    const again = parseNodeManifest(new TextEncoder().encode(JSON.stringify(m)));
    expect(again).toEqual(m);
    expect(() => verifyNodeManifest(again, { now: NOW })).not.toThrow();
    expect(parseNodeManifest(JSON.stringify(m))).toEqual(m);
  });

  it('rejects any tampered field as invalid_signature', () => {
    const m = build();
    const tampered: Partial<Record<keyof NodeManifest, unknown>> = {
      display_name: 'Evil',
      profile: 'anchor',
      uptime_seconds: 1,
      endpoints: [{ transport: 'https', host: '10.0.0.66', port: 7443 }],
      hardware: { ...m.hardware, ram_gb: 512 },
      load: { mode: 'offline' },
      expires_at: '2030-01-01T00:00:00Z',
    };
    for (const [k, v] of Object.entries(tampered)) {
      const bad = parseNodeManifest({ ...m, [k]: v });
      expect(
        codeOf(() => verifyNodeManifest(bad, { now: NOW })),
        k,
      ).toBe('invalid_signature');
    }
  });

  it('rejects a manifest signed by another key than its node_id', () => {
    const m = build();
    const { signature: _s, ...body } = m;
    const forged = parseNodeManifest(signPayload(body as Record<string, unknown>, generateKeyPair()));
    expect(codeOf(() => verifyNodeManifest(forged, { now: NOW }))).toBe('invalid_signature');
  });

  it('expires after MANIFEST_TTL_SECONDS by the injected clock', () => {
    const m = build();
    const at = (s: number) => new Date(Date.parse('2026-05-26T08:14:22Z') + s * 1000);
    expect(isNodeManifestExpired(m, at(MANIFEST_TTL_SECONDS - 1))).toBe(false);
    expect(isNodeManifestExpired(m, at(MANIFEST_TTL_SECONDS))).toBe(true);
    expect(() => verifyNodeManifest(m, { now: at(MANIFEST_TTL_SECONDS - 1) })).not.toThrow();
    const err = (() => {
      try {
        verifyNodeManifest(m, { now: at(MANIFEST_TTL_SECONDS + 5) });
      } catch (e) {
        return e as IdentityError;
      }
    })();
    expect(err?.code).toBe('expired');
    expect(err?.wireCode).toBe('expired');
  });

  it('names the bad field for bad shapes', () => {
    const m = build() as unknown as Record<string, unknown>;
    const cases: Array<[Record<string, unknown> | string, string]> = [
      [{ ...m, version: 2 }, 'version'],
      [{ ...m, node_id: 'ed25519:ABCD-EFGH-JKLM-NPQR' }, 'node_id'],
      [{ ...m, community_id: 42 }, 'community_id'],
      [{ ...m, profile: 'server' }, 'profile'],
      [{ ...m, endpoints: [{ transport: 'https', host: 'x', port: 70000 }] }, 'endpoints[0].port'],
      [{ ...m, endpoints: 'here' }, 'endpoints'],
      [{ ...m, hardware: { ...(m.hardware as object), cpu_cores: 1.5 } }, 'hardware.cpu_cores'],
      [{ ...m, hardware: { ...(m.hardware as object), extra: 1 } }, 'hardware.extra'],
      [
        { ...m, capabilities: [{ ...(m.capabilities as object[])[0], stability: 'gold' }] },
        'capabilities[0].stability',
      ],
      [{ ...m, capabilities: [{ ...(m.capabilities as object[])[0], version: 'one' }] }, 'capabilities[0].version'],
      [{ ...m, issued_at: '2026-05-26 08:14:22' }, 'issued_at'],
      [{ ...m, expires_at: m.issued_at }, 'expires_at'],
      [{ ...m, load: [] }, 'load'],
      [{ ...m, signature: 'rsa:abc' }, 'signature'],
      [{ ...m, surprise: true }, 'surprise'],
      [(({ display_name: _d, ...rest }) => rest)(m), 'display_name'],
      ['{not json', '$'],
      ['[1,2]', '$'],
    ];
    for (const [input, field] of cases) {
      try {
        parseNodeManifest(input);
        throw new Error(`accepted bad ${field}`);
      } catch (err) {
        expect(err, field).toBeInstanceOf(IdentityError);
        expect((err as IdentityError).code, field).toBe('bad_manifest');
        expect((err as IdentityError).details.field, field).toBe(field);
        expect((err as IdentityError).message).toContain(field);
      }
    }
  });

  it('detectHardware reports this machine', () => {
    const hw = detectHardware({ dataDir: process.cwd() });
    expect(hw.cpu_cores).toBeGreaterThan(0);
    expect(hw.ram_gb).toBeGreaterThan(0);
    expect(hw.disk_free_gb).toBeGreaterThan(0);
    expect(detectHardware({ dataDir: '/no/such/dir' }).disk_free_gb).toBe(0);
  });
});
