/**
 * Turns an ajv error into one plain sentence that names the field (`title: must not be empty`),
 * never a JSON pointer and a keyword. Schemas may carry an `expected` annotation (what the value
 * must be, in words) and a `description` (the sentence for a `pattern` or `anyOf` refusal).
 */
import type { ErrorObject } from 'ajv';

/** JSON pointer `/llm/backends/0/name` as a dotted path `llm.backends[0].name`. */
export function dottedPath(pointer: string): string {
  let out = '';
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^\d+$/.test(seg) ? `[${seg}]` : out ? `.${seg}` : seg;
  }
  return out;
}

/** The dotted path of the field an error is about (for `required`, the missing field itself). */
export function fieldOf(e: ErrorObject): string {
  const path = dottedPath(e.instancePath);
  if (e.keyword === 'required') {
    const missing = (e.params as { missingProperty: string }).missingProperty;
    return path ? `${path}.${missing}` : missing;
  }
  if (e.keyword === 'additionalProperties') {
    const extra = (e.params as { additionalProperty: string }).additionalProperty;
    return path ? `${path}.${extra}` : extra;
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

/** The schema an error was raised by (ajv `verbose`), as a plain record. */
export function schemaOf(e: ErrorObject): Record<string, unknown> {
  return e.parentSchema ?? {};
}

/** "a whole number", "text or empty", ... for a JSON Schema `type`. */
export function typeWords(type: unknown): string {
  const list = Array.isArray(type) ? type : String(type).split(',');
  return list.map((t) => TYPE_WORDS[String(t)] ?? String(t)).join(' or ');
}

/** What is wrong, without the field: `must not be empty`. */
export function reason(e: ErrorObject): string {
  const s = schemaOf(e);
  const p = e.params as Record<string, unknown>;
  // Code points, as ajv counts them for minLength/maxLength (not UTF-16 units, not graphemes).
  // eslint-disable-next-line @typescript-eslint/no-misused-spread -- code points are what is meant here
  const has = typeof e.data === 'string' ? ` (it has ${[...e.data].length})` : '';
  if (typeof s.expected === 'string' && e.keyword !== 'required' && e.keyword !== 'additionalProperties')
    return `must be ${s.expected}${e.keyword === 'minLength' || e.keyword === 'maxLength' ? has : ''}`;
  switch (e.keyword) {
    case 'required':
      return 'is required';
    case 'type':
      if (s.type === 'integer' && typeof s.minimum === 'number' && typeof s.maximum === 'number')
        return `must be a whole number from ${s.minimum} to ${s.maximum}`;
      return `must be ${typeWords(p.type)}`;
    case 'minLength':
      return p.limit === 1 ? 'must not be empty' : `must be at least ${String(p.limit)} characters`;
    case 'maxLength':
      return `must be at most ${String(p.limit)} characters${has}`;
    case 'minimum':
    case 'maximum':
      return typeof s.minimum === 'number' && typeof s.maximum === 'number'
        ? `must be ${s.type === 'integer' ? 'a whole number' : 'a number'} from ${s.minimum} to ${s.maximum}`
        : `must be ${e.keyword === 'minimum' ? 'at least' : 'at most'} ${String(p.limit)}`;
    case 'exclusiveMinimum':
      return `must be more than ${String(p.limit)}`;
    case 'enum':
      return `must be one of ${(p.allowedValues as unknown[]).join(', ')}`;
    case 'const':
      return `must be ${JSON.stringify(p.allowedValue)}`;
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

/** The sentence for one error: `title: must not be empty`, or `the input must be an object`. */
export function describeError(e: ErrorObject): string {
  if (e.keyword === 'additionalProperties') {
    const parent = dottedPath(e.instancePath);
    const extra = (e.params as { additionalProperty: string }).additionalProperty;
    return `${parent ? `${parent}: ` : ''}unknown field "${extra}"`;
  }
  const field = fieldOf(e);
  return field ? `${field}: ${reason(e)}` : `the input ${reason(e)}`;
}

/** Something that checks a value and keeps the errors of its last failure (a compiled schema). */
interface Checker<T> {
  (value: unknown): value is T;
  errors?: ErrorObject[] | null;
}

/**
 * `value` as a `T` when `check` passes; otherwise throws what `fail` makes of the sentence naming
 * the field (`fail('port: must be a whole number from 1 to 65535', 'port')`), so each domain throws
 * its own error type with the schema's words.
 */
export function parseWith<T>(
  check: Checker<T>,
  value: unknown,
  fail: (message: string, field: string, why: string) => Error,
): T {
  if (check(value)) return value;
  const e = check.errors?.at(-1); // see compile.ts firstError: a oneOf's own error comes last
  if (!e) throw fail('the input is not valid', '', 'is not valid');
  const why = e.keyword === 'additionalProperties' ? 'is not a known field' : reason(e);
  throw fail(describeError(e), fieldOf(e), why);
}
