// What one endpoint sends us, as its receiver: per-stream receive statistics (for our RRs), transport-cc arrival
// times (for its send-side estimator) and the gaps in its video (NACKs). Fed per decrypted packet.
import { NackGenerator, ReceiveStats, TwccFeedback, findHeaderExtension } from '../rtp/index.js';

const MAX_RECEIVE_STREAMS = 32;

/** What the uplink asks of the forwarder about an SSRC the endpoint sends. */
export interface UplinkSources {
  kindOf(ssrc: number): 'audio' | 'video' | undefined;
  /** The primary SSRC when `ssrc` is an RTX one, else 0. */
  rtxPrimaryOf(ssrc: number): number;
}

export class Uplink {
  /** Arrival times of what this endpoint sends, for its sender-side bandwidth estimator. */
  readonly twcc = new TwccFeedback();
  /** Gaps in the video this endpoint sends us, asked for again (RFC 4585 NACK). */
  readonly nacks = new NackGenerator();
  readonly #stats = new Map<number, ReceiveStats>();
  /** The same streams, in order, for receiver reports. */
  readonly streams: ReceiveStats[] = [];

  /**
   * Hot path: a decrypted RTP packet of `len` bytes that the kernel received at `arrival` (performance.now() ms);
   * `tccId` is the transport-wide sequence number extension id (0: none).
   */
  onRtp(buf: Buffer, len: number, arrival: number, tccId: number, sources: UplinkSources): void {
    const ssrc = buf.readUInt32BE(8);
    let st = this.#stats.get(ssrc);
    if (st === undefined && this.#stats.size < MAX_RECEIVE_STREAMS) {
      // Only signalled streams get reports; their kind gives the clock rate for jitter.
      const kind = sources.kindOf(ssrc);
      if (kind !== undefined) {
        st = new ReceiveStats(ssrc, kind === 'audio' ? 48_000 : 90_000);
        this.#stats.set(ssrc, st);
        this.streams.push(st);
        if (kind === 'video') this.nacks.addStream(ssrc, sources.rtxPrimaryOf(ssrc));
      }
    }
    this.nacks.onRtp(buf, len, arrival);
    st?.onRtp(buf.readUInt16BE(2), buf.readUInt32BE(4), arrival);
    if (tccId !== 0) {
      const at = findHeaderExtension(buf, 0, len, tccId, 2);
      if (at >= 0) this.twcc.onPacket(buf.readUInt16BE(at), arrival, ssrc);
    }
  }

  /** An SR of one of the endpoint's streams: its middle NTP bits go into our next RR's LSR. */
  noteSenderReport(ssrc: number, ntpMiddle: number, nowMs: number): void {
    this.#stats.get(ssrc)?.onSr(ntpMiddle, nowMs);
  }
}
