export {
  type Colibri2Media,
  type Colibri2MediaType,
  COLIBRI2_MEDIA_TYPES,
  parseColibri2Media,
  buildColibri2Media,
} from './media.js';
export {
  type Colibri2Transport,
  type Colibri2Sctp,
  SCTP_ROLES,
  parseColibri2Transport,
  buildColibri2Transport,
} from './transport.js';
export {
  type MediaSource,
  parseMediaSource,
  buildMediaSource,
  parseSourcesList,
  buildSourcesList,
} from './media-source.js';
export {
  type Colibri2Endpoint,
  type ForceMute,
  CAPABILITY_SOURCE_NAMES,
  CAPABILITY_SSRC_REWRITING,
  CAPABILITY_PRIVATE_ADDRESSES,
  parseColibri2Endpoint,
  buildColibri2Endpoint,
} from './endpoint.js';
export { type Colibri2Relay, parseColibri2Relay, buildColibri2Relay } from './relay.js';
export { type ConferenceModify, parseConferenceModify, buildConferenceModify } from './conference-modify.js';
export { type ConferenceModified, parseConferenceModified, buildConferenceModified } from './conference-modified.js';
export {
  type Colibri2ErrorInfo,
  type Colibri2ErrorReason,
  COLIBRI2_ERROR_REASONS,
  colibri2ErrorOf,
  colibri2Error,
} from './colibri2-error.js';
export { mediaSourcesOf, endpointSourcesOf } from './endpoint-sources.js';
