import { TypedEmitter } from '@convene/protocol/lib';
import type { Element } from 'ltx';
import type { Logger } from 'pino';
import { parseBridgeStats, readBridgeLoad } from '@convene/protocol/jitsi';
import type { JidAllowList } from '@convene/protocol/lib';
import { NS_COLIBRI } from '@convene/protocol/xml';
import type { MucRoom } from '../muc/muc-room.js';
import type { Occupant } from '../muc/occupant.js';
import { Bridge, type BridgeState } from './bridge.js';
import { selectBridge, type SelectionRequest } from './bridge-selector.js';

export type BreweryEvents = {
  /** Joined the brewery, or can take conferences again (failure window over, health check passed). */
  bridgeup: [Bridge];
  /** Left the brewery, or started shutting down: conferences on it must move. */
  bridgedown: [Bridge];
};

/**
 * The bridges in the brewery room, kept from their stats presence (PROTOCOL.md §6). An occupant is a bridge only
 * when its real JID (the brewery is whois=anyone) is on the allow list: anyone else who got into the room and
 * advertises stats (stress 0, to be given every new conference) is ignored, logged once and counted.
 */
export class Brewery extends TypedEmitter<BreweryEvents> {
  readonly #bridges = new Map<string, Bridge>();
  readonly #allowed: JidAllowList;
  /** Occupant JIDs refused while they stay in the room: warned about once. */
  readonly #refused = new Set<string>();
  readonly #log: Logger;
  /** Stats presences we could not read, for metrics. */
  badStats = 0;
  /** Occupants with stats whose real JID is not an allowed bridge, once per stay in the room. */
  rejectedOccupants = 0;

  readonly #failureResetMs: number | undefined;

  constructor(room: MucRoom, allowed: JidAllowList, log: Logger, options: { failureResetMs?: number } = {}) {
    super((err, event) => log.error({ err, event }, 'listener threw'));
    this.#allowed = allowed;
    this.#log = log;
    this.#failureResetMs = options.failureResetMs;
    room.on('memberjoin', (o) => this.#update(o));
    room.on('memberupdate', (o) => this.#update(o));
    room.on('memberleave', (o) => {
      this.#refused.delete(o.occupantJid);
      this.#remove(o.occupantJid, 'left the brewery');
    });
    room.on('gone', () => {
      this.#refused.clear();
      for (const jid of [...this.#bridges.keys()]) this.#remove(jid, 'brewery lost');
    });
  }

  get bridges(): readonly Bridge[] {
    return [...this.#bridges.values()];
  }

  get(jid: string): Bridge | undefined {
    return this.#bridges.get(jid);
  }

  /** Bridges picked for a conference, by bridge id; and selections that found no usable bridge. */
  readonly selections = new Map<string, number>();
  selectionFailures = 0;

  select(request: SelectionRequest): Bridge | undefined {
    const bridge = selectBridge(this.#bridges.values(), request, Date.now());
    if (bridge === undefined) this.selectionFailures++;
    else this.selections.set(bridge.id, (this.selections.get(bridge.id) ?? 0) + 1);
    return bridge;
  }

  #update(o: Occupant): void {
    const statsEl = o.presence.getChild('stats', NS_COLIBRI);
    if (statsEl === undefined) return; // an occupant without stats is not a bridge (e.g. the focus itself)
    if (!this.#allowed.allows(o.jid)) {
      this.#refuse(o);
      return;
    }
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
      const bridge = new Bridge(o.occupantJid, state, {
        ...(this.#failureResetMs !== undefined ? { failureResetMs: this.#failureResetMs } : {}),
        onOperational: (b) => this.#operational(b),
      });
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

  #refuse(o: Occupant): void {
    if (this.#refused.has(o.occupantJid)) return;
    this.#refused.add(o.occupantJid);
    this.rejectedOccupants++;
    // A bridge we knew under this occupant JID cannot turn into someone else without leaving, but be sure.
    this.#remove(o.occupantJid, 'real JID no longer allowed');
    this.#log.warn(
      { occupant: o.occupantJid, realJid: o.jid ?? null, allowed: this.#allowed.entries },
      'brewery occupant with stats is not an allowed bridge',
    );
  }

  #operational(bridge: Bridge): void {
    if (this.#bridges.get(bridge.jid) !== bridge || bridge.state.shuttingDown) return;
    this.#log.info({ bridge: bridge.id }, 'bridge operational again');
    this.emit('bridgeup', bridge);
  }

  #remove(jid: string, why: string): void {
    const bridge = this.#bridges.get(jid);
    if (bridge === undefined) return;
    this.#bridges.delete(jid);
    bridge.forget();
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
