/** X04 configuration: types, defaults, locations, load/save/validate. */
export { CONFIG_ERROR_CODES, ConfigError, type ConfigErrorCode } from './errors';
export * from './types';
export { defaultConfig, DEFAULT_PROBE_TARGETS } from './defaults';
export {
  hearthnetHome,
  configPath,
  defaultPaths,
  resolvePaths,
  runtimeFilePath,
  expandPath,
  CONFIG_FILE_NAME,
  RUNTIME_FILE_NAME,
} from './paths';
export type { HearthPaths, ResolveOptions } from './paths';
export { configFromToml } from './parse';
export { validateConfig } from './validate';
export { loadConfig } from './load';
export type { LoadOptions } from './load';
export { saveConfig, configToToml } from './save';
export type { SaveOptions } from './save';
