/** The composition root: a node that owns its parts, starts them in order and stops them in reverse. */
export * from './node';
