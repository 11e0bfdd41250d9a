/**
 * A minimal self-signed X.509 v3 certificate in DER, built with node:crypto alone. Why not
 * @peculiar/x509: it needs a global Reflect-metadata polyfill that is not installed
 * (docs/decisions/transport.md); a self-signed ECDSA certificate is a small fixed structure.
 */
import { sign, type KeyObject } from 'node:crypto';

function len(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), len(body.length), body]);
}

const seq = (...c: Buffer[]) => tlv(0x30, ...c);

function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const out = [parts[0] * 40 + parts[1]];
  for (const p of parts.slice(2)) {
    const b7: number[] = [p & 0x7f];
    for (let v = Math.floor(p / 128); v > 0; v = Math.floor(v / 128)) b7.unshift((v & 0x7f) | 0x80);
    out.push(...b7);
  }
  return tlv(0x06, Buffer.from(out));
}

/** Positive INTEGER from big-endian bytes. */
function uint(bytes: Uint8Array): Buffer {
  let b = Buffer.from(bytes);
  while (b.length > 1 && b[0] === 0 && b[1] < 0x80) b = b.subarray(1);
  if (b[0] >= 0x80) b = Buffer.concat([Buffer.from([0]), b]);
  return tlv(0x02, b);
}

/** UTCTime before 2050, GeneralizedTime from 2050 (RFC 5280 §4.1.2.5 of ../shared/spec/hearthnet-reference.md). */
function time(d: Date): Buffer {
  const iso = d.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z';
  return d.getUTCFullYear() < 2050
    ? tlv(0x17, Buffer.from(iso.slice(2), 'ascii'))
    : tlv(0x18, Buffer.from(iso, 'ascii'));
}

function name(cn: string): Buffer {
  return seq(tlv(0x31, seq(oid('2.5.4.3'), tlv(0x0c, Buffer.from(cn, 'utf8')))));
}

const ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2';
const BASIC_CONSTRAINTS = '2.5.29.19';

export interface SelfSignedParams {
  readonly commonName: string;
  readonly serial: Uint8Array;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** SPKI DER of the certificate's (P-256) public key. */
  readonly spkiDer: Buffer;
  readonly privateKey: KeyObject;
}

/** DER bytes of a self-signed ECDSA-SHA256 certificate (end entity: basicConstraints cA=false). */
export function selfSignedCertDer(p: SelfSignedParams): Buffer {
  const alg = seq(oid(ECDSA_WITH_SHA256));
  const ext = tlv(0xa3, seq(seq(oid(BASIC_CONSTRAINTS), tlv(0x01, Buffer.from([0xff])), tlv(0x04, seq()))));
  const tbs = seq(
    tlv(0xa0, tlv(0x02, Buffer.from([2]))),
    uint(p.serial),
    alg,
    name(p.commonName),
    seq(time(p.notBefore), time(p.notAfter)),
    name(p.commonName),
    p.spkiDer,
    ext,
  );
  const sig = sign('sha256', tbs, { key: p.privateKey, dsaEncoding: 'der' });
  return seq(tbs, alg, tlv(0x03, Buffer.from([0]), sig));
}

export function derToPem(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der)
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}
