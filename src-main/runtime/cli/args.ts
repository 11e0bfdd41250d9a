/** Small argument checks shared by commands: each failure is a usage error (exit 2) saying what to type. */
import { resolve } from 'node:path';
import { unsafeCharIn } from '../../common';
import { CliExit, EXIT } from './exit-codes';

/** A whole number within [min, max], or exit 2 naming the option. */
export function wholeNumber(
  value: string | undefined,
  option: string,
  min = 1,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max)
    throw new CliExit(
      EXIT.usage,
      `${option} must be a whole number from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ' up'}, got "${value}"`,
    );
  return n;
}

/** One of a fixed list, or exit 2 listing the choices. */
export function oneOf<T extends string>(value: string, choices: readonly T[], option: string): T;
export function oneOf<T extends string>(
  value: string | undefined,
  choices: readonly T[],
  option: string,
): T | undefined;
export function oneOf<T extends string>(
  value: string | undefined,
  choices: readonly T[],
  option: string,
): T | undefined {
  if (value === undefined) return undefined;
  if (!(choices as readonly string[]).includes(value))
    throw new CliExit(EXIT.usage, `${option} must be one of ${choices.join(', ')}, got "${value}"`);
  return value as T;
}

const CID_RE = /^blake3:[0-9a-f]{64}$/;

/** A file id (`blake3:` + 64 hex digits), or exit 2 saying what one looks like. */
export function fileId(value: string, what = 'the file id'): string {
  const v = value.trim();
  if (!CID_RE.test(v))
    throw new CliExit(
      EXIT.usage,
      `"${value}" is not a file id: ${what} is "blake3:" followed by 64 hex digits (as \`files list\` shows)`,
    );
  return v;
}

/** A non-empty text argument, or exit 2. */
export function nonEmpty(value: string | undefined, what: string): string {
  if (value === undefined || !value.trim()) throw new CliExit(EXIT.usage, `${what} must not be empty`);
  return value;
}

/** "a, b,c" -> ["a","b","c"] (also accepts the option repeated). */
export function list(value: string, previous: string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  ];
}

/** An absolute path for the node (it runs with another working directory). */
export function absolutePath(p: string): string {
  return resolve(process.cwd(), p);
}

/** A name neighbours will see (household, community): one line of plain text, or exit 2. */
export function plainName(value: string, what: string): string {
  const unsafe = unsafeCharIn(value);
  if (unsafe)
    throw new CliExit(
      EXIT.usage,
      `${what} must be one line of plain text, without control or text-direction characters (found ${unsafe})`,
    );
  return value;
}
