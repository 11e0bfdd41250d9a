/** runtime/api: the tRPC surface. The renderer imports only types from here. */
export { appRouter, toTrpcError } from './router';
export type { AppRouter, ApiContext } from './router';
export type { NodeApi, StreamingNodeApi } from './contract';
export { OP_NAMES, isOpName, parseOpInput, type OpFrame, type OpInputs, type OpName } from './ops';
export type * from './status';
export type { DesktopControls, DesktopLink, DesktopSettingsView } from './desktop-router';
export type * from './service-shapes';
export { MARKET_CATEGORIES } from './service-shapes';
export type * from './ui-shapes';
export type { AppNodeApi } from './ui-contract';
export type * from './inputs';
export type * from './onboarding-contract';
export { WHO_INVITES } from './onboarding-contract';
export { PhoneRegistry } from './phone-access';
