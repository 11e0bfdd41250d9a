/**
 * Checks of a whole Config (reference §1 `validate`): the schema of `schema.ts` (types, ranges,
 * enums) and the few rules JSON Schema says badly (cross-field, unsafe characters). Throws the
 * first problem found, naming the dotted key.
 */
import { unsafeCharIn } from '../../common';
import { compileSchema, firstError } from '../schema';
import { configErrorOf, keyError } from './errors';
import { ConfigSchema } from './schema';
import type { Config } from './types';
import { ConfigError } from './errors';

const check = compileSchema(ConfigSchema);

/**
 * Check every value is of its type and in range. `file` only names the source in messages.
 * Codes: wrong_type, unknown_key, out_of_range (ports, ratios, ttls, enums), unknown_backend,
 * config_invalid (cross-field).
 */
export function validateConfig(config: Config, file: string | null = null): void {
  if (!check(config)) {
    const e = firstError(check);
    throw e ? configErrorOf(e, file) : new ConfigError('config_invalid', `${file ?? 'config'}: not a valid config`);
  }
  // Neighbours see this name on their screens: one line of plain text (see common/text-safety.ts).
  const unsafeName = unsafeCharIn(config.node.display_name);
  if (unsafeName)
    throw keyError(
      'out_of_range',
      file,
      'node.display_name',
      `one line of plain text without control or text-direction characters (found ${unsafeName})`,
      config.node.display_name,
    );
  const { default_ttl_seconds: dflt, max_ttl_seconds: max } = config.market;
  if (dflt > max)
    throw keyError('out_of_range', file, 'market.default_ttl_seconds', `at most market.max_ttl_seconds (${max})`, dflt);
  if ((config.transport.tls_cert === null) !== (config.transport.tls_key === null)) {
    const key = config.transport.tls_cert === null ? 'transport.tls_cert' : 'transport.tls_key';
    throw new ConfigError(
      'config_invalid',
      `${file ?? 'config'}: transport.tls_cert and transport.tls_key must be set together (only one is set)`,
      { details: { file, key, expected: 'both tls_cert and tls_key, or neither' } },
    );
  }
}
