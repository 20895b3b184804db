export {
  type ConferenceRequest,
  type ConferenceReply,
  parseConferenceRequest,
  buildConferenceRequest,
  parseConferenceReply,
  buildConferenceReply,
  isSessionInvalid,
  sessionInvalidError,
} from './conference-iq.js';
export {
  parseConferenceRequestJson,
  buildConferenceRequestJson,
  parseConferenceReplyJson,
  buildConferenceReplyJson,
} from './conference-http.js';
export {
  type BridgeStats,
  type BridgeLoad,
  parseBridgeStats,
  buildBridgeStats,
  readBridgeLoad,
} from './bridge-stats.js';
export {
  type SourceInfo,
  type SourceInfoMap,
  parseSourceInfo,
  buildSourceInfo,
  sourceMediaType,
} from './source-info.js';
export {
  type ParticipantPresence,
  type Caps,
  type MucUserItem,
  AFFILIATIONS,
  ROLES,
  parseParticipantPresence,
  buildParticipantPresence,
} from './participant-presence.js';
export {
  type FocusPresence,
  PROP_SUPPORT_TERMINATE_RESTART,
  PROP_BRIDGE_COUNT,
  parseFocusPresence,
  buildFocusPresence,
} from './focus-presence.js';
export {
  type ExternalService,
  type ExternalServiceType,
  type IceServer,
  EXTERNAL_SERVICE_TYPES,
  buildServicesQuery,
  parseExternalServices,
  iceServerUrl,
  iceServersOf,
} from './external-services.js';
export {
  MUTE_MEDIA,
  type MuteMedia,
  type MuteRequest,
  muteNamespace,
  parseMuteRequest,
  buildMuteCommand,
  buildMuteRequest,
} from './mute-iq.js';
export { parseAvModerationMessage, type AvModerationMessage, type ModeratedMedia } from './av-moderation.js';
