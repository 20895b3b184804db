// What the media side needs of its one UDP socket; node's dgram (UdpTransport) and the native addon's
// (NativeUdpTransport, recvmmsg/sendmmsg) both provide it, byte-identical on the wire.

/**
 * Receives every datagram: (buffer, length, remote address, remote port, and how many ms before this call the kernel
 * received it: 0 when the socket cannot tell); `buf` is valid only during the call.
 */
export type DatagramHandler = (buf: Buffer, len: number, address: string, port: number, ageMs: number) => void;

/** Called once the socket no longer needs a buffer handed to send(). */
export type SendDone = (err: Error | null) => void;

/** Plain numbers, read at scrape time. */
export interface SocketCounters {
  datagramsIn: number;
  bytesIn: number;
  datagramsOut: number;
  bytesOut: number;
  sendErrors: number;
  /** Dropped because the socket's send buffer was full (native: EAGAIN, never waited on). */
  sendBufferFull: number;
  /** recvmmsg calls that returned datagrams (native only). */
  batches: number;
  sendmmsgCalls: number;
  /** Datagrams longer than a receive slot, dropped (native only). */
  truncatedIn: number;
  /** Datagrams that left as segments of one UDP_SEGMENT send (native only). */
  gsoSegments: number;
}

export function newSocketCounters(): SocketCounters {
  return {
    datagramsIn: 0,
    bytesIn: 0,
    datagramsOut: 0,
    bytesOut: 0,
    sendErrors: 0,
    sendBufferFull: 0,
    batches: 0,
    sendmmsgCalls: 0,
    truncatedIn: 0,
    gsoSegments: 0,
  };
}

/** udp.h UDP_DELAY_BUCKETS. */
export const FORWARDING_DELAY_BUCKETS = 192;

/** The upper edge (µs) of the bucket at quantile q (0..1) of a forwardingDelay histogram; NaN when it is empty. */
export function delayQuantileUs(hist: ArrayLike<number>, q: number): number {
  let total = 0;
  for (let i = 0; i < hist.length; i++) total += hist[i]!;
  if (total === 0) return NaN;
  let seen = 0;
  for (let i = 0; i < hist.length; i++) {
    seen += hist[i]!;
    if (seen >= q * total) return 2 ** ((i + 1) / 8);
  }
  return 2 ** (hist.length / 8);
}

export interface PacketSocket {
  readonly port: number;
  readonly address: string;
  readonly counters: SocketCounters;
  /**
   * True when send() keeps a reference to the caller's buffer until `done` runs (dgram); false when it copies or
   * sends before it returns (native): the buffer may then be rewritten at once.
   */
  readonly holdsBuffers: boolean;
  /**
   * The bridge's own delay (native only; undefined on dgram, which has no kernel receive time): per packet sent
   * while handling a received datagram, kernel receipt -> sent, as counts in FORWARDING_DELAY_BUCKETS buckets of
   * 8 per octave of microseconds (bucket k: [2^(k/8), 2^((k+1)/8)) µs). Live and cumulative.
   */
  readonly forwardingDelay: Float64Array | undefined;
  /**
   * The part of that delay spent waiting in the socket (native only): per received datagram, kernel receipt ->
   * handed to JavaScript, same buckets. It grows when the bridge is busy or waits for a CPU, not with its handling.
   */
  readonly receiveWait: Float64Array | undefined;
  setHandler(fn: DatagramHandler): void;
  /** Sends `len` bytes of `buf` at `off`; with holdsBuffers, `buf` must stay untouched until `done`. */
  send(buf: Buffer, off: number, len: number, port: number, address: string, done?: SendDone): void;
  /**
   * The native socket only: protects the RTP packet at `src[off]` into `dst[dstOff]` with the addon's SRTP context
   * `srtpHandle` (NativeSrtpTransform.handle) and sends it, as protectRtp then send would, in one call into the
   * addon. Returns the protected length, a negative SRTP_ERR_* (nothing sent), or 0 when the socket is closed.
   */
  sendSrtp?(
    srtpHandle: number,
    src: Buffer,
    off: number,
    len: number,
    dst: Buffer,
    dstOff: number,
    port: number,
    address: string,
  ): number;
  close(): void;
}
