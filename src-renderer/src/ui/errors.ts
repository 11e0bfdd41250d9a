/** Errors from the node, in plain words with the next step; the wire code is kept for Details. */
import { TRPCClientError } from '@trpc/client';

export interface PlainError {
  /** What happened, in words a household reads. */
  readonly message: string;
  /** The wire error code (`not_found`, `timeout`, ...) or the HTTP status, for a Details view. */
  readonly code: string | null;
}

const HINTS: Record<string, string> = {
  timeout: 'Your neighbours took too long to answer. Nothing was lost; try again in a moment.',
  partition: 'No neighbour that can do this is reachable right now. Nothing was lost; try again when they are back.',
  capacity_exceeded: 'Your neighbours are busy right now. Nothing was lost; try again in a minute.',
  invalid_signature:
    'This page is not allowed to talk to your HearthNet. Open it again from the link HearthNet prints when it starts.',
  forbidden: 'Your street does not allow this household to do that.',
};

/** Turn anything thrown by a call into a plain message and the code behind it. */
export function plainError(err: unknown): PlainError {
  if (err instanceof TRPCClientError) {
    const data = (err as TRPCClientError<never>).data as
      { wire?: { code?: string; message?: string }; httpStatus?: number } | undefined;
    // A refusal before tRPC (no token: 401 from the API's gate) has no tRPC body, only the HTTP status.
    const status = data?.httpStatus ?? (err.meta as { response?: { status?: number } } | undefined)?.response?.status;
    const code = data?.wire?.code ?? (status ? String(status) : null);
    if (code && HINTS[code]) return { message: HINTS[code], code };
    if (err.message === 'Failed to fetch' || /NetworkError|fetch failed/i.test(err.message)) {
      return {
        message: 'This page cannot reach your HearthNet right now. Check that HearthNet is running on this computer.',
        code: 'unreachable',
      };
    }
    return { message: err.message || 'Something went wrong. Nothing was lost; try again.', code };
  }
  if (err instanceof Error)
    return { message: err.message || 'Something went wrong. Nothing was lost; try again.', code: null };
  return { message: String(err), code: null };
}
