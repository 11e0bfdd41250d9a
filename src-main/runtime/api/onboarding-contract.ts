/** What the onboarding screens and the CLI ask of the node: start a community, join codes, phones on the LAN. */
import type { InviteRedeemed } from './status';

/** Why an onboarding step failed (the `domain` code the screens explain in plain words). */
export type { OnboardingErrorCode } from '../onboarding';

/** Who may invite new households, in the words the first-launch screen uses. */
export const WHO_INVITES = ['trusted', 'everyone'] as const;
export type WhoInvites = (typeof WHO_INVITES)[number];

export interface CommunityStarted {
  readonly community_id: string;
  readonly name: string;
}

export interface JoinCodeCreated {
  /** `hearthnet://join/v1?...` (under 250 characters). */
  readonly text: string;
  /** PNG of the QR code of `text`, base64. */
  readonly qr_png_base64: string;
  /** WallClock (UTC). */
  readonly expires_at: string;
  readonly level: 'member' | 'trusted';
  readonly community_name: string;
}

export interface PairedPhone {
  readonly id: string;
  readonly name: string;
  readonly paired_at: string;
  readonly last_seen_at: string | null;
}

export interface PhoneAccessState {
  readonly enabled: boolean;
  /** `http://<lan address>:<port>/` phones open (empty while off). */
  readonly urls: readonly string[];
  readonly phones: readonly PairedPhone[];
}

export interface PhonePairing {
  /** Opens the app on the phone and pairs it: `http://<lan address>:<port>/#pair=<code>`. */
  readonly url: string;
  readonly qr_png_base64: string;
  /** WallClock (UTC): the pairing code works once, until then. */
  readonly expires_at: string;
}

export interface OnboardingApi {
  /** First launch: this household starts a new community and leads it. */
  createCommunity(q: { name: string; whoInvites: WhoInvites }): Promise<CommunityStarted>;
  /** A short-lived, single-use join code for one neighbour (docs/protocol/join-code.md). */
  createJoinCode(q: { level: 'member' | 'trusted'; ttlSeconds: number }): Promise<JoinCodeCreated>;
  /** Joins with a join code or a bound invite (`hearthnet://join/v1?...` or `hearthnet://v1/...`). */
  join(q: { text: string }): Promise<InviteRedeemed>;
  phoneAccess(): PhoneAccessState;
  setPhoneAccess(q: { enabled: boolean }): Promise<PhoneAccessState>;
  pairPhone(): Promise<PhonePairing>;
  forgetPhone(q: { id: string }): PhoneAccessState;
}
