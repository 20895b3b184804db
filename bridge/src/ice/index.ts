export { refuseCandidate, type CandidateRefusal } from './candidate-policy.js';
export { IceAgent } from './ice-agent.js';
export {
  DEFAULT_ICE_TIMINGS,
  type IceAgentDeps,
  type IceCounters,
  type IceCandidate,
  type IceParams,
  type IceState,
  type IceTimings,
} from './ice-params.js';
export {
  ATTR_USERNAME,
  STUN_BINDING_ERROR,
  STUN_BINDING_REQUEST,
  STUN_BINDING_SUCCESS,
  checkFingerprint,
  checkIntegrity,
  isStun,
  readStun,
  writeStun,
  type StunAddress,
  type StunMessage,
  type StunParams,
} from './stun-message.js';
