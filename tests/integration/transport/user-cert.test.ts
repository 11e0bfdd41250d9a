/**
 * `[transport] tls_cert` / `tls_key`: a node serves the household's own certificate (here an RSA
 * one made with the openssl command, unlike the generated ECDSA one), announces its fingerprint in its
 * signed manifest, and a neighbour pins it and makes signed calls over it as usual. A key that is
 * not the certificate's stops the node with a ConfigError naming the key.
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrGenerateKeyPair } from '../../../src-main/runtime/identity';
import { fingerprintOfPem, loadNodeTls, PinnedCerts } from '../../../src-main/runtime/transport';
import { createMesh, waitFor, type Mesh } from '../../support/mesh';
import { ConfigError } from '../../../src-main/runtime/config';

/** A self-signed RSA certificate made the way a household would: with the openssl command. */
function makeCert(dir: string, name: string): { cert: string; key: string; pem: string } {
  const paths = { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '365', '-subj', `/CN=${name}`].concat([
      '-keyout',
      paths.key,
      '-out',
      paths.cert,
    ]),
    { stdio: 'ignore', timeout: 30_000 },
  );
  return { ...paths, pem: readFileSync(paths.cert, 'utf8') };
}

/** The DER certificate a TLS server on 127.0.0.1:`port` presents. */
function presentedCert(port: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      const raw = socket.getPeerCertificate().raw;
      socket.end();
      resolve(raw);
    });
    socket.setTimeout(10_000, () => socket.destroy(new Error('no TLS handshake within 10 s')));
    socket.on('error', reject);
  });
}

describe('a node with its own TLS certificate', () => {
  let dir: string;
  let mesh: Mesh;
  let own: { cert: string; key: string; pem: string };
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hn-user-cert-'));
    own = makeCert(dir, 'alice.example');
    mesh = await createMesh(2, {
      configure: (c, name) =>
        name === 'alice' ? { ...c, transport: { ...c.transport, tls_cert: own.cert, tls_key: own.key } } : c,
    });
    await waitFor(() => mesh.byName('bob').node.api.status().peers.length === 1, 20_000, 'bob to see alice');
  }, 60_000);
  afterAll(async () => {
    await mesh?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves exactly that certificate', async () => {
    const alice = mesh.byName('alice').node;
    const served = await presentedCert(alice.transportPort);
    expect(served.equals(new X509Certificate(own.pem).raw)).toBe(true);
  });

  it('is pinned by its neighbour, which then calls it over the pinned connection', async () => {
    const alice = mesh.byName('alice').node;
    const bob = mesh.byName('bob').node;
    const pins = new PinnedCerts(bob.files.pinnedCerts);
    try {
      expect(pins.expected(alice.kp.nodeIdFull)).toBe(fingerprintOfPem(own.pem));
    } finally {
      pins.close();
    }
    const peer = {
      nodeId: alice.kp.nodeIdFull,
      endpoint: { transport: 'https' as const, host: '127.0.0.1', port: alice.transportPort },
    };
    const reply = (await bob.client.call(peer, 'market.list', '1.0', {})) as { posts: unknown[] };
    expect(Array.isArray(reply.posts)).toBe(true);
  });

  it('a key that is not the certificate’s is refused, naming transport.tls_key', () => {
    const other = makeCert(dir, 'mallory.example');
    const kp = loadOrGenerateKeyPair(join(dir, 'keys'));
    let caught: unknown;
    try {
      loadNodeTls({ tls_cert: own.cert, tls_key: other.key }, join(dir, 'tls'), kp);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).code).toBe('config_invalid');
    expect((caught as ConfigError).message).toMatch(
      /^transport\.tls_key: .*mallory\.example\.key is not the private key/,
    );
    let unreadable: unknown;
    try {
      loadNodeTls({ tls_cert: join(dir, 'missing.crt'), tls_key: own.key }, join(dir, 'tls'), kp);
    } catch (err) {
      unreadable = err;
    }
    expect((unreadable as ConfigError).message).toMatch(
      /^transport\.tls_cert: .*missing\.crt cannot be read \(ENOENT\)/,
    );
  });
});
