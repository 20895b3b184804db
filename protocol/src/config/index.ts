export { loadConfig, configPathFrom, configSources, type ConfigSources, type LoadedConfig } from './load-config.js';
export { ConfigError, type ConfigProblem } from './config-error.js';
export { envNameFor, cliFlagFor } from './names.js';
export { Port, Secret, Domain, LogLevel } from './schema-types.js';
