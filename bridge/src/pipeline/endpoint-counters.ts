// What one endpoint's pipeline counted.
import { newSctpCounters, type SctpCounters } from '../sctp/index.js';
import { SRTP_ERR_AUTH, SRTP_ERR_REPLAY } from '../srtp/index.js';

/** Plain number fields, read by metrics at scrape time. */
export interface EndpointCounters extends SctpCounters {
  rtpPacketsIn: number;
  rtpBytesIn: number;
  rtpPacketsOut: number;
  rtpBytesOut: number;
  rtcpPacketsIn: number;
  rtcpPacketsOut: number;
  /** Transport-cc feedback packets sent to this endpoint about what it sent. */
  twccFeedbackOut: number;
  dropSrtpAuth: number;
  dropSrtpReplay: number;
  dropSrtpMalformed: number;
  /** Outgoing RTP/RTCP whose SRTP index was used already, or would wrap (never protected twice under one key). */
  dropSrtpRepeatIndex: number;
  /** Signalled remote ICE candidates not used: a name, IPv6, loopback/link-local (unless allowed), not unicast. */
  iceCandidatesRefused: number;
  dropNotReady: number;
  dropDtls: number;
  dropOversize: number;
  /** Outgoing packets dropped because the send ring's next slot was still held by a send in flight. */
  dropSendBusy: number;
  /** Packets this endpoint NACKed and we sent again (the very SRTP packet: no new nonce). */
  retransmissionsSent: number;
  /** NACKed packets no longer (or never) in our history. */
  retransmissionsMissed: number;
  /** NACK packets sent to this endpoint about loss on its uplink. */
  nacksSent: number;
  /** Of retransmissionsSent, those sent as RTX (built from the stream's cache; the rest are plain resends). */
  rtxSent: number;
  /** NACKed packets not resent because this endpoint asked for more than the retransmission rate allows. */
  retransmissionsRateLimited: number;
  /** Transport-cc feedback packets from this endpoint about what we sent it. */
  twccFeedbackIn: number;
  /** Padding-only RTX packets sent to probe this endpoint's downlink. */
  paddingSent: number;
}

export function newEndpointCounters(): EndpointCounters {
  return {
    rtpPacketsIn: 0,
    rtpBytesIn: 0,
    rtpPacketsOut: 0,
    rtpBytesOut: 0,
    rtcpPacketsIn: 0,
    rtcpPacketsOut: 0,
    twccFeedbackOut: 0,
    dropSrtpAuth: 0,
    dropSrtpReplay: 0,
    dropSrtpMalformed: 0,
    dropSrtpRepeatIndex: 0,
    iceCandidatesRefused: 0,
    dropNotReady: 0,
    dropDtls: 0,
    dropOversize: 0,
    dropSendBusy: 0,
    retransmissionsSent: 0,
    retransmissionsMissed: 0,
    nacksSent: 0,
    rtxSent: 0,
    retransmissionsRateLimited: 0,
    twccFeedbackIn: 0,
    paddingSent: 0,
    ...newSctpCounters(),
  };
}

/** A packet that failed unprotect, by its SRTP_ERR_* code. */
export function countUnprotectError(c: EndpointCounters, code: number): void {
  if (code === SRTP_ERR_AUTH) c.dropSrtpAuth++;
  else if (code === SRTP_ERR_REPLAY) c.dropSrtpReplay++;
  else c.dropSrtpMalformed++;
}

/** A packet protect refused: an index used already (never protected twice under one key) or malformed. */
export function countProtectError(c: EndpointCounters, code: number): void {
  if (code === SRTP_ERR_REPLAY) c.dropSrtpRepeatIndex++;
  else c.dropSrtpMalformed++;
}
