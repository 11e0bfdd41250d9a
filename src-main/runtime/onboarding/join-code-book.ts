/**
 * The inviter's book of open join codes. Single use and expiry are enforced here, on the inviter's
 * node, not by anything in the code: a code is crossed out before its invite is issued, so two
 * joiners racing with one stolen code get one invite between them. Kept in memory on purpose: a
 * restart cancels every open code (the codes are short-lived; ask for a new one).
 */
import { joinCodeId, joinProof, newJoinSecret, proofMatches } from './join-code';
import { OnboardingError } from './errors';

export interface OpenJoinCode {
  readonly id: string;
  readonly secret: string;
  readonly level: 'member' | 'trusted';
  /** Unix ms. */
  readonly expiresAtMs: number;
  usedBy: string | null;
}

/** Codes kept after they expire or are used, so a late or second attempt hears why (not "unknown"). */
const KEEP_AFTER_MS = 24 * 3_600_000;
/** More open codes than this and the oldest are dropped (a household never needs many). */
const MAX_CODES = 256;

export class JoinCodeBook {
  private readonly codes = new Map<string, OpenJoinCode>();

  constructor(private readonly now: () => number = Date.now) {}

  /** A fresh code of `ttlSeconds`; returns the secret (for the link) and its expiry. */
  open(level: 'member' | 'trusted', ttlSeconds: number): OpenJoinCode {
    this.prune();
    const secret = newJoinSecret();
    const code: OpenJoinCode = {
      id: joinCodeId(secret),
      secret,
      level,
      expiresAtMs: this.now() + ttlSeconds * 1000,
      usedBy: null,
    };
    this.codes.set(code.id, code);
    return code;
  }

  /**
   * Crosses the code out for `joiner` if the proof matches, it has not expired and nobody used it.
   * Throws OnboardingError join_code_unknown | join_code_expired | join_code_used.
   */
  claim(codeId: string, proof: string, inviter: string, joiner: string): OpenJoinCode {
    const code = this.codes.get(codeId);
    // A wrong proof reads as "unknown": the caller does not hold this code's secret.
    if (!code || !proofMatches(proof, joinProof(code.secret, inviter, joiner))) {
      throw new OnboardingError(
        'join_code_unknown',
        'the inviting computer does not know this join code: it was changed, cancelled, or that computer restarted since',
      );
    }
    if (code.usedBy !== null) {
      throw new OnboardingError(
        'join_code_used',
        code.usedBy === joiner
          ? 'this join code was already used by this household'
          : 'this join code was already used by another household; each code lets one household join',
      );
    }
    if (this.now() >= code.expiresAtMs) throw new OnboardingError('join_code_expired', 'this join code has expired');
    code.usedBy = joiner;
    return code;
  }

  private prune(): void {
    const t = this.now();
    for (const [id, c] of this.codes) if (t - c.expiresAtMs > KEEP_AFTER_MS) this.codes.delete(id);
    while (this.codes.size >= MAX_CODES) this.codes.delete(this.codes.keys().next().value as string);
  }
}
