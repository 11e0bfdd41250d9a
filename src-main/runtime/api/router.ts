/** The tRPC AppRouter: the one typed surface for the UI (over IPC or HTTP) and the CLI. */
import type { CallInput, GovernanceInput } from './status';
import { onboardingRouter } from './routers/onboarding';
import { desktopRouter } from './desktop-router';
import { serviceProcedures } from './service-router';
import { bad, int, obj, proc, str, t } from './trpc';

export type { ApiContext } from './trpc';
export { toTrpcError } from './trpc';
export type { NodeApi } from './contract';

function governanceInput(v: unknown): GovernanceInput {
  const o = obj(v);
  const action = o.action;
  if (action !== 'revoke' && action !== 'promote' && action !== 'demote') bad('action must be revoke, promote or demote');
  const level = o.level;
  if (level !== undefined && level !== 'member' && level !== 'trusted' && level !== 'anchor') bad('level must be member, trusted or anchor');
  const sigs = o.signatures ?? [];
  if (!Array.isArray(sigs) || sigs.some((s) => !s || typeof s.signer !== 'string' || typeof s.signature !== 'string')) bad('signatures must be a list of {signer, signature}');
  return { action, nodeId: str(o, 'nodeId')!, reason: str(o, 'reason', false), level: level as GovernanceInput['level'], signatures: sigs as GovernanceInput['signatures'] };
}

export const appRouter = t.router({
  status: proc.query(({ ctx }) => ctx.node.status()),
  capabilities: proc
    .input((v) => {
      const o = obj(v);
      return { remoteOnly: o.remoteOnly === true, localOnly: o.localOnly === true, name: str(o, 'name', false) };
    })
    .query(({ ctx, input }) => ctx.node.capabilities(input)),
  callCapability: proc
    .input((v): CallInput => {
      const o = obj(v);
      const params = o.params === undefined || o.params === null ? null : obj(o.params);
      return { capability: str(o, 'capability')!, version: str(o, 'version')!, body: o.body ?? {}, params, timeout_ms: o.timeout_ms === undefined ? undefined : int(o, 'timeout_ms', 1, 3_600_000) };
    })
    .mutation(({ ctx, input }) => ctx.node.call(input)),
  traces: proc
    .input((v) => {
      const o = obj(v);
      return { n: int(o, 'n', 1, 10_000, 50), capability: str(o, 'capability', false) };
    })
    .query(({ ctx, input }) => ctx.node.traces(input)),
  peers: proc.query(({ ctx }) => ctx.node.peers()),
  addPeer: proc
    .input((v) => {
      const o = obj(v);
      return { host: str(o, 'host')!, port: int(o, 'port', 1, 65535) };
    })
    .mutation(({ ctx, input }) => ctx.node.addPeer(input)),
  createInvite: proc
    .input((v) => {
      const o = obj(v);
      const level = o.level ?? 'member';
      if (level !== 'member' && level !== 'trusted') bad('level must be "member" or "trusted"');
      return { nodeId: str(o, 'nodeId')!, level: level as 'member' | 'trusted', ttlSeconds: int(o, 'ttlSeconds', 60, 30 * 86_400, 86_400) };
    })
    .mutation(({ ctx, input }) => ctx.node.createInvite(input)),
  governance: proc.input(governanceInput).mutation(({ ctx, input }) => ctx.node.governance(input)),
  cosign: proc.input(governanceInput).mutation(({ ctx, input }) => ctx.node.cosign(input)),
  redeemInvite: proc
    .input((v) => ({ text: str(obj(v), 'text')! }))
    .mutation(({ ctx, input }) => ctx.node.redeemInvite(input)),
  ...serviceProcedures,
  onboarding: onboardingRouter,
  /** Desktop-app only (settings, pause sharing, quit, hearthnet:// links): desktop-router.ts. */
  desktop: desktopRouter,
});

export type AppRouter = typeof appRouter;
