export {
  PSFB_FIR,
  PSFB_PLI,
  RTCP_BYE,
  RTCP_PSFB,
  RTCP_RR,
  RTCP_RTPFB,
  RTCP_SDES,
  RTCP_SR,
  SR_LENGTH_WITHOUT_BLOCKS,
  readKeyframeRequestSsrc,
  readRtcpLength,
} from './rtcp.js';
export { ReceiveStats, writeReceiverReport } from './receive-stats.js';
export { blankHeaderExtensions } from './header-extensions.js';
