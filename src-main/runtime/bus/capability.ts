/** M03 §3.1 of ../shared/spec/hearthnet-reference.md: capability descriptors, their schema hash, and the manifest-facing spec. */
import { blake3 } from '@noble/hashes/blake3.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import {
  canonicalJsonBytes,
  isOneOf,
  parseVersion,
  RPC_DEFAULT_TIMEOUT_SECONDS,
  STABILITIES,
  versionString,
} from '../../common';
import type { SchemaHash, Stability, Unchecked, Version } from '../../common';
import type { CapabilitySpec } from '../identity';
import { BusError } from './errors';

export { versionString };

/** Who may call a capability. `self` = only the node itself (the household's own UI/CLI). */
export const CAPABILITY_TRUST = ['member', 'trusted', 'anchor', 'self'] as const;
export type CapabilityTrust = (typeof CAPABILITY_TRUST)[number];

/** A JSON Schema (draft 2020-12 subset that ajv understands). */
export type JsonSchema = Record<string, unknown>;

/** M03 §3.1. Field names are wire names (they appear in docs/protocol/bus.md). */
export interface CapabilityDescriptor {
  readonly name: string;
  readonly version: Version;
  readonly stability: Stability;
  readonly request_schema: JsonSchema;
  readonly response_schema: JsonSchema | null;
  readonly stream_schema: JsonSchema | null;
  /** What this instance offers (§21), e.g. `{ model, quant, ctx }` for `llm.chat`. */
  readonly params: Record<string, unknown>;
  readonly max_concurrent: number;
  readonly trust_required: CapabilityTrust;
  /** Fractions allowed (tests use short timeouts). */
  readonly timeout_seconds: number;
  readonly idempotent: boolean;
}

/** Defaults applied by `defineCapability` when a field is omitted. */
export const CAPABILITY_DEFAULTS = Object.freeze({
  stability: 'experimental',
  request_schema: { type: 'object' },
  response_schema: null,
  stream_schema: null,
  params: {},
  max_concurrent: 4,
  trust_required: 'member',
  timeout_seconds: RPC_DEFAULT_TIMEOUT_SECONDS,
  idempotent: false,
});

/** `<ns>.<verb>[.<more>]`, lowercase ASCII, digits and `_` after the first letter of each part. */
export const CAPABILITY_NAME_RE = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;

/** True when `name` is a well-formed namespaced capability name. */
export function isCapabilityName(name: unknown): name is string {
  return typeof name === 'string' && name.length <= 128 && CAPABILITY_NAME_RE.test(name);
}

/** The namespace part of a capability name (`llm` for `llm.chat`). */
export function namespaceOf(name: string): string {
  return name.slice(0, name.indexOf('.'));
}

export type CapabilityInit = Pick<CapabilityDescriptor, 'name' | 'version'> &
  Partial<Omit<CapabilityDescriptor, 'name' | 'version'>>;

/**
 * Build a frozen descriptor with defaults, checking the fields a schema cannot: the name
 * (`namespace_violation`) and the numbers and literals (`schema_invalid`).
 */
export function defineCapability(init: CapabilityInit): CapabilityDescriptor {
  const d: CapabilityDescriptor = { ...CAPABILITY_DEFAULTS, ...init };
  if (!isCapabilityName(d.name)) {
    throw new BusError(
      'namespace_violation',
      `capability name "${String(d.name)}" must look like "<namespace>.<verb>" in lowercase, e.g. "llm.chat"`,
    );
  }
  const bad = (why: string) => new BusError('schema_invalid', `capability ${d.name}: ${why}`);
  checkFields(d, bad);
  const v = d.version;
  return Object.freeze({
    ...d,
    version: Object.freeze<Version>([v[0], v[1]]),
    params: Object.freeze({ ...d.params }),
  });
}

/** The numbers and literals of a descriptor, checked as untyped: JavaScript callers and peers' specs reach here. */
function checkFields(d: Unchecked<CapabilityDescriptor>, bad: (why: string) => BusError): void {
  const v = d.version;
  if (!Array.isArray(v) || v.length !== 2 || !v.every((n) => Number.isInteger(n) && n >= 0))
    throw bad('version must be [major, minor] with non-negative integers');
  if (!isOneOf(STABILITIES, d.stability)) throw bad(`stability must be one of ${STABILITIES.join(', ')}`);
  if (!isOneOf(CAPABILITY_TRUST, d.trust_required))
    throw bad(`trust_required must be one of ${CAPABILITY_TRUST.join(', ')}`);
  if (typeof d.max_concurrent !== 'number' || !Number.isInteger(d.max_concurrent) || d.max_concurrent < 1)
    throw bad('max_concurrent must be an integer >= 1');
  if (!(typeof d.timeout_seconds === 'number' && d.timeout_seconds > 0 && Number.isFinite(d.timeout_seconds)))
    throw bad('timeout_seconds must be a positive number');
  if (typeof d.idempotent !== 'boolean') throw bad('idempotent must be true or false');
  for (const [field, s] of [
    ['request_schema', d.request_schema],
    ['response_schema', d.response_schema],
    ['stream_schema', d.stream_schema],
  ] as const) {
    if (s !== null && (typeof s !== 'object' || Array.isArray(s)))
      throw bad(`${field} must be a JSON Schema object${field === 'request_schema' ? '' : ' or null'}`);
  }
  if (d.request_schema === null) throw bad('request_schema is required');
  if (typeof d.params !== 'object' || d.params === null || Array.isArray(d.params))
    throw bad('params must be an object');
}

/** The exact object hashed by `schemaHash` (docs/protocol/bus.md shows an example). */
export function schemaHashInput(
  d: Pick<CapabilityDescriptor, 'name' | 'version' | 'request_schema' | 'response_schema' | 'stream_schema'>,
) {
  return {
    name: d.name,
    version: versionString(d.version),
    request_schema: d.request_schema,
    response_schema: d.response_schema,
    stream_schema: d.stream_schema,
  };
}

/** `blake3:<hex>` of the canonical JSON of the contract part of a descriptor. */
export function schemaHash(
  d: Pick<CapabilityDescriptor, 'name' | 'version' | 'request_schema' | 'response_schema' | 'stream_schema'>,
): SchemaHash {
  return `blake3:${bytesToHex(blake3(canonicalJsonBytes(schemaHashInput(d))))}` as SchemaHash;
}

/** The manifest subset of a descriptor (identity's CapabilitySpec). */
export function toCapabilitySpec(d: CapabilityDescriptor): CapabilitySpec {
  return {
    name: d.name,
    version: versionString(d.version),
    stability: d.stability,
    schema_hash: schemaHash(d),
    params: { ...d.params },
    max_concurrent: d.max_concurrent,
  };
}

/** `name@major.minor`, the way people and error messages name a capability. */
export function capabilityLabel(name: string, version: Version): string {
  return `${name}@${versionString(version)}`;
}

/**
 * A service's descriptor as the bus stores it: checked by `defineCapability` (name, numbers,
 * literals) and with a text version ("1.0") turned into the wire tuple.
 */
export function normaliseDescriptor(
  d: CapabilityDescriptor | (Omit<CapabilityDescriptor, 'version'> & { readonly version: string }),
): CapabilityDescriptor {
  return defineCapability({ ...d, version: typeof d.version === 'string' ? parseVersion(d.version) : d.version });
}
