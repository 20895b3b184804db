export {
  ColibriHandler,
  hopByHopExtensionIds,
  rtxPayloadTypes,
  type ColibriHandlerOptions,
} from './colibri-handler.js';
export { validateRequest, isHeavy, SCTP_PORT } from './validate-request.js';
export { toMediaTransport, toColibri2Transport, toSourceParams, feedbackSources } from './transport-mapping.js';
export { videoCodecs, audioLevelExtensionId, dependencyDescriptorExtensionId } from './media-mapping.js';
