import { createServer, connect, type Server, type Socket } from 'node:net';
import { freePort } from '@convene/xmpp-server';

/**
 * A loopback TCP relay in front of one port, so a test can drop a connection while both ends keep running:
 * `cut()` closes every relayed connection, and while `refusing` new ones are closed at once.
 */
export class TcpProxy {
  readonly port: number;
  refusing = false;
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  /** Where new connections go (existing ones keep theirs): `retarget` moves it, e.g. to a restarted server. */
  #target: number;

  private constructor(server: Server, port: number, target: number) {
    this.#server = server;
    this.port = port;
    this.#target = target;
  }

  retarget(targetPort: number): void {
    this.#target = targetPort;
  }

  static async start(targetPort: number): Promise<TcpProxy> {
    const port = await freePort();
    const server = createServer();
    const proxy = new TcpProxy(server, port, targetPort);
    server.on('connection', (client) => proxy.#relay(client, proxy.#target));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    return proxy;
  }

  /** Drops every relayed connection (both sides see the TCP connection close). */
  cut(): void {
    for (const s of this.#sockets) s.destroy();
    this.#sockets.clear();
  }

  async close(): Promise<void> {
    this.refusing = true;
    this.cut();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #relay(client: Socket, targetPort: number): void {
    if (this.refusing) {
      client.destroy();
      return;
    }
    const upstream = connect(targetPort, '127.0.0.1');
    for (const [a, b] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      this.#sockets.add(a);
      a.pipe(b);
      a.on('error', () => b.destroy());
      a.on('close', () => {
        this.#sockets.delete(a);
        b.destroy();
      });
    }
  }
}
