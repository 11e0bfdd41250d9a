/** runtime/api: the tRPC surface. The renderer imports only types from here. */
export { appRouter, toTrpcError } from './router';
export type { AppRouter, ApiContext, NodeApi } from './router';
export type * from './status';
