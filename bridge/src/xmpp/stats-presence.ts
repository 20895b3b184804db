import type { Element } from 'ltx';
import { NS_COLIBRI } from '@convene/protocol/xml';
import { xmlElement } from '@convene/protocol/xml';

const NS_MUC = 'http://jabber.org/protocol/muc';

/** A stat value as JVB publishes it; everything travels as a string. */
export type StatValue = string | number | boolean;

/** `<stats xmlns="http://jitsi.org/protocol/colibri">` with one `<stat name value>` per entry (PROTOCOL.md §6). */
export function buildStatsElement(stats: Readonly<Record<string, StatValue>>): Element {
  return xmlElement(
    'stats',
    { xmlns: NS_COLIBRI },
    Object.entries(stats).map(([name, value]) => xmlElement('stat', { name, value: formatStat(value) })),
  );
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
