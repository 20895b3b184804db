// The bridge's socket in the native addon (bridge/native/udp): recvmmsg a batch on readability, one call into
// JavaScript per batch, and the sends made while handling it leave together with sendmmsg at its end. Each
// datagram reaches the handler as a slot view made once (no object per packet) and an address string from a
// small cache (no string per packet); the native side copies what it queues, so a sent buffer is free at once.
import { loadNativeAddon, nativeAddonLoadError, type NativeUdpSocket } from '../addon/index.js';
import {
  FORWARDING_DELAY_BUCKETS,
  type DatagramHandler,
  type PacketSocket,
  type SocketCounters,
} from './packet-socket.js';

export interface NativeUdpOptions {
  port: number;
  bindAddress?: string;
  bufferBytes?: number;
  /** Datagrams per recvmmsg (and the JS call that handles them). */
  batch?: number;
  /** Datagrams the send queue holds before it is flushed mid-batch. */
  sendSlots?: number;
  /** UDP_SEGMENT: a batch's equal-sized packets to one destination leave as one send (true by default). */
  gso?: boolean;
}

/** Receive slot size in the addon (udp.h UDP_RX_SLOT). */
const RX_SLOT = 2048;
const META_FIELDS = 4;
/** Distinct peer addresses remembered as strings/numbers; past it the caches start over (bounded memory). */
const ADDRESS_CACHE_MAX = 4096;

/** '192.0.2.1' -> its uint32, or -1 when it is not an IPv4 dotted quad. */
export function ipv4ToUint(address: string): number {
  let n = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < address.length; i++) {
    const c = address.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || ++dots > 3) return -1;
      n = n * 256 + part;
      part = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57 && digits < 3) {
      part = part * 10 + (c - 48);
      digits++;
      if (part > 255) return -1;
    } else return -1;
  }
  return dots === 3 && digits > 0 ? n * 256 + part : -1;
}

export function uintToIpv4(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/** The addon's socket behind the same interface as the dgram one (config udpImplementation). */
export class NativeUdpTransport implements PacketSocket {
  readonly port: number;
  readonly address: string;
  /** The addon copies what it queues: a buffer handed to send() may be rewritten at once. */
  readonly holdsBuffers = false;
  readonly #socket: NativeUdpSocket;
  readonly #slots: Buffer[] = [];
  readonly #meta: Uint32Array;
  /** meta's last cell: the index of the datagram being handled, read by the addon when a send is queued. */
  readonly #cursor: number;
  readonly forwardingDelay: Float64Array;
  readonly receiveWait: Float64Array;
  readonly #names = new Map<number, string>();
  readonly #numbers = new Map<string, number>();
  #onDatagram: DatagramHandler = () => undefined;
  #closed = false;
  #closedCounters: SocketCounters | undefined;
  /** A destination that is no IPv4 literal (never from our ICE, which takes IPv4 only): counted as a send error. */
  #badAddress = 0;

  private constructor(socket: NativeUdpSocket, bindAddress: string) {
    this.#socket = socket;
    this.port = socket.port();
    this.address = bindAddress;
    const rx = socket.rx();
    for (let at = 0; at + RX_SLOT <= rx.length; at += RX_SLOT) this.#slots.push(rx.subarray(at, at + RX_SLOT));
    this.#meta = socket.meta();
    this.#cursor = this.#meta.length - 1;
    // One array in the addon: the forwarding delay's buckets, then the receive wait's.
    const hist = socket.delay();
    this.forwardingDelay = hist.subarray(0, FORWARDING_DELAY_BUCKETS);
    this.receiveWait = hist.subarray(FORWARDING_DELAY_BUCKETS, 2 * FORWARDING_DELAY_BUCKETS);
  }

  /** Binds the socket; throws when the addon does not load or has no UdpSocket (an older build). */
  static create(opts: NativeUdpOptions): NativeUdpTransport {
    const addon = loadNativeAddon();
    if (addon === undefined) throw new Error(nativeAddonLoadError() ?? 'the native addon does not load');
    if (typeof addon.UdpSocket !== 'function') throw new Error('the native addon is an older build without UdpSocket');
    if (typeof (addon.UdpSocket.prototype as Partial<NativeUdpSocket>).delay !== 'function')
      throw new Error('the native addon is an older build without the delay histogram');
    const bindAddress = opts.bindAddress ?? '0.0.0.0';
    let onBatch: (n: number) => void = () => undefined;
    const socket = new addon.UdpSocket(
      bindAddress,
      opts.port,
      opts.bufferBytes ?? 4 * 1024 * 1024,
      opts.batch ?? 32,
      opts.sendSlots ?? 256,
      (n: number) => onBatch(n),
      opts.gso ?? true,
    );
    const self = new NativeUdpTransport(socket, bindAddress);
    onBatch = (n) => self.#onBatch(n);
    return self;
  }

  get counters(): SocketCounters {
    if (this.#closedCounters !== undefined) return this.#closedCounters;
    const c = this.#socket.counters();
    return {
      datagramsIn: c[0]!,
      bytesIn: c[1]!,
      datagramsOut: c[2]!,
      bytesOut: c[3]!,
      sendErrors: c[4]! + this.#badAddress,
      sendBufferFull: c[5]!,
      batches: c[6]!,
      sendmmsgCalls: c[7]!,
      truncatedIn: c[8]!,
      gsoSegments: c[9]!,
    };
  }

  setHandler(fn: DatagramHandler): void {
    this.#onDatagram = fn;
  }

  #onBatch(n: number): void {
    const meta = this.#meta;
    for (let i = 0; i < n; i++) {
      const at = i * META_FIELDS;
      meta[this.#cursor] = i;
      this.#onDatagram(this.#slots[i]!, meta[at]!, this.#name(meta[at + 1]!), meta[at + 2]!, meta[at + 3]! / 1000);
    }
  }

  #name(addr: number): string {
    let s = this.#names.get(addr);
    if (s === undefined) {
      if (this.#names.size >= ADDRESS_CACHE_MAX) this.#names.clear();
      s = uintToIpv4(addr);
      this.#names.set(addr, s);
    }
    return s;
  }

  #number(address: string): number {
    let n = this.#numbers.get(address);
    if (n === undefined) {
      if (this.#numbers.size >= ADDRESS_CACHE_MAX) this.#numbers.clear();
      n = ipv4ToUint(address);
      this.#numbers.set(address, n);
    }
    return n;
  }

  /** The destination as the addon takes it, or -1 when the socket is closed or it is no IPv4 literal (counted). */
  #destination(address: string): number {
    if (this.#closed) return -1;
    const addr = this.#number(address);
    if (addr < 0) this.#badAddress++;
    return addr;
  }

  /** Queued (inside a batch) or sent now; a full send buffer drops it and counts it (sendBufferFull). */
  send(buf: Buffer, off: number, len: number, port: number, address: string): void {
    const addr = this.#destination(address);
    if (addr >= 0) this.#socket.send(buf, off, len, addr, port);
  }

  sendSrtp(
    srtpHandle: number,
    src: Buffer,
    off: number,
    len: number,
    dst: Buffer,
    dstOff: number,
    port: number,
    address: string,
  ): number {
    const addr = this.#destination(address);
    return addr < 0 ? 0 : this.#socket.sendSrtp(srtpHandle, src, off, len, dst, dstOff, addr, port);
  }

  close(): void {
    if (this.#closed) return;
    this.#closedCounters = this.counters;
    this.#closed = true;
    this.#socket.close();
  }
}
