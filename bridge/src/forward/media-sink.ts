/** One endpoint as the forwarder sees it: a place to send packets, and where SR timing is noted. */
export interface MediaSink {
  /** False until DTLS finished and SRTP keys exist: the forwarder skips it. */
  readonly ready: boolean;
  /** The SSRC the bridge uses as RTCP sender towards this endpoint (keyframe requests it makes itself). */
  readonly feedbackSsrc?: number;
  /** Protects and sends a plain RTP packet; the bytes are copied before this returns. */
  sendRtp(buf: Buffer, off: number, len: number): void;
  /** Protects and sends one plain RTCP packet (or compound); copied before this returns. */
  sendRtcp(buf: Buffer, off: number, len: number): void;
  /**
   * A NACK from this endpoint (RFC 4585 §6.2.1: `pid` and the bitmask `blp` of the 16 after it) for `ssrc`:
   * resend what it lost of what we sent it, from our own recent packets.
   */
  retransmit(ssrc: number, pid: number, blp: number): void;
  /** An SR from this endpoint for `ssrc` arrived: its middle NTP bits feed our receiver reports. */
  noteSenderReport(ssrc: number, ntpMiddle: number): void;
}
