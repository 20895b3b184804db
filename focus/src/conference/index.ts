export {
  ConferenceSources,
  stripSimulcast,
  MAX_SSRCS_PER_ENDPOINT,
  MAX_GROUPS_PER_ENDPOINT,
} from './conference-sources.js';
export {
  buildOffer,
  toColibri2Media,
  DEFAULT_FEATURES,
  VIDEO_CODECS,
  DEFAULT_VIDEO_CODECS,
  type Offer,
  type ParticipantFeatures,
  type VideoCodec,
} from './offer.js';
export { buildInvite, sourcesOf, feedbackSourceSet, BRIDGE_OWNER } from './invite.js';
export { featuresFrom } from './features.js';
export { capsVerMatches, capsVerificationString } from './caps-ver.js';
export { CapsCache } from './caps-cache.js';
export { Conference } from './conference.js';
export { ConferenceManager } from './conference-manager.js';
export { CreationLimiter } from './creation-limiter.js';
export { limitKeysOf, type Requester } from './requester.js';
export { startMutedFor, startMutedLimits, type StartMutedLimits } from './start-muted.js';
export { decideMute, type MuteDecision } from './moderation.js';
export { MutePolicy } from './mute-policy.js';
