import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';

export interface UdpTransportOptions {
  port: number;
  /** Address to bind; 0.0.0.0 by default. */
  bindAddress?: string;
  /** SO_RCVBUF / SO_SNDBUF in bytes. */
  bufferBytes?: number;
}

/** Receives every datagram: (buffer, length, remote address, remote port). */
export type DatagramHandler = (buf: Buffer, len: number, address: string, port: number) => void;

/** The one UDP socket of the bridge: every endpoint of every conference shares it. */
export class UdpTransport {
  readonly port: number;
  readonly address: string;
  readonly counters = { datagramsIn: 0, bytesIn: 0, datagramsOut: 0, bytesOut: 0, sendErrors: 0 };
  #onDatagram: DatagramHandler = () => undefined;
  readonly #socket: Socket;
  #closed = false;

  private constructor(socket: Socket) {
    this.#socket = socket;
    const a = socket.address();
    this.port = a.port;
    this.address = a.address;
    socket.on('message', (msg: Buffer, rinfo: RemoteInfo) => {
      this.counters.datagramsIn++;
      this.counters.bytesIn += msg.length;
      this.#onDatagram(msg, msg.length, rinfo.address, rinfo.port);
    });
    // ICMP port unreachable etc. surface here on Linux; they must not take the bridge down.
    socket.on('error', () => {
      this.counters.sendErrors++;
    });
  }

  static async create(opts: UdpTransportOptions): Promise<UdpTransport> {
    const bufferBytes = opts.bufferBytes ?? 4 * 1024 * 1024;
    const socket = createSocket({ type: 'udp4', recvBufferSize: bufferBytes, sendBufferSize: bufferBytes });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(opts.port, opts.bindAddress ?? '0.0.0.0', () => {
        socket.off('error', reject);
        resolve();
      });
    });
    return new UdpTransport(socket);
  }

  /** Sets the single receive callback. */
  setHandler(fn: DatagramHandler): void {
    this.#onDatagram = fn;
  }

  /** Sends `len` bytes from `buf` at `off`; `buf` must not be rewritten until the send completes. */
  send(buf: Buffer, off: number, len: number, port: number, address: string): void {
    if (this.#closed) return;
    this.counters.datagramsOut++;
    this.counters.bytesOut += len;
    this.#socket.send(buf, off, len, port, address, this.#onSent);
  }

  readonly #onSent = (err: Error | null): void => {
    if (err !== null) this.counters.sendErrors++;
  };

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket.close();
  }
}
