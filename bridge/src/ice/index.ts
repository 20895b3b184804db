export { IceAgent, type IceAgentDeps, type IceCounters } from './ice-agent.js';
export {
  DEFAULT_ICE_TIMINGS,
  type IceCandidate,
  type IceParams,
  type IceState,
  type IceTimings,
} from './ice-params.js';
export { isStun, readStun, writeStun, type StunMessage, STUN_BINDING_REQUEST, ATTR_USERNAME } from './stun-message.js';
