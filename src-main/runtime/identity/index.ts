/** M01 identity: keys, node ids, signed payloads, manifests. */
export * from './node-id';
export * from './keys';
export * from './key-store';
export * from './signing';
export type * from './manifest-types';
