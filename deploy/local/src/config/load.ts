import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { ConfigError, configPathFrom, loadConfig, type LoadedConfig } from '@convene/protocol/config';
import { StackConfigSchema, type StackConfig } from './schema.js';

export const APP = 'stack';
export const DEFAULT_CONFIG_FILE = 'convene.yaml';

/**
 * Reads the stack config from `--config`/`CONVENE_STACK_CONFIG` or `./convene.yaml`. On the very first run
 * (no file named, none in the directory) writes `convene.yaml` with fresh secrets so `npm start` just works.
 */
export function loadStackConfig(
  env: Readonly<Record<string, string | undefined>>,
  argv: readonly string[],
  cwd: string,
): LoadedConfig<StackConfig> & { created?: string } {
  const named = configPathFrom(APP, env, argv);
  const path = named?.path ?? `${cwd}/${DEFAULT_CONFIG_FILE}`;
  let created: string | undefined;
  if (named === undefined && !existsSync(path)) {
    writeFileSync(path, firstRunConfig(), { mode: 0o600 });
    created = path;
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
    throw new ConfigError(APP, [{ key: 'config', message: `cannot read ${path}: ${why}`, origin: named?.origin }]);
  }
  const loaded = loadConfig(APP, StackConfigSchema, { file: { text, path }, env, argv });
  return created === undefined ? loaded : { ...loaded, created };
}

function firstRunConfig(): string {
  const secret = () => randomBytes(18).toString('base64url');
  return [
    '# Convene local stack (npm start). Every key: deploy/local/README.md. Env CONVENE_STACK_<KEY> and --<key> override.',
    `focusSecret: ${secret()}`,
    `bridgePassword: ${secret()}`,
    '',
  ].join('\n');
}
