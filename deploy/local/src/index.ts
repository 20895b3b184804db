export { startStack, type RunningStack, type Service } from './stack.js';
export { loadStackConfig, APP, DEFAULT_CONFIG_FILE } from './config/load.js';
export { StackConfigSchema, type StackConfig } from './config/schema.js';
