/** Reads an API key from the environment variable a config names; the key itself is never logged. */
import { LlmError } from './errors';

export type Env = Readonly<Record<string, string | undefined>>;

/** The key, or null when no variable is configured. Throws auth_failed if it is configured but unset. */
export function readApiKey(envName: string | null | undefined, env: Env, backend: string): string | null {
  if (!envName) return null;
  const v = env[envName]?.trim();
  if (!v) throw new LlmError('auth_failed', `${backend} needs an API key: set the environment variable ${envName}`);
  return v;
}
