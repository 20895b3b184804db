import type { Bridge } from './bridge.js';

export interface SelectionRequest {
  /** The participant's region, when it told us. */
  region?: string | undefined;
  /** Bridges to leave out (e.g. the one that just failed). */
  exclude?: ReadonlySet<string>;
}

/** Corrected stress at or above this makes a bridge overloaded (Jicofo's stress-threshold). */
export const STRESS_THRESHOLD = 0.8;

/**
 * Picks the bridge for a new conference (PROTOCOL.md §6): operational, not shutting down; non-draining before
 * draining, not in graceful shutdown before in it, not overloaded before overloaded, the participant's region
 * before others, then the least corrected stress. Undefined when no bridge can take it.
 */
export function selectBridge(bridges: Iterable<Bridge>, request: SelectionRequest, now: number): Bridge | undefined {
  let best: Bridge | undefined;
  let bestKey: number[] = [];
  for (const b of bridges) {
    if (request.exclude?.has(b.jid) || b.state.shuttingDown || !b.isOperational(now)) continue;
    const stress = b.correctedStress(now);
    const key = [
      b.state.drain ? 1 : 0,
      b.state.gracefulShutdown ? 1 : 0,
      stress >= STRESS_THRESHOLD ? 1 : 0,
      request.region !== undefined && b.state.region !== request.region ? 1 : 0,
      stress,
    ];
    if (best === undefined || compare(key, bestKey) < 0) {
      best = b;
      bestKey = key;
    }
  }
  return best;
}

function compare(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
