/** M09's error: a probe target that is neither an IP, a hostname nor an http(s) URL. */
import { defineDomainError } from '../../common';

export const EMERGENCY_ERROR_CODES = ['bad_probe_target'] as const;
export type EmergencyErrorCode = (typeof EMERGENCY_ERROR_CODES)[number];

/** Raised at construction time, so a typo in `emergency.probe_targets` stops startup clearly. */
export const EmergencyError = defineDomainError<EmergencyErrorCode>('EmergencyError', EMERGENCY_ERROR_CODES, {
  bad_probe_target: 'bad_request',
});
export type EmergencyError = InstanceType<typeof EmergencyError>;
