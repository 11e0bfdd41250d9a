/**
 * The texts households pass to each other (by chat, message or paper) to co-sign a change to the
 * street: a request ("please co-sign removing Bob") and a co-signature. Both are base64url JSON
 * with a prefix a person can recognise, so a pasted text is checked before anything is signed.
 */

export interface CosignRequest {
  readonly action: 'revoke' | 'promote' | 'demote';
  readonly nodeId: string;
  readonly name: string;
  readonly level?: 'member' | 'trusted' | 'anchor';
  readonly reason?: string;
}
export interface CoSignature {
  readonly signer: string;
  readonly signature: string;
}

const REQUEST = 'hearthnet-cosign-request:';
const SIGNATURE = 'hearthnet-cosignature:';

function encode(v: unknown): string {
  const bytes = new TextEncoder().encode(JSON.stringify(v));
  let bin = '';
  bytes.forEach((b) => (bin += String.fromCharCode(b)));
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
function decode(s: string): unknown {
  const bin = atob(s.replace(/-/g, '+').replace(/_/g, '/'));
  return JSON.parse(new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0))));
}

export const requestText = (r: CosignRequest): string => REQUEST + encode(r);
export const signatureText = (s: CoSignature): string => SIGNATURE + encode(s);

/** The request in a pasted text, or an error in plain words. */
export function parseRequest(text: string): CosignRequest | string {
  const t = text.trim();
  if (!t.startsWith(REQUEST))
    return 'This is not a co-signing request. Ask your neighbour to copy the whole text HearthNet gave them.';
  try {
    const r = decode(t.slice(REQUEST.length)) as CosignRequest;
    if (!['revoke', 'promote', 'demote'].includes(r.action) || typeof r.nodeId !== 'string') throw new Error('shape');
    return r;
  } catch {
    return 'This request is damaged (part of it may be missing). Ask your neighbour to send it again.';
  }
}

/** Every co-signature found in a pasted text (one or more, any separators). */
export function parseSignatures(text: string): CoSignature[] | string {
  const found = text.split(/\s+/).filter((w) => w.startsWith(SIGNATURE));
  if (found.length === 0) return 'No co-signature found. Paste the whole text your neighbour sent back.';
  try {
    return found.map((w) => {
      const s = decode(w.slice(SIGNATURE.length)) as CoSignature;
      if (typeof s.signer !== 'string' || typeof s.signature !== 'string') throw new Error('shape');
      return s;
    });
  } catch {
    return 'A co-signature is damaged (part of it may be missing). Ask your neighbour to send it again.';
  }
}

/** "remove Bob from the street (reason: moved away)", "make Bob a trusted member". */
export function describeRequest(r: CosignRequest): string {
  if (r.action === 'revoke') return `remove ${r.name} from the street${r.reason ? ` (reason: ${r.reason})` : ''}`;
  const level =
    r.level === 'anchor'
      ? 'an anchor (can change the street’s rules)'
      : r.level === 'trusted'
        ? 'a trusted member'
        : 'an ordinary member';
  return `make ${r.name} ${level}`;
}
