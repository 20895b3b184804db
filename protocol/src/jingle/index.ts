export { type RtcpFb, parseRtcpFb, buildRtcpFb } from './rtcp-fb.js';
export { type PayloadType, type PayloadParameter, parsePayloadType, buildPayloadType } from './payload-type.js';
export {
  type HeaderExtension,
  HDREXT_SENDERS,
  parseHeaderExtension,
  buildHeaderExtension,
} from './header-extension.js';
export {
  type RtpDescription,
  type MediaType,
  MEDIA_TYPES,
  parseRtpDescription,
  buildRtpDescription,
  emptyRtpDescription,
} from './rtp-description.js';
export { type Fingerprint, type DtlsSetup, DTLS_SETUPS, parseFingerprint, buildFingerprint } from './fingerprint.js';
export {
  type IceCandidate,
  CANDIDATE_TYPES,
  CANDIDATE_PROTOCOLS,
  TCP_TYPES,
  parseCandidate,
  buildCandidate,
} from './candidate.js';
export {
  type IceUdpTransport,
  type SctpMap,
  parseIceUdpTransport,
  buildIceUdpTransport,
  emptyIceUdpTransport,
} from './ice-udp-transport.js';
export {
  type JingleContent,
  type ContentSenders,
  CONTENT_CREATORS,
  CONTENT_SENDERS,
  parseContent,
  buildContent,
} from './content.js';
export { type JingleReason, type ReasonCondition, REASON_CONDITIONS, parseReason, buildReason } from './reason.js';
export { type BridgeSession, parseBridgeSession, buildBridgeSession } from './bridge-session.js';
export {
  type Jingle,
  type JingleAction,
  type ContentGroup,
  type StartMuted,
  JINGLE_ACTIONS,
  parseJingle,
  buildJingle,
} from './jingle.js';
export { type JingleErrorCondition, JINGLE_ERROR_CONDITIONS, jingleErrorOf, jingleError } from './jingle-error.js';
export { type JingleIq, parseJingleIq, buildJingleIq } from './jingle-iq.js';
export { sourcesOfContents, contentsOfSources } from './jingle-sources.js';
