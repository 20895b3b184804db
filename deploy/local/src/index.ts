export { startStack, type RunningStack, type Service } from './stack.js';
export { loadStackConfig, APP, DEFAULT_CONFIG_FILE } from './config/load.js';
export { StackConfigSchema, type StackConfig } from './config/schema.js';
export { RestartPolicy, DEFAULT_RESTART_POLICY, type RestartPolicyOptions } from './restart-policy.js';
export { SupervisedService, type Supervisable, type SupervisedServiceDeps } from './supervised-service.js';
