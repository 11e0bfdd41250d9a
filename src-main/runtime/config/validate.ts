/** Range and cross-field checks (§1 of ../shared/spec/hearthnet-reference.md `validate`). Throws the first problem found. */
import { isIPv4 } from 'node:net';
import { isOneOf, PROFILES, unsafeCharIn } from '../../common';
import { keyError } from './errors';
import { LLM_BACKEND_NAMES, LOG_LEVELS, type Config } from './types';
import { ConfigError } from './errors';

const PORT_MAX = 65_535;

function isMulticastV4(addr: string): boolean {
  if (!isIPv4(addr)) return false;
  const first = Number(addr.split('.')[0]);
  return first >= 224 && first <= 239;
}

/**
 * Check every value is in range. `file` only names the source in messages.
 * Codes: out_of_range (ports, ratios, ttls, enums), unknown_backend, config_invalid (cross-field).
 */
export function validateConfig(config: Config, file: string | null = null): void {
  const range = (key: string, expected: string, got: unknown) => keyError('out_of_range', file, key, expected, got);
  const port = (key: string, v: number, min: number) => {
    if (!Number.isInteger(v) || v < min || v > PORT_MAX) {
      throw range(
        key,
        min === 0 ? `a port from 0 to ${PORT_MAX} (0 picks a free port)` : `a port from ${min} to ${PORT_MAX}`,
        v,
      );
    }
  };
  const ratio = (key: string, v: number) => {
    if (!(v >= 0 && v <= 1)) throw range(key, 'a fraction from 0 to 1 (e.g. 0.8)', v);
  };

  if (!isOneOf(PROFILES, config.node.profile))
    throw range('node.profile', `one of ${PROFILES.join(', ')}`, config.node.profile);
  // Neighbours see this name on their screens: one line of plain text (see common/text-safety.ts).
  const unsafeName = unsafeCharIn(config.node.display_name ?? '');
  if (unsafeName)
    throw range(
      'node.display_name',
      `one line of plain text without control or text-direction characters (found ${unsafeName})`,
      config.node.display_name,
    );
  port('transport.port', config.transport.port, 0);
  port('ui.port', config.ui.port, 0);
  port('discovery.udp_port', config.discovery.udp_port, 1);
  if (!isMulticastV4(config.discovery.udp_multicast_group)) {
    throw range(
      'discovery.udp_multicast_group',
      'an IPv4 multicast address (224.0.0.0 to 239.255.255.255)',
      config.discovery.udp_multicast_group,
    );
  }
  ratio('bus.local_load_threshold', config.bus.local_load_threshold);
  ratio('file.gc_threshold', config.file.gc_threshold);
  const { default_ttl_seconds: dflt, max_ttl_seconds: max } = config.market;
  if (!(Number.isInteger(dflt) && dflt > 0))
    throw range('market.default_ttl_seconds', 'a whole number of seconds above 0', dflt);
  if (!(Number.isInteger(max) && max > 0))
    throw range('market.max_ttl_seconds', 'a whole number of seconds above 0', max);
  if (dflt > max) throw range('market.default_ttl_seconds', `at most market.max_ttl_seconds (${max})`, dflt);
  if (!isOneOf(LOG_LEVELS, config.observability.log_level)) {
    throw range('observability.log_level', `one of ${LOG_LEVELS.join(', ')}`, config.observability.log_level);
  }
  config.llm.backends.forEach((b, i) => {
    if (!isOneOf(LLM_BACKEND_NAMES, b.name)) {
      throw keyError(
        'unknown_backend',
        file,
        `llm.backends[${i}].name`,
        `one of ${LLM_BACKEND_NAMES.join(', ')}`,
        b.name,
      );
    }
  });
  if ((config.transport.tls_cert === null) !== (config.transport.tls_key === null)) {
    const key = config.transport.tls_cert === null ? 'transport.tls_cert' : 'transport.tls_key';
    throw new ConfigError(
      'config_invalid',
      `${file ?? 'config'}: transport.tls_cert and transport.tls_key must be set together (only one is set)`,
      {
        details: { file, key, expected: 'both tls_cert and tls_key, or neither' },
      },
    );
  }
}
