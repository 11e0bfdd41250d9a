/** Small TypeBox builders the runtime's schemas share (each one plain JSON Schema). */
import { Type, type Static, type TSchema, type TUnsafe } from '@sinclair/typebox';

/** A string that is one of `values` (an `enum`, so the error can list them). */
export function OneOf<const T extends readonly string[]>(
  values: T,
  opts: { description?: string; default?: T[number]; [annotation: string]: unknown } = {},
): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...opts });
}

/** `schema` or null, as one `type: [t, "null"]` (so a wrong value gets one plain error, not a union's). */
export function Nullable<S extends TSchema>(schema: S, opts: Record<string, unknown> = {}): TUnsafe<Static<S> | null> {
  const { type, ...rest }: { type?: unknown; [keyword: string]: unknown } = schema;
  return Type.Unsafe<Static<S> | null>({ ...rest, type: [type, 'null'], ...opts });
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
export const WholeNumber = (minimum: number, maximum: number, opts: Record<string, unknown> = {}) =>
  Type.Integer({ minimum, maximum, ...opts });

/** Deeply readonly view of a `Static<>` type (config and wire objects are never changed in place). */
export type DeepReadonly<T> = T extends (infer E)[]
  ? readonly DeepReadonly<E>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/**
 * A deep copy of a plain JSON Schema with annotations (`expected`, `description`) added at dotted
 * paths through `properties` (`[]` steps into `items`: `attachments[].cid`). Annotations do not
 * change what passes, so a capability schema keeps its bytes (and hash) while its checks speak
 * plainly.
 */
export function annotate<T extends object>(schema: T, notes: Record<string, Record<string, unknown>>): T {
  const copy = structuredClone(schema) as Record<string, unknown>;
  for (const [path, note] of Object.entries(notes)) {
    let node = copy;
    for (const step of path.split('.')) {
      const [name, items] = step.endsWith('[]') ? [step.slice(0, -2), true] : [step, false];
      node = (node.properties as Record<string, Record<string, unknown>>)[name];
      if (items) node = node.items as Record<string, unknown>;
    }
    Object.assign(node, note);
  }
  return copy as T;
}
