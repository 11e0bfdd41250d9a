/** The tRPC AppRouter: the one typed surface for the UI (over IPC or HTTP) and the CLI. */
import type { CallInput, GovernanceInput } from './status';
import { I } from './inputs';
import { onboardingRouter } from './routers/onboarding';
import { desktopRouter } from './desktop-router';
import { serviceProcedures } from './service-router';
import { appProcedures } from './app-router';
import { proc, t } from './trpc';

export type { ApiContext } from './trpc';
export { toTrpcError } from './trpc';
export type { NodeApi } from './contract';

export const appRouter = t.router({
  status: proc.query(({ ctx }) => ctx.node.status()),
  capabilities: proc.input(I.capabilities).query(({ ctx, input }) => ctx.node.capabilities(input)),
  callCapability: proc
    .input(I.callCapability)
    .mutation(({ ctx, input }) =>
      ctx.node.call({ ...input, body: input.body ?? {}, params: input.params ?? null } satisfies CallInput),
    ),
  traces: proc.input(I.traces).query(({ ctx, input }) => ctx.node.traces(input)),
  peers: proc.query(({ ctx }) => ctx.node.peers()),
  addPeer: proc.input(I.addPeer).mutation(({ ctx, input }) => ctx.node.addPeer(input)),
  createInvite: proc.input(I.createInvite).mutation(({ ctx, input }) =>
    ctx.node.createInvite({
      nodeId: input.nodeId,
      level: input.level ?? 'member',
      ttlSeconds: input.ttlSeconds ?? 86_400,
    }),
  ),
  governance: proc
    .input(I.governance)
    .mutation(({ ctx, input }) => ctx.node.governance(input satisfies GovernanceInput)),
  cosign: proc.input(I.governance).mutation(({ ctx, input }) => ctx.node.cosign(input)),
  redeemInvite: proc.input(I.redeemInvite).mutation(({ ctx, input }) => ctx.node.redeemInvite(input)),
  ...serviceProcedures,
  ...appProcedures,
  onboarding: onboardingRouter,
  /** Desktop-app only (settings, pause sharing, quit, hearthnet:// links): desktop-router.ts. */
  desktop: desktopRouter,
});

export type AppRouter = typeof appRouter;
