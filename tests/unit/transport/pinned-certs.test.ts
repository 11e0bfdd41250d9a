import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { NodeId } from '../../../src-main/common';
import { generateKeyPair, signPayload, type KeyPair } from '../../../src-main/runtime/identity';
import { PinnedCerts } from '../../../src-main/runtime/transport';

const X = 'ed25519:x' as NodeId;
const N = 'ed25519:n' as NodeId;
const FP1 = 'sha256:' + '1'.repeat(64);
const FP2 = 'sha256:' + '2'.repeat(64);
const manifest = (kp: KeyPair, fp: string, issuedAt: string) =>
  signPayload({ node_id: kp.nodeIdFull, load: { tls_fingerprint: fp }, issued_at: issuedAt }, kp);

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('PinnedCerts', () => {
  it('record / expected / verify', () => {
    const p = new PinnedCerts();
    expect(p.expected(X)).toBeNull();
    expect(p.verify(X, FP1)).toBe(false);
    p.record(X, FP1);
    expect(p.expected(X)).toBe(FP1);
    expect(p.verify(X, FP1)).toBe(true);
    expect(p.verify(X, FP2)).toBe(false);
    expect(() => p.record(X, 'md5:abc')).toThrow(expect.objectContaining({ code: 'bad_request' }));
    expect(p.expected(X)).toBe(FP1);
    p.close();
  });

  it('trusts the first verified manifest, refuses a different certificate unless a newer manifest announces it', () => {
    const kp = generateKeyPair();
    const p = new PinnedCerts();
    expect(p.acceptManifest(manifest(kp, FP1, '2026-05-26T08:00:00Z'), FP1)).toBe('pinned');
    expect(p.acceptManifest(manifest(kp, FP1, '2026-05-26T08:00:20Z'))).toBe('unchanged');
    expect(() => p.acceptManifest(manifest(kp, FP2, '2026-05-26T08:00:10Z'))).toThrow(
      expect.objectContaining({ code: 'forbidden' }),
    );
    expect(p.expected(kp.nodeIdFull)).toBe(FP1);
    expect(p.acceptManifest(manifest(kp, FP2, '2026-05-26T09:00:00Z'))).toBe('rotated');
    expect(p.expected(kp.nodeIdFull)).toBe(FP2);
    p.close();
  });

  it('refuses manifests not signed by their node, without a fingerprint, or over a connection with another certificate', () => {
    const kp = generateKeyPair();
    const other = generateKeyPair();
    const p = new PinnedCerts();
    const forged = { ...manifest(other, FP1, '2026-05-26T08:00:00Z'), node_id: kp.nodeIdFull };
    expect(() => p.acceptManifest(forged)).toThrow(expect.objectContaining({ code: 'invalid_signature' }));
    expect(() => p.acceptManifest(signPayload({ node_id: kp.nodeIdFull, load: {}, issued_at: 'x' }, kp))).toThrow(
      expect.objectContaining({ code: 'bad_request' }),
    );
    expect(() => p.acceptManifest(manifest(kp, FP1, '2026-05-26T08:00:00Z'), FP2)).toThrow(
      expect.objectContaining({ code: 'forbidden' }),
    );
    expect(p.expected(kp.nodeIdFull)).toBeNull();
    p.close();
  });

  it('persists pins in SQLite', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hn-pins-'));
    dirs.push(dir);
    const path = join(dir, 'pins.db');
    const a = new PinnedCerts(path);
    a.record(N, FP1, '2026-05-26T08:00:00Z');
    a.close();
    const b = new PinnedCerts(path);
    expect(b.get(N)).toEqual({ nodeId: 'ed25519:n', fingerprint: FP1, issuedAt: '2026-05-26T08:00:00Z' });
    b.forget(N);
    expect(b.expected(N)).toBeNull();
    b.close();
  });
});
