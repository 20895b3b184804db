import type { Element } from 'ltx';
import { buildBridgeStats } from '@convene/protocol/jitsi';
import { xmlElement } from '@convene/protocol/xml';

const NS_MUC = 'http://jabber.org/protocol/muc';

/** A stat value as the bridge computes it; everything travels as a string. */
export type StatValue = string | number | boolean;

/** `<stats xmlns="http://jitsi.org/protocol/colibri">` with one `<stat name value>` per entry (PROTOCOL.md §6). */
export function buildStatsElement(stats: Readonly<Record<string, StatValue>>): Element {
  return buildBridgeStats(Object.fromEntries(Object.entries(stats).map(([k, v]) => [k, formatStat(v)])));
}

/** The brewery presence: the MUC join marker on the first one, then the stats. */
export function buildBreweryPresence(to: string, stats: Readonly<Record<string, StatValue>>, join: boolean): Element {
  return xmlElement('presence', { to }, [join && xmlElement('x', { xmlns: NS_MUC }), buildStatsElement(stats)]);
}

function formatStat(v: StatValue): string {
  if (typeof v !== 'number') return String(v);
  // Integers as integers, ratios with at most 4 decimals: what JVB's stats look like.
  return Number.isInteger(v) ? String(v) : String(Math.round(v * 10_000) / 10_000);
}
