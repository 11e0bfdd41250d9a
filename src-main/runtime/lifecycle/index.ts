/** Lifecycle: the `Startable` contract every long-lived part implements, and its helpers. */
export { isStartable, startAll, stopAll, StartGate, type LifecycleState, type Startable } from './startable';
export { ShutdownStack } from './shutdown-stack';
export { PeriodicTask } from './periodic-task';
export type { ComponentLogger } from '../observability/component-logger';
