/**
 * Input validation of the local API: TypeBox schemas (JSON Schema) compiled with the project's ajv.
 * One place turns the first ajv error into a sentence that names the field, so a person (or the
 * CLI) reads `title: must not be empty`, never a JSON pointer and a keyword.
 */
import { Type, type Static, type TSchema, type TUnsafe } from '@sinclair/typebox';
import Ajv, { type ErrorObject } from 'ajv';
import { CallError } from '../../common';

const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: false, useDefaults: true, verbose: true });

/** A string that is one of `values` (an `enum`, so the error can list them). */
export function OneOf<const T extends readonly string[]>(
  values: T,
  opts: { description?: string; default?: T[number] } = {},
): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...opts });
}

/** Text that is not blank. */
export const Text = (opts: { maxLength?: number; description?: string } = {}) =>
  Type.String({ minLength: 1, pattern: '\\S', ...opts });

/** An absolute path on the node's machine (the CLI resolves relative ones). */
export const AbsolutePath = () =>
  Type.String({
    minLength: 1,
    pattern: '^(/|[A-Za-z]:[\\\\/])',
    description: 'must be an absolute path (the CLI resolves it for you)',
  });

/** A whole number from `minimum` to `maximum`. */
export const WholeNumber = (minimum: number, maximum: number, opts: { default?: number } = {}) =>
  Type.Integer({ minimum, maximum, ...opts });

function fieldOf(e: ErrorObject): string {
  const path = e.instancePath.replace(/^\//, '').replace(/\//g, '.');
  if (e.keyword === 'required') {
    const missing = (e.params as { missingProperty: string }).missingProperty;
    return path ? `${path}.${missing}` : missing;
  }
  return path;
}

const TYPE_WORDS: Record<string, string> = {
  string: 'text',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
  array: 'a list',
  object: 'an object',
  null: 'empty',
};

function reason(e: ErrorObject): string {
  const s = (e.parentSchema ?? {}) as Record<string, unknown>;
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return 'is required';
    case 'type': {
      if (s.type === 'integer' && typeof s.minimum === 'number' && typeof s.maximum === 'number')
        return `must be a whole number from ${s.minimum} to ${s.maximum}`;
      const words = String(p.type)
        .split(',')
        .map((t) => TYPE_WORDS[t] ?? t);
      return `must be ${words.join(' or ')}`;
    }
    case 'minLength':
      return p.limit === 1 ? 'must not be empty' : `must be at least ${String(p.limit)} characters`;
    case 'maxLength':
      return `must be at most ${String(p.limit)} characters`;
    case 'minimum':
    case 'maximum':
      return typeof s.minimum === 'number' && typeof s.maximum === 'number'
        ? `must be a whole number from ${s.minimum} to ${s.maximum}`
        : `must be ${e.keyword === 'minimum' ? 'at least' : 'at most'} ${String(p.limit)}`;
    case 'enum':
      return `must be one of ${(p.allowedValues as unknown[]).join(', ')}`;
    case 'pattern':
      return typeof s.description === 'string'
        ? s.description
        : s.pattern === '\\S'
          ? 'must not be blank'
          : 'is not in the expected form';
    case 'minItems':
      return `must have at least ${String(p.limit)} item${p.limit === 1 ? '' : 's'}`;
    case 'maxItems':
      return `must have at most ${String(p.limit)} items`;
    case 'additionalProperties':
      return `has an unknown field "${String(p.additionalProperty)}"`;
    case 'anyOf':
    case 'oneOf':
      return typeof s.description === 'string' ? s.description : 'does not match any accepted form';
    default:
      return e.message ?? 'is not valid';
  }
}

/** The sentence for the first validation error, e.g. `title: must not be empty`. */
export function describeError(e: ErrorObject): string {
  const field = fieldOf(e);
  return field ? `${field}: ${reason(e)}` : `the input ${reason(e)}`;
}

/**
 * A tRPC input parser for `schema`: a missing input counts as `{}` (so all-optional inputs may be
 * omitted), defaults are filled in, and bad input throws CallError('bad_request') naming the field.
 * `refine` checks what JSON Schema says badly ("either path or upload_id") and returns the sentence.
 */
export function input<S extends TSchema>(
  schema: S,
  refine?: (v: Static<S>) => string | null,
): (value: unknown) => Static<S> {
  const check = ajv.compile(schema);
  return (value) => {
    const v = value === undefined || value === null ? (schema.type === 'object' ? {} : value) : value;
    // ajv fills defaults in place: validate a copy so the caller's object is never changed.
    const copy = typeof v === 'object' && v !== null ? structuredClone(v) : v;
    if (check(copy)) {
      const problem = refine?.(copy as Static<S>) ?? null;
      if (problem) throw new CallError('bad_request', problem);
      return copy as Static<S>;
    }
    const first = check.errors?.[0];
    const message = first ? describeError(first) : 'the input is not valid';
    throw new CallError('bad_request', message, { details: first ? { field: fieldOf(first) } : {} });
  };
}
