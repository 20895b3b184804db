// colibri-ws (PROTOCOL.md §7.2): `/colibri-ws/<server-id>/<conference-id>/<endpoint-id>?pwd=<password>` on the
// bridge's HTTP server. Authenticates the upgrade, then hands each message to the channel hub (channel-hub.ts),
// which the SCTP data channel shares.
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import type { ChannelLimits } from './channel-limiter.js';
import {
  ChannelHub,
  type ChannelCloseReason,
  type ChannelConnection,
  type ChannelDirectory,
  type ChannelDropReason,
  type ChannelSocket,
} from './channel-hub.js';
import type { JsonObject } from './channel-message.js';

export const COLIBRI_WS_PREFIX = '/colibri-ws/';

export interface ColibriWsOptions {
  directory: ChannelDirectory;
  serverId: string;
  version: string;
  log: Logger;
  /** JVB pings every 15 s and drops a socket after 60 s without an answer. */
  pingIntervalMs?: number;
  limits?: ChannelLimits;
  /** The hub to share with the SCTP data channel; one of its own when not given. */
  hub?: ChannelHub;
}

/** One WebSocket as a bridge channel transport. */
class WsSocket implements ChannelSocket {
  readonly transport = 'websocket';
  alive = true;
  readonly #ws: WebSocket;
  readonly #drops: Record<ChannelDropReason, number>;

  constructor(ws: WebSocket, drops: Record<ChannelDropReason, number>) {
    this.#ws = ws;
    this.#drops = drops;
  }

  get ws(): WebSocket {
    return this.#ws;
  }

  get isOpen(): boolean {
    return this.#ws.readyState === WebSocket.OPEN;
  }

  get bufferedAmount(): number {
    return this.#ws.bufferedAmount;
  }

  send(text: string): boolean {
    this.#ws.send(text, (err) => {
      if (err !== undefined && err !== null) this.#drops['send-failed']++;
    });
    return true;
  }

  close(code: number, reason: string): void {
    this.#ws.close(code, reason);
  }

  /**
   * Sends the close frame, then drops the connection at once: an abusive client's queued burst would otherwise be
   * read (and thrown away) before its answer to the close frame arrives behind it.
   */
  terminate(code: number, reason: string): void {
    if (this.#ws.readyState === WebSocket.OPEN) this.#ws.close(code, reason);
    this.#ws.terminate();
  }
}

/** The colibri-ws endpoint: authenticates upgrades and carries the bridge channel over WebSockets. */
export class ColibriWsServer {
  readonly hub: ChannelHub;
  readonly #opts: ColibriWsOptions;
  readonly #wss: WebSocketServer;
  readonly #sockets = new Map<ChannelConnection, WsSocket>();
  readonly #pingTimer: NodeJS.Timeout;
  readonly #log: Logger;

  constructor(options: ColibriWsOptions) {
    this.#opts = options;
    this.#log = options.log;
    this.hub =
      options.hub ??
      new ChannelHub({
        directory: options.directory,
        version: options.version,
        log: options.log,
        limits: options.limits,
      });
    // ws refuses a bigger frame from its header, before buffering it, and closes with 1009.
    this.#wss = new WebSocketServer({ noServer: true, maxPayload: this.hub.limits.maxMessageBytes });
    this.#pingTimer = setInterval(() => this.#ping(), options.pingIntervalMs ?? 15_000);
    this.#pingTimer.unref();
  }

  get counters(): ChannelHub['counters'] {
    return this.hub.counters;
  }

  get drops(): Readonly<Record<ChannelDropReason, number>> {
    return this.hub.drops;
  }

  get closes(): Readonly<Record<ChannelCloseReason, number>> {
    return this.hub.closes;
  }

  /** Open channels, all conferences and transports. */
  get connectionCount(): number {
    return this.hub.connectionCount;
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
    const endpoint = this.hub.directory.findEndpoint(conferenceId, endpointId);
    const pwd = url.searchParams.get('pwd') ?? '';
    if (endpoint === undefined || endpoint.closed || !samePassword(pwd, endpoint.password)) {
      this.#log.warn({ conferenceId, endpointId, known: endpoint !== undefined }, 'colibri-ws refused');
      this.#refuse(socket, 403, 'authentication failed');
      return true;
    }
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      const s = new WsSocket(ws, this.hub.drops);
      const conn = this.hub.attach(endpoint, s);
      this.#sockets.set(conn, s);
      ws.on('pong', () => (s.alive = true));
      ws.on('message', (data: RawData, isBinary: boolean) => {
        const bytes = rawToBuffer(data);
        this.hub.receive(conn, isBinary ? bytes : bytes.toString('utf8'));
      });
      ws.on('error', (err: Error & { code?: string }) => {
        // ws sent the 1009 close frame; the hub counts it and cuts the socket.
        if (err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') this.hub.tooLarge(conn);
        else conn.log.warn({ err }, 'colibri-ws error');
      });
      ws.on('close', () => {
        this.#sockets.delete(conn);
        this.hub.detach(conn);
      });
    });
    return true;
  }

  /** Sends a message to one endpoint if it has a channel open (any transport). */
  send(conferenceId: string, endpointId: string, message: JsonObject): boolean {
    return this.hub.send(conferenceId, endpointId, message);
  }

  refreshForwardedSources(conferenceId?: string): void {
    this.hub.refreshForwardedSources(conferenceId);
  }

  close(): void {
    clearInterval(this.#pingTimer);
    this.hub.closeAll();
    this.#wss.close();
  }

  #ping(): void {
    for (const s of this.#sockets.values()) {
      if (!s.alive) {
        s.ws.terminate();
        continue;
      }
      s.alive = false;
      s.ws.ping();
    }
  }

  #refuse(socket: Duplex, status: 403 | 404, text: string): void {
    this.hub.counters.connectionsRefused++;
    const reason = status === 403 ? 'Forbidden' : 'Not Found';
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
    );
  }
}

function samePassword(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function rawToBuffer(data: RawData): Buffer {
  if (Array.isArray(data)) return Buffer.concat(data);
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  return data;
}
