/**
 * The join-code exchange (docs/protocol/join-code.md), both ends. The joiner reaches the inviter at
 * an address from the code, pins its certificate from its signed manifest (which must be the node
 * id in the code), and sends a signed `POST /join/v1/redeem` with the code's id and a proof of the
 * secret; the inviter crosses the code out and answers with an invite bound to the joiner's id.
 */
import { CallError, type NodeId } from '../../common';
import { parseNodeManifest, type Endpoint, type KeyPair } from '../identity';
import type { HttpClient } from '../transport';
import { decodeInvite, encodeInvite, type InviteBlob } from './invite';
import type { JoinCodeBook } from './join-code-book';
import { joinCodeEndpoints, joinCodeId, joinProof, type JoinCode } from './join-code';
import { OnboardingError, type OnboardingErrorCode } from './errors';

/** Time allowed for each of the inviter's addresses to answer. */
export const JOIN_EXCHANGE_TIMEOUT_MS = 8_000;

/** The codes an inviter may refuse with (the reply's `refused`). */
const REFUSALS: readonly OnboardingErrorCode[] = [
  'join_code_unknown',
  'join_code_expired',
  'join_code_used',
  'already_member',
  'invite_invalid',
];

/** Inviter side: what `POST /join/v1/redeem` answers for a verified caller. Never throws for a refusal. */
export async function answerJoinRequest(
  caller: NodeId,
  body: Record<string, unknown>,
  d: { book: JoinCodeBook; kp: KeyPair; issue: (invitee: NodeId, level: 'member' | 'trusted') => Promise<InviteBlob> },
): Promise<{ invite: string } | { refused: OnboardingErrorCode; message: string }> {
  const codeId = typeof body.code_id === 'string' ? body.code_id : '';
  const proof = typeof body.proof === 'string' ? body.proof : '';
  if (!codeId || !proof)
    throw new CallError('bad_request', 'a join request needs {"code_id": string, "proof": string}');
  try {
    const code = d.book.claim(codeId, proof, d.kp.nodeIdFull, caller);
    return { invite: encodeInvite(await d.issue(caller, code.level)) };
  } catch (err) {
    // `as`: instanceof on a class made by defineDomainError narrows to its prototype, typed with `any` codes.
    const refusal = err instanceof OnboardingError ? (err as OnboardingError) : null;
    if (refusal && REFUSALS.includes(refusal.code)) return { refused: refusal.code, message: refusal.message };
    throw err;
  }
}

/**
 * Joiner side: trade the code for an invite made out to us. Throws OnboardingError: join_code_expired
 * (before any traffic, by the code's own date), bootstrap_unreachable (no address answered as the
 * inviter), or the inviter's refusal (join_code_unknown | join_code_used | join_code_expired | ...).
 */
export async function fetchInviteForCode(
  code: JoinCode,
  d: { kp: KeyPair; client: HttpClient; now?: () => number },
): Promise<InviteBlob> {
  const now = d.now?.() ?? Date.now();
  if (now >= code.expiresAt * 1000) throw new OnboardingError('join_code_expired', 'this join code has expired');
  const failures: string[] = [];
  for (const endpoint of joinCodeEndpoints(code)) {
    let reply: Record<string, unknown>;
    try {
      reply = await askInviter(code, endpoint, d);
    } catch (err) {
      if (err instanceof OnboardingError) throw err;
      // The inviter answered but refused at the transport level (e.g. rate limit, not HTTPS): say so.
      if (
        err instanceof CallError &&
        !['timeout', 'cancelled', 'internal_error', 'partition'].includes(err.wireCode) &&
        !/ECONN|EHOST|ENET|socket|connect/i.test(err.message)
      ) {
        throw new OnboardingError('invite_invalid', `your neighbour's computer refused the join code: ${err.message}`, {
          cause: err,
        });
      }
      failures.push(`${endpoint.host}:${endpoint.port} (${(err as Error).message})`);
      continue;
    }
    if (typeof reply.refused === 'string' && (REFUSALS as readonly string[]).includes(reply.refused)) {
      throw new OnboardingError(
        reply.refused as OnboardingErrorCode,
        typeof reply.message === 'string' ? reply.message : reply.refused,
      );
    }
    if (typeof reply.invite !== 'string')
      throw new OnboardingError(
        'invite_invalid',
        'the inviting computer answered with something that is not an invite',
      );
    const blob = decodeInvite(reply.invite, { ourNodeId: d.kp.nodeIdFull });
    if (blob.inviter_node_id !== code.inviter)
      throw new OnboardingError('invite_invalid', 'the invite was not signed by the computer named in the join code');
    return blob;
  }
  throw new OnboardingError(
    'bootstrap_unreachable',
    `could not reach the neighbour who showed you the code at ${failures.join('; ') || 'any address'}`,
  );
}

async function askInviter(
  code: JoinCode,
  endpoint: Endpoint,
  d: { kp: KeyPair; client: HttpClient },
): Promise<Record<string, unknown>> {
  // Pins the certificate that the signed manifest announces; the manifest must be the inviter's.
  const manifest = parseNodeManifest(await d.client.learnPeer(endpoint, { timeoutMs: JOIN_EXCHANGE_TIMEOUT_MS }));
  if (manifest.node_id !== code.inviter) throw new Error('another computer answers at this address');
  return d.client.redeemJoinCode(
    { nodeId: code.inviter as never, endpoint },
    { code_id: joinCodeId(code.secret), proof: joinProof(code.secret, code.inviter, d.kp.nodeIdFull) },
    { timeoutMs: JOIN_EXCHANGE_TIMEOUT_MS },
  );
}
