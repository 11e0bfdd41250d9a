/** The tRPC AppRouter: the one typed surface for the UI (over IPC or HTTP) and the CLI. */
import { initTRPC, TRPCError } from '@trpc/server';
import { HearthError, toWireError, type WireErrorCode } from '../../common';
import type { StatusReport } from './status';

/** What the API needs from a running node. The composition root implements it. */
export interface NodeApi {
  status(): StatusReport;
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

export const appRouter = t.router({
  status: t.procedure.query(({ ctx }) => ctx.node.status()),
});

export type AppRouter = typeof appRouter;
