/** Capability tokens (§5 of ../shared/spec/hearthnet-reference.md tokens.py): "issuer lets subject use capability until expires_at", signed. */
import { randomBytes } from 'node:crypto';
import { toWallClock, type NodeId, type WallClock } from '../../common';
import { DEFAULT_CAPABILITY_TOKEN_TTL_SECONDS } from './community-policy';
import type { KeyPair } from './keys';
import { toBase64Url } from './node-id';
import { compileSchema, type Check } from '../schema';
import { CapabilityTokenSchema } from './community-schemas';
import { wallClockAfter, wallClockMs } from './wall-clock';
import { readWith, type ShapeFail } from './wire-read';
import { signPayload, verifyPayload } from './signing';
import { IdentityError } from './errors';

/** Tolerated clock difference between issuer and verifier for `issued_at` in the future. */
export const TOKEN_CLOCK_SKEW_SECONDS = 300;
const NONCE_BYTES = 16;

export type CapabilityToken = {
  readonly issuer: NodeId;
  readonly subject: NodeId;
  /** e.g. `llm.chat` or `llm.chat@1.0`; compared exactly. */
  readonly capability: string;
  readonly issued_at: WallClock;
  readonly expires_at: WallClock;
  /** 16 random bytes, base64url: two grants with equal fields still differ. */
  readonly nonce: string;
  readonly signature: string;
};

/** Issues a token signed by `issuerKp`, valid `ttlSeconds` (default one day) from `now`. */
export function issueToken(
  issuerKp: KeyPair,
  subjectNodeId: string,
  capability: string,
  ttlSeconds = DEFAULT_CAPABILITY_TOKEN_TTL_SECONDS,
  now: Date = new Date(),
): CapabilityToken {
  if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0)
    throw new IdentityError(
      'sign_failed',
      `token lifetime must be a positive whole number of seconds, got ${ttlSeconds}`,
    );
  const body = {
    issuer: issuerKp.nodeIdFull,
    subject: subjectNodeId as NodeId,
    capability,
    issued_at: toWallClock(now),
    expires_at: wallClockAfter(now, ttlSeconds),
    nonce: toBase64Url(new Uint8Array(randomBytes(NONCE_BYTES))),
  };
  return readToken(signPayload(body, issuerKp), (field, problem) => {
    throw new IdentityError('sign_failed', `cannot issue token: ${field} ${problem}`, { details: { field } });
  });
}

const checkToken: Check<CapabilityToken> = compileSchema(CapabilityTokenSchema);

/** A clean copy of a well-formed token, or `fail` naming its first bad field. */
function readToken(v: unknown, fail: ShapeFail): CapabilityToken {
  return { ...readWith(checkToken, v, fail) };
}

export interface VerifyTokenOptions {
  now?: Date;
  /** When given, the token must be for this node. */
  subject?: string;
  /** When given, the token must grant exactly this capability. */
  capability?: string;
}

/**
 * Checks a token: well-formed and from `expectedIssuer` ('verify_failed'), signed by it
 * ('invalid_signature'), not expired ('expired'), not issued in the future beyond
 * TOKEN_CLOCK_SKEW_SECONDS, and for the given subject/capability ('verify_failed').
 */
export function verifyToken(token: CapabilityToken, expectedIssuer: string, opts: VerifyTokenOptions = {}): void {
  const t = readToken(token, (field, problem) => {
    throw new IdentityError('verify_failed', `capability token is malformed: "${field}" ${problem}`, {
      details: { field },
    });
  });
  const now = (opts.now ?? new Date()).getTime();
  const mismatch = (what: string, want: string, got: string) => {
    throw new IdentityError('verify_failed', `capability token ${what} is ${got}, expected ${want}`, {
      details: { [what]: got },
    });
  };
  if (t.issuer !== expectedIssuer) mismatch('issuer', expectedIssuer, t.issuer);
  if (!verifyPayload(t, t.issuer)) {
    throw new IdentityError(
      'invalid_signature',
      `capability token for ${t.capability} is not signed by ${t.issuer} (tampered or forged)`,
    );
  }
  if (now >= wallClockMs(t.expires_at))
    throw new IdentityError('expired', `capability token for ${t.capability} expired at ${t.expires_at}`, {
      details: { expires_at: t.expires_at },
    });
  if (wallClockMs(t.issued_at) > now + TOKEN_CLOCK_SKEW_SECONDS * 1000)
    mismatch('issued_at', 'a time not in the future (check the clocks)', t.issued_at);
  if (opts.subject !== undefined && t.subject !== opts.subject) mismatch('subject', opts.subject, t.subject);
  if (opts.capability !== undefined && t.capability !== opts.capability)
    mismatch('capability', opts.capability, t.capability);
}
