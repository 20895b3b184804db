import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { newSocketCounters, type DatagramHandler, type PacketSocket, type SendDone } from './packet-socket.js';

export interface UdpTransportOptions {
  port: number;
  /** Address to bind; 0.0.0.0 by default. */
  bindAddress?: string;
  /** SO_RCVBUF / SO_SNDBUF in bytes. */
  bufferBytes?: number;
}

/** The one UDP socket of the bridge on node's dgram: every endpoint of every conference shares it. */
export class UdpTransport implements PacketSocket {
  readonly port: number;
  readonly address: string;
  readonly counters = newSocketCounters();
  /** dgram sends a Buffer when libuv gets to it: the caller's buffer stays ours until the send's callback. */
  readonly holdsBuffers = true;
  /** dgram gives no kernel receive time: the bridge delay is measured on the native socket only. */
  readonly forwardingDelay = undefined;
  readonly receiveWait = undefined;
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
      this.#onDatagram(msg, msg.length, rinfo.address, rinfo.port, 0);
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

  /** Sends `len` bytes from `buf` at `off`; `buf` must not be rewritten until `done` (or the send completes). */
  send(buf: Buffer, off: number, len: number, port: number, address: string, done?: SendDone): void {
    if (this.#closed) {
      done?.(null);
      return;
    }
    this.counters.datagramsOut++;
    this.counters.bytesOut += len;
    this.#socket.send(buf, off, len, port, address, done === undefined ? this.#onSent : done);
  }

  /** What a send's `done` reports back (the ring's callbacks pass their errors here). */
  noteSendResult(err: Error | null): void {
    if (err !== null) this.counters.sendErrors++;
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
