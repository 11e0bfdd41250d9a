/** The tRPC instance shared by every router file: context and the error edge (inputs: inputs.ts). */
import { initTRPC, TRPCError } from '@trpc/server';
import { HearthError, toWireError, type WireErrorCode } from '../../common';
import type { NodeApi } from './contract';

export interface ApiContext {
  readonly node: NodeApi;
  /** Who is asking: this computer's household (the API token) or a paired phone on the LAN. Absent = household (IPC). */
  readonly caller?: { readonly kind: 'household' } | { readonly kind: 'phone'; readonly id: string };
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
  return new TRPCError({
    code: TRPC_CODE[wire.code] ?? 'INTERNAL_SERVER_ERROR',
    message: wire.message,
    cause: err instanceof HearthError ? err : undefined,
  });
}

/** The wire error for a tRPC error: its domain cause, or bad_request for tRPC's own 4xx refusals. */
function wireOf(error: TRPCError) {
  if (error.cause instanceof HearthError) return toWireError(error.cause);
  if (error.code === 'PARSE_ERROR' || error.code === 'BAD_REQUEST')
    return { code: 'bad_request' as const, message: error.message };
  return toWireError(error.cause ?? error);
}

export const t = initTRPC.context<ApiContext>().create({
  errorFormatter({ shape, error }) {
    // `domain`: the module's own code (e.g. OnboardingError `join_code_used`), so the UI can say it in plain words.
    const domain = error.cause instanceof HearthError ? String(error.cause.code) : undefined;
    return { ...shape, data: { ...shape.data, stack: undefined, wire: wireOf(error), domain } };
  },
});

/** Every procedure maps domain errors at this edge. */
export const proc = t.procedure.use(async ({ next }) => {
  const result = await next();
  // A domain error is mapped by its code; tRPC's own client errors (a body that is not JSON:
  // PARSE_ERROR, with a SyntaxError as cause) stay what they are, not "internal error" (issue 15).
  if (!result.ok) throw toTrpcError(result.error.cause instanceof HearthError ? result.error.cause : result.error);
  return result;
});

/**
 * A subscription's generator with errors mapped at the same edge: an error thrown while streaming
 * reaches the client as the same tRPC error (code + wire error) a query would give.
 */
export async function* mapped<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  try {
    yield* source;
  } catch (err) {
    throw toTrpcError(err);
  }
}
