import { EventEmitter } from 'node:events';
import type { Element } from 'ltx';
import type { Logger } from 'pino';
import { parseBridgeStats, readBridgeLoad } from '@convene/protocol/jitsi';
import { NS_COLIBRI } from '@convene/protocol/xml';
import type { MucRoom } from '../muc/muc-room.js';
import type { Occupant } from '../muc/occupant.js';
import { Bridge, type BridgeState } from './bridge.js';
import { selectBridge, type SelectionRequest } from './bridge-selector.js';

export interface BreweryEvents {
  bridgeup: [Bridge];
  /** Left the brewery, or started shutting down: conferences on it must move. */
  bridgedown: [Bridge];
}

/** The bridges in the brewery room, kept from their stats presence (PROTOCOL.md §6). */
export class Brewery extends EventEmitter<BreweryEvents> {
  readonly #bridges = new Map<string, Bridge>();
  readonly #log: Logger;
  /** Stats presences we could not read, for metrics. */
  badStats = 0;

  constructor(room: MucRoom, log: Logger) {
    super();
    this.#log = log;
    room.on('memberjoin', (o) => this.#update(o));
    room.on('memberupdate', (o) => this.#update(o));
    room.on('memberleave', (o) => this.#remove(o.occupantJid, 'left the brewery'));
    room.on('gone', () => {
      for (const jid of [...this.#bridges.keys()]) this.#remove(jid, 'brewery lost');
    });
  }

  get bridges(): readonly Bridge[] {
    return [...this.#bridges.values()];
  }

  get(jid: string): Bridge | undefined {
    return this.#bridges.get(jid);
  }

  select(request: SelectionRequest): Bridge | undefined {
    return selectBridge(this.#bridges.values(), request, Date.now());
  }

  #update(o: Occupant): void {
    const statsEl = o.presence.getChild('stats', NS_COLIBRI);
    if (statsEl === undefined) return; // an occupant without stats is not a bridge (e.g. the focus itself)
    let state: BridgeState;
    try {
      state = toState(statsEl, this.#bridges.get(o.occupantJid)?.state);
    } catch (err) {
      this.badStats++;
      this.#log.warn({ err, bridge: o.occupantJid }, 'unreadable bridge stats');
      return;
    }
    const known = this.#bridges.get(o.occupantJid);
    if (known === undefined) {
      const bridge = new Bridge(o.occupantJid, state);
      this.#bridges.set(o.occupantJid, bridge);
      this.#log.info({ bridge: bridge.id, region: state.region, version: state.version }, 'bridge up');
      if (!state.shuttingDown) this.emit('bridgeup', bridge);
      return;
    }
    const wasShuttingDown = known.state.shuttingDown;
    known.state = state;
    if (state.shuttingDown && !wasShuttingDown) {
      this.#log.info({ bridge: known.id }, 'bridge shutting down');
      this.emit('bridgedown', known);
    }
  }

  #remove(jid: string, why: string): void {
    const bridge = this.#bridges.get(jid);
    if (bridge === undefined) return;
    this.#bridges.delete(jid);
    this.#log.warn({ bridge: bridge.id, why }, 'bridge down');
    this.emit('bridgedown', bridge);
  }
}

function toState(statsEl: Element, previous: BridgeState | undefined): BridgeState {
  const load = readBridgeLoad(parseBridgeStats(statsEl));
  return {
    // An absent stress_level keeps the last one (Jicofo).
    stressLevel: load.stressLevel ?? previous?.stressLevel ?? 0,
    averageParticipantStress: load.averageParticipantStress,
    drain: load.drain,
    // Once in graceful shutdown, always in graceful shutdown.
    gracefulShutdown: load.gracefulShutdown || (previous?.gracefulShutdown ?? false),
    shuttingDown: load.shuttingDown,
    region: load.region,
    version: load.version,
    relayId: load.relayId,
  };
}
