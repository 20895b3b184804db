// One receiver's selection inside one SVC source (VP9 spatial/temporal layers, AV1 decode targets): which frames
// it gets, where its frames end (RTP marker), and when it needs a keyframe. Our reading of JVB's Vp9QualityFilter
// and Av1DDQualityFilter. Per packet: comparisons and typed-array lookups only.
import { DTI_NOT_PRESENT, DTI_SWITCH, VP9_MAX_SPATIAL, av1DecodeTargetFor } from '../codecs/index.js';
import { SVC_AV1, type PacketMeta } from './packet-meta.js';

/** Frame numbers remembered as forwarded (AV1 references and chains reach back a few frames). */
const FRAME_RING = 256;
/** Frames a decode target switch may wait for its switch point before a keyframe is asked for (~2 s at 30 fps). */
const MAX_PENDING_FRAMES = 60;

export class SvcFilter {
  /** Spatial layer forwarded now, for AV1 its decode target's (-1: none yet, waiting for a keyframe). */
  spatial = -1;
  /** Highest temporal layer forwarded now (-1: all). */
  temporal = -1;
  /** AV1 decode target forwarded now (-1: none yet). */
  decodeTarget = -1;
  /** The target can only be reached through a keyframe: the caller asks the sender for one (rate-limited). */
  needsKeyframe = false;
  /** VP9: per spatial layer, whether its chain of reference frames reached the receiver (updated at TL0). */
  readonly #vp9Chain = new Uint8Array(VP9_MAX_SPATIAL);
  /** AV1: forwarded frame numbers, by frame number modulo the ring. */
  readonly #frames = new Int32Array(FRAME_RING).fill(-1);
  /** AV1: the target decode target for (spatial, temporal, structure version) as last computed. */
  #dtFor = { s: -2, t: -2, version: -1, active: 0, dt: -1 };
  #pendingFrames = 0;

  /** Forget everything (the receiver stopped getting the source): the next frame forwarded is a keyframe. */
  reset(): void {
    this.spatial = -1;
    this.temporal = -1;
    this.decodeTarget = -1;
    this.needsKeyframe = false;
    this.#vp9Chain.fill(0);
    this.#frames.fill(-1);
  }

  /** Whether to forward this packet to a receiver that wants up to spatial `ts`, temporal `tt` (-1: all). */
  accept(meta: PacketMeta, ts: number, tt: number): boolean {
    return meta.svc === SVC_AV1 ? this.#acceptAv1(meta, ts, tt) : this.#acceptVp9(meta, ts, tt);
  }

  /** The RTP marker this receiver's copy of a forwarded packet carries: the end of its highest layer's frame. */
  marker(meta: PacketMeta, ts: number): boolean {
    if (meta.svc === SVC_AV1) {
      const s = meta.av1Structure;
      if (!meta.av1.endOfFrame || s === undefined || this.decodeTarget < 0) return false;
      return meta.spatialId === s.decodeTargetSpatialId[this.decodeTarget];
    }
    const v = meta.vp9;
    if (!v.endOfFrame) return false;
    // The layers of a keyframe picture climb towards the target; a delta picture ends at the layer forwarded.
    return meta.spatialId === (v.interPicture ? this.spatial : ts) || (meta.marker && meta.spatialId < ts);
  }

  #acceptVp9(meta: PacketMeta, ts: number, tt: number): boolean {
    const v = meta.vp9;
    const s = meta.spatialId;
    if (meta.keyframe) {
      // A keyframe picture restarts every layer from its base.
      this.#vp9Chain.fill(0);
      this.#vp9Chain[0] = 1;
      this.spatial = 0;
      this.needsKeyframe = false;
      this.#updateTemporal(meta, tt, true);
      return true;
    }
    if (this.spatial < 0) {
      this.needsKeyframe = true;
      return false;
    }
    const canForward =
      (!v.interPicture || this.#vp9Chain[s] === 1) &&
      (!v.interLayerDependency || s === 0 || this.#vp9Chain[s - 1] === 1);
    const cur = this.spatial;
    const wantSwitch = (s > cur && s <= ts) || (s < cur && s >= ts);
    let forwardLayer = s === this.spatial || (s < this.spatial && !v.notUpperReference);
    if (wantSwitch) {
      if (canForward) {
        this.spatial = s;
        forwardLayer = true;
      } else this.needsKeyframe = true;
    }
    const accept = forwardLayer && canForward;
    if (meta.temporalId <= 0 && v.beginOfFrame) this.#vp9Chain[s] = accept ? 1 : 0;
    if (!accept) return false;
    if (v.beginOfFrame) this.#updateTemporal(meta, tt, false);
    return this.temporal < 0 || meta.temporalId <= this.temporal;
  }

  /** Temporal down at once (at a layer frame's start); up at a switching point (VP9's U bit) or a keyframe. */
  #updateTemporal(meta: PacketMeta, tt: number, keyframe: boolean): void {
    if (tt === this.temporal) return;
    const up = tt < 0 || (this.temporal >= 0 && tt > this.temporal);
    if (!up || keyframe || meta.layerSync) this.temporal = tt;
  }

  #acceptAv1(meta: PacketMeta, ts: number, tt: number): boolean {
    const s = meta.av1Structure;
    if (meta.layersUnknown || s === undefined) {
      this.needsKeyframe = true;
      return false;
    }
    const f = meta.av1;
    const target = this.#targetDt(meta, ts, tt);
    if (target < 0) return false;
    if (this.decodeTarget === target) this.#pendingFrames = 0;
    if (meta.keyframe) {
      this.#pendingFrames = 0;
      this.decodeTarget = target;
      this.needsKeyframe = false;
      this.#frames.fill(-1);
    } else if (this.decodeTarget < 0) {
      this.needsKeyframe = true;
      return false;
    } else if (this.decodeTarget !== target && f.startOfFrame) {
      if (f.dti[target] === DTI_SWITCH && this.#referencesForwarded(meta)) this.decodeTarget = target;
      // A switch point that should come but does not (a structure we misread): a keyframe ends the wait.
      else if (++this.#pendingFrames > MAX_PENDING_FRAMES) this.needsKeyframe = true;
      // Where chains exist they say whether a switch point can come: the target's chain must have reached us.
      else if (s.chainCount > 0 ? !this.#chainIntact(meta, target) : !this.#switchPossible(meta, target))
        this.needsKeyframe = true;
    }
    const dt = this.decodeTarget;
    if (dt >= s.decodeTargetCount) return false;
    this.spatial = s.decodeTargetSpatialId[dt]!;
    if (f.dti[dt] === DTI_NOT_PRESENT) return false;
    if (f.startOfFrame) {
      // A broken chain (a frame of it never reached the receiver) only heals with a keyframe.
      if (s.chainCount > 0 && !meta.keyframe) {
        const d = f.chainFdiffs[s.protectedBy[dt]!]!;
        if (d !== 0 && !this.#forwarded((f.frameNumber - d) & 0xffff)) this.needsKeyframe = true;
      }
      this.#frames[f.frameNumber % FRAME_RING] = f.frameNumber;
    }
    return true;
  }

  #targetDt(meta: PacketMeta, ts: number, tt: number): number {
    const c = this.#dtFor;
    if (c.s !== ts || c.t !== tt || c.version !== meta.av1StructureVersion || c.active !== meta.av1Active) {
      const s = meta.av1Structure!;
      c.s = ts;
      c.t = tt;
      c.version = meta.av1StructureVersion;
      c.active = meta.av1Active;
      // Layers the sender turned off are not waited for: the best active decode target within the target.
      c.dt = av1DecodeTargetFor(s, Math.min(ts, s.maxSpatialId), tt < 0 ? s.maxTemporalId : tt, meta.av1Active);
      // The current one may not exist in a new structure.
      if (this.decodeTarget >= s.decodeTargetCount) this.decodeTarget = -1;
    }
    return c.dt;
  }

  #forwarded(frameNumber: number): boolean {
    return this.#frames[frameNumber % FRAME_RING] === frameNumber;
  }

  #referencesForwarded(meta: PacketMeta): boolean {
    const f = meta.av1;
    for (let i = 0; i < f.fdiffCount; i++) if (!this.#forwarded((f.frameNumber - f.fdiffs[i]!) & 0xffff)) return false;
    return true;
  }

  /** Whether the previous frame of the chain protecting decode target `dt` reached this receiver. */
  #chainIntact(meta: PacketMeta, dt: number): boolean {
    const f = meta.av1;
    const d = f.chainFdiffs[meta.av1Structure!.protectedBy[dt]!]!;
    return d === 0 || this.#forwarded((f.frameNumber - d) & 0xffff);
  }

  /** Whether some delta template switches to `target` from a frame the current decode target has. */
  #switchPossible(meta: PacketMeta, target: number): boolean {
    const s = meta.av1Structure!;
    // Templates without references are keyframes: reaching `target` through one is a keyframe request anyway.
    for (let t = 0; t < s.templateCount; t++)
      if (
        s.templateFdiffCount[t]! > 0 &&
        s.templateDti[t * 32 + target] === DTI_SWITCH &&
        s.templateDti[t * 32 + this.decodeTarget] !== DTI_NOT_PRESENT
      )
        return true;
    return false;
  }
}
