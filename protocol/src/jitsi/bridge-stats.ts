import type { Element } from 'ltx';
import { NS_COLIBRI } from '../xml/namespaces.js';
import { childrenOf, expectElement, optAttr, reqAttr, toBool, toDecimal } from '../xml/read-element.js';
import { xmlElement } from '../xml/build-element.js';

/** `<stats xmlns="http://jitsi.org/protocol/colibri">` as name → value strings, in document order. */
export type BridgeStats = Record<string, string>;

/** What bridge selection reads from the stats (PROTOCOL.md §6), with Jicofo's defaults applied. */
export interface BridgeLoad {
  stressLevel?: number;
  averageParticipantStress: number;
  /** Absent `drain` means draining. */
  drain: boolean;
  gracefulShutdown: boolean;
  shuttingDown: boolean;
  healthy?: boolean;
  version?: string;
  release?: string;
  region?: string;
  relayId?: string;
}

/** Parses the brewery presence `stats` element. */
export function parseBridgeStats(el: Element): BridgeStats {
  expectElement(el, 'stats', NS_COLIBRI);
  const entries = childrenOf(el, 'stat', NS_COLIBRI).map((s) => [reqAttr(s, 'name'), optAttr(s, 'value') ?? '']);
  return Object.fromEntries(entries) as BridgeStats;
}

/** Builds `<stats>` with one `<stat name value>` per entry. */
export function buildBridgeStats(stats: BridgeStats): Element {
  return xmlElement(
    'stats',
    { xmlns: NS_COLIBRI },
    Object.entries(stats).map(([name, value]) => xmlElement('stat', { name, value })),
  );
}

/** Interprets the stats the focus uses; a malformed value throws ProtocolError naming the stat. */
export function readBridgeLoad(stats: BridgeStats): BridgeLoad {
  const num = (k: string) => (stats[k] === undefined ? undefined : toDecimal(`stat '${k}'`, stats[k]));
  const bool = (k: string) => (stats[k] === undefined ? undefined : toBool(`stat '${k}'`, stats[k]));
  const load: BridgeLoad = {
    averageParticipantStress: num('average_participant_stress') ?? 0.01,
    drain: bool('drain') ?? true,
    gracefulShutdown: bool('graceful_shutdown') ?? false,
    shuttingDown: bool('shutting_down') ?? false,
  };
  const stress = num('stress_level');
  if (stress !== undefined) load.stressLevel = stress;
  const healthy = bool('healthy');
  if (healthy !== undefined) load.healthy = healthy;
  for (const [key, stat] of [
    ['version', 'version'],
    ['release', 'release'],
    ['region', 'region'],
    ['relayId', 'relay_id'],
  ] as const) {
    const v = stats[stat];
    if (v !== undefined && v !== '') load[key] = v;
  }
  return load;
}
