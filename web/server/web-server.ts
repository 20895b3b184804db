import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { Asset } from './bundle.js';
import type { WebConfig } from './schema.js';
import { proxyUpgrade } from './upgrade-proxy.js';

/** The page's `/config.json`: the XMPP addresses it uses (the WebSocket on the page's own origin). */
export function runtimeConfig(config: WebConfig): Buffer {
  return Buffer.from(
    JSON.stringify({
      domain: config.domain,
      anonymousDomain: config.anonymousDomain,
      focusDomain: config.focusDomain ?? `focus.${config.domain}`,
      mucDomain: config.mucDomain ?? `conference.${config.domain}`,
      websocketUrl: '/xmpp-websocket',
      preferredVideoCodec: config.preferredVideoCodec,
      preferSctp: config.preferSctp,
    }),
  );
}

/** The stack's web front: the page, its runtime config, and the two WebSocket paths proxied like nginx does. */
export class WebServer {
  readonly #server: Server;
  readonly #sockets = new Set<Duplex>();
  #url = '';

  private constructor(server: Server) {
    this.#server = server;
  }

  /** `http://<bind>:<port>/`: what a person opens. */
  get url(): string {
    return this.#url;
  }

  static async start(config: WebConfig, assets: ReadonlyMap<string, Asset>, log: Logger): Promise<WebServer> {
    const runtime = runtimeConfig(config);
    const index = assets.get('/index.html');
    const server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { Allow: 'GET, HEAD' }).end();
        return;
      }
      if (path === '/config.json') {
        res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }).end(runtime);
        return;
      }
      if (path === '/favicon.ico') {
        res.writeHead(204).end();
        return;
      }
      if (path === '/about/health') {
        res.writeHead(200, { 'Content-Type': 'text/plain' }).end('OK');
        return;
      }
      // Any other single-segment path is a room name, dots included ("team.sync", as the join form and the focus
      // accept): the page reads it from location. So a reload of a room's page finds the page again.
      const asset = assets.get(path) ?? (/^\/[^/]*$/.test(path) ? index : undefined);
      if (asset === undefined) {
        res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found');
        return;
      }
      res.writeHead(200, { 'Content-Type': asset.type, 'Cache-Control': 'no-cache' }).end(asset.body);
    });
    const upstreams: Array<[string, URL]> = [
      ['/xmpp-websocket', new URL(config.xmppHttpUrl)],
      ['/colibri-ws/', new URL(config.bridgeHttpUrl)],
    ];
    const web = new WebServer(server);
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const target = upstreams.find(([prefix]) => (req.url ?? '').startsWith(prefix))?.[1];
      if (target === undefined) {
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
        return;
      }
      web.#proxy(req, socket, head, target, log);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.bindAddress, () => resolve());
    });
    const addr = server.address();
    const port = typeof addr === 'object' && addr !== null ? addr.port : config.port;
    const host = config.bindAddress.includes(':') ? `[${config.bindAddress}]` : config.bindAddress;
    web.#url = `http://${host}:${port}/`;
    return web;
  }

  #proxy(req: IncomingMessage, socket: Duplex, head: Buffer, target: URL, log: Logger): void {
    const upstream = proxyUpgrade(req, socket, head, target, log);
    this.#sockets.add(socket);
    this.#sockets.add(upstream);
    socket.once('close', () => this.#sockets.delete(socket));
    upstream.once('close', () => this.#sockets.delete(upstream));
  }

  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
