// What one video source offers: its simulcast encodings (SIM group, lowest first) and their temporal layers, with
// height, frame rate and bitrate measured from what arrives (heights from keyframes, JVB learns them the same way).
// An SVC source (one SSRC, VP9/AV1 spatial layers in band) offers its spatial layers the same way: each one takes
// the place of an encoding, so the allocator chooses among them like among simulcast encodings.
import { RateMeter } from './rate-meter.js';

/** Temporal layers tracked per encoding (VP8 uses up to 3; TID is 2 bits). */
export const MAX_TEMPORAL_LAYERS = 4;
/** Height assumed for the top encoding until a keyframe says otherwise (lib-jitsi-meet captures 720p). */
const DEFAULT_TOP_HEIGHT = 720;
/** An encoding with no packet for this long is inactive (the sender paused it). */
const INACTIVE_AFTER_MS = 1500;
/** Spatial layers an SVC source may have (AV1 DD and VP9 SS allow more; Chromium sends up to 3). */
export const MAX_SPATIAL_LAYERS = 4;

/** One selectable layer: an encoding up to a temporal layer (-1: the encoding has no temporal layers). */
export interface LayerDesc {
  readonly encoding: number;
  readonly temporal: number;
  readonly height: number;
  /** Frames per second, -1 when unknown. */
  readonly frameRate: number;
  readonly bitrateBps: number;
}

export type VideoType = 'camera' | 'desktop' | 'desktop_high_fps' | 'none';

/** The layers of one video source, fed per packet by the forwarder, read by the allocator on events. */
export class SourceLayers {
  readonly name: string;
  readonly owner: string;
  /** Encodings signalled (the SIM group's size, 1 for a single SSRC). */
  readonly signalledEncodings: number;
  videoType: VideoType = 'camera';
  /** The bridge told the sender nobody needs this source (SenderSourceConstraints 0): silence is ours, not theirs. */
  pausedByBridge = false;
  readonly #heights: Uint16Array;
  readonly #bytes: RateMeter[];
  readonly #frames: RateMeter[];
  readonly #maxTemporal: Int8Array;
  readonly #lastAt: Float64Array;
  /** Encodings, or spatial layers of an SVC source, in use; the arrays hold `capacity`. */
  #count: number;
  /** Heights a keyframe told (bit per layer); the others are guessed from the layer count. */
  #measured = 0;
  /**
   * layers() of the last `nowMs` it was asked for, until a packet or a new layer count changes it: one allocation
   * round asks it once per receiver, and a conference of 100 senders and receivers asked it 10,000 times a second.
   */
  #layers: readonly LayerDesc[] | undefined;
  #layersAt = -1;

  constructor(name: string, owner: string, encodingCount: number) {
    this.name = name;
    this.owner = owner;
    this.signalledEncodings = Math.max(1, encodingCount);
    this.#count = this.signalledEncodings;
    const n = Math.max(this.#count, MAX_SPATIAL_LAYERS);
    this.#heights = new Uint16Array(n);
    this.#guessHeights();
    this.#bytes = Array.from({ length: n * MAX_TEMPORAL_LAYERS }, () => new RateMeter());
    this.#frames = Array.from({ length: n * MAX_TEMPORAL_LAYERS }, () => new RateMeter());
    this.#maxTemporal = new Int8Array(n).fill(-1);
    this.#lastAt = new Float64Array(n).fill(-Infinity);
  }

  /** Encodings, or an SVC source's spatial layers: what the allocator's `encoding` indexes. */
  get encodingCount(): number {
    return this.#count;
  }

  /** An SVC source's keyframe says it has `n` spatial layers of these heights (0: not given). */
  setSpatialLayers(n: number, heights: ArrayLike<number>): void {
    if (this.signalledEncodings !== 1 || n < 1) return;
    n = Math.min(n, this.#heights.length);
    for (let i = 0; i < n; i++)
      if ((heights[i] ?? 0) > 0) {
        this.#heights[i] = heights[i]!;
        this.#measured |= 1 << i;
      }
    this.#layers = undefined;
    if (n !== this.#count) {
      this.#count = n;
      for (let i = n; i < this.#heights.length; i++) this.#lastAt[i] = -Infinity;
      this.#guessHeights();
    }
  }

  #guessHeights(): void {
    const n = this.#count;
    for (let i = 0; i < n; i++)
      if ((this.#measured & (1 << i)) === 0) this.#heights[i] = Math.round(DEFAULT_TOP_HEIGHT / 2 ** (n - 1 - i));
  }

  /** One packet of `encoding` (temporal id -1 when unknown); `height` > 0 from a keyframe. Per packet: no allocation. */
  onPacket(
    encoding: number,
    temporalId: number,
    bytes: number,
    frameStart: boolean,
    height: number,
    nowMs: number,
  ): void {
    if (encoding < 0 || encoding >= this.#heights.length) return;
    if (encoding >= this.#count) {
      // A spatial layer above those a keyframe announced: an SVC source growing (never a simulcast one).
      if (this.signalledEncodings !== 1) return;
      this.#count = encoding + 1;
      this.#guessHeights();
    }
    const t = temporalId < 0 ? 0 : Math.min(temporalId, MAX_TEMPORAL_LAYERS - 1);
    if (temporalId > this.#maxTemporal[encoding]!) this.#maxTemporal[encoding] = t;
    const i = encoding * MAX_TEMPORAL_LAYERS + t;
    this.#bytes[i]!.add(bytes, nowMs);
    if (frameStart) this.#frames[i]!.add(1, nowMs);
    if (height > 0) {
      this.#heights[encoding] = height;
      this.#measured |= 1 << encoding;
    }
    this.#lastAt[encoding] = nowMs;
    this.#layers = undefined;
  }

  isActive(encoding: number, nowMs: number): boolean {
    return nowMs - this.#lastAt[encoding]! < INACTIVE_AFTER_MS;
  }

  heightOf(encoding: number): number {
    return this.#heights[encoding] ?? 0;
  }

  /**
   * Every layer, lowest quality first (height, then frame rate); bitrate 0 for inactive encodings. The same array
   * for the same `nowMs` while no packet arrived in between: callers only read it.
   */
  layers(nowMs: number): readonly LayerDesc[] {
    if (this.#layers !== undefined && this.#layersAt === nowMs) return this.#layers;
    this.#layers = this.#computeLayers(nowMs);
    this.#layersAt = nowMs;
    return this.#layers;
  }

  #computeLayers(nowMs: number): LayerDesc[] {
    const out: LayerDesc[] = [];
    for (let e = 0; e < this.encodingCount; e++) {
      const active = this.isActive(e, nowMs);
      const maxT = this.#maxTemporal[e]!;
      let bytes = 0;
      let frames = 0;
      for (let t = 0; t <= Math.max(0, maxT); t++) {
        const i = e * MAX_TEMPORAL_LAYERS + t;
        bytes += active ? this.#bytes[i]!.rate(nowMs) : 0;
        frames += active ? this.#frames[i]!.rate(nowMs) : 0;
        out.push({
          encoding: e,
          temporal: maxT < 0 ? -1 : t,
          height: this.#heights[e]!,
          frameRate: frames > 0 ? frames : -1,
          bitrateBps: bytes * 8,
        });
      }
    }
    return out.sort((a, b) => a.height - b.height || a.frameRate - b.frameRate);
  }

  /** A short description of which encodings are active and their heights: the allocator reruns when it changes. */
  activitySummary(nowMs: number): string {
    let s = '';
    for (let e = 0; e < this.encodingCount; e++) s += `${this.isActive(e, nowMs) ? 1 : 0}:${this.#heights[e]} `;
    return s;
  }
}
