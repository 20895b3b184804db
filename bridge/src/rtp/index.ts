export {
  PSFB_FIR,
  PSFB_PLI,
  RTCP_BYE,
  RTCP_PSFB,
  RTCP_RR,
  RTCP_RTPFB,
  RTCP_SDES,
  RTCP_SR,
  RTPFB_NACK,
  SR_LENGTH_WITHOUT_BLOCKS,
  readKeyframeRequestSsrc,
  readRtcpLength,
} from './rtcp.js';
export { ReceiveStats, writeReceiverReport } from './receive-stats.js';
export { blankHeaderExtensions, findHeaderExtension, headerExtensionLength } from './header-extensions.js';
export { TwccFeedback, RTPFB_TWCC, type TwccCounters } from './twcc-feedback.js';
export { NackGenerator, type NackCounters } from './nack-generator.js';
export { TwccReport, TWCC_REPORT_CAPACITY } from './twcc-report.js';
