/** M02 §3.2 of ../shared/spec/hearthnet-reference.md wire format: the DNS-SD records a node publishes under `_hearthnet._tcp.local`, and their parser. */
import type { Answer } from 'dns-packet';
import { shortOf } from '../identity';

export const MDNS_SERVICE = '_hearthnet._tcp.local';
/** Record TTL in seconds (RFC 6762 §10 host-record value); 0 means goodbye. */
export const MDNS_RECORD_TTL_SECONDS = 120;
/** A DNS TXT character-string holds at most 255 bytes. */
export const TXT_STRING_MAX_BYTES = 255;

export interface MdnsIdentity {
  /** `ed25519:XXXX-XXXX-XXXX-XXXX` */
  nodeIdShort: string;
  nodeIdFull: string;
  communityIdShort: string;
  profile: string;
  /** TCP port of the node's HTTP(S) server. */
  port: number;
  capabilityNames: readonly string[];
  /** IPv4 addresses for the A records. */
  addresses: readonly string[];
}

/** `hn-XXXX-XXXX-XXXX-XXXX`: a DNS label made from the short node id (unique, < 63 bytes). */
export function instanceLabel(nodeIdShort: string): string {
  return 'hn-' + nodeIdShort.replace(/^ed25519:/, '').toLowerCase();
}

export function instanceName(nodeIdShort: string): string {
  return `${instanceLabel(nodeIdShort)}.${MDNS_SERVICE}`;
}

export function hostName(nodeIdShort: string): string {
  return `${instanceLabel(nodeIdShort)}.local`;
}

/** TXT strings: `id`, `nid`, `c`, `p`, `port`, `v`, and `caps` (comma list, cut to fit 255 bytes). */
export function txtStrings(id: MdnsIdentity): string[] {
  const out = [
    `id=${id.nodeIdShort}`,
    `nid=${id.nodeIdFull}`,
    `c=${id.communityIdShort}`,
    `p=${id.profile}`,
    `port=${id.port}`,
    'v=1',
  ];
  let caps = 'caps=';
  for (const name of id.capabilityNames) {
    const next = caps + (caps.length > 5 ? ',' : '') + name;
    if (Buffer.byteLength(next) > TXT_STRING_MAX_BYTES) break;
    caps = next;
  }
  out.push(caps);
  return out.filter((s) => Buffer.byteLength(s) <= TXT_STRING_MAX_BYTES);
}

/** PTR answer plus SRV/TXT/A records for our instance. `ttl` 0 makes it a goodbye. */
export function buildRecords(
  id: MdnsIdentity,
  ttl: number = MDNS_RECORD_TTL_SECONDS,
): { answers: Answer[]; additionals: Answer[] } {
  const instance = instanceName(id.nodeIdShort);
  const host = hostName(id.nodeIdShort);
  return {
    answers: [{ name: MDNS_SERVICE, type: 'PTR', ttl, data: instance }],
    additionals: [
      { name: instance, type: 'SRV', ttl, data: { port: id.port, target: host, priority: 0, weight: 0 } },
      { name: instance, type: 'TXT', ttl, data: txtStrings(id) },
      ...id.addresses.map((a): Answer => ({ name: host, type: 'A', ttl, data: a })),
    ],
  };
}

/** One HearthNet instance found in a response. `goodbye` when its PTR had TTL 0. */
export interface MdnsInstance {
  nodeIdFull: string;
  nodeIdShort: string;
  communityIdShort: string;
  profile: string;
  port: number;
  addresses: string[];
  capabilityNames: string[];
  goodbye: boolean;
}

/** Parse TXT data (decoded as Buffer[] by dns-packet, or strings when built locally) to key=value. */
export function parseTxt(data: unknown): Map<string, string> {
  const out = new Map<string, string>();
  const parts = Array.isArray(data) ? data : [data];
  for (const part of parts) {
    const s = Buffer.isBuffer(part) ? part.toString('utf8') : typeof part === 'string' ? part : '';
    const eq = s.indexOf('=');
    if (eq > 0) out.set(s.slice(0, eq), s.slice(eq + 1));
  }
  return out;
}

/**
 * Every well-formed HearthNet instance in a response's answers + additionals. Instances whose
 * TXT is missing a field, has `v` != 1 or whose `id` is not the short form of `nid` are skipped.
 */
export function parseResponse(records: readonly Answer[]): MdnsInstance[] {
  const out: MdnsInstance[] = [];
  for (const ptr of records) {
    if (ptr.type !== 'PTR' || ptr.name.toLowerCase() !== MDNS_SERVICE || typeof ptr.data !== 'string') continue;
    const inst = ptr.data.toLowerCase();
    const srv = records.find((r) => r.type === 'SRV' && r.name.toLowerCase() === inst);
    const txt = records.find((r) => r.type === 'TXT' && r.name.toLowerCase() === inst);
    if (!txt) continue;
    const kv = parseTxt(txt.type === 'TXT' ? txt.data : null);
    const nid = kv.get('nid');
    const id = kv.get('id');
    const c = kv.get('c');
    const port = Number(srv && srv.type === 'SRV' ? srv.data.port : kv.get('port'));
    if (kv.get('v') !== '1' || !nid || !id || !c || !Number.isInteger(port) || port <= 0 || port > 65535) continue;
    try {
      if (shortOf(nid) !== id) continue;
    } catch {
      continue;
    }
    const target = srv && srv.type === 'SRV' ? srv.data.target.toLowerCase() : null;
    const addresses = records.flatMap((r) =>
      r.type === 'A' && target !== null && r.name.toLowerCase() === target ? [r.data] : [],
    );
    const caps = kv.get('caps');
    out.push({
      nodeIdFull: nid,
      nodeIdShort: id,
      communityIdShort: c,
      profile: kv.get('p') ?? '',
      port,
      addresses,
      capabilityNames: caps ? caps.split(',').filter(Boolean) : [],
      goodbye: (ptr.ttl ?? MDNS_RECORD_TTL_SECONDS) === 0,
    });
  }
  return out;
}
