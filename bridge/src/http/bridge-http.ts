// The bridge's two HTTP servers, as JVB has them (PROTOCOL.md §9): the private one serves the REST routes and
// takes no upgrade; the public one has no route and takes only the colibri-ws upgrade. Each is one of these.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { ProtocolError } from '@convene/protocol/lib';
import { isCrossSite } from './cross-site.js';
import { text, type Reply, type Route } from './http-reply.js';

const MAX_BODY_BYTES = 16 * 1024;

export interface BridgeHttpOptions {
  port: number;
  host: string;
  log: Logger;
  /** `METHOD /path` -> handler; empty on the public server. */
  routes: ReadonlyMap<string, Route>;
  /** Returns true when it took the upgrade (colibri-ws); absent or false: the server answers 404. */
  upgrade?(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
}

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
    const { routes, log } = opts;
    const known = new Set([...routes.keys()].map((k) => k.slice(k.indexOf(' ') + 1)));
    const server = createServer((req, res) => {
      void handle(routes, known, req, res).catch((err: unknown) => {
        log.error({ err, path: pathOf(req) }, 'http handler failed');
        if (!res.headersSent) send(res, text('internal error', 500));
        else res.destroy();
      });
    });
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      socket.on('error', (err) => log.debug({ err }, 'upgrade socket error'));
      let taken = false;
      try {
        taken = opts.upgrade?.(req, socket, head) ?? false;
      } catch (err) {
        // The path only: the query of a colibri-ws URL is the endpoint's password.
        log.error({ err, path: pathOf(req) }, 'upgrade handler failed');
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

function pathOf(req: IncomingMessage): string {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

async function handle(
  routes: ReadonlyMap<string, Route>,
  known: Set<string>,
  req: IncomingMessage,
  res: ServerResponse,
) {
  const path = new URL(req.url ?? '/', 'http://bridge').pathname;
  const method = req.method ?? 'GET';
  const route = routes.get(`${method} ${path}`);
  if (route === undefined) {
    send(res, known.has(path) ? text('method not allowed', 405) : text('not found', 404));
    return;
  }
  if (method !== 'GET' && method !== 'HEAD' && isCrossSite(req)) {
    send(res, text('cross-site request refused', 403));
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
