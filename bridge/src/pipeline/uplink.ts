// What one endpoint sends us, seen as its receiver: per-stream receive statistics (for our receiver reports),
// transport-cc arrival times (for its send-side estimator) and the gaps in its video (NACKs).
// Hot path (STYLE.md §2.9): onRtp runs once per decrypted packet; it allocates nothing of its own and never logs.
import type { Forwarder, MediaSink } from '../forward/index.js';
import { NackGenerator, ReceiveStats, TwccFeedback, findHeaderExtension } from '../rtp/index.js';
import type { HeaderExtensionIds } from './downlink.js';

const MAX_RECEIVE_STREAMS = 32;

/** One endpoint's uplink bookkeeping; its EndpointTransport holds it in a field and feeds it every packet. */
export class Uplink {
  /** Arrival times of what this endpoint sends, for its sender-side bandwidth estimator. */
  readonly twcc = new TwccFeedback();
  /** Gaps in the video this endpoint sends us, asked for again (RFC 4585 NACK). */
  readonly nacks = new NackGenerator();
  /** The streams that get receiver reports, in the order they started (what writeReceiverReport takes). */
  readonly streams: ReceiveStats[] = [];
  readonly #stats = new Map<number, ReceiveStats>();
  /** The endpoint's transport, as the forwarder knows the sender. */
  readonly #owner: MediaSink;
  readonly #forwarder: Forwarder;
  /** The conference's header extension ids, read per packet (the conference may learn them after we exist). */
  readonly #extensions: Readonly<HeaderExtensionIds>;

  constructor(owner: MediaSink, forwarder: Forwarder, extensions: Readonly<HeaderExtensionIds>) {
    this.#owner = owner;
    this.#forwarder = forwarder;
    this.#extensions = extensions;
  }

  /**
   * A decrypted RTP packet of `n` bytes; `ageMs`: how long ago the kernel received it (0: unknown). Arrival times
   * for transport-cc feedback, NACKs and jitter are the kernel's, not when the event loop got to the batch, so a
   * busy loop is not read by the sender's estimator as queuing. Returns the time it is handled (performance.now()),
   * which the forwarder stamps on what it sends.
   */
  onRtp(buf: Buffer, n: number, ageMs: number): number {
    const ssrc = buf.readUInt32BE(8);
    let st = this.#stats.get(ssrc);
    if (st === undefined && this.#stats.size < MAX_RECEIVE_STREAMS) {
      // Only signalled streams get reports; their kind gives the clock rate for jitter.
      const kind = this.#forwarder.kindOf(this.#owner, ssrc);
      if (kind !== undefined) {
        st = new ReceiveStats(ssrc, kind === 'audio' ? 48_000 : 90_000);
        this.#stats.set(ssrc, st);
        this.streams.push(st);
        if (kind === 'video') this.nacks.addStream(ssrc, this.#forwarder.rtxPrimaryOf(this.#owner, ssrc));
      }
    }
    const now = performance.now();
    const arrival = now - ageMs;
    this.nacks.onRtp(buf, n, arrival);
    st?.onRtp(buf.readUInt16BE(2), buf.readUInt32BE(4), arrival);
    const tcc = this.#extensions.transportCc;
    if (tcc !== 0) {
      const at = findHeaderExtension(buf, 0, n, tcc, 2);
      if (at >= 0) this.twcc.onPacket(buf.readUInt16BE(at), arrival, ssrc);
    }
    return now;
  }

  /** A sender report of one of its streams: its middle NTP bits go into our next receiver report's LSR. */
  noteSenderReport(ssrc: number, ntpMiddle: number): void {
    this.#stats.get(ssrc)?.onSr(ntpMiddle, Date.now());
  }
}
