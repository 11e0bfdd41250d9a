/**
 * Input validation of the local API: TypeBox schemas compiled by the runtime's one schema library
 * (`../schema`). Bad input is refused with one sentence naming the field (`title: must not be
 * empty`), never a JSON pointer and a keyword.
 */
import type { Static, TSchema } from '@sinclair/typebox';
import { CallError } from '../../common';
import { compileSchema, describeError, fieldOf, firstError } from '../schema';

export { AbsolutePath, describeError, OneOf, Text, WholeNumber } from '../schema';

/**
 * A tRPC input parser for `schema`: a missing input counts as `{}` (so all-optional inputs may be
 * omitted), defaults are filled in, and bad input throws CallError('bad_request') naming the field.
 * `refine` checks what JSON Schema says badly ("either path or upload_id") and returns the sentence.
 */
export function input<S extends TSchema>(
  schema: S,
  refine?: (v: Static<S>) => string | null,
): (value: unknown) => Static<S> {
  const check = compileSchema(schema, { fill: true });
  return (value) => {
    const v = value === undefined || value === null ? (schema.type === 'object' ? {} : value) : value;
    // ajv fills defaults in place: validate a copy so the caller's object is never changed.
    const copy: unknown = typeof v === 'object' && v !== null ? structuredClone(v) : v;
    if (check(copy)) {
      const problem = refine?.(copy) ?? null;
      if (problem) throw new CallError('bad_request', problem);
      return copy;
    }
    const first = firstError(check);
    const message = first ? describeError(first) : 'the input is not valid';
    throw new CallError('bad_request', message, { details: first ? { field: fieldOf(first) } : {} });
  };
}
