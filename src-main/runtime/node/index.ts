/** The composition root: a node that owns its parts, starts them in order and stops them in reverse. */
export { Node, startNode } from './node';
export { advertisedEndpoints } from './peer-server';
export type { RunningNode, StartNodeOptions } from './options';
