/**
 * The one schema library of the runtime: TypeBox schemas (plain JSON Schema) compiled by ajv.
 * Config, API inputs and wire objects are described once as a schema; their TypeScript types come
 * from it (`Static<>`) and their checks from these compiled validators.
 */
import type { Static, TSchema } from '@sinclair/typebox';
import Ajv, { type ErrorObject } from 'ajv';

// strict: false so annotations (`expected`, `code`, `derived`) may sit beside the keywords;
// verbose: the error carries the schema and the bad value, which the messages name.
const options = { strict: false, validateFormats: false, allErrors: false, verbose: true } as const;
const filling = new Ajv({ ...options, useDefaults: true });
const exact = new Ajv(options);

/** A compiled check: true when `value` matches; otherwise `errors` holds the first problem. */
export interface Check<T> {
  (value: unknown): value is T;
  errors?: ErrorObject[] | null;
}

/**
 * Compile `schema`. With `fill`, missing properties that have a `default` are filled in place
 * (the caller validates its own copy); without it the value is never changed (frozen objects pass).
 */
export function compileSchema<S extends TSchema>(schema: S, opts?: { fill?: boolean }): Check<Static<S>>;
/** A plain JSON Schema (a capability's, kept byte for byte for its hash) checked as a `T`. */
export function compileSchema<T>(schema: object, opts?: { fill?: boolean }): Check<T>;
export function compileSchema(schema: object, opts: { fill?: boolean } = {}): Check<unknown> {
  return (opts.fill ? filling : exact).compile(schema) as Check<unknown>;
}

/**
 * The problem to report from the last failed check, or undefined when it passed. ajv stops at the
 * first problem; only a `oneOf`/`anyOf` lists its branches' errors first and its own last, and its
 * own (with the schema's `description` or `expected`) is the one a person understands.
 */
export function firstError(check: { errors?: ErrorObject[] | null }): ErrorObject | undefined {
  return check.errors?.at(-1);
}
