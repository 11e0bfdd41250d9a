/** Which failed attempts may be retried on another node, and which count against a node's health. */
import { CallError, HearthError, isHearthError } from '../../common';
import type { WireErrorCode } from '../../common';
import type { Frame } from '../transport/contract';
import { BusError } from './errors';

/** Attempts per call, the first included. */
export const BUS_MAX_ATTEMPTS = 3;

/** Refused before running: safe to try elsewhere even for non-idempotent capabilities. */
const NOT_EXECUTED: ReadonlySet<WireErrorCode> = new Set(['capacity_exceeded', 'not_found']);
/** May have run (or half-run): retried elsewhere only when the capability is idempotent. */
const MAYBE_EXECUTED: ReadonlySet<WireErrorCode> = new Set(['timeout', 'partition']);
/** The node, not the request, is at fault: counted as failures by the health tracker. */
const NODE_FAULT: ReadonlySet<WireErrorCode> = new Set(['timeout', 'partition', 'internal_error']);

export function wireCodeOf(err: unknown): WireErrorCode {
  return err instanceof HearthError ? err.wireCode : 'internal_error';
}

export function mayFailOver(err: unknown, idempotent: boolean, cancelledByCaller: boolean): boolean {
  if (cancelledByCaller) return false;
  const code = wireCodeOf(err);
  return NOT_EXECUTED.has(code) || (idempotent && MAYBE_EXECUTED.has(code));
}

export function isNodeFault(err: unknown): boolean {
  return NODE_FAULT.has(wireCodeOf(err));
}

/** Anything thrown across the bus boundary is a HearthError. */
export function asHearthError(err: unknown, what: string): HearthError {
  if (isHearthError(err)) return err;
  return new BusError('internal_error', `${what} failed unexpectedly`, { cause: err });
}

/** An `error` frame read from a stream, as the CallError it stands for. */
export function errorFromFrame(frame: Frame): CallError {
  const d = frame.data as { code?: unknown; message?: unknown; retry_after_ms?: unknown; reason?: unknown };
  return CallError.fromWire({
    code: typeof d.code === 'string' ? (d.code as WireErrorCode) : 'internal_error',
    message: typeof d.message === 'string' ? d.message : 'the remote stream failed',
    retry_after_ms: typeof d.retry_after_ms === 'number' ? d.retry_after_ms : undefined,
    reason: typeof d.reason === 'string' ? d.reason : undefined,
  });
}
