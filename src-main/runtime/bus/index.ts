/** M03 capability bus: public surface. */
export { BUS_ERROR_CODES, BusError, type BusErrorCode } from './errors';
export * from './capability';
export * from './entry';
export * from './params';
export * from './schema';
export * from './registry';
export * from './health';
export * from './router';
export * from './trace';
export * from './trust';
export * from './snapshot';
export { BUS_MAX_ATTEMPTS } from './failover';
export { CAPACITY_RETRY_AFTER_DEFAULT_MS } from './executor';
export type * from './bus-types';
export * from './bus';
