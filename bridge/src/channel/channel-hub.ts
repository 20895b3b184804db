// The bridge channel's messages and limits (PROTOCOL.md §7.4), whatever carries them: colibri-ws (colibri-ws.ts) and
// the SCTP data channel (sctp-channel.ts) hand each message here, so both behave the same. One channel per
// endpoint; messages never leave the sender's conference.
import type { Logger } from 'pino';
import { ProtocolError } from '@convene/protocol/lib';
import { parseClientMessage, type ClientMessage, type JsonObject } from './channel-message.js';
import { routeEndpointMessage } from './channel-router.js';
import { ChannelLimiter, DEFAULT_CHANNEL_LIMITS, type ChannelLimits } from './channel-limiter.js';
import { storeVideoType } from './video-types.js';
import { videoEventMessage, type ChannelVideoEvent } from './video-events.js';

/** What the channel needs of an endpoint; the conference model's Endpoint (bridge/src/conference/) is one. */
export interface ChannelEndpoint {
  readonly id: string;
  readonly conferenceId: string;
  readonly password: string;
  readonly closed: boolean;
  /** The endpoint's video source names as Colibri2 last set them: the only names its video types are kept for. */
  readonly videoSourceNames: readonly string[];
  readonly videoTypes: Map<string, string>;
  setReceiverVideoConstraints(patch: Readonly<Record<string, unknown>>): void;
  setLastN(lastN: number): void;
  /** A video type of one of its own sources, stored in `videoTypes`: the allocation weighs desktop and camera. */
  setVideoType(sourceName: string, videoType: string): void;
  on(name: 'close', fn: () => void): () => void;
}

export interface ChannelDirectory {
  findEndpoint(conferenceId: string, endpointId: string): ChannelEndpoint | undefined;
  /** The video source names this endpoint is sent now (its allocation). */
  forwardedSources(conferenceId: string, endpointId: string): string[];
  /** What a channel that just connected hears at once (dominant speaker, its sender constraints). */
  videoSnapshot?(conferenceId: string, endpointId: string): readonly ChannelVideoEvent[];
}

export type ChannelDropReason =
  | 'binary'
  | 'malformed'
  | 'unexpected-class'
  | 'unknown-target'
  | 'send-failed'
  | 'rate-limited'
  | 'too-large'
  | 'backlog'
  | 'video-type-evicted';

/** Why the bridge closed a channel on its own. */
export type ChannelCloseReason = 'rate-limited' | 'too-large' | 'backlog';

/** What carries one endpoint's channel: a WebSocket or an SCTP data channel. */
export interface ChannelSocket {
  readonly transport: 'websocket' | 'sctp';
  readonly isOpen: boolean;
  /** Bytes handed to the transport and not yet sent. */
  readonly bufferedAmount: number;
  /** Sends one text message; false when it could not be queued. */
  send(text: string): boolean;
  /** An orderly close: replaced, endpoint expired, bridge shutting down. */
  close(code: number, reason: string): void;
  /** Cuts the channel at once (abuse): nothing more is read from it. */
  terminate(code: number, reason: string): void;
}

/** One open channel. */
export interface ChannelConnection {
  readonly socket: ChannelSocket;
  readonly endpoint: ChannelEndpoint;
  /** The ForwardedSources list last sent, to send only changes. */
  forwarded: string | undefined;
  unsubscribe: () => void;
  log: Logger;
}

/** Close codes (RFC 6455 §7.4.1) and reasons the client sees. */
export const CLOSE_NORMAL = 1000;
export const CLOSE_GOING_AWAY = 1001;
const CLOSE_POLICY = 1008;
const CLOSE_TOO_BIG = 1009;

export interface ChannelHubOptions {
  directory: ChannelDirectory;
  version: string;
  log: Logger;
  limits?: ChannelLimits;
}

/** Relays messages within a conference, stores what clients tell the bridge, applies the limits. */
export class ChannelHub {
  readonly counters = { messagesReceived: 0, messagesSent: 0, connectionsRefused: 0 };
  /** Messages by transport: JVB's stats tell colibri-ws from the SCTP data channel. */
  readonly messages = { websocket: { received: 0, sent: 0 }, sctp: { received: 0, sent: 0 } };
  readonly drops: Record<ChannelDropReason, number> = {
    binary: 0,
    malformed: 0,
    'unexpected-class': 0,
    'unknown-target': 0,
    'send-failed': 0,
    'rate-limited': 0,
    'too-large': 0,
    backlog: 0,
    'video-type-evicted': 0,
  };
  /** Channels the bridge closed on its own, by reason. */
  readonly closes: Record<ChannelCloseReason, number> = { 'rate-limited': 0, 'too-large': 0, backlog: 0 };
  /** Channels opened, by transport. */
  readonly opened = { websocket: 0, sctp: 0 };
  readonly limits: ChannelLimits;
  readonly directory: ChannelDirectory;
  readonly #opts: ChannelHubOptions;
  /** Per endpoint, not per socket: reconnecting does not refill the budget. */
  readonly #limiters = new WeakMap<ChannelEndpoint, ChannelLimiter>();
  /** conference id -> endpoint id -> connection. */
  readonly #byConference = new Map<string, Map<string, ChannelConnection>>();

  constructor(options: ChannelHubOptions) {
    this.#opts = options;
    this.directory = options.directory;
    this.limits = options.limits ?? DEFAULT_CHANNEL_LIMITS;
  }

  /** Open channels, all conferences. */
  get connectionCount(): number {
    let n = 0;
    for (const m of this.#byConference.values()) n += m.size;
    return n;
  }

  *connections(): Iterable<ChannelConnection> {
    for (const m of this.#byConference.values()) yield* m.values();
  }

  /** The endpoint's channel is open on `socket`: it replaces any other, and hears ServerHello and what it is sent. */
  attach(endpoint: ChannelEndpoint, socket: ChannelSocket): ChannelConnection {
    let members = this.#byConference.get(endpoint.conferenceId);
    if (members === undefined) {
      members = new Map();
      this.#byConference.set(endpoint.conferenceId, members);
    }
    const previous = members.get(endpoint.id);
    if (previous !== undefined) previous.socket.close(CLOSE_NORMAL, 'replaced by a new connection');
    const log = this.#opts.log.child({
      conferenceId: endpoint.conferenceId,
      endpointId: endpoint.id,
      transport: socket.transport,
    });
    const conn: ChannelConnection = {
      socket,
      endpoint,
      forwarded: undefined,
      unsubscribe: endpoint.on('close', () => socket.close(CLOSE_NORMAL, 'endpoint expired')),
      log,
    };
    members.set(endpoint.id, conn);
    this.opened[socket.transport]++;
    log.info('bridge channel connected');
    this.#send(conn, { colibriClass: 'ServerHello', version: this.#opts.version });
    // JVB sends what it forwards as soon as the channel is up (PROTOCOL.md §7.4).
    this.#sendForwarded(conn);
    for (const e of this.directory.videoSnapshot?.(endpoint.conferenceId, endpoint.id) ?? [])
      this.#send(conn, videoEventMessage(e));
    return conn;
  }

  /** The channel's transport closed. */
  detach(conn: ChannelConnection): void {
    conn.unsubscribe();
    const m = this.#byConference.get(conn.endpoint.conferenceId);
    if (m?.get(conn.endpoint.id) === conn) {
      m.delete(conn.endpoint.id);
      if (m.size === 0) this.#byConference.delete(conn.endpoint.conferenceId);
      conn.log.info('bridge channel closed');
    }
  }

  /** One message from the client: text, or bytes (which the bridge channel never carries). */
  receive(conn: ChannelConnection, data: string | Buffer): void {
    try {
      this.#onMessage(conn, data);
    } catch (err) {
      // A bug, not bad input (that is a ProtocolError, counted below): never let one message take the bridge down.
      this.drops.malformed++;
      conn.log.error({ err }, 'bridge channel message handler failed');
    }
  }

  /** A message over the size limit: counted, and the channel is cut (as colibri-ws does with 1009). */
  tooLarge(conn: ChannelConnection): void {
    this.drops['too-large']++;
    this.closes['too-large']++;
    conn.log.warn({ reason: 'too-large', maxBytes: this.limits.maxMessageBytes }, 'bridge channel closed for abuse');
    conn.socket.terminate(CLOSE_TOO_BIG, 'message too big');
  }

  /** Sends a message to one endpoint if it has a channel open. */
  send(conferenceId: string, endpointId: string, message: JsonObject): boolean {
    const c = this.#byConference.get(conferenceId)?.get(endpointId);
    if (c === undefined) return false;
    this.#send(c, message);
    return true;
  }

  /**
   * Tells each open channel of `conferenceId` (every conference when undefined) what it is now sent, where that
   * changed (endpoints or sources came or went).
   */
  refreshForwardedSources(conferenceId?: string): void {
    if (conferenceId !== undefined) {
      for (const c of this.#byConference.get(conferenceId)?.values() ?? []) this.#sendForwarded(c);
      return;
    }
    for (const c of this.connections()) this.#sendForwarded(c);
  }

  /**
   * The video allocation's news: ForwardedSources to the receiver, the dominant speaker to everyone in the
   * conference, SenderSourceConstraints to the sender.
   */
  sendVideoEvent(conferenceId: string, e: ChannelVideoEvent): void {
    if (e.type === 'forwardedsources') {
      const c = this.#byConference.get(conferenceId)?.get(e.endpointId);
      if (c !== undefined) this.#sendForwarded(c);
    } else if (e.type === 'dominantspeaker') {
      const m = videoEventMessage(e);
      for (const c of this.#byConference.get(conferenceId)?.values() ?? []) this.#send(c, m);
    } else this.send(conferenceId, e.endpointId, videoEventMessage(e));
  }

  closeAll(): void {
    for (const c of [...this.connections()]) c.socket.close(CLOSE_GOING_AWAY, 'bridge shutting down');
  }

  #sendForwarded(conn: ChannelConnection): void {
    const sources = this.directory.forwardedSources(conn.endpoint.conferenceId, conn.endpoint.id);
    const key = sources.join('\n');
    if (key === conn.forwarded) return;
    conn.forwarded = key;
    this.#send(conn, { colibriClass: 'ForwardedSources', forwardedSources: sources });
  }

  #onMessage(conn: ChannelConnection, data: string | Buffer): void {
    this.counters.messagesReceived++;
    this.messages[conn.socket.transport].received++;
    if (!conn.socket.isOpen) return; // closed for abuse: the rest of its burst is not looked at
    const bytes = typeof data === 'string' ? Buffer.byteLength(data) : data.length;
    if (bytes > this.limits.maxMessageBytes) {
      this.tooLarge(conn);
      return;
    }
    // Before parsing: what is over budget costs no more than its bytes on the wire.
    switch (this.#limiterOf(conn.endpoint).admit(bytes, Date.now())) {
      case 'accept':
        break;
      case 'drop':
        this.drops['rate-limited']++;
        return;
      case 'close':
        this.drops['rate-limited']++;
        this.closes['rate-limited']++;
        conn.log.warn({ reason: 'rate-limited' }, 'bridge channel closed for abuse');
        conn.socket.terminate(CLOSE_POLICY, 'rate limit exceeded');
        return;
    }
    if (typeof data !== 'string') {
      this.drops.binary++;
      return;
    }
    let msg: ClientMessage;
    try {
      msg = parseClientMessage(data);
    } catch (err) {
      if (!(err instanceof ProtocolError)) throw err;
      this.drops[err.code === 'unexpected-class' ? 'unexpected-class' : 'malformed']++;
      conn.log.debug({ code: err.code, reason: err.message }, 'bridge channel message dropped');
      return;
    }
    this.#apply(conn, msg);
  }

  #apply(conn: ChannelConnection, msg: ClientMessage): void {
    const ep = conn.endpoint;
    switch (msg.colibriClass) {
      case 'EndpointMessage':
      case 'EndpointStats': {
        const members = this.#byConference.get(ep.conferenceId);
        const result = routeEndpointMessage(ep.id, msg, members?.keys() ?? []);
        if ('dropped' in result) {
          this.drops[result.dropped]++;
          return;
        }
        for (const d of result.deliveries) {
          const target = members?.get(d.to);
          if (target !== undefined) this.#send(target, d.message);
        }
        return;
      }
      case 'ReceiverVideoConstraints':
        // The patch has the known fields only, each replacing the stored one: the state stays one message's size.
        ep.setReceiverVideoConstraints(msg.patch);
        return;
      case 'LastNChangedEvent':
        ep.setLastN(msg.lastN);
        return;
      case 'SourceVideoTypeMessage': {
        const own = new Set(ep.videoSourceNames);
        this.drops['video-type-evicted'] += storeVideoType(ep.videoTypes, own, msg.sourceName, msg.videoType);
        if (own.has(msg.sourceName)) ep.setVideoType(msg.sourceName, msg.videoType);
        return;
      }
      case 'VideoTypeMessage': {
        const own = new Set(ep.videoSourceNames);
        this.drops['video-type-evicted'] += storeVideoType(ep.videoTypes, own, `${ep.id}-v0`, msg.videoType);
        if (own.has(`${ep.id}-v0`)) ep.setVideoType(`${ep.id}-v0`, msg.videoType);
        return;
      }
      case 'ClientHello':
        this.#send(conn, { colibriClass: 'ServerHello', version: this.#opts.version });
        return;
      case 'ReceiverAudioSubscription':
        return;
    }
  }

  #send(conn: ChannelConnection, message: JsonObject): void {
    if (!conn.socket.isOpen) {
      this.drops['send-failed']++;
      return;
    }
    const backlog = conn.socket.bufferedAmount;
    if (backlog > this.limits.maxSendBacklogBytes) {
      // A client that stopped reading: cut it off rather than queue for it without end. A close frame would wait
      // behind the backlog, so the channel goes at once; lib-jitsi-meet reconnects its WebSocket.
      this.drops.backlog++;
      this.closes.backlog++;
      conn.log.warn({ backlogBytes: backlog }, 'bridge channel send backlog exceeded');
      conn.socket.terminate(CLOSE_POLICY, 'send backlog exceeded');
      return;
    }
    if (!conn.socket.send(JSON.stringify(message))) {
      this.drops['send-failed']++;
      return;
    }
    this.counters.messagesSent++;
    this.messages[conn.socket.transport].sent++;
  }

  #limiterOf(endpoint: ChannelEndpoint): ChannelLimiter {
    let l = this.#limiters.get(endpoint);
    if (l === undefined) {
      l = new ChannelLimiter(this.limits, Date.now());
      this.#limiters.set(endpoint, l);
    }
    return l;
  }
}
