/** common/: pure TypeScript shared by every layer. */
export * from './types';
export * from './constants';
export * from './errors';
export * from './canonical-json';
export * from './timers';
export * from './abort';
export * from './backoff';
export * from './sse';
export * from './text-safety';
export * from './error-message';
export type { Unchecked } from './unchecked';
export { promiseTry } from './promise-try';
export { deleteOldest } from './evict';
