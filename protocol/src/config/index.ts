export { loadConfig, configPathFrom, configSources, type ConfigSources, type LoadedConfig } from './load-config.js';
export { ConfigError, loadOrExit, type ConfigExit, type ConfigProblem } from './config-error.js';
export { envNameFor, cliFlagFor } from './names.js';
export { Port, Secret, Domain, LogLevel, JidPattern } from './schema-types.js';
