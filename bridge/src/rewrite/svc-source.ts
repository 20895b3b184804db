// Per SVC source (one SSRC with in-band layers): what its keyframes said, kept for the packets between them. One
// instance per source, made on signalling; per packet only reads and, on keyframes, in-place copies.
import { copyAv1TemplateStructure, newAv1TemplateStructure, VP9_MAX_SPATIAL } from '../codecs/index.js';

export class SvcSource {
  /** The AV1 template structure of the latest keyframe, and whether one arrived yet. */
  readonly av1Structure = newAv1TemplateStructure();
  av1Known = false;
  /** Counts structures received, so receivers notice a new one (decode target numbering may change). */
  av1Version = 0;
  /** The sender's active decode targets (bitmask; all after a structure, narrowed when it turns layers off). */
  av1Active = -1;
  /** A new structure is parsed here first, and copied over `av1Structure` only when it parsed whole. */
  readonly av1Scratch = newAv1TemplateStructure();
  /** Spatial layers in the latest VP9 scalability structure (0: none seen) and their heights (0: not given). */
  vp9SpatialLayers = 0;
  readonly vp9Heights = new Uint16Array(VP9_MAX_SPATIAL);

  /** Adopts the structure parsed into `av1Scratch`. */
  adoptAv1Structure(): void {
    copyAv1TemplateStructure(this.av1Scratch, this.av1Structure);
    this.av1Known = true;
    this.av1Version++;
    this.av1Active = -1;
  }
}
