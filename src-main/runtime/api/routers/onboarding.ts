/** tRPC procedures of onboarding: start a community, join codes, joining, phones on the LAN. */
import { TRPCError } from '@trpc/server';
import { WHO_INVITES, type WhoInvites } from '../onboarding-contract';
import { bad, int, obj, proc, str, t, type ApiContext } from '../trpc';

const MAX_COMMUNITY_NAME = 128;
const MAX_CODE_TEXT = 4096;

/** Phones may use the app, not change who may use it. */
function householdOnly(ctx: ApiContext): void {
  if (ctx.caller?.kind === 'phone') throw new TRPCError({ code: 'FORBIDDEN', message: 'only the computer running HearthNet can change phone access' });
}

export const onboardingRouter = t.router({
  createCommunity: proc
    .input((v) => {
      const o = obj(v);
      const name = str(o, 'name')!.trim();
      if (!name || name.length > MAX_COMMUNITY_NAME) bad(`name must be 1 to ${MAX_COMMUNITY_NAME} characters`);
      const who = o.whoInvites ?? 'trusted';
      if (!(WHO_INVITES as readonly unknown[]).includes(who)) bad(`whoInvites must be ${WHO_INVITES.join(' or ')}`);
      return { name, whoInvites: who as WhoInvites };
    })
    .mutation(({ ctx, input }) => {
      householdOnly(ctx);
      return ctx.node.onboarding.createCommunity(input);
    }),
  createJoinCode: proc
    .input((v) => {
      const o = obj(v);
      const level = o.level ?? 'member';
      if (level !== 'member' && level !== 'trusted') bad('level must be "member" or "trusted"');
      return { level: level as 'member' | 'trusted', ttlSeconds: int(o, 'ttlSeconds', 60, 86_400, 900) };
    })
    .mutation(({ ctx, input }) => {
      householdOnly(ctx);
      return ctx.node.onboarding.createJoinCode(input);
    }),
  join: proc
    .input((v) => {
      const text = str(obj(v), 'text')!.trim();
      if (text.length > MAX_CODE_TEXT) bad('that is too long to be a join code or an invite');
      return { text };
    })
    .mutation(({ ctx, input }) => {
      householdOnly(ctx);
      return ctx.node.onboarding.join(input);
    }),
  phoneAccess: proc.query(({ ctx }) => {
    householdOnly(ctx);
    return ctx.node.onboarding.phoneAccess();
  }),
  setPhoneAccess: proc
    .input((v) => {
      const o = obj(v);
      if (typeof o.enabled !== 'boolean') bad('enabled must be true or false');
      return { enabled: o.enabled as boolean };
    })
    .mutation(({ ctx, input }) => {
      householdOnly(ctx);
      return ctx.node.onboarding.setPhoneAccess(input);
    }),
  pairPhone: proc.mutation(({ ctx }) => {
    householdOnly(ctx);
    return ctx.node.onboarding.pairPhone();
  }),
  forgetPhone: proc
    .input((v) => ({ id: str(obj(v), 'id')! }))
    .mutation(({ ctx, input }) => {
      householdOnly(ctx);
      return ctx.node.onboarding.forgetPhone(input);
    }),
});
