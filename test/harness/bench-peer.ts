// A load peer for bench/: one UDP socket, the bridge's own ICE/DTLS/SRTP pieces (as media-raw-peer.ts),
// plus per-stream accounting. Every RTP payload carries the send time (CLOCK_MONOTONIC ns, the same clock
// in every process on the machine) and a 32-bit stream sequence, so a receiver can tell exactly which
// packets of a stream it got and how long each took through the bridge.
import { randomBytes } from 'node:crypto';
import type { TransportParams } from '@convene/bridge/conference';
import { DtlsSession, SRTP_AEAD_AES_128_GCM, createDtlsIdentity, type SrtpProfile } from '@convene/bridge/dtls';
import { STUN_BINDING_REQUEST, STUN_BINDING_SUCCESS, checkIntegrity, readStun, writeStun } from '@convene/bridge/ice';
import { SRTP_MAX_OVERHEAD, chooseSrtp, type SrtpTransform } from '@convene/bridge/srtp';
import { delayQuantileUs, openUdp, type PacketSocket } from '@convene/bridge/transport';
import { VP8_BENCH_PT, VP8_PREFIX_BYTES, writeVp8Prefix, type BenchVp8 } from './bench-vp8.js';

/** Bytes of the bench header at the start of every payload: send time (8), stream sequence (4), SSRC (4). */
export const BENCH_HEADER_BYTES = 16;
const RING = 256;
/**
 * The load peers' SRTP: the bridge's native addon when it is built (node:crypto otherwise), so the load
 * processes, which share the machine with the server under test, spend as little CPU per packet as it does.
 */
const createSrtp = chooseSrtp('auto').create;

/** One RTP stream a peer sends. */
export interface BenchStream {
  ssrc: number;
  kind: 'audio' | 'video';
  pt: number;
  /** RTP packet size before SRTP, header included. */
  size: number;
  /** Packets per second at rate scale 1. */
  pps: number;
  /** A VP8 encoding (payload type VP8_BENCH_PT): frames of pps/fps packets with VP8 descriptors (bench-vp8.ts). */
  vp8?: BenchVp8;
}

/** Latency histogram: 8 buckets per octave of microseconds, mergeable across processes by adding. */
export const HIST_BUCKETS = 8 * 24;
export function histBucket(us: number): number {
  if (us < 1) return 0;
  return Math.min(HIST_BUCKETS - 1, Math.floor(Math.log2(us) * 8));
}
/** The value (µs) a histogram puts at quantile q (0..1), at the upper edge of its bucket (the bridge's own layout). */
export const histQuantile: (hist: readonly number[], q: number) => number = delayQuantileUs;

/** What a receiver saw of one stream: a bitmap of stream sequences, so duplicates are never counted twice. */
class StreamSeen {
  bits = new Uint8Array(1 << 14);
  duplicates = 0;
  mark(seq: number): void {
    const byte = seq >>> 3;
    if (byte >= this.bits.length) {
      const grown = new Uint8Array(Math.max(this.bits.length * 2, byte + 1));
      grown.set(this.bits);
      this.bits = grown;
    }
    const bit = 1 << (seq & 7);
    if ((this.bits[byte]! & bit) !== 0) this.duplicates++;
    else this.bits[byte]! |= bit;
  }
  /** Distinct sequences seen in [from, to). */
  count(from: number, to: number): number {
    let n = 0;
    for (let s = from; s < to; s++) if (((this.bits[s >>> 3] ?? 0) & (1 << (s & 7))) !== 0) n++;
    return n;
  }
}

/**
 * How a peer meets its server. Convene's bridge is ICE-controlling and DTLS server towards it (the default).
 * Towards Janus a publisher offers (so it controls ICE), and every peer is the DTLS server.
 */
export interface BenchPeerOptions {
  bindAddress?: string;
  iceControlling?: boolean;
  dtlsRole?: 'client' | 'server';
  /** The conference endpoint this peer belongs to (a Janus publisher and its subscriber are one endpoint). */
  endpoint?: string;
  /** Send a transport-wide sequence number (one-byte header extension of this id) as browsers do; 0: none. */
  transportCc?: number;
}

/** One peer connection to the server under test that sends and counts bench streams. */
export class BenchPeer {
  readonly id: string;
  readonly endpoint: string;
  readonly streams: readonly BenchStream[];
  /** Per stream: the next sequence to send (sent + deliberately dropped so far). */
  readonly nextSeq: number[];
  readonly dropped: number[];
  readonly seen = new Map<number, StreamSeen>();
  readonly hist = new Array<number>(HIST_BUCKETS).fill(0);
  readonly counters = { rtpIn: 0, failed: 0, foreign: 0 };
  readonly #socket: PacketSocket;
  readonly #ufrag = randomBytes(4).toString('hex');
  readonly #pwd = randomBytes(16).toString('hex');
  readonly #cert: ReturnType<typeof createDtlsIdentity>;
  readonly #opts: BenchPeerOptions;
  /** Where the payload starts in what this peer sends (after the transport-cc extension, when sent). */
  readonly #payloadOff: number;
  /** Per stream: where the bench header starts (after a VP8 encoding's descriptor). */
  readonly #benchOff: number[];
  #tccSeq = 0;
  readonly #tieBreaker = randomBytes(8).readBigUInt64BE();
  readonly #timer: NodeJS.Timeout;
  readonly #plain: Buffer[];
  readonly #rings: Buffer[][];
  #checkTimer: NodeJS.Timeout | undefined;
  #remote: TransportParams | undefined;
  #remoteAddress = '';
  #remotePort = 0;
  #dtls: DtlsSession | undefined;
  #srtp: SrtpTransform | undefined;

  private constructor(
    id: string,
    socket: PacketSocket,
    streams: readonly BenchStream[],
    profiles: SrtpProfile[],
    opts: BenchPeerOptions,
  ) {
    this.id = id;
    this.endpoint = opts.endpoint ?? id;
    this.#opts = opts;
    this.#socket = socket;
    this.streams = streams;
    this.#cert = createDtlsIdentity('bench-peer', profiles);
    this.nextSeq = streams.map(() => 0);
    this.dropped = streams.map(() => 0);
    const tcc = opts.transportCc ?? 0;
    this.#payloadOff = tcc > 0 ? 20 : 12;
    this.#benchOff = streams.map((s) => this.#payloadOff + (s.vp8 === undefined ? 0 : VP8_PREFIX_BYTES));
    this.#plain = streams.map((s, i) => {
      const b = Buffer.alloc(s.size, 0xab);
      b[0] = tcc > 0 ? 0x90 : 0x80;
      b[1] = s.pt & 0x7f;
      b.writeUInt32BE(s.ssrc >>> 0, 8);
      if (tcc > 0) {
        b.writeUInt32BE(0xbede0001, 12);
        b[16] = (tcc << 4) | 1;
        b[19] = 0;
      }
      b.writeUInt32BE(s.ssrc >>> 0, this.#benchOff[i]! + 12);
      return b;
    });
    this.#rings = streams.map((s) => Array.from({ length: RING }, () => Buffer.alloc(s.size + SRTP_MAX_OVERHEAD)));
    socket.setHandler((m, len, address, port, ageMs) => this.#onMessage(m, len, address, port, ageMs));
    this.#timer = setInterval(() => this.#dtls?.tick(Date.now()), 100);
  }

  static async create(
    id: string,
    streams: readonly BenchStream[],
    profiles: SrtpProfile[],
    opts: BenchPeerOptions = {},
  ): Promise<BenchPeer> {
    // The addon's batched socket when it is built (node's dgram otherwise): a load process receives up to nine
    // times what it sends, and on a 2-core machine every microsecond it spends there is taken from the server.
    const { socket } = await openUdp('auto', {
      port: 0,
      bindAddress: opts.bindAddress ?? '127.0.0.1',
      bufferBytes: 8 << 20,
    });
    return new BenchPeer(id, socket, streams, profiles, opts);
  }

  get ready(): boolean {
    return this.#srtp !== undefined;
  }

  /** This peer's transport: what to give `Endpoint.setRemoteTransport`, or to write into an SDP. */
  transport(): TransportParams {
    const setup = this.#opts.dtlsRole === 'server' ? 'passive' : 'active';
    const address = this.#opts.bindAddress ?? '127.0.0.1';
    return {
      ufrag: this.#ufrag,
      pwd: this.#pwd,
      fingerprints: [{ hash: 'sha-256', value: this.#cert.fingerprint, setup }],
      candidates: [{ address, port: this.#socket.port, priority: 2130706431, type: 'host' }],
    };
  }

  /** The server's transport: the peer answers its checks (and sends its own when controlling), then DTLS. */
  connect(remote: TransportParams): void {
    this.#remote = remote;
    if (this.#opts.iceControlling !== true) return;
    // Aggressive nomination: USE-CANDIDATE on every check until one succeeds.
    let tries = 0;
    this.#checkTimer = setInterval(() => {
      if (this.#dtls !== undefined || ++tries > 400) return clearInterval(this.#checkTimer);
      for (const c of remote.candidates) {
        if (c.address.includes(':')) continue;
        const check = writeStun({
          type: STUN_BINDING_REQUEST,
          transactionId: randomBytes(12),
          username: `${remote.ufrag}:${this.#ufrag}`,
          priority: 1853824767,
          useCandidate: true,
          iceControlling: this.#tieBreaker,
          password: remote.pwd,
        });
        this.#socket.send(check, 0, check.length, c.port, c.address);
      }
    }, 50);
  }

  /**
   * Sends stream `i`'s next packet, or skips it when `drop` (a deliberate loss the receivers must report).
   * The sequence advances either way.
   */
  sendNext(i: number, drop: boolean): void {
    const seq = this.nextSeq[i]!++;
    if (drop) {
      this.dropped[i]!++;
      return;
    }
    const plain = this.#plain[i]!;
    plain.writeUInt16BE(seq & 0xffff, 2);
    plain.writeUInt32BE((seq * 960) >>> 0, 4);
    const p = this.#benchOff[i]!;
    const vp8 = this.streams[i]!.vp8;
    if (vp8 !== undefined)
      writeVp8Prefix(plain, this.#payloadOff, seq, Math.max(1, Math.round(this.streams[i]!.pps / vp8.fps)), vp8);
    if (this.#payloadOff > 12) plain.writeUInt16BE(this.#tccSeq++ & 0xffff, 17);
    plain.writeBigUInt64BE(process.hrtime.bigint(), p);
    plain.writeUInt32BE(seq >>> 0, p + 8);
    const out = this.#rings[i]![seq % RING]!;
    const n = this.#srtp!.protectRtp(plain, 0, plain.length, out, 0);
    this.#socket.send(out, 0, n, this.#remotePort, this.#remoteAddress);
  }

  /** Forgets latency samples (a new measurement step); stream bitmaps stay, steps count by sequence range. */
  resetLatency(): void {
    this.hist.fill(0);
  }

  close(): void {
    clearInterval(this.#timer);
    clearInterval(this.#checkTimer);
    this.#dtls?.close();
    this.#socket.close();
  }

  /** Distinct packets of stream `ssrc` received with sequence in [from, to). */
  receivedIn(ssrc: number, from: number, to: number): number {
    return this.seen.get(ssrc)?.count(from, to) ?? 0;
  }

  get duplicates(): number {
    let n = 0;
    for (const s of this.seen.values()) n += s.duplicates;
    return n;
  }

  /** `m` holds `len` bytes (a native socket's receive slot is longer); `ageMs` since the kernel got it (0: unknown). */
  #onMessage(m: Buffer, len: number, address: string, port: number, ageMs: number): void {
    const b = m[0]!;
    if (b < 4) this.#onStun(m.subarray(0, len), address, port);
    else if (b >= 20 && b <= 63) this.#dtls?.handleDatagram(m, 0, len, Date.now());
    else if (b >= 128 && b <= 191 && this.#srtp !== undefined) {
      if (m[1]! >= 192 && m[1]! <= 223) return; // RTCP: not counted
      // Arrival is the kernel's receipt where the socket knows it: the time this process took to get to the
      // datagram is the load's, not the server's.
      // (process.hrtime, not performance.now(): that one drifted from it by ~2 ms/s between processes here.)
      const now = Number(process.hrtime.bigint()) - ageMs * 1e6;
      const n = this.#srtp.unprotectRtp(m, 0, len, m, 0);
      if (n < 0) {
        this.counters.failed++;
        return;
      }
      let off = 12 + 4 * (m[0]! & 0x0f);
      if ((m[0]! & 0x10) !== 0) off += 4 + 4 * m.readUInt16BE(off + 2);
      if ((m[1]! & 0x7f) === VP8_BENCH_PT) off += VP8_PREFIX_BYTES;
      // RTP padding (RFC 3550 §5.1) is not payload: a server's bandwidth probes (mediasoup's) are padding only.
      const end = (m[0]! & 0x20) !== 0 ? n - m[n - 1]! : n;
      if (off + BENCH_HEADER_BYTES > end) {
        this.counters.foreign++;
        return;
      }
      const us = (now - Number(m.readBigUInt64BE(off))) / 1000;
      // Not a bench payload (a server's own packets: mediasoup's bandwidth probes carry no bench header).
      if (!(us >= 0 && us < 60e6)) {
        this.counters.foreign++;
        return;
      }
      this.counters.rtpIn++;
      // The stream's own SSRC from the payload: Janus gives each subscriber stream an SSRC of its own.
      const ssrc = m.readUInt32BE(off + 12);
      let s = this.seen.get(ssrc);
      if (s === undefined) this.seen.set(ssrc, (s = new StreamSeen()));
      s.mark(m.readUInt32BE(off + 8));
      this.hist[histBucket(us)]!++;
    }
  }

  #onStun(m: Buffer, address: string, port: number): void {
    const msg = readStun(m, 0, m.length);
    const remote = this.#remote;
    if (msg === undefined || remote === undefined) return;
    if (msg.type === STUN_BINDING_SUCCESS) {
      if (this.#opts.iceControlling === true && this.#dtls === undefined) this.#startDtls(remote, address, port);
      return;
    }
    if (msg.type !== STUN_BINDING_REQUEST || msg.username !== `${this.#ufrag}:${remote.ufrag}`) return;
    if (!checkIntegrity(msg, this.#pwd)) return;
    const ok = writeStun({
      type: STUN_BINDING_SUCCESS,
      transactionId: msg.transactionId,
      xorMappedAddress: { address, port },
      password: this.#pwd,
    });
    this.#socket.send(ok, 0, ok.length, port, address);
    if (msg.useCandidate && this.#dtls === undefined) this.#startDtls(remote, address, port);
  }

  /**
   * No ICE or DTLS (a server's plain transport, as mediasoup's PlainTransport with SRTP): media goes to
   * address:port, keyed by the master keys both sides were told (AEAD_AES_128_GCM: 16-byte key, 12-byte salt).
   * Returns this peer's own master key and salt for the server's side.
   */
  connectPlain(address: string, port: number, remoteMaster: Buffer): Buffer {
    const local = randomBytes(28);
    this.#remoteAddress = address;
    this.#remotePort = port;
    this.#srtp = createSrtp({
      cipher: 'aes-gcm-128',
      localKey: local.subarray(0, 16),
      localSalt: local.subarray(16),
      remoteKey: remoteMaster.subarray(0, 16),
      remoteSalt: remoteMaster.subarray(16, 28),
    });
    return local;
  }

  #startDtls(remote: TransportParams, address: string, port: number): void {
    this.#remoteAddress = address;
    this.#remotePort = port;
    this.#dtls = new DtlsSession({
      role: this.#opts.dtlsRole ?? 'client',
      identity: this.#cert,
      remoteFingerprints: remote.fingerprints,
      handshakeTimeoutMs: 10_000,
      send: (buf) => this.#socket.send(buf, 0, buf.length, this.#remotePort, this.#remoteAddress),
      onStateChange: () => undefined,
      onKeys: (k) => {
        this.#srtp = createSrtp({
          cipher: k.profile === SRTP_AEAD_AES_128_GCM ? 'aes-gcm-128' : 'aes-cm-hmac-sha1-80',
          localKey: k.localKey,
          localSalt: k.localSalt,
          remoteKey: k.remoteKey,
          remoteSalt: k.remoteSalt,
        });
      },
    });
    this.#dtls.start(Date.now());
  }
}
