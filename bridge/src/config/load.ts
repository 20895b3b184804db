import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { configSources, loadConfig, type LoadedConfig } from '@convene/protocol/config';
import { BridgeConfigSchema, type BridgeConfig } from './schema.js';

export const APP = 'bridge';

/** The config with every derived default filled in. */
export interface ResolvedBridgeConfig extends BridgeConfig {
  breweryRoom: string;
  bridgeId: string;
  allowedFocusJids: string[];
}

/** Reads the optional config file, then env `CONVENE_BRIDGE_*` and flags; throws ConfigError listing every problem. */
export function loadBridgeConfig(
  env: Readonly<Record<string, string | undefined>>,
  argv: readonly string[],
): LoadedConfig<ResolvedBridgeConfig> {
  const sources = configSources(APP, env, argv, (path) => readFileSync(path, 'utf8'));
  const loaded = loadConfig(APP, BridgeConfigSchema, sources);
  return { config: Object.freeze(resolveDefaults(loaded.config)), origins: loaded.origins };
}

/** Fills the defaults that derive from other keys or from the host. */
export function resolveDefaults(c: BridgeConfig, host = hostname()): ResolvedBridgeConfig {
  const safeHost = host.replace(/[^a-zA-Z0-9_.-]/g, '-').slice(0, 56) || 'local';
  return {
    ...c,
    breweryRoom: c.breweryRoom ?? `jvbbrewery@internal.auth.${c.domain}`,
    bridgeId: c.bridgeId ?? `jvb-${safeHost}`,
    allowedFocusJids: c.allowedFocusJids ?? [`focus@auth.${c.domain}`, `focus.${c.domain}`],
  };
}
