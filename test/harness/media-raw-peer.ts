// A bare-bones WebRTC media peer on one UDP socket, built from the bridge's own ICE/DTLS/SRTP pieces:
// it lets tests put exact bytes on the wire from the selected address (tampered or replayed SRTP), go
// silent (consent), and drive the forwarding bench without libdatachannel's receive ceiling.
import { createSocket, type Socket } from 'node:dgram';
import { createCipheriv, randomBytes } from 'node:crypto';
import type { TransportParams } from '@convene/bridge/conference';
import {
  DtlsSession,
  SRTP_AEAD_AES_128_GCM,
  createDtlsIdentity,
  type DtlsIdentity,
  type DtlsSessionDeps,
  type SrtpProfile,
} from '@convene/bridge/dtls';
import { STUN_BINDING_REQUEST, STUN_BINDING_SUCCESS, checkIntegrity, readStun, writeStun } from '@convene/bridge/ice';
import {
  NodeSrtpTransform,
  SRTP_ERR_REPLAY,
  SRTP_MAX_OVERHEAD,
  deriveSessionKey,
  type SrtpKeyParams,
  type SrtpTransform,
} from '@convene/bridge/srtp';

export interface RawMediaPeerOptions {
  /** Decrypt what arrives (tests) or only count it (bench receivers). */
  decrypt?: boolean;
  srtpProfiles?: SrtpProfile[];
  /** The DTLS client to run once the bridge nominates; OpenSSL's by default (attack tests bring their own). */
  dtls?: (deps: DtlsSessionDeps) => DtlsClient;
  /** The fingerprint to signal instead of this peer's own (attack tests signal a victim's). */
  signalledFingerprint?: string;
  /** The address to bind and signal; 127.0.0.1 by default (network tests use a namespace's veth address). */
  address?: string;
}

/** What the peer needs of a DTLS client. */
export interface DtlsClient {
  start(now: number): void;
  tick(now: number): void;
  handleDatagram(buf: Buffer, off: number, len: number, now: number): void;
  close(): void;
}

/** ICE-controlled, DTLS client (setup active) peer of one bridge endpoint. */
export class RawMediaPeer {
  /** When false the peer ignores the bridge's checks, as a vanished peer would. */
  answering = true;
  /** `failed`: SRTP refused it (authentication or replay); `replayed`: of those, a replay (a duplicate). */
  readonly received = { rtp: 0, rtcp: 0, bytes: 0, failed: 0, replayed: 0 };
  readonly rtp: Buffer[] = [];
  /** Every SRTP packet as it arrived, before decryption (copies). */
  readonly rawRtp: Buffer[] = [];
  /** Decrypted RTCP (compound packets as they came), when decrypting. */
  readonly rtcp: Buffer[] = [];
  /** The last protected packet sent, for replay tests. */
  lastProtected: Buffer | undefined;
  readonly #socket: Socket;
  readonly #ufrag = randomBytes(4).toString('hex');
  readonly #pwd = randomBytes(16).toString('hex');
  readonly #cert: DtlsIdentity;
  readonly #opts: RawMediaPeerOptions;
  readonly #decrypt: boolean;
  readonly #timer: NodeJS.Timeout;
  readonly #out = Buffer.alloc(1500 + SRTP_MAX_OVERHEAD);
  #bridge: TransportParams | undefined;
  #bridgeAddress = '';
  #bridgePort = 0;
  #dtls: DtlsClient | undefined;
  /** Why DTLS failed or closed, when it did. */
  dtlsError: string | undefined;
  #srtp: SrtpTransform | undefined;
  #keys: SrtpKeyParams | undefined;

  private constructor(socket: Socket, opts: RawMediaPeerOptions) {
    this.#socket = socket;
    this.#decrypt = opts.decrypt ?? true;
    this.#opts = opts;
    this.#cert = createDtlsIdentity('raw-peer', opts.srtpProfiles ?? [SRTP_AEAD_AES_128_GCM]);
    socket.on('message', (m, r) => this.#onMessage(m, r.address, r.port));
    this.#timer = setInterval(() => this.#dtls?.tick(Date.now()), 100);
  }

  static async create(opts: RawMediaPeerOptions = {}): Promise<RawMediaPeer> {
    const socket = createSocket({ type: 'udp4', recvBufferSize: 4 << 20, sendBufferSize: 4 << 20 });
    await new Promise<void>((resolve) => socket.bind(0, opts.address ?? '127.0.0.1', resolve));
    return new RawMediaPeer(socket, opts);
  }

  get port(): number {
    return this.#socket.address().port;
  }

  get ready(): boolean {
    return this.#srtp !== undefined;
  }

  /** What to give `Endpoint.setRemoteTransport`. */
  transport(): TransportParams {
    return {
      ufrag: this.#ufrag,
      pwd: this.#pwd,
      fingerprints: [
        { hash: 'sha-256', value: this.#opts.signalledFingerprint ?? this.#cert.fingerprint, setup: 'active' },
      ],
      candidates: [{ address: this.#opts.address ?? '127.0.0.1', port: this.port, priority: 2130706431, type: 'host' }],
    };
  }

  /** The bridge's transport for this endpoint: the peer answers its checks and starts DTLS on nomination. */
  connect(bridge: TransportParams): void {
    this.#bridge = bridge;
  }

  /** When set, decrypted RTP and RTCP go here instead of into `rtp` and `rtcp` (long runs). */
  onRtp: ((plain: Buffer) => void) | undefined;
  onRtcp: ((plain: Buffer) => void) | undefined;

  /** Incoming RTP (SSRC, sequence number) to lose on purpose, before decryption: loss on this peer's downlink. */
  lose: ((ssrc: number, seq: number) => boolean) | undefined;

  /** Protects and sends a plain RTCP packet (or compound). */
  sendRtcp(plain: Buffer): void {
    const n = this.#srtp!.protectRtcp(plain, 0, plain.length, this.#out, 0);
    this.#socket.send(Buffer.from(this.#out.subarray(0, n)), this.#bridgePort, this.#bridgeAddress);
  }

  /** Protects and sends a plain RTP packet. */
  sendRtp(plain: Buffer): void {
    const n = this.#srtp!.protectRtp(plain, 0, plain.length, this.#out, 0);
    this.lastProtected = Buffer.from(this.#out.subarray(0, n));
    this.#socket.send(this.lastProtected, this.#bridgePort, this.#bridgeAddress);
  }

  /**
   * Protects with AEAD_AES_128_GCM under the ROC the caller gives (RFC 7714 §8), as a sender tracking its own index
   * would, independently of the bridge's SRTP code, and sends it.
   */
  sendRtpWithRoc(plain: Buffer, roc: number): void {
    const k = this.#keys;
    if (k?.cipher !== 'aes-gcm-128') throw new Error('sendRtpWithRoc needs an AEAD_AES_128_GCM session');
    const key = deriveSessionKey(k.localKey, k.localSalt, 0, 16);
    const iv = deriveSessionKey(k.localKey, k.localSalt, 2, 12);
    const ssrc = plain.readUInt32BE(8);
    const seq = plain.readUInt16BE(2);
    iv.writeUInt32BE((iv.readUInt32BE(2) ^ ssrc) >>> 0, 2);
    iv.writeUInt32BE((iv.readUInt32BE(6) ^ roc) >>> 0, 6);
    iv.writeUInt16BE(iv.readUInt16BE(10) ^ seq, 10);
    const h = 12 + 4 * (plain[0]! & 0x0f);
    const c = createCipheriv('aes-128-gcm', key, iv);
    c.setAAD(plain.subarray(0, h));
    const body = Buffer.concat([c.update(plain.subarray(h)), c.final()]);
    this.sendRaw(Buffer.concat([plain.subarray(0, h), body, c.getAuthTag()]));
  }

  /** Protects and sends into a buffer the caller does not reuse (bench fast path). */
  sendRtpFast(plain: Buffer, out: Buffer): void {
    const n = this.#srtp!.protectRtp(plain, 0, plain.length, out, 0);
    this.#socket.send(out, 0, n, this.#bridgePort, this.#bridgeAddress);
  }

  /** Sends bytes as they are, from this peer's (selected) address. */
  sendRaw(buf: Buffer): void {
    this.#socket.send(buf, this.#bridgePort, this.#bridgeAddress);
  }

  /** Sends DTLS close_notify, then closes the socket once that datagram is out. */
  close(): void {
    clearInterval(this.#timer);
    this.#dtls?.close();
    // dgram resolves even an IP address on the next tick: closing now would drop the close_notify.
    setImmediate(() => this.#socket.close());
  }

  #onMessage(m: Buffer, address: string, port: number): void {
    const b = m[0]!;
    if (b < 4) this.#onStun(m, address, port);
    else if (b >= 20 && b <= 63) this.#dtls?.handleDatagram(m, 0, m.length, Date.now());
    else if (b >= 128 && b <= 191 && this.#srtp !== undefined) {
      const rtcp = m[1]! >= 192 && m[1]! <= 223;
      if (!rtcp && this.lose?.(m.readUInt32BE(8), m.readUInt16BE(2)) === true) return;
      if (rtcp) this.received.rtcp++;
      else this.received.rtp++;
      this.received.bytes += m.length;
      if (!this.#decrypt) return;
      if (rtcp) {
        const n = this.#srtp.unprotectRtcp(m, 0, m.length, m, 0);
        if (n < 0) this.received.failed++;
        else if (this.onRtcp !== undefined) this.onRtcp(m.subarray(0, n));
        else this.rtcp.push(Buffer.from(m.subarray(0, n)));
        return;
      }
      if (this.onRtp === undefined) this.rawRtp.push(Buffer.from(m));
      const n = this.#srtp.unprotectRtp(m, 0, m.length, m, 0);
      if (n === SRTP_ERR_REPLAY) this.received.replayed++;
      if (n < 0) this.received.failed++;
      else if (this.onRtp !== undefined) this.onRtp(m.subarray(0, n));
      else this.rtp.push(m.subarray(0, n));
    }
  }

  #onStun(m: Buffer, address: string, port: number): void {
    const msg = readStun(m, 0, m.length);
    const bridge = this.#bridge;
    if (msg === undefined || bridge === undefined || !this.answering) return;
    if (msg.type !== STUN_BINDING_REQUEST || msg.username !== `${this.#ufrag}:${bridge.ufrag}`) return;
    if (!checkIntegrity(msg, this.#pwd)) return;
    this.#socket.send(
      writeStun({
        type: STUN_BINDING_SUCCESS,
        transactionId: msg.transactionId,
        xorMappedAddress: { address, port },
        password: this.#pwd,
      }),
      port,
      address,
    );
    if (msg.useCandidate && this.#dtls === undefined) {
      this.#bridgeAddress = address;
      this.#bridgePort = port;
      const deps: DtlsSessionDeps = {
        role: 'client',
        identity: this.#cert,
        remoteFingerprints: bridge.fingerprints,
        handshakeTimeoutMs: 10_000,
        send: (buf) => this.#socket.send(buf, this.#bridgePort, this.#bridgeAddress),
        onStateChange: (state, reason) => {
          if (state === 'failed' || state === 'closed') this.dtlsError = reason ?? state;
        },
        onKeys: (k) => {
          this.#keys = {
            cipher: k.profile === SRTP_AEAD_AES_128_GCM ? 'aes-gcm-128' : 'aes-cm-hmac-sha1-80',
            localKey: k.localKey,
            localSalt: k.localSalt,
            remoteKey: k.remoteKey,
            remoteSalt: k.remoteSalt,
          };
          this.#srtp = new NodeSrtpTransform(this.#keys);
        },
      };
      this.#dtls = this.#opts.dtls?.(deps) ?? new DtlsSession(deps);
      this.#dtls.start(Date.now());
    }
  }
}
