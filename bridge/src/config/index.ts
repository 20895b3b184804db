export { BridgeConfigSchema, type BridgeConfig } from './schema.js';
export { loadBridgeConfig, resolveDefaults, type ResolvedBridgeConfig, APP } from './load.js';
