// One endpoint's packet pipeline: ICE -> DTLS -> SRTP -> forwarder, and SRTP -> socket on the way out.
// Hot path (STYLE.md §2.9): onRtp/onRtcp/sendRtp/sendRtcp allocate nothing of their own and never log.
import { randomBytes } from 'node:crypto';
import {
  DtlsSession,
  SRTP_PROFILES,
  type DtlsCounters,
  type DtlsFingerprint,
  type DtlsRole,
  type DtlsState,
  type SrtpKeys,
  type SrtpProfile,
} from '../dtls/index.js';
import type { MediaSink } from '../forward/index.js';
import { IceAgent, type IceCandidate, type IceParams, type StunMessage } from '../ice/index.js';
import { writeReceiverReport } from '../rtp/index.js';
import { SRTP_MAX_OVERHEAD, type SrtpTransform } from '../srtp/index.js';
import {
  countProtectError,
  countUnprotectError,
  newEndpointCounters,
  type EndpointCounters,
} from './endpoint-counters.js';
import { Downlink } from './downlink.js';
import { SLOT_BYTES, SendRing } from './send-ring.js';
import type { TransportDeps } from './transport-deps.js';
import { Uplink } from './uplink.js';

export { newEndpointCounters, type EndpointCounters } from './endpoint-counters.js';

export type { HeaderExtensionIds } from './downlink.js';

/** How often a sender gets transport-cc feedback (libwebrtc's receive side sends every 100 ms by default). */
const TWCC_INTERVAL_MS = 100;

/** What the media server gives a transport (transport-deps.ts). */
export type EndpointTransportDeps = TransportDeps<EndpointTransport>;

type RemoteDtls = { role: DtlsRole; fingerprints: DtlsFingerprint[] };

/** ICE, DTLS and SRTP state of one endpoint on the shared socket. */
export class EndpointTransport implements MediaSink {
  readonly counters: EndpointCounters = newEndpointCounters();
  readonly ice: IceAgent;
  readonly feedbackSsrc = randomBytes(4).readUInt32BE(0);
  /** The selected pair's remote address, once ICE nominated one. */
  address = '';
  port = 0;
  #ready = false;
  readonly #deps: EndpointTransportDeps;
  #dtls: DtlsSession | undefined;
  #srtp: SrtpTransform | undefined;
  /** The addon's number for #srtp when it and the socket are both native (sendSrtp: one call per packet), else 0. */
  #srtpHandle = 0;
  readonly #ring = new SendRing();
  /** What it sends us: receive stats, transport-cc arrival times, NACKs of its video. */
  readonly uplink: Uplink;
  /** Where feedback is written before it is protected into a ring slot (only when there is some). */
  readonly #feedback = Buffer.allocUnsafe(1500);
  /** Its downlink: our transport-wide sequence numbers, its feedback, the estimate, RTX and probes. */
  readonly downlink: Downlink;
  #nextTwccAt = 0;
  #remoteDtls: { role: DtlsRole; fingerprints: DtlsFingerprint[] } | undefined;
  /** DTLS that arrived from a checked address before the pair was selected (the peer may key first). */
  readonly #early: Array<{ buf: Buffer; address: string; port: number }> = [];
  #closed = false;

  constructor(deps: EndpointTransportDeps, local: IceParams) {
    this.#deps = deps;
    this.uplink = new Uplink(this, deps.forwarder, deps.extensions);
    this.downlink = new Downlink({
      counters: this.counters,
      extensions: deps.extensions,
      sendRtp: (buf, off, len, tccAt, nowMs) => this.sendRtp(buf, off, len, tccAt, nowMs),
      onEstimate: (bps) => deps.onBandwidthEstimate?.(bps),
    });
    this.#ring.onSendError = () => deps.udp.counters.sendErrors++;
    this.ice = new IceAgent({
      routeId: deps.routeId,
      local,
      timings: deps.iceTimings,
      allowLocalCandidates: deps.allowLocalCandidates,
      send: (buf, port, address) => deps.udp.send(buf, 0, buf.length, port, address),
      onStateChange: (s) => deps.onIceState(s),
      onPeerAddress: (address, port) => deps.onPeerAddress(this, address, port),
      onCandidateRefused: () => this.counters.iceCandidatesRefused++,
      onSelected: (address, port) => {
        this.address = address;
        this.port = port;
        deps.onSelected(this, address, port);
        this.#maybeStartDtls(Date.now());
      },
    });
  }

  /** The first four bytes of our STUN transaction ids: how the demultiplexer finds us for a response. */
  get routeId(): number {
    return this.#deps.routeId;
  }

  get ready(): boolean {
    return this.#ready;
  }

  get dtlsState(): DtlsState {
    return this.#dtls?.state ?? 'new';
  }

  get dtlsCounters(): Readonly<DtlsCounters> | undefined {
    return this.#dtls?.counters;
  }

  get srtpProfile(): SrtpProfile | undefined {
    return this.#dtls?.srtpProfile;
  }

  /** Sends DTLS application data (an SCTP packet); false unless DTLS is connected. */
  writeAppData(buf: Buffer): boolean {
    return !this.#closed && this.#dtls !== undefined && this.#dtls.write(buf);
  }

  /** Peer ICE credentials and candidates, and its DTLS role and fingerprints. */
  setRemote(ice: IceParams, candidates: readonly IceCandidate[], dtls: RemoteDtls, now: number): void {
    this.#remoteDtls = dtls;
    this.ice.setRemote(ice, candidates, now);
    this.#maybeStartDtls(now);
  }

  onStun(msg: StunMessage, address: string, port: number, now: number): void {
    this.ice.handleStun(msg, address, port, now);
  }

  /** Keeps a few DTLS datagrams from a checked but not yet selected address; replayed once DTLS starts. */
  holdEarlyDtls(buf: Buffer, len: number, address: string, port: number): boolean {
    if (this.#dtls !== undefined || this.#early.length >= 4 || this.#closed) return false;
    this.#early.push({ buf: Buffer.from(buf.subarray(0, len)), address, port });
    return true;
  }

  onDtls(buf: Buffer, len: number, now: number): void {
    if (this.#dtls === undefined) {
      this.counters.dropDtls++;
      return;
    }
    this.#dtls.handleDatagram(buf, 0, len, now);
  }

  /**
   * A datagram classified as RTP; `ageMs`: how long ago the kernel received it (0: unknown). The uplink records it
   * at the kernel's arrival time; what is forwarded is stamped with the time it is handled.
   */
  onRtp(buf: Buffer, len: number, ageMs = 0): void {
    const srtp = this.#srtp;
    if (srtp === undefined) {
      this.counters.dropNotReady++;
      return;
    }
    const n = srtp.unprotectRtp(buf, 0, len, buf, 0);
    if (n < 0) {
      countUnprotectError(this.counters, n);
      return;
    }
    this.counters.rtpPacketsIn++;
    this.counters.rtpBytesIn += n;
    const now = this.uplink.onRtp(buf, n, ageMs);
    this.#deps.forwarder.onRtp(this, buf, 0, n, now);
  }

  onRtcp(buf: Buffer, len: number): void {
    const srtp = this.#srtp;
    if (srtp === undefined) {
      this.counters.dropNotReady++;
      return;
    }
    const n = srtp.unprotectRtcp(buf, 0, len, buf, 0);
    if (n < 0) {
      countUnprotectError(this.counters, n);
      return;
    }
    this.counters.rtcpPacketsIn++;
    this.#deps.forwarder.onRtcp(this, buf, 0, n);
  }

  sendRtp(buf: Buffer, off: number, len: number, tccAt: number, nowMs: number): void {
    const srtp = this.#srtp;
    if (srtp === undefined || this.#closed) return;
    if (len > SLOT_BYTES - SRTP_MAX_OVERHEAD) {
      this.counters.dropOversize++;
      return;
    }
    if (tccAt >= 0) this.downlink.stamp(buf, tccAt, len, nowMs);
    const n = this.#srtpHandle > 0 ? this.#protectAndQueue(buf, off, len) : this.#protectIntoSlot(srtp, buf, off, len);
    if (n < 0) countProtectError(this.counters, n);
    if (n <= 0) return;
    this.counters.rtpPacketsOut++;
    this.counters.rtpBytesOut += len;
  }

  /** Native SRTP on the native socket: protects into the ring and queues the send in one call into the addon. */
  #protectAndQueue(buf: Buffer, off: number, len: number): number {
    const at = this.#ring.nextOffset();
    if (at < 0) {
      this.counters.dropSendBusy++;
      return 0;
    }
    const ring = this.#ring.buffer;
    const n = this.#deps.udp.sendSrtp!(this.#srtpHandle, buf, off, len, ring, at, this.port, this.address);
    if (n > 0) this.#ring.markRtp(n);
    return n;
  }

  /** Protects into the next ring slot, then sends it (two steps: node:crypto SRTP or the dgram socket). */
  #protectIntoSlot(srtp: SrtpTransform, buf: Buffer, off: number, len: number): number {
    const slot = this.#nextSlot();
    if (slot === undefined) return 0;
    const n = srtp.protectRtp(buf, off, len, slot, 0);
    if (n < 0) return n;
    this.#ring.markRtp(n);
    this.#sendSlot(slot, n);
    return n;
  }

  sendRtcp(buf: Buffer, off: number, len: number): void {
    const srtp = this.#srtp;
    if (srtp === undefined || this.#closed || len > SLOT_BYTES - SRTP_MAX_OVERHEAD) return;
    const slot = this.#nextSlot();
    if (slot === undefined) return;
    const n = srtp.protectRtcp(buf, off, len, slot, 0);
    if (n < 0) {
      countProtectError(this.counters, n);
      return;
    }
    this.counters.rtcpPacketsOut++;
    this.#sendSlot(slot, n);
  }

  noteSenderReport(ssrc: number, ntpMiddle: number): void {
    this.uplink.noteSenderReport(ssrc, ntpMiddle);
  }

  /** Timers of ICE, DTLS and feedback; the media server calls it for every endpoint on one interval. */
  tick(now: number): void {
    if (this.#closed) return;
    this.ice.tick(now);
    this.#dtls?.tick(now);
    if (this.#ready && now >= this.#nextTwccAt && this.uplink.twcc.pending > 0) {
      this.#nextTwccAt = now + TWCC_INTERVAL_MS;
      this.#sendTwccFeedback();
    }
    if (this.#ready) this.#sendNacks();
    if (this.#ready) this.downlink.tick();
  }

  /** NACKs for this endpoint's uplink loss (a few packets at most per tick). */
  #sendNacks(): void {
    const now = performance.now();
    this.counters.nacksSent += this.#sendFeedback((buf) => this.uplink.nacks.write(buf, 0, this.feedbackSsrc, now));
  }

  /** Transport-cc feedback for everything received since the last one (a few packets when a backlog built up). */
  #sendTwccFeedback(): void {
    this.counters.twccFeedbackOut += this.#sendFeedback((buf) => this.uplink.twcc.write(buf, 0, this.feedbackSsrc));
  }

  /** Writes up to four feedback packets, protecting each into a ring slot only when there is one; returns the count. */
  #sendFeedback(write: (buf: Buffer) => number): number {
    let sent = 0;
    for (; sent < 4; sent++) {
      const n = write(this.#feedback);
      if (n === 0 || !this.#sendRtcpPacket(n)) break;
    }
    return sent;
  }

  /** Sends the bridge's own receiver report for what this endpoint sends (RFC 3550 §6.4.2). */
  sendReceiverReport(now: number): void {
    if (!this.#ready || this.uplink.streams.length === 0) return;
    this.#sendRtcpPacket(writeReceiverReport(this.#feedback, 0, this.feedbackSsrc, this.uplink.streams, now));
  }

  /** Protects the RTCP packet in the feedback buffer into a ring slot and sends it; false when it could not. */
  #sendRtcpPacket(n: number): boolean {
    const slot = this.#nextSlot();
    if (slot === undefined) return false;
    const m = this.#srtp!.protectRtcp(this.#feedback, 0, n, slot, 0);
    if (m < 0) {
      countProtectError(this.counters, m);
      return false;
    }
    this.counters.rtcpPacketsOut++;
    this.#sendSlot(slot, m);
    return true;
  }

  /** The ring's next slot, or undefined (counted) while a send in flight still holds it. */
  #nextSlot(): Buffer | undefined {
    const slot = this.#ring.next();
    if (slot === undefined) this.counters.dropSendBusy++;
    return slot;
  }

  /** Sends the ring slot `next()` returned last; a socket that keeps the buffer holds the slot until it is sent. */
  #sendSlot(slot: Buffer, len: number, at?: number): void {
    const udp = this.#deps.udp;
    udp.send(slot, 0, len, this.port, this.address, udp.holdsBuffers ? this.#ring.hold(at) : undefined);
  }

  close(): void {
    if (this.#closed) return;
    this.downlink.close();
    this.#ready = false;
    this.#dtls?.close(); // sends close_notify while the path is still open
    this.#closed = true;
    this.ice.close();
  }

  // Resends the packets a NACK names, byte for byte as protected (the receiver's replay window takes them; the same
  // plaintext under the same index reveals nothing), found newest first in the ring by SSRC and sequence number.
  retransmit(ssrc: number, pid: number, blp: number): void {
    if (!this.#ready || this.#closed) return;
    for (let bit = -1; bit < 16; bit++) {
      if (bit >= 0 && (blp & (1 << bit)) === 0) continue;
      const seq = (pid + bit + 1) & 0xffff;
      const sent = this.#ring.findRtp(ssrc, seq);
      if (sent === undefined) {
        this.counters.retransmissionsMissed++;
        continue;
      }
      this.counters.retransmissionsSent++;
      this.#sendSlot(sent.slot, sent.len, sent.at);
    }
  }

  #maybeStartDtls(now: number): void {
    const remote = this.#remoteDtls;
    if (this.#dtls !== undefined || remote === undefined || this.ice.selected === undefined || this.#closed) return;
    this.#dtls = new DtlsSession({
      role: remote.role,
      identity: this.#deps.identity,
      remoteFingerprints: remote.fingerprints,
      handshakeTimeoutMs: this.#deps.dtlsHandshakeTimeoutMs,
      send: (buf) => {
        if (!this.#closed) this.#deps.udp.send(buf, 0, buf.length, this.port, this.address);
      },
      onStateChange: (s, reason) => {
        if (s === 'connected') return; // reported from onKeys, once SRTP is ready
        this.#ready = false;
        this.#deps.onDtlsState(s, reason);
      },
      onKeys: (k) => this.#onKeys(k),
      onAppData: (buf) => this.#deps.onAppData(buf),
    });
    this.#dtls.start(now);
    for (const e of this.#early.splice(0)) {
      if (e.address === this.address && e.port === this.port) this.#dtls.handleDatagram(e.buf, 0, e.buf.length, now);
    }
  }

  #onKeys(k: SrtpKeys): void {
    this.#srtp = this.#deps.createSrtp({
      cipher: SRTP_PROFILES[k.profile].cipher,
      localKey: k.localKey,
      localSalt: k.localSalt,
      remoteKey: k.remoteKey,
      remoteSalt: k.remoteSalt,
    });
    // 0 (no handle: node:crypto SRTP, or the addon's registry full) or a dgram socket: the two-step path.
    this.#srtpHandle = this.#deps.udp.sendSrtp === undefined ? 0 : (this.#srtp.handle ?? 0);
    this.#ready = true;
    this.#deps.onDtlsState('connected');
  }
}
