/** tRPC procedures of onboarding: start a community, join codes, joining, phones on the LAN. */
import { Type } from '@sinclair/typebox';
import { TRPCError } from '@trpc/server';
import { WHO_INVITES } from '../onboarding-contract';
import { proc, t, type ApiContext } from '../trpc';
import { input, OneOf, Text, WholeNumber } from '../validate';

const MAX_COMMUNITY_NAME = 128;
const MAX_CODE_TEXT = 4096;

/** Phones may use the app, not change who may use it. */
function householdOnly(ctx: ApiContext): void {
  if (ctx.caller?.kind === 'phone')
    throw new TRPCError({ code: 'FORBIDDEN', message: 'only the computer running HearthNet can change phone access' });
}

export const onboardingRouter = t.router({
  createCommunity: proc
    .input(
      input(
        Type.Object({
          name: Text({ maxLength: MAX_COMMUNITY_NAME }),
          whoInvites: Type.Optional(OneOf(WHO_INVITES, { default: 'trusted' })),
        }),
      ),
    )
    .mutation(({ ctx, input }) => {
      householdOnly(ctx);
      return ctx.node.onboarding.createCommunity({
        name: input.name.trim(),
        whoInvites: input.whoInvites ?? 'trusted',
      });
    }),
  createJoinCode: proc
    .input(
      input(
        Type.Object({
          level: Type.Optional(OneOf(['member', 'trusted'] as const, { default: 'member' })),
          ttlSeconds: Type.Optional(WholeNumber(60, 86_400, { default: 900 })),
        }),
      ),
    )
    .mutation(({ ctx, input }) => {
      householdOnly(ctx);
      return ctx.node.onboarding.createJoinCode({
        level: input.level ?? 'member',
        ttlSeconds: input.ttlSeconds ?? 900,
      });
    }),
  join: proc
    .input(
      input(
        Type.Object({
          text: Text({ maxLength: MAX_CODE_TEXT, description: 'is too long to be a join code or an invite' }),
        }),
      ),
    )
    .mutation(({ ctx, input }) => {
      householdOnly(ctx);
      return ctx.node.onboarding.join({ text: input.text.trim() });
    }),
  phoneAccess: proc.query(({ ctx }) => {
    householdOnly(ctx);
    return ctx.node.onboarding.phoneAccess();
  }),
  setPhoneAccess: proc.input(input(Type.Object({ enabled: Type.Boolean() }))).mutation(({ ctx, input }) => {
    householdOnly(ctx);
    return ctx.node.onboarding.setPhoneAccess(input);
  }),
  pairPhone: proc.mutation(({ ctx }) => {
    householdOnly(ctx);
    return ctx.node.onboarding.pairPhone();
  }),
  forgetPhone: proc.input(input(Type.Object({ id: Text() }))).mutation(({ ctx, input }) => {
    householdOnly(ctx);
    return ctx.node.onboarding.forgetPhone(input);
  }),
});
