/** M06's error: a refused marketplace request, with the wire code a caller sees and the field at fault. */
import { HearthError } from '../../../common';

export const MARKET_ERROR_CODES = ['bad_request', 'forbidden', 'not_found'] as const;
export type MarketErrorCode = (typeof MARKET_ERROR_CODES)[number];

/** `details.field` names the offending request field when there is one. */
export class MarketError extends HearthError<MarketErrorCode> {
  constructor(
    code: MarketErrorCode,
    message: string,
    opts: { field?: string; details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    const details = { ...(opts.details ?? {}), ...(opts.field === undefined ? {} : { field: opts.field }) };
    super(code, message, { details, cause: opts.cause, wireCode: code });
    this.name = 'MarketError';
  }

  get field(): string | undefined {
    return typeof this.details.field === 'string' ? this.details.field : undefined;
  }
}
