/**
 * The one way a part gets a logger: `components.logger.forComponent('discovery')` (the shape of
 * js-libp2p's ComponentLogger). The Node builds it over its LogHub with its own bound fields
 * (e.g. `{ node: 'alice' }` in a test mesh), so every line says which node and which part.
 */
import type { LogHub, Logger } from './logger';

export interface ComponentLogger {
  forComponent(name: string): Logger;
}

export function componentLogger(hub: LogHub, fields: Record<string, unknown> = {}): ComponentLogger {
  return { forComponent: (name) => hub.logger(name, fields) };
}
