/** The tRPC AppRouter: the one typed surface for the UI (over IPC or HTTP) and the CLI. */
import { initTRPC, TRPCError } from '@trpc/server';
import { HearthError, toWireError, type WireErrorCode } from '../../common';
import type { CallInput, CapabilityRow, GovernanceInput, GovernanceOutcome, InviteCreated, InviteRedeemed, PeerSummary, StatusReport, TraceRow } from './status';

/** What the API needs from a running node. The composition root implements it. */
export interface NodeApi {
  status(): StatusReport;
  capabilities(q: { remoteOnly?: boolean; localOnly?: boolean; name?: string }): CapabilityRow[];
  call(q: CallInput): Promise<unknown>;
  traces(q: { n?: number; capability?: string }): TraceRow[];
  peers(): PeerSummary[];
  addPeer(q: { host: string; port: number }): Promise<PeerSummary>;
  createInvite(q: { nodeId: string; level: 'member' | 'trusted'; ttlSeconds: number }): Promise<InviteCreated>;
  redeemInvite(q: { text: string }): Promise<InviteRedeemed>;
  governance(q: GovernanceInput): GovernanceOutcome;
  cosign(q: GovernanceInput): { signer: string; signature: string };
}

export interface ApiContext {
  readonly node: NodeApi;
}

const TRPC_CODE: Partial<Record<WireErrorCode, TRPCError['code']>> = {
  bad_request: 'BAD_REQUEST',
  schema_mismatch: 'BAD_REQUEST',
  invalid_signature: 'UNAUTHORIZED',
  forbidden: 'FORBIDDEN',
  not_found: 'NOT_FOUND',
  timeout: 'TIMEOUT',
  expired: 'BAD_REQUEST',
  payload_too_large: 'PAYLOAD_TOO_LARGE',
  capacity_exceeded: 'TOO_MANY_REQUESTS',
  cancelled: 'CLIENT_CLOSED_REQUEST',
  partition: 'SERVICE_UNAVAILABLE',
};

/** Edge mapping (ARCHITECTURE §4): HearthError -> tRPC error carrying the wire error as `cause`. */
export function toTrpcError(err: unknown): TRPCError {
  if (err instanceof TRPCError) return err;
  const wire = toWireError(err);
  return new TRPCError({ code: TRPC_CODE[wire.code] ?? 'INTERNAL_SERVER_ERROR', message: wire.message, cause: err instanceof HearthError ? err : undefined });
}

const t = initTRPC.context<ApiContext>().create({
  errorFormatter({ shape, error }) {
    return { ...shape, data: { ...shape.data, stack: undefined, wire: toWireError(error.cause ?? error) } };
  },
});

/** Every procedure maps domain errors at this edge. */
const proc = t.procedure.use(async ({ next }) => {
  const result = await next();
  if (!result.ok) throw toTrpcError(result.error.cause ?? result.error);
  return result;
});

function bad(message: string): never {
  throw new TRPCError({ code: 'BAD_REQUEST', message });
}
function obj(v: unknown): Record<string, unknown> {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) bad('input must be an object');
  return v as Record<string, unknown>;
}
function str(o: Record<string, unknown>, k: string, required = true): string | undefined {
  const v = o[k];
  if (v === undefined && !required) return undefined;
  if (typeof v !== 'string' || v.length === 0) bad(`${k} must be a non-empty string`);
  return v;
}
function int(o: Record<string, unknown>, k: string, min: number, max: number, fallback?: number): number {
  const v = o[k] ?? fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) bad(`${k} must be a whole number from ${min} to ${max}`);
  return v;
}

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
});

export type AppRouter = typeof appRouter;
