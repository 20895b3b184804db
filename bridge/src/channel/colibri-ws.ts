// colibri-ws (PROTOCOL.md §7.2): `/colibri-ws/<server-id>/<conference-id>/<endpoint-id>?pwd=<password>` on the
// bridge's HTTP server. One socket per endpoint; messages never leave the sender's conference.
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { ProtocolError } from '@convene/protocol/lib';
import { parseClientMessage, type ClientMessage, type JsonObject } from './channel-message.js';
import { routeEndpointMessage } from './channel-router.js';
import { ChannelLimiter, DEFAULT_CHANNEL_LIMITS, type ChannelLimits } from './channel-limiter.js';
import { storeVideoType } from './video-types.js';

export const COLIBRI_WS_PREFIX = '/colibri-ws/';

/** What the channel needs to know about an endpoint; the Colibri2 side's endpoint record provides it. */
export interface ChannelEndpoint {
  readonly id: string;
  readonly conferenceId: string;
  readonly password: string;
  readonly closed: boolean;
  /** The endpoint's sources as Colibri2 last set them: the only names its video types are kept for. */
  readonly sources: ReadonlyArray<{ readonly id: string; readonly type: string }>;
  readonly channel: {
    lastN?: number;
    receiverVideoConstraints?: Readonly<Record<string, unknown>>;
    videoTypes: Map<string, string>;
  };
  onClose(fn: () => void): () => void;
  /** Hands a validated ReceiverVideoConstraints patch (or `{lastN}`) to the media core. */
  applyReceiverConstraints?(patch: JsonObject): void;
  /** Hands a validated video type of one of the endpoint's sources to the media core. */
  applyVideoType?(sourceName: string, videoType: string): void;
}

export interface ChannelDirectory {
  findEndpoint(conferenceId: string, endpointId: string): ChannelEndpoint | undefined;
  /** The video source names this endpoint is sent now. */
  forwardedSources(conferenceId: string, endpointId: string): string[];
  /** Messages a newly connected channel hears at once (dominant speaker, sender constraints). */
  initialMessages?(conferenceId: string, endpointId: string): JsonObject[];
}

export interface ColibriWsOptions {
  directory: ChannelDirectory;
  serverId: string;
  version: string;
  log: Logger;
  /** JVB pings every 15 s and drops a socket after 60 s without an answer. */
  pingIntervalMs?: number;
  limits?: ChannelLimits;
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

/** Close codes (RFC 6455 §7.4.1) and reasons the client sees. */
const CLOSE_POLICY = 1008;

interface Connection {
  ws: WebSocket;
  endpoint: ChannelEndpoint;
  alive: boolean;
  unsubscribe: () => void;
  /** The ForwardedSources list last sent, to send only changes. */
  forwarded: string | undefined;
}

/** The colibri-ws endpoint: authenticates upgrades, relays messages within a conference, stores client state. */
export class ColibriWsServer {
  readonly counters = { messagesReceived: 0, messagesSent: 0, connectionsRefused: 0 };
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
  readonly #opts: ColibriWsOptions;
  readonly #limits: ChannelLimits;
  readonly #wss: WebSocketServer;
  /** Per endpoint, not per socket: reconnecting does not refill the budget. */
  readonly #limiters = new WeakMap<ChannelEndpoint, ChannelLimiter>();
  /** conference id -> endpoint id -> connection. */
  readonly #byConference = new Map<string, Map<string, Connection>>();
  readonly #pingTimer: NodeJS.Timeout;
  readonly #log: Logger;

  constructor(options: ColibriWsOptions) {
    this.#opts = options;
    this.#log = options.log;
    this.#limits = options.limits ?? DEFAULT_CHANNEL_LIMITS;
    // ws refuses a bigger frame from its header, before buffering it, and closes with 1009.
    this.#wss = new WebSocketServer({ noServer: true, maxPayload: this.#limits.maxMessageBytes });
    this.#pingTimer = setInterval(() => this.#ping(), options.pingIntervalMs ?? 15_000);
    this.#pingTimer.unref();
  }

  /** Open channels, all conferences. */
  get connectionCount(): number {
    let n = 0;
    for (const m of this.#byConference.values()) n += m.size;
    return n;
  }

  /** Takes an HTTP upgrade if the path is ours; returns false to let the server answer 404. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const url = new URL(req.url ?? '/', 'http://bridge');
    if (!url.pathname.startsWith(COLIBRI_WS_PREFIX)) return false;
    const parts = url.pathname.slice(COLIBRI_WS_PREFIX.length).split('/');
    if (parts.length !== 3 || parts.some((p) => p === '')) {
      this.#refuse(socket, 404, 'not found');
      return true;
    }
    let ids: string[];
    try {
      ids = parts.map(decodeURIComponent);
    } catch {
      this.#refuse(socket, 404, 'not found'); // malformed percent-encoding
      return true;
    }
    const [serverId, conferenceId, endpointId] = ids as [string, string, string];
    if (serverId !== this.#opts.serverId) {
      this.#refuse(socket, 404, 'server ID mismatch');
      return true;
    }
    const endpoint = this.#opts.directory.findEndpoint(conferenceId, endpointId);
    const pwd = url.searchParams.get('pwd') ?? '';
    if (endpoint === undefined || endpoint.closed || !samePassword(pwd, endpoint.password)) {
      this.#log.warn({ conferenceId, endpointId, known: endpoint !== undefined }, 'colibri-ws refused');
      this.#refuse(socket, 403, 'authentication failed');
      return true;
    }
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#accept(ws, endpoint));
    return true;
  }

  /** Sends a message to every open channel of a conference. */
  broadcast(conferenceId: string, message: JsonObject): void {
    for (const c of this.#byConference.get(conferenceId)?.values() ?? []) this.#send(c, message);
  }

  /** Sends a message to one endpoint if it has a channel open (for the media core's events later). */
  send(conferenceId: string, endpointId: string, message: JsonObject): boolean {
    const c = this.#byConference.get(conferenceId)?.get(endpointId);
    if (c === undefined) return false;
    this.#send(c, message);
    return true;
  }

  close(): void {
    clearInterval(this.#pingTimer);
    for (const m of this.#byConference.values()) for (const c of m.values()) c.ws.close(1001, 'bridge shutting down');
    this.#wss.close();
  }

  #accept(ws: WebSocket, endpoint: ChannelEndpoint): void {
    let members = this.#byConference.get(endpoint.conferenceId);
    if (members === undefined) {
      members = new Map();
      this.#byConference.set(endpoint.conferenceId, members);
    }
    const previous = members.get(endpoint.id);
    if (previous !== undefined) previous.ws.close(1000, 'replaced by a new connection');
    const conn: Connection = {
      ws,
      endpoint,
      alive: true,
      unsubscribe: endpoint.onClose(() => ws.close(1000, 'endpoint expired')),
      forwarded: undefined,
    };
    members.set(endpoint.id, conn);
    const log = this.#log.child({ conferenceId: endpoint.conferenceId, endpointId: endpoint.id });
    log.info('colibri-ws connected');
    ws.on('pong', () => (conn.alive = true));
    ws.on('message', (data: RawData, isBinary: boolean) => {
      try {
        this.#onMessage(conn, data, isBinary, log);
      } catch (err) {
        // A bug, not bad input (that is a ProtocolError, counted below): never let one message take the bridge down.
        this.drops.malformed++;
        log.error({ err }, 'colibri-ws message handler failed');
      }
    });
    ws.on('error', (err: Error & { code?: string }) => {
      if (err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
        this.drops['too-large']++;
        this.closes['too-large']++;
        log.warn({ reason: 'too-large', maxBytes: this.#limits.maxMessageBytes }, 'colibri-ws closed for abuse');
        ws.terminate(); // ws sent the 1009 close frame; do not read the rest of what the client queued
        return;
      }
      log.warn({ err }, 'colibri-ws error');
    });
    ws.on('close', () => {
      conn.unsubscribe();
      const m = this.#byConference.get(endpoint.conferenceId);
      if (m?.get(endpoint.id) === conn) {
        m.delete(endpoint.id);
        if (m.size === 0) this.#byConference.delete(endpoint.conferenceId);
      }
      log.info('colibri-ws closed');
    });
    this.#send(conn, { colibriClass: 'ServerHello', version: this.#opts.version });
    // JVB sends what it forwards as soon as the channel is up (PROTOCOL.md §7.4).
    this.#sendForwarded(conn);
    for (const m of this.#opts.directory.initialMessages?.(endpoint.conferenceId, endpoint.id) ?? [])
      this.#send(conn, m);
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
    for (const members of this.#byConference.values()) for (const c of members.values()) this.#sendForwarded(c);
  }

  #sendForwarded(conn: Connection): void {
    const sources = this.#opts.directory.forwardedSources(conn.endpoint.conferenceId, conn.endpoint.id);
    const key = sources.join('\n');
    if (key === conn.forwarded) return;
    conn.forwarded = key;
    this.#send(conn, { colibriClass: 'ForwardedSources', forwardedSources: sources });
  }

  #onMessage(conn: Connection, data: RawData, isBinary: boolean, log: Logger): void {
    this.counters.messagesReceived++;
    if (conn.ws.readyState !== WebSocket.OPEN) return; // closed for abuse: the rest of its burst is not looked at
    const text = rawToString(data);
    // Before parsing: what is over budget costs no more than its bytes on the wire.
    switch (this.#limiterOf(conn.endpoint).admit(Buffer.byteLength(text), Date.now())) {
      case 'accept':
        break;
      case 'drop':
        this.drops['rate-limited']++;
        return;
      case 'close':
        this.drops['rate-limited']++;
        this.closes['rate-limited']++;
        log.warn({ reason: 'rate-limited' }, 'colibri-ws closed for abuse');
        closeNow(conn.ws, CLOSE_POLICY, 'rate limit exceeded');
        return;
    }
    if (isBinary) {
      this.drops.binary++;
      return;
    }
    let msg: ClientMessage;
    try {
      msg = parseClientMessage(text);
    } catch (err) {
      if (!(err instanceof ProtocolError)) throw err;
      this.drops[err.code === 'unexpected-class' ? 'unexpected-class' : 'malformed']++;
      log.debug({ code: err.code, reason: err.message }, 'colibri-ws message dropped');
      return;
    }
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
        ep.channel.receiverVideoConstraints = { ...ep.channel.receiverVideoConstraints, ...msg.patch };
        if (typeof msg.patch.lastN === 'number') ep.channel.lastN = msg.patch.lastN;
        ep.applyReceiverConstraints?.(msg.patch);
        return;
      case 'LastNChangedEvent':
        ep.channel.lastN = msg.lastN;
        ep.applyReceiverConstraints?.({ lastN: msg.lastN });
        return;
      case 'SourceVideoTypeMessage': {
        const own = new Set(ep.sources.filter((s) => s.type === 'video').map((s) => s.id));
        this.drops['video-type-evicted'] += storeVideoType(ep.channel.videoTypes, own, msg.sourceName, msg.videoType);
        if (own.has(msg.sourceName)) ep.applyVideoType?.(msg.sourceName, msg.videoType);
        return;
      }
      case 'VideoTypeMessage': {
        const own = new Set(ep.sources.filter((s) => s.type === 'video').map((s) => s.id));
        this.drops['video-type-evicted'] += storeVideoType(ep.channel.videoTypes, own, `${ep.id}-v0`, msg.videoType);
        if (own.has(`${ep.id}-v0`)) ep.applyVideoType?.(`${ep.id}-v0`, msg.videoType);
        return;
      }
      case 'ClientHello':
        this.#send(conn, { colibriClass: 'ServerHello', version: this.#opts.version });
        return;
      case 'ReceiverAudioSubscription':
        return;
    }
  }

  #send(conn: Connection, message: JsonObject): void {
    if (conn.ws.readyState !== WebSocket.OPEN) {
      this.drops['send-failed']++;
      return;
    }
    if (conn.ws.bufferedAmount > this.#limits.maxSendBacklogBytes) {
      // A client that stopped reading: cut it off rather than queue for it without end. A close frame would wait
      // behind the backlog, so the socket goes at once; lib-jitsi-meet reconnects its bridge channel.
      this.drops.backlog++;
      this.closes.backlog++;
      this.#log
        .child({ conferenceId: conn.endpoint.conferenceId, endpointId: conn.endpoint.id })
        .warn({ backlogBytes: conn.ws.bufferedAmount }, 'colibri-ws send backlog exceeded');
      conn.ws.terminate();
      return;
    }
    conn.ws.send(JSON.stringify(message), (err) => {
      if (err !== undefined && err !== null) this.drops['send-failed']++;
    });
    this.counters.messagesSent++;
  }

  #ping(): void {
    for (const m of this.#byConference.values()) {
      for (const c of m.values()) {
        if (!c.alive) {
          c.ws.terminate();
          continue;
        }
        c.alive = false;
        c.ws.ping();
      }
    }
  }

  #limiterOf(endpoint: ChannelEndpoint): ChannelLimiter {
    let l = this.#limiters.get(endpoint);
    if (l === undefined) {
      l = new ChannelLimiter(this.#limits, Date.now());
      this.#limiters.set(endpoint, l);
    }
    return l;
  }

  #refuse(socket: Duplex, status: 403 | 404, text: string): void {
    this.counters.connectionsRefused++;
    const reason = status === 403 ? 'Forbidden' : 'Not Found';
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
    );
  }
}

/**
 * Sends the close frame, then drops the connection at once: an abusive client's queued burst would otherwise be read
 * (and thrown away) before its answer to the close frame arrives behind it.
 */
function closeNow(ws: WebSocket, code: number, reason: string): void {
  ws.close(code, reason);
  ws.terminate();
}

function samePassword(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function rawToString(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}
