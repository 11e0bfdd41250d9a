/**
 * The node's self-signed X.509 v3 certificate, described with @peculiar/asn1-x509 (the RFC 5280
 * ASN.1 schema @peculiar/x509 is built on) and serialised to DER by @peculiar/asn1-schema; signed
 * with node:crypto. Synchronous on purpose: @peculiar/x509's generator is WebCrypto-async and needs a
 * global Reflect-metadata polyfill (docs/decisions/transport.md), while the certificate is made
 * in the node's synchronous set-up. Peers pin sha256 of these DER bytes (tls.ts), so a certificate
 * already in a node home keeps its pin; only freshly made ones come from here.
 */
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import {
  AlgorithmIdentifier,
  AttributeTypeAndValue,
  AttributeValue,
  BasicConstraints,
  Certificate,
  Extension,
  Extensions,
  id_ce_basicConstraints,
  Name,
  RelativeDistinguishedName,
  SubjectPublicKeyInfo,
  TBSCertificate,
  Validity,
  Version,
} from '@peculiar/asn1-x509';
import { sign, type KeyObject } from 'node:crypto';

const ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2';
const COMMON_NAME = '2.5.4.3';

export interface SelfSignedParams {
  readonly commonName: string;
  readonly serial: Uint8Array;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** SPKI DER of the certificate's (P-256) public key. */
  readonly spkiDer: Buffer;
  readonly privateKey: KeyObject;
}

/** A fresh ArrayBuffer holding exactly `bytes` (the ASN.1 classes take ArrayBuffers). */
function arrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return Uint8Array.from(bytes).buffer;
}

/**
 * The bytes of a positive DER INTEGER with this big-endian value: no leading zero byte unless the
 * next byte's top bit is set (it would read as a sign). DER allows no other padding: a random
 * serial starting 0x00 0x00–0x7f (1 in 512) made a certificate OpenSSL refuses ("illegal padding"),
 * and the node could not start.
 */
export function derPositiveInteger(bytes: Uint8Array): Uint8Array {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  const minimal = bytes.subarray(i);
  const top = minimal.at(0);
  if (top === undefined) return Uint8Array.of(0);
  return top >= 0x80 ? Uint8Array.of(0, ...minimal) : minimal;
}

function nameOf(cn: string): Name {
  const cnAttr = new AttributeTypeAndValue({ type: COMMON_NAME, value: new AttributeValue({ utf8String: cn }) });
  return new Name([new RelativeDistinguishedName([cnAttr])]);
}

/** DER bytes of a self-signed ECDSA-SHA256 certificate (end entity: critical basicConstraints, cA false). */
export function selfSignedCertDer(p: SelfSignedParams): Buffer {
  const alg = new AlgorithmIdentifier({ algorithm: ECDSA_WITH_SHA256 });
  const name = nameOf(p.commonName);
  const serial = derPositiveInteger(p.serial);
  const basic = new Extension({
    extnID: id_ce_basicConstraints,
    critical: true,
    extnValue: new OctetString(AsnConvert.serialize(new BasicConstraints({ cA: false }))),
  });
  const tbs = new TBSCertificate({
    version: Version.v3,
    serialNumber: arrayBuffer(serial),
    signature: alg,
    issuer: name,
    subject: name,
    validity: new Validity({ notBefore: p.notBefore, notAfter: p.notAfter }),
    subjectPublicKeyInfo: AsnConvert.parse(p.spkiDer, SubjectPublicKeyInfo),
    extensions: new Extensions([basic]),
  });
  const signature = sign('sha256', Buffer.from(AsnConvert.serialize(tbs)), { key: p.privateKey, dsaEncoding: 'der' });
  const cert = new Certificate({
    tbsCertificate: tbs,
    signatureAlgorithm: alg,
    signatureValue: arrayBuffer(signature),
  });
  return Buffer.from(AsnConvert.serialize(cert));
}

/** PEM armour for DER bytes (64-character base64 lines). */
export function derToPem(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der)
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}
