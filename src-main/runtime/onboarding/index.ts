/** M13 onboarding: invites (link, QR code, file). */
export * from './invite';
export * from './create-community';
export * from './redeem';
