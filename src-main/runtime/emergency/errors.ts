/** M09's error: a probe target that is neither an IP, a hostname nor an http(s) URL. */
import { HearthError } from '../../common';

export const EMERGENCY_ERROR_CODES = ['bad_probe_target'] as const;
export type EmergencyErrorCode = (typeof EMERGENCY_ERROR_CODES)[number];

/** Raised at construction time, so a typo in `emergency.probe_targets` stops startup clearly. */
export class EmergencyError extends HearthError<EmergencyErrorCode> {
  constructor(code: EmergencyErrorCode, message: string, opts: { details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(code, message, { ...opts, wireCode: 'bad_request' });
    this.name = 'EmergencyError';
  }
}
