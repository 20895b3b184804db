export {
  PREFERRED_FRAME_RATE,
  PREFERRED_HEIGHT,
  allocate,
  effectiveLastN,
  estimateChangedEnough,
  prioritize,
  type Allocation,
  type AllocationInput,
  type SourceAllocation,
} from './allocator.js';
export { DominantSpeakerDetector, RECENT_SPEAKERS, SpeechActivity } from './dominant-speaker.js';
export { RateMeter } from './rate-meter.js';
export { MAX_TEMPORAL_LAYERS, SourceLayers, type LayerDesc, type VideoType } from './source-layers.js';
export {
  DEFAULT_THUMBNAIL_HEIGHT,
  DISABLED,
  ReceiverConstraints,
  UNLIMITED,
  type ConstraintsPatch,
  type VideoConstraint,
} from './video-constraints.js';
