export { type JingleToSdpOptions, jingleToSdp, jingleToSessionDescription } from './jingle-to-sdp.js';
export { type SdpToJingleOptions, type SdpJingle, sdpToJingle, sessionDescriptionToJingle } from './sdp-to-jingle.js';
export { fmtpConfig, parseFmtpConfig } from './sdp-media.js';
export { addRemoteSources, removeRemoteSources } from './remote-sources.js';
