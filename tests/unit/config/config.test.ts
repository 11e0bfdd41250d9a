import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  configPath,
  defaultConfig,
  defaultPaths,
  hearthnetHome,
  loadConfig,
  resolvePaths,
  runtimeFilePath,
  saveConfig,
  validateConfig,
  type Config,
} from '../../../src-main/runtime/config';
import { ConfigError } from '../../../src-main/runtime/config';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hn-config-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const homeEnv = () => ({ HEARTHNET_HOME: dir, HOME: '/nonexistent-home' });

function expectConfigError(fn: () => unknown, code: string, ...parts: string[]): ConfigError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(ConfigError);
  const e = caught as ConfigError;
  expect(e.code).toBe(code);
  for (const p of parts) expect(e.message).toContain(p);
  return e;
}

describe('defaults', () => {
  it('match the reference', () => {
    const c = defaultConfig();
    expect(c.transport).toEqual({ host: '0.0.0.0', port: 7080, tls_cert: null, tls_key: null });
    expect(c.discovery).toEqual({
      mdns_enabled: true,
      udp_enabled: true,
      udp_multicast_group: '239.255.42.42',
      udp_port: 42424,
    });
    expect(c.bus).toEqual({ prefer_local: true, local_load_threshold: 0.8 });
    expect(c.embedding).toEqual({ model: 'BAAI/bge-small-en-v1.5' });
    expect(c.file.gc_threshold).toBe(0.8);
    expect(c.market).toEqual({ enabled: true, default_ttl_seconds: 604800, max_ttl_seconds: 2592000 });
    expect(c.chat).toEqual({ enabled: true, store_and_forward: true });
    expect(c.emergency.probe_targets).toEqual(['1.1.1.1', '8.8.8.8', 'cloudflare.com', 'quad9.net']);
    expect(c.ui).toEqual({ host: '127.0.0.1', port: 7860 });
    expect(c.observability).toEqual({
      log_level: 'info',
      log_dir: '',
      metrics_enabled: true,
      otlp_endpoint: null,
      trackio_project: null,
      trackio_space: null,
    });
    expect(c.identity.auto_generate).toBe(true);
    expect(c.community.community_id).toBeNull();
    expect(c.llm.backends).toEqual([]);
    expect(c.node).toEqual({ display_name: '', profile: 'hearth', models_dir: '' });
    expect(Object.isFrozen(c.transport)).toBe(true);
    expect(() => validateConfig(c)).not.toThrow();
  });

  it('a missing file yields the defaults with resolved paths', () => {
    const c = loadConfig(undefined, { env: homeEnv() });
    expect(c.transport.port).toBe(7080);
    expect(c.identity.keys_dir).toBe(join(dir, 'keys'));
  });
});

describe('paths', () => {
  it('HEARTHNET_HOME roots every path', () => {
    const env = homeEnv();
    expect(hearthnetHome(env)).toBe(dir);
    expect(configPath(env)).toBe(join(dir, 'config.toml'));
    const c = resolvePaths(defaultConfig(), { env });
    expect(c.identity.keys_dir).toBe(join(dir, 'keys'));
    expect(c.community.state_dir).toBe(join(dir, 'state'));
    expect(c.observability.log_dir).toBe(join(dir, 'logs'));
    expect(c.file.blobs_dir).toBe(join(dir, 'blobs'));
    expect(c.rag.corpora_dir).toBe(join(dir, 'corpora'));
    expect(c.node.models_dir).toBe(join(dir, 'models'));
    expect(runtimeFilePath(undefined, env)).toBe(join(dir, 'state', 'runtime.json'));
    expect(runtimeFilePath(c, env)).toBe(join(dir, 'state', 'runtime.json'));
  });

  it('XDG locations without HEARTHNET_HOME', () => {
    const env = { HOME: '/home/ann' };
    const p = defaultPaths(env);
    expect(p.home).toBeNull();
    expect(p.config).toBe('/home/ann/.config/hearthnet/config.toml');
    expect(p.keys).toBe('/home/ann/.config/hearthnet/keys');
    expect(p.state).toBe('/home/ann/.local/state/hearthnet');
    expect(p.blobs).toBe('/home/ann/.local/share/hearthnet/blobs');
    const x = defaultPaths({
      HOME: '/home/ann',
      XDG_CONFIG_HOME: '/cfg',
      XDG_STATE_HOME: '/st',
      XDG_DATA_HOME: '/data',
    });
    expect(x.config).toBe('/cfg/hearthnet/config.toml');
    expect(x.state).toBe('/st/hearthnet');
    expect(x.logs).toBe('/st/hearthnet/logs');
    expect(x.models).toBe('/data/hearthnet/models');
  });

  it('resolvePaths is idempotent and expands ~ and relative paths', () => {
    const env = { HOME: '/home/ann' };
    const raw: Config = {
      ...defaultConfig(),
      identity: { keys_dir: '~/k', auto_generate: true },
      file: { blobs_dir: 'b', gc_threshold: 0.8 },
    };
    const once = resolvePaths(raw, { env, baseDir: '/etc/hn' });
    expect(once.identity.keys_dir).toBe('/home/ann/k');
    expect(once.file.blobs_dir).toBe('/etc/hn/b');
    expect(resolvePaths(once, { env, baseDir: '/elsewhere' })).toEqual(once);
  });
});

describe('load/save', () => {
  it('round-trips a config through save and load', () => {
    const env = homeEnv();
    const c0 = loadConfig(undefined, { env });
    const c: Config = {
      ...c0,
      node: { ...c0.node, display_name: 'The Millers', profile: 'anchor' },
      transport: { ...c0.transport, port: 0 },
      llm: {
        backends: [
          { name: 'ollama', url: 'http://127.0.0.1:11434', model: 'qwen', api_key_env: null },
          { name: 'nemotron', url: null, model: null, api_key_env: 'NVIDIA_API_KEY' },
        ],
      },
      market: { ...c0.market, default_ttl_seconds: 3600 },
      community: { ...c0.community, community_id: 'ed25519:abc' },
    };
    saveConfig(c, undefined, { env });
    const text = readFileSync(join(dir, 'config.toml'), 'utf8');
    expect(text).toContain('[[llm.backends]]');
    expect(text).toContain('display_name = "The Millers"');
    expect(text).not.toContain('keys_dir'); // derived paths are not written
    expect(loadConfig(undefined, { env })).toEqual(c);
  });

  it('reads snake_case sections and backends from TOML', () => {
    const file = join(dir, 'config.toml');
    writeFileSync(
      file,
      '[identity]\nkeys_dir = "mykeys"\n[transport]\nport = 9000\n[[llm.backends]]\nname = "openbmb"\nurl = "http://localhost:8000"\n',
    );
    const c = loadConfig(file, { env: homeEnv() });
    expect(c.identity.keys_dir).toBe(join(dir, 'mykeys'));
    expect(c.transport.port).toBe(9000);
    expect(c.llm.backends).toEqual([{ name: 'openbmb', url: 'http://localhost:8000', model: null, api_key_env: null }]);
  });

  it('atomic save leaves no temp files', () => {
    const env = homeEnv();
    for (let i = 0; i < 3; i++)
      saveConfig({ ...defaultConfig(), ui: { host: '127.0.0.1', port: 7000 + i } }, undefined, {
        env,
      });
    expect(readdirSync(dir)).toEqual(['config.toml']);
    expect(loadConfig(undefined, { env }).ui.port).toBe(7002);
  });

  it('a failed write is write_failed and leaves no temp file', () => {
    mkdirSync(join(dir, 'config.toml')); // a folder where the file should be: rename fails
    expectConfigError(
      () => saveConfig(defaultConfig(), join(dir, 'config.toml'), { force: true }),
      'write_failed',
      'config.toml',
    );
    expect(readdirSync(dir)).toEqual(['config.toml']);
  });

  it('never overwrites a broken file unless forced', () => {
    const file = join(dir, 'config.toml');
    const broken = '[transport]\nport = 7080\nthis is not toml\n';
    writeFileSync(file, broken);
    const e = expectConfigError(() => loadConfig(file), 'config_invalid', file, 'line 3');
    expect(e.details.line).toBe(3);
    expectConfigError(() => saveConfig(defaultConfig(), file), 'config_invalid', 'will not overwrite');
    expect(readFileSync(file, 'utf8')).toBe(broken);
    expect(readdirSync(dir)).toEqual(['config.toml']);
    saveConfig(defaultConfig(), file, { force: true, env: homeEnv() });
    expect(loadConfig(file, { env: homeEnv() }).transport.port).toBe(7080);
  });

  it('config_unreadable when the path cannot be read', () => {
    mkdirSync(join(dir, 'config.toml'));
    expectConfigError(() => loadConfig(join(dir, 'config.toml')), 'config_unreadable', 'config.toml');
  });
});

describe('bad input', () => {
  const cases: [string, string, string[]][] = [
    ['[transport]\nprot = 1\n', 'unknown_key', ['transport.prot', 'transport.port']],
    ['[ui]\nlaunch_browser = false\n', 'unknown_key', ['ui.launch_browser is no longer a setting', '--ui']],
    ['[discovery]\nrelay_urls = []\n', 'unknown_key', ['discovery.relay_urls is no longer a setting', 'peers add']],
    ['[embedding]\ndevice = "cuda"\n', 'unknown_key', ['embedding.device is no longer a setting', 'CPU']],
    ['[transprt]\nport = 1\n', 'unknown_key', ['transprt']],
    ['[[llm.backends]]\nname = "ollama"\nkey = "x"\n', 'unknown_key', ['llm.backends[0].key']],
    ['[transport]\nport = "7080"\n', 'wrong_type', ['transport.port', 'whole number']],
    ['[transport]\nport = 70.5\n', 'wrong_type', ['transport.port']],
    ['[chat]\nenabled = "yes"\n', 'wrong_type', ['chat.enabled', 'true or false']],
    ['[emergency]\nprobe_targets = "1.1.1.1"\n', 'wrong_type', ['emergency.probe_targets']],
    ['transport = 5\n', 'wrong_type', ['transport']],
    ['[[llm.backends]]\nurl = "http://x"\n', 'wrong_type', ['llm.backends[0].name']],
    ['[transport]\nport = 70000\n', 'out_of_range', ['transport.port', '65535']],
    ['[transport]\nport = -1\n', 'out_of_range', ['transport.port']],
    ['[bus]\nlocal_load_threshold = 1.5\n', 'out_of_range', ['bus.local_load_threshold']],
    ['[file]\ngc_threshold = -0.1\n', 'out_of_range', ['file.gc_threshold']],
    ['[market]\ndefault_ttl_seconds = 0\n', 'out_of_range', ['market.default_ttl_seconds']],
    [
      '[market]\ndefault_ttl_seconds = 100\nmax_ttl_seconds = 50\n',
      'out_of_range',
      ['market.default_ttl_seconds', 'max_ttl_seconds'],
    ],
    ['[node]\nprofile = "castle"\n', 'out_of_range', ['node.profile']],
    ['[observability]\nlog_level = "loud"\n', 'out_of_range', ['observability.log_level']],
    ['[discovery]\nudp_multicast_group = "10.0.0.1"\n', 'out_of_range', ['discovery.udp_multicast_group']],
    ['[[llm.backends]]\nname = "gpt5"\n', 'unknown_backend', ['llm.backends[0].name', 'ollama']],
    ['[transport]\ntls_cert = "c.pem"\n', 'config_invalid', ['tls_key']],
    ['[transport\nport = 1\n', 'config_invalid', ['line 1']],
  ];
  for (const [toml, code, parts] of cases) {
    it(`${code}: ${JSON.stringify(toml)}`, () => {
      const file = join(dir, 'config.toml');
      writeFileSync(file, toml);
      const e = expectConfigError(() => loadConfig(file, { env: homeEnv() }), code, file, ...parts);
      expect(e.details.file).toBe(file);
      expect(readFileSync(file, 'utf8')).toBe(toml); // nothing changed
    });
  }

  it('port 0 is accepted (pick a free port)', () => {
    const file = join(dir, 'config.toml');
    writeFileSync(file, '[transport]\nport = 0\n');
    expect(loadConfig(file, { env: homeEnv() }).transport.port).toBe(0);
  });

  it('saveConfig validates before writing', () => {
    const bad: Config = { ...defaultConfig(), transport: { ...defaultConfig().transport, port: 99999 } };
    expectConfigError(() => saveConfig(bad, undefined, { env: homeEnv() }), 'out_of_range', 'transport.port');
    expect(readdirSync(dir)).toEqual([]);
  });
});
