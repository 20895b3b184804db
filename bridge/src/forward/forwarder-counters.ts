// What the forwarder counts, by outcome (STYLE.md §2.9).

export interface ForwarderCounters {
  rtpIn: number;
  rtpForwarded: number;
  srForwarded: number;
  keyframeRequestsForwarded: number;
  rtcpTerminated: number;
  /** NACK items (PID + BLP) from receivers, answered from their own send history. */
  nackItemsReceived: number;
  dropMalformed: number;
  dropUnknownSsrc: number;
  dropNotOwner: number;
  dropNoSender: number;
  dropKeyframeRateLimited: number;
  /** RTP (and SRs) of a kind the focus force-muted for its sender. */
  dropForceMuted: number;
  headerExtensionsStripped: number;
  /** Video packets a receiver did not get: another layer than its own, or while it waits for a keyframe. */
  videoNotSelected: number;
  /** Keyframe requests the bridge made itself (to switch a receiver to another encoding). */
  keyframeRequestsSent: number;
  /** SSRC rewriting: audio a receiver did not get (a silent packet of a source without a slot of its pool). */
  audioNotMapped: number;
}

export function newForwarderCounters(): ForwarderCounters {
  return {
    rtpIn: 0,
    rtpForwarded: 0,
    srForwarded: 0,
    keyframeRequestsForwarded: 0,
    rtcpTerminated: 0,
    nackItemsReceived: 0,
    dropMalformed: 0,
    dropUnknownSsrc: 0,
    dropNotOwner: 0,
    dropNoSender: 0,
    dropKeyframeRateLimited: 0,
    dropForceMuted: 0,
    headerExtensionsStripped: 0,
    videoNotSelected: 0,
    keyframeRequestsSent: 0,
    audioNotMapped: 0,
  };
}
