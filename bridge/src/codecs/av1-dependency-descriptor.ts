// AV1 RTP Dependency Descriptor (AV1 RTP specification, Appendix A): the template structure from keyframes, then
// each packet's frame: its layer ids and, per decode target, whether it is needed. Never throws.
import { BitReader } from './bit-reader.js';

const MAX_TEMPLATES = 64;
const MAX_DECODE_TARGETS = 32;
const MAX_FDIFFS = 16;
const MAX_SPATIAL = 4;
/** Chains: at most one per decode target. */
const MAX_CHAINS = MAX_DECODE_TARGETS;

/** Decode target indication (§A.8.3.1). */
export const DTI_NOT_PRESENT = 0;
export const DTI_DISCARDABLE = 1;
export const DTI_SWITCH = 2;
export const DTI_REQUIRED = 3;

/** The template dependency structure a keyframe carries; later packets refer to it by template id. */
export interface Av1TemplateStructure {
  templateIdOffset: number;
  decodeTargetCount: number;
  templateCount: number;
  chainCount: number;
  maxSpatialId: number;
  maxTemporalId: number;
  readonly templateSpatialId: Uint8Array;
  readonly templateTemporalId: Uint8Array;
  /** template_dti[t][dt] at t * 32 + dt. */
  readonly templateDti: Uint8Array;
  readonly templateFdiffCount: Uint8Array;
  /** template_fdiff[t][i] (frame number distances to the references) at t * 16 + i. */
  readonly templateFdiff: Uint8Array;
  /** The chain protecting each decode target (decode_target_protected_by), when chainCount > 0. */
  readonly protectedBy: Uint8Array;
  /** template_chain_fdiff[t][c] at t * 32 + c. */
  readonly templateChainFdiff: Uint8Array;
  /** Highest spatial and temporal layer of each decode target. */
  readonly decodeTargetSpatialId: Uint8Array;
  readonly decodeTargetTemporalId: Uint8Array;
  /** Render sizes per spatial layer, 0 when not signalled. */
  readonly widths: Uint16Array;
  readonly heights: Uint16Array;
}

export function newAv1TemplateStructure(): Av1TemplateStructure {
  return {
    templateIdOffset: 0,
    decodeTargetCount: 0,
    templateCount: 0,
    chainCount: 0,
    maxSpatialId: 0,
    maxTemporalId: 0,
    templateSpatialId: new Uint8Array(MAX_TEMPLATES),
    templateTemporalId: new Uint8Array(MAX_TEMPLATES),
    templateDti: new Uint8Array(MAX_TEMPLATES * MAX_DECODE_TARGETS),
    templateFdiffCount: new Uint8Array(MAX_TEMPLATES),
    templateFdiff: new Uint8Array(MAX_TEMPLATES * MAX_FDIFFS),
    protectedBy: new Uint8Array(MAX_DECODE_TARGETS),
    templateChainFdiff: new Uint8Array(MAX_TEMPLATES * MAX_CHAINS),
    decodeTargetSpatialId: new Uint8Array(MAX_DECODE_TARGETS),
    decodeTargetTemporalId: new Uint8Array(MAX_DECODE_TARGETS),
    widths: new Uint16Array(MAX_SPATIAL),
    heights: new Uint16Array(MAX_SPATIAL),
  };
}

/** One packet's frame; reused for every packet. */
export interface Av1FrameInfo {
  startOfFrame: boolean;
  endOfFrame: boolean;
  templateId: number;
  frameNumber: number;
  spatialId: number;
  temporalId: number;
  /** This packet carried a template structure (into the `structure` argument): a keyframe. */
  structurePresent: boolean;
  /** Bitmask of active decode targets, -1 when this packet does not say. */
  activeDecodeTargets: number;
  /** frame_dti per decode target. */
  readonly dti: Uint8Array;
  fdiffCount: number;
  /** The frame numbers this frame references are frameNumber - fdiffs[i] (mod 2^16), i < fdiffCount. */
  readonly fdiffs: Uint16Array;
  /** Per chain: frame number distance to the previous frame of that chain (0: this frame starts it). */
  readonly chainFdiffs: Uint8Array;
}

export function newAv1FrameInfo(): Av1FrameInfo {
  return {
    startOfFrame: false,
    endOfFrame: false,
    templateId: 0,
    frameNumber: 0,
    spatialId: 0,
    temporalId: 0,
    structurePresent: false,
    activeDecodeTargets: -1,
    dti: new Uint8Array(MAX_DECODE_TARGETS),
    fdiffCount: 0,
    fdiffs: new Uint16Array(MAX_FDIFFS),
    chainFdiffs: new Uint8Array(MAX_CHAINS),
  };
}

export const DD_OK = 0;
export const DD_MALFORMED = -1;
/** The packet refers to a template structure we have not seen (a keyframe was lost). */
export const DD_NO_STRUCTURE = -2;

const reader = new BitReader();

/**
 * Reads the descriptor at `off..off+len`. `structure` holds the last template structure; when the packet carries
 * a new one it is parsed into `structure` (so a caller that wants the old one on failure passes a scratch copy).
 */
export function readAv1DependencyDescriptor(
  buf: Uint8Array,
  off: number,
  len: number,
  structure: Av1TemplateStructure,
  known: boolean,
  out: Av1FrameInfo,
): number {
  if (len < 3) return DD_MALFORMED;
  const r = reader;
  r.reset(buf, off, len);
  out.startOfFrame = r.f(1) === 1;
  out.endOfFrame = r.f(1) === 1;
  out.templateId = r.f(6);
  out.frameNumber = r.f(16);
  out.structurePresent = false;
  out.activeDecodeTargets = -1;
  let customDtis = false;
  let customFdiffs = false;
  let customChains = false;
  if (len > 3) {
    const structurePresent = r.f(1) === 1;
    const activePresent = r.f(1) === 1;
    customDtis = r.f(1) === 1;
    customFdiffs = r.f(1) === 1;
    customChains = r.f(1) === 1;
    if (structurePresent) {
      if (!readStructure(r, structure)) return DD_MALFORMED;
      out.structurePresent = true;
      known = true;
      out.activeDecodeTargets = structure.decodeTargetCount >= 32 ? -1 >>> 0 : (1 << structure.decodeTargetCount) - 1;
    }
    if (activePresent) {
      if (!known) return DD_NO_STRUCTURE;
      out.activeDecodeTargets = r.f(structure.decodeTargetCount);
    }
  }
  if (!known) return DD_NO_STRUCTURE;
  const s = structure;
  const t = (out.templateId + MAX_TEMPLATES - s.templateIdOffset) % MAX_TEMPLATES;
  if (t >= s.templateCount) return DD_MALFORMED;
  out.spatialId = s.templateSpatialId[t]!;
  out.temporalId = s.templateTemporalId[t]!;
  for (let dt = 0; dt < s.decodeTargetCount; dt++)
    out.dti[dt] = customDtis ? r.f(2) : s.templateDti[t * MAX_DECODE_TARGETS + dt]!;
  if (customFdiffs) {
    out.fdiffCount = 0;
    for (let size = r.f(2); size !== 0 && !r.overrun; size = r.f(2)) {
      if (out.fdiffCount >= MAX_FDIFFS) return DD_MALFORMED;
      out.fdiffs[out.fdiffCount++] = r.f(4 * size) + 1;
    }
  } else {
    out.fdiffCount = s.templateFdiffCount[t]!;
    for (let i = 0; i < out.fdiffCount; i++) out.fdiffs[i] = s.templateFdiff[t * MAX_FDIFFS + i]!;
  }
  for (let c = 0; c < s.chainCount; c++)
    out.chainFdiffs[c] = customChains ? r.f(8) : s.templateChainFdiff[t * MAX_CHAINS + c]!;
  return r.overrun ? DD_MALFORMED : DD_OK;
}

function readStructure(r: BitReader, s: Av1TemplateStructure): boolean {
  s.templateIdOffset = r.f(6);
  s.decodeTargetCount = r.f(5) + 1;
  // template_layers()
  let spatialId = 0;
  let temporalId = 0;
  let count = 0;
  s.maxTemporalId = 0;
  for (;;) {
    if (count >= MAX_TEMPLATES || spatialId >= MAX_SPATIAL) return false;
    s.templateSpatialId[count] = spatialId;
    s.templateTemporalId[count] = temporalId;
    count++;
    const next = r.f(2);
    if (r.overrun) return false;
    if (next === 1) {
      temporalId++;
      if (temporalId > s.maxTemporalId) s.maxTemporalId = temporalId;
    } else if (next === 2) {
      temporalId = 0;
      spatialId++;
    } else if (next === 3) break;
  }
  s.templateCount = count;
  s.maxSpatialId = spatialId;
  const dts = s.decodeTargetCount;
  for (let t = 0; t < count; t++) for (let dt = 0; dt < dts; dt++) s.templateDti[t * MAX_DECODE_TARGETS + dt] = r.f(2);
  for (let t = 0; t < count; t++) {
    let n = 0;
    while (r.f(1) === 1 && !r.overrun) {
      if (n >= MAX_FDIFFS) return false;
      s.templateFdiff[t * MAX_FDIFFS + n++] = r.f(4) + 1;
    }
    s.templateFdiffCount[t] = n;
  }
  s.chainCount = r.ns(dts + 1);
  if (s.chainCount > 0) {
    for (let dt = 0; dt < dts; dt++) s.protectedBy[dt] = r.ns(s.chainCount);
    for (let t = 0; t < count; t++)
      for (let c = 0; c < s.chainCount; c++) s.templateChainFdiff[t * MAX_CHAINS + c] = r.f(4);
  }
  // decode_target_layers()
  for (let dt = 0; dt < dts; dt++) {
    let sMax = 0;
    let tMax = 0;
    for (let t = 0; t < count; t++) {
      if (s.templateDti[t * MAX_DECODE_TARGETS + dt] === DTI_NOT_PRESENT) continue;
      sMax = Math.max(sMax, s.templateSpatialId[t]!);
      tMax = Math.max(tMax, s.templateTemporalId[t]!);
    }
    s.decodeTargetSpatialId[dt] = sMax;
    s.decodeTargetTemporalId[dt] = tMax;
  }
  s.widths.fill(0);
  s.heights.fill(0);
  if (r.f(1) === 1)
    for (let sid = 0; sid <= s.maxSpatialId; sid++) {
      s.widths[sid] = r.f(16) + 1;
      s.heights[sid] = r.f(16) + 1;
    }
  return !r.overrun;
}

/**
 * The decode target that holds exactly layers (spatial ≤ sid, temporal ≤ tid), the highest such among the active
 * ones (`active`: bitmask, the sender's active_decode_targets_bitmask); -1 if none.
 */
export function av1DecodeTargetFor(s: Av1TemplateStructure, sid: number, tid: number, active = -1): number {
  let best = -1;
  for (let dt = 0; dt < s.decodeTargetCount; dt++) {
    if (((active >>> dt) & 1) === 0) continue;
    const ds = s.decodeTargetSpatialId[dt]!;
    const dtt = s.decodeTargetTemporalId[dt]!;
    if (ds > sid || dtt > tid) continue;
    if (
      best < 0 ||
      ds > s.decodeTargetSpatialId[best]! ||
      (ds === s.decodeTargetSpatialId[best]! && dtt > s.decodeTargetTemporalId[best]!)
    )
      best = dt;
  }
  return best;
}

/** Copies a template structure (a newly parsed one over the one in use); on keyframes only. */
export function copyAv1TemplateStructure(from: Av1TemplateStructure, to: Av1TemplateStructure): void {
  to.templateIdOffset = from.templateIdOffset;
  to.decodeTargetCount = from.decodeTargetCount;
  to.templateCount = from.templateCount;
  to.chainCount = from.chainCount;
  to.maxSpatialId = from.maxSpatialId;
  to.maxTemporalId = from.maxTemporalId;
  to.templateSpatialId.set(from.templateSpatialId);
  to.templateTemporalId.set(from.templateTemporalId);
  to.templateDti.set(from.templateDti);
  to.templateFdiffCount.set(from.templateFdiffCount);
  to.templateFdiff.set(from.templateFdiff);
  to.protectedBy.set(from.protectedBy);
  to.templateChainFdiff.set(from.templateChainFdiff);
  to.decodeTargetSpatialId.set(from.decodeTargetSpatialId);
  to.decodeTargetTemporalId.set(from.decodeTargetTemporalId);
  to.widths.set(from.widths);
  to.heights.set(from.heights);
}
