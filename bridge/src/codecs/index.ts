export { rtpPayloadEnd, rtpPayloadOffset } from './rtp-payload.js';
export { newVp8Info, readVp8, writeVp8PictureId, writeVp8Tl0PicIdx, type Vp8Info } from './vp8-descriptor.js';
export { isH264Keyframe } from './h264-keyframe.js';
export { VP9_MAX_SPATIAL, isVp9Keyframe, newVp9Info, readVp9, type Vp9Info } from './vp9-descriptor.js';
export {
  DD_MALFORMED,
  DD_NO_STRUCTURE,
  DD_OK,
  DTI_DISCARDABLE,
  DTI_NOT_PRESENT,
  DTI_REQUIRED,
  DTI_SWITCH,
  av1DecodeTargetFor,
  copyAv1TemplateStructure,
  newAv1FrameInfo,
  newAv1TemplateStructure,
  readAv1DependencyDescriptor,
  type Av1FrameInfo,
  type Av1TemplateStructure,
} from './av1-dependency-descriptor.js';
