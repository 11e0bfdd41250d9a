/** OnboardingApi over a running node: start a community, join codes (inviter side), joining, phones. */
import { CallError, toWallClock } from '../../../common';
import type {
  CommunityStarted,
  InviteRedeemed,
  JoinCodeCreated,
  OnboardingApi,
  PhoneAccessState,
  WhoInvites,
} from '..';
import type { ApiServer } from '../server';
import type { PhoneRegistry } from '../phone-access';
import type { Endpoint, KeyPair } from '../../identity';
import type { CommunityContext } from '../../node/community-context';
import { encodeJoinCode, textToQrPng, type JoinCodeBook } from '../../onboarding';
import { OnboardingError } from '../../onboarding';

export interface OnboardingDeps {
  readonly kp: KeyPair;
  readonly book: JoinCodeBook;
  readonly endpoints: () => Endpoint[];
  readonly communityName: () => string;
  readonly community: () => CommunityContext | null;
  readonly startCommunity: (name: string, whoInvites: WhoInvites) => Promise<CommunityStarted>;
  readonly joinByInvite: (text: string) => Promise<InviteRedeemed>;
  readonly phones: PhoneRegistry;
  /** The API server (made after the NodeApi, hence a getter). */
  readonly apiServer: () => ApiServer | null;
}

export function createOnboardingApi(d: OnboardingDeps): OnboardingApi {
  const phoneState = (): PhoneAccessState => ({
    enabled: d.phones.enabled,
    urls: d.apiServer()?.lanUrls() ?? [],
    phones: d.phones.list(),
  });
  return {
    createCommunity: (q) => d.startCommunity(q.name, q.whoInvites),

    async createJoinCode(q): Promise<JoinCodeCreated> {
      const c = d.community();
      if (!c) throw new OnboardingError('invite_invalid', 'start or join a community before inviting neighbours');
      // Checked now, not when the neighbour scans: the community rules would refuse the invite then.
      const level = c.state.levelOf(d.kp.nodeIdFull);
      if (!(
        level === 'trusted' ||
        level === 'anchor' ||
        (level === 'member' && c.state.policy().default_member_can_invite)
      )) {
        throw new OnboardingError(
          'invite_invalid',
          'in this community only trusted neighbours can invite new households; ask one of them to show a code',
        );
      }
      if (q.level === 'trusted' && level === 'member')
        throw new OnboardingError('invite_invalid', 'only trusted neighbours can invite a household as trusted');
      const code = d.book.open(q.level, q.ttlSeconds);
      const expiresAt = Math.floor(code.expiresAtMs / 1000);
      const text = encodeJoinCode({
        inviter: d.kp.nodeIdFull,
        secret: code.secret,
        expiresAt,
        addresses: d.endpoints(),
      });
      const png = await textToQrPng(text);
      return {
        text,
        qr_png_base64: png.toString('base64'),
        expires_at: toWallClock(new Date(expiresAt * 1000)),
        level: q.level,
        community_name: d.communityName(),
      };
    },

    join: (q) => d.joinByInvite(q.text),

    phoneAccess: phoneState,

    async setPhoneAccess(q) {
      d.phones.setEnabled(q.enabled);
      await d.apiServer()?.setLanAccess(q.enabled);
      return phoneState();
    },

    async pairPhone() {
      const urls = d.apiServer()?.lanUrls() ?? [];
      if (!d.phones.enabled || urls.length === 0)
        throw new CallError(
          'forbidden',
          'turn on phone access first (this computer needs a network address phones can reach)',
        );
      const { code, expiresAtMs } = d.phones.newPairing();
      const url = `${urls[0]}#pair=${code}`;
      return {
        url,
        qr_png_base64: (await textToQrPng(url)).toString('base64'),
        expires_at: toWallClock(new Date(expiresAtMs)),
      };
    },

    forgetPhone(q) {
      d.phones.forget(q.id);
      return phoneState();
    },
  };
}
