/**
 * One-scan join codes (docs/protocol/join-code.md): a short `hearthnet://join/v1?...` link that
 * names the inviter's node and addresses and carries a 128-bit secret. Whoever holds it may ask
 * the inviter's node, once and before it expires, for an invite bound to their own node id.
 * This file is the text form and the proof; the inviter's book of open codes is `join-code-book.ts`.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { canonicalJson } from '../../common';
import { isFullNodeId, type Endpoint } from '../identity';
import { OnboardingError } from './errors';

export const JOIN_CODE_PREFIX = 'hearthnet://join/v1?';
/** QR codes above this many characters get hard for phone cameras to read. */
export const MAX_JOIN_CODE_CHARS = 250;
/** Join codes live 15 minutes unless the inviter says otherwise. */
export const DEFAULT_JOIN_CODE_TTL_SECONDS = 900;
/** Longest a join code may live: it is a bearer secret. */
export const MAX_JOIN_CODE_TTL_SECONDS = 86_400;
const SECRET_BYTES = 16;
const PROOF_PURPOSE = 'hearthnet-join/v1';

export interface JoinCode {
  /** The inviter's full node id: the joiner pins the inviter's certificate from its signed manifest. */
  readonly inviter: string;
  /** 16 random bytes, base64url (22 characters). */
  readonly secret: string;
  /** Unix seconds; the inviter's own record is what counts, this lets the joiner fail early. */
  readonly expiresAt: number;
  readonly addresses: readonly { host: string; port: number }[];
}

function bad(message: string): never {
  throw new OnboardingError('join_code_invalid', message);
}

export function newJoinSecret(): string {
  return randomBytes(SECRET_BYTES).toString('base64url');
}

/** Whether `text` holds a join code (as opposed to a bound `hearthnet://v1/...` invite). */
export function looksLikeJoinCode(text: string): boolean {
  return text.toLowerCase().includes('hearthnet://join/');
}

function formatAddress(a: { host: string; port: number }): string {
  return a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}

/**
 * `hearthnet://join/v1?n=<inviter key>&s=<secret>&e=<unix s>&a=<host:port>,...`. Addresses that
 * would push the text past MAX_JOIN_CODE_CHARS are left out (the first always stays).
 */
export function encodeJoinCode(code: JoinCode): string {
  const key = code.inviter.replace(/^ed25519:/, '');
  let text = `${JOIN_CODE_PREFIX}n=${key}&s=${code.secret}&e=${code.expiresAt}&a=`;
  code.addresses.forEach((a, i) => {
    const part = (i ? ',' : '') + formatAddress(a);
    if (i === 0 || text.length + part.length <= MAX_JOIN_CODE_CHARS) text += part;
  });
  return text;
}

function parseAddress(s: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(s);
  const port = m ? Number(m[3]) : 0;
  if (!m || port < 1 || port > 65535) bad(`the join code's address "${s.slice(0, 60)}" is damaged`);
  // Group 1 (a bracketed IPv6 address) is undefined when group 2 (a name or IPv4) matched, and never empty.
  return { host: (m[1] || m[2]).toLowerCase(), port };
}

/** Reads a join code out of a link or pasted text (it may sit inside a sentence). */
export function decodeJoinCode(text: string): JoinCode {
  if (typeof text !== 'string') bad('a join code must be text');
  const at = text.toLowerCase().indexOf('hearthnet://join/');
  if (at < 0) bad('this is not a HearthNet join code: expected a link starting with hearthnet://join/');
  const link = text.slice(at).split(/[\s"'<>]/)[0];
  if (!link.toLowerCase().startsWith(JOIN_CODE_PREFIX))
    bad('this join code is from a newer HearthNet (it is not v1); update HearthNet');
  const q = new URLSearchParams(link.slice(JOIN_CODE_PREFIX.length));
  const key = q.get('n') ?? '';
  const inviter = `ed25519:${key}`;
  if (!isFullNodeId(inviter))
    bad("the join code is damaged: the inviting computer's id in it is not complete (was it cut short?)");
  const secret = q.get('s') ?? '';
  if (!/^[A-Za-z0-9_-]{22}$/.test(secret))
    bad('the join code is damaged: its secret part is not complete (was it cut short?)');
  const e = q.get('e') ?? '';
  if (!/^\d{9,11}$/.test(e)) bad('the join code is damaged: its expiry time is not readable');
  const list = (q.get('a') ?? '').split(',').filter(Boolean);
  if (list.length === 0) bad('the join code is damaged: it names no address to reach the inviter at');
  return { inviter, secret, expiresAt: Number(e), addresses: list.slice(0, 8).map(parseAddress) };
}

/** What the joiner sends and the inviter's book looks codes up by: never the secret itself. */
export function joinCodeId(secret: string): string {
  return createHash('sha256').update(`hearthnet-join-id/v1:${secret}`).digest('base64url').slice(0, 22);
}

/**
 * Proof of possession, bound to both node ids: HMAC-SHA256(secret, canonicalJson({purpose,
 * inviter, joiner})). A captured proof is useless for any other joiner or inviter.
 */
export function joinProof(secret: string, inviter: string, joiner: string): string {
  return createHmac('sha256', Buffer.from(secret, 'base64url'))
    .update(canonicalJson({ purpose: PROOF_PURPOSE, inviter, joiner }))
    .digest('base64url');
}

export function proofMatches(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Endpoints to try for a decoded code (the peer transport speaks HTTPS). */
export function joinCodeEndpoints(code: JoinCode): Endpoint[] {
  return code.addresses.map((a) => ({ transport: 'https', host: a.host, port: a.port }));
}
