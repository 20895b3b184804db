import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
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
): LoadedConfig<StackConfig> & { created?: string; tightened?: string } {
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
  const tightened = keepPrivate(path, named?.origin);
  const loaded = loadConfig(APP, StackConfigSchema, { file: { text, path }, env, argv });
  return {
    ...loaded,
    ...(created === undefined ? {} : { created }),
    ...(tightened === undefined ? {} : { tightened }),
  };
}

/**
 * The file holds the focus secret and the bridge password: readable by its owner only, on every start, not just
 * when we wrote it (a copy, an editor or an old umask may have opened it up). Returns the old mode when it changed.
 */
function keepPrivate(path: string, origin: string | undefined): string | undefined {
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) === 0) return undefined;
  const old = mode.toString(8).padStart(4, '0');
  try {
    chmodSync(path, 0o600);
  } catch (err) {
    const message = `${path} holds secrets and is readable by others (mode ${old}); making it 0600 failed: ${(err as Error).message}`;
    throw new ConfigError(APP, [{ key: 'config', message, origin }]);
  }
  return old;
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
