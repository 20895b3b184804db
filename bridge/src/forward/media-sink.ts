/** One endpoint as the forwarder sees it: a place to send packets, and where SR timing is noted. */
export interface MediaSink {
  /** False until DTLS finished and SRTP keys exist: the forwarder skips it. */
  readonly ready: boolean;
  /** The SSRC the bridge uses as RTCP sender towards this endpoint (keyframe requests it makes itself). */
  readonly feedbackSsrc?: number;
  /**
   * Protects and sends a plain RTP packet; the bytes are copied before this returns. `tccAt` is the offset in `buf`
   * of the two bytes of its transport-wide sequence number (-1: none): the sink writes its own number there first.
   * `nowMs` (performance.now(), read once per incoming packet) is its send time.
   */
  sendRtp(buf: Buffer, off: number, len: number, tccAt: number, nowMs: number): void;
  /** Protects and sends one plain RTCP packet (or compound); copied before this returns. */
  sendRtcp(buf: Buffer, off: number, len: number): void;
  /**
   * A NACK from this endpoint (RFC 4585 §6.2.1: `pid` and the bitmask `blp` of the 16 after it) for `ssrc`:
   * resend what it lost of what we sent it, from our own recent packets.
   */
  retransmit(ssrc: number, pid: number, blp: number): void;
  /** What the forwarder hands this endpoint's downlink: RTX, and its transport-cc feedback. */
  readonly downlink: DownlinkSink;
  /** An SR from this endpoint for `ssrc` arrived: its middle NTP bits feed our receiver reports. */
  noteSenderReport(ssrc: number, ntpMiddle: number): void;
}

/** One receiver's downlink as the forwarder sees it. */
export interface DownlinkSink {
  /**
   * A sender's own RTX packet for this receiver (plain, `tccAt` as for sendRtp): it gets this receiver's next
   * sequence number of that RTX stream, since the bridge sends its own RTX packets on it too.
   */
  forwardRtx(buf: Buffer, off: number, len: number, tccAt: number, nowMs: number): void;
  /**
   * The sender's retransmission of a packet the bridge had lost, rewritten as this receiver gets that stream (plain,
   * at `buf[off..off+len)`), sent as RTX on `rtxSsrc`/`rtxPt`; `tccRel` as for sendRtx. Not rate-limited.
   */
  forwardRecovered(buf: Buffer, off: number, len: number, rtxSsrc: number, rtxPt: number, tccRel: number): void;
  /**
   * Answers this receiver's NACK with an RTX packet (RFC 4588) built from the plain packet at `buf[off..off+len)`
   * as forwarded, on `rtxSsrc` with payload type `rtxPt`; `tccRel` is the offset of its transport-wide sequence
   * number relative to `off` (-1: none). Rate-limited and counted by the receiver's pipeline.
   */
  sendRtx(buf: Buffer, off: number, len: number, rtxSsrc: number, rtxPt: number, tccRel: number): void;
  /** An RTCP transport-cc feedback packet from this receiver (RTPFB FMT 15), about what we sent it. */
  onFeedback(buf: Buffer, off: number, len: number): void;
}
