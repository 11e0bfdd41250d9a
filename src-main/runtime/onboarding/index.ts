/** M13 onboarding: invites (link, QR code, file). */
export { ONBOARDING_ERROR_CODES, OnboardingError, type OnboardingErrorCode } from './errors';
export * from './invite';
export * from './create-community';
export * from './redeem';
export * from './join-code';
export * from './join-code-book';
export * from './join-exchange';
