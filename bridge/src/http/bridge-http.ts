// The bridge's one HTTP server (PROTOCOL.md §9): JVB's private REST, /metrics, and the colibri-ws upgrade.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { ProtocolError } from '@convene/protocol/lib';

const MAX_BODY_BYTES = 16 * 1024;

export type Health = { healthy: true } | { healthy: false; reason: string };

export interface BridgeHttpOptions {
  port: number;
  host: string;
  log: Logger;
  version: { name: string; version: string; os: string };
  health(): Health;
  /** `/colibri/stats`: JVB key names. */
  stats(): Record<string, unknown>;
  metrics: Registry;
  /** `POST /colibri/shutdown`: graceful drains first, otherwise exits at once. */
  shutdown(graceful: boolean): void;
  drain: { get(): boolean; set(on: boolean): void };
  /** Returns true when it took the upgrade (colibri-ws); otherwise the server answers 404. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
}

type Route = (req: IncomingMessage, body: string) => Promise<Reply> | Reply;
interface Reply {
  status: number;
  type?: string;
  body?: string;
}

const json = (value: unknown, status = 200): Reply => ({
  status,
  type: 'application/json',
  body: JSON.stringify(value),
});
const text = (body: string, status = 200): Reply => ({ status, type: 'text/plain; charset=utf-8', body });

/** node:http with a fixed route table; a thrown error answers 400/500 and never takes the process down. */
export class BridgeHttpServer {
  readonly #server: Server;
  readonly #log: Logger;
  #closing: Promise<void> | undefined;

  private constructor(server: Server, log: Logger) {
    this.#server = server;
    this.#log = log;
  }

  static async start(opts: BridgeHttpOptions): Promise<BridgeHttpServer> {
    const routes = new Map<string, Route>([
      ['GET /about/version', () => json(opts.version)],
      [
        'GET /about/health',
        () => {
          const h = opts.health();
          return h.healthy ? { status: 200 } : text(h.reason, 500);
        },
      ],
      ['GET /colibri/stats', () => json(opts.stats())],
      ['GET /colibri/drain', () => json({ drain: opts.drain.get() })],
      ['POST /colibri/drain/enable', () => (opts.drain.set(true), { status: 200 })],
      ['POST /colibri/drain/disable', () => (opts.drain.set(false), { status: 200 })],
      [
        'POST /colibri/shutdown',
        (_req, body) => {
          opts.shutdown(parseShutdown(body));
          return { status: 200 };
        },
      ],
      [
        'GET /metrics',
        async () => ({ status: 200, type: opts.metrics.contentType, body: await opts.metrics.metrics() }),
      ],
    ]);
    const known = new Set([...routes.keys()].map((k) => k.slice(k.indexOf(' ') + 1)));
    const log = opts.log;
    const server = createServer((req, res) => {
      void handle(routes, known, req, res).catch((err: unknown) => {
        log.error({ err, url: req.url }, 'http handler failed');
        if (!res.headersSent) send(res, text('internal error', 500));
        else res.destroy();
      });
    });
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      socket.on('error', (err) => log.debug({ err }, 'upgrade socket error'));
      let taken: boolean;
      try {
        taken = opts.upgrade(req, socket, head);
      } catch (err) {
        log.error({ err, url: req.url }, 'upgrade handler failed');
        socket.destroy();
        return;
      }
      if (!taken) socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    });
    server.on('clientError', (_err, socket) => socket.destroy());
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port, opts.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const s = new BridgeHttpServer(server, log);
    log.info({ url: s.url }, 'http server listening');
    return s;
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  get url(): string {
    const a = this.#server.address() as AddressInfo;
    const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
    return `http://${host}:${a.port}`;
  }

  close(): Promise<void> {
    this.#closing ??= new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
      this.#log.info('http server closed');
    });
    return this.#closing;
  }
}

async function handle(routes: Map<string, Route>, known: Set<string>, req: IncomingMessage, res: ServerResponse) {
  const path = new URL(req.url ?? '/', 'http://bridge').pathname;
  const route = routes.get(`${req.method ?? 'GET'} ${path}`);
  if (route === undefined) {
    send(res, known.has(path) ? text('method not allowed', 405) : text('not found', 404));
    return;
  }
  let reply: Reply;
  try {
    reply = await route(req, await readBody(req));
  } catch (err) {
    if (!(err instanceof ProtocolError)) throw err;
    reply = text(err.message, 400);
  }
  send(res, reply);
}

function send(res: ServerResponse, r: Reply): void {
  const headers: Record<string, string | number> = { 'Content-Length': Buffer.byteLength(r.body ?? '') };
  if (r.type !== undefined) headers['Content-Type'] = r.type;
  res.writeHead(r.status, headers);
  res.end(r.body ?? '');
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new ProtocolError('body-too-large', `request body over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** JVB's ShutdownDto `{"graceful-shutdown": true}`; an empty body means graceful. */
export function parseShutdown(body: string): boolean {
  if (body.trim() === '') return true;
  let v: unknown;
  try {
    v = JSON.parse(body);
  } catch (err) {
    throw new ProtocolError('bad-json', 'shutdown body is not JSON', { cause: err });
  }
  const g = (v as Record<string, unknown> | null)?.['graceful-shutdown'];
  if (typeof v !== 'object' || v === null || Array.isArray(v) || (g !== undefined && typeof g !== 'boolean'))
    throw new ProtocolError('bad-field', 'expected {"graceful-shutdown": true|false}');
  return g !== false;
}
