/** The one schema library: TypeBox descriptions, ajv checks, messages that name the field. */
export { compileSchema, firstError } from './compile';
export type { Check } from './compile';
export { describeError, dottedPath, fieldOf, parseWith, reason, schemaOf, typeWords } from './messages';
export { AbsolutePath, annotate, Nullable, OneOf, Text, WholeNumber } from './kinds';
export type { DeepReadonly } from './kinds';
