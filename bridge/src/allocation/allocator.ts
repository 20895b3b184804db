// Which layer of which source one receiver gets (our reading of JVB's BandwidthAllocator, doc/allocation.md):
// order the sources (on-stage, then selected, then by speech activity with video senders first), cut at last-N,
// then spend the bandwidth: the first on-stage source greedily up to its preferred layer, the rest step by step.
import type { LayerDesc, SourceLayers } from './source-layers.js';
import { DISABLED, UNLIMITED, type ReceiverConstraints, type VideoConstraint } from './video-constraints.js';

/** JVB's onstage-preferred-height-px and -framerate: what on-stage sources get before thumbnails get anything. */
export const PREFERRED_HEIGHT = 360;
export const PREFERRED_FRAME_RATE = 30;
/** A measured frame rate this close to the preferred one counts as reaching it (measurements jitter). */
const FRAME_RATE_SLACK = 0.8;

export interface AllocationInput {
  /** Every video source of the conference; the receiver's own are skipped. */
  readonly sources: readonly SourceLayers[];
  readonly receiver: string;
  /** Endpoint ids, most recent speaker first; endpoints not listed keep the order of `sources`. */
  readonly speakerOrder: readonly string[];
  readonly constraints: ReceiverConstraints;
  /** The receiver's bandwidth estimate in bps; undefined: unlimited (no estimate yet). */
  readonly bandwidthBps: number | undefined;
  readonly nowMs: number;
  /** The bridge's own last-N limit (-1: none), combined with the receiver's like JVB's calculateLastN. */
  readonly bridgeLastN?: number;
}

export interface SourceAllocation {
  readonly source: SourceLayers;
  /** The constraint after last-N (DISABLED outside it). */
  readonly effective: VideoConstraint;
  readonly onStage: boolean;
  /** The layer to forward, undefined for none. */
  readonly layer: LayerDesc | undefined;
  /** The layer it would get with unlimited bandwidth. */
  readonly ideal: LayerDesc | undefined;
}

export interface Allocation {
  /** In priority order. */
  readonly sources: readonly SourceAllocation[];
  /** Names of the sources that get a layer, in priority order (ForwardedSources). */
  readonly forwarded: readonly string[];
  /** The first source was given a layer beyond the estimate (JVB's oversending for a single-layer stage). */
  readonly oversending: boolean;
}

/** last-N as JVB combines the receiver's and the bridge's: the smaller non-negative one, -1 for none. */
export function effectiveLastN(receiver: number, bridge = -1): number {
  if (receiver < 0) return bridge;
  if (bridge < 0) return receiver;
  return Math.min(receiver, bridge);
}

/** The sources in allocation order. */
export function prioritize(input: AllocationInput): SourceLayers[] {
  const { constraints: c, nowMs } = input;
  const own = input.sources.filter((s) => s.owner !== input.receiver);
  const rank = new Map(input.speakerOrder.map((id, i) => [id, i]));
  // A source we paused ourselves (nobody needed it) still counts as a video sender, or it could never come back.
  const sending = (s: SourceLayers): boolean => {
    if (s.videoType === 'none') return false;
    if (s.pausedByBridge) return true;
    for (let e = 0; e < s.encodingCount; e++) if (s.isActive(e, nowMs)) return true;
    return false;
  };
  const bySpeech = own
    .map((s, i) => ({ s, i, r: rank.get(s.owner) ?? Infinity, v: sending(s) ? 0 : 1 }))
    .sort((a, b) => a.v - b.v || a.r - b.r || a.i - b.i)
    .map((x) => x.s);
  const pinned: SourceLayers[] = [];
  for (const name of [...c.onStageSources, ...c.selectedSources]) {
    const s = bySpeech.find((x) => x.name === name);
    if (s !== undefined && !pinned.includes(s)) pinned.push(s);
  }
  return [...pinned, ...bySpeech.filter((s) => !pinned.includes(s))];
}

interface Candidates {
  layers: LayerDesc[];
  preferred: number;
  /** Index the first source may take beyond the estimate, -1 for none. */
  oversend: number;
}

function capped(h: number): number {
  return h === UNLIMITED ? Infinity : h;
}

function candidates(s: SourceLayers, c: VideoConstraint, onStage: boolean, nowMs: number): Candidates {
  const none = { layers: [], preferred: -1, oversend: -1 };
  if (c.maxHeight === 0 || s.videoType === 'none') return none;
  const all = s.layers(nowMs);
  const active = all.filter((l) => l.bitrateBps > 0);
  // Just signalled, nothing measured yet: offer every layer so forwarding starts at once (JVB does the same).
  const pool = active.length > 0 ? active : all;
  if (pool.length === 0) return none;
  const maxH = capped(c.maxHeight);
  const minHeight = Math.min(...pool.map((l) => l.height));
  const fpsOk = (l: LayerDesc): boolean =>
    c.maxFrameRate === UNLIMITED || l.frameRate < 0 || l.frameRate <= c.maxFrameRate / FRAME_RATE_SLACK;
  if (s.videoType !== 'camera') {
    // Screen share: resolution over frame rate, the highest layer that fits the constraint is preferred.
    let layers = pool.filter((l) => l.height <= maxH && fpsOk(l));
    if (layers.length === 0) layers = pool.filter((l) => l.height === minHeight);
    return { layers, preferred: layers.length - 1, oversend: onStage ? layers.length - 1 : -1 };
  }
  const preferredHeight = Math.max(Math.min(maxH, PREFERRED_HEIGHT), minHeight);
  // At or above the preferred height only a layer near its own encoding's full frame rate is offered (no 720p at a
  // quarter of the frames). Measured against its own encoding, never another's: a sender short of CPU sends its
  // upper layers at fewer frames, and a receiver asking 720 still wants them, not the 180 layer at 19 fps.
  const encodingFps = new Map<number, number>();
  for (const l of pool) encodingFps.set(l.encoding, Math.max(encodingFps.get(l.encoding) ?? -1, l.frameRate));
  const preferredFps = (l: LayerDesc): number => {
    const top = encodingFps.get(l.encoding) ?? -1;
    const fps = top > 0 ? Math.min(top, PREFERRED_FRAME_RATE) : PREFERRED_FRAME_RATE;
    return c.maxFrameRate === UNLIMITED ? fps : Math.min(fps, c.maxFrameRate);
  };
  const layers = pool.filter(
    (l) =>
      l.height === minHeight ||
      (l.height <= maxH &&
        fpsOk(l) &&
        (l.height < preferredHeight || l.frameRate < 0 || l.frameRate >= preferredFps(l) * FRAME_RATE_SLACK)),
  );
  let preferred = -1;
  layers.forEach((l, i) => {
    if (l.height <= preferredHeight) preferred = i;
  });
  return { layers, preferred, oversend: layers.length === 1 ? 0 : -1 };
}

class SourceState {
  target = -1;
  constructor(
    readonly source: SourceLayers,
    readonly effective: VideoConstraint,
    readonly onStage: boolean,
    readonly c: Candidates,
  ) {}

  get bitrate(): number {
    return this.target < 0 ? 0 : this.c.layers[this.target]!.bitrateBps;
  }

  reachedPreferred(): boolean {
    return this.target >= this.c.preferred;
  }

  /** One improvement step; returns the extra bandwidth it took. */
  improve(remaining: number, allowOversend: boolean): number {
    const before = this.bitrate;
    const max = remaining + before;
    const layers = this.c.layers;
    if (layers.length === 0) return 0;
    if (this.target === -1 && this.onStage && this.c.preferred > -1) {
      for (let i = 0; i <= this.c.preferred && layers[i]!.bitrateBps <= max; i++) this.target = i;
    } else if (this.target + 1 < layers.length && layers[this.target + 1]!.bitrateBps <= max) this.target++;
    if (this.target > -1)
      for (let i = layers.length - 1; i > this.target; i--)
        if (layers[i]!.bitrateBps <= layers[this.target]!.bitrateBps) {
          this.target = i;
          break;
        }
    if (allowOversend && this.target < this.c.oversend) this.target = this.c.oversend;
    return this.bitrate - before;
  }
}

/** Runs the allocation for one receiver. Pure: same input, same output. */
export function allocate(input: AllocationInput): Allocation {
  const c = input.constraints;
  const ordered = prioritize(input);
  const lastN = effectiveLastN(c.lastN, input.bridgeLastN);
  const states = ordered.map((s, i) => {
    const effective = lastN >= 0 && i >= lastN ? DISABLED : c.constraintFor(s.name);
    const onStage = c.onStageSources.includes(s.name);
    return new SourceState(s, effective, onStage, candidates(s, effective, onStage, input.nowMs));
  });
  const assumed = c.assumedBandwidthBps >= 0 ? c.assumedBandwidthBps : undefined;
  let remaining = assumed ?? input.bandwidthBps ?? Infinity;
  let oversending = false;
  for (let changed = true; changed;) {
    changed = false;
    for (let i = 0; i < states.length; i++) {
      const st = states[i]!;
      if (st.effective.maxHeight === 0) continue;
      const target = st.target;
      remaining -= st.improve(remaining, i === 0);
      if (st.target !== target) changed = true;
      if (remaining < 0) oversending = true;
      // Thumbnails wait until the stage reached its preferred layer (else they flap as the estimate moves).
      if (st.onStage && !st.reachedPreferred()) break;
    }
  }
  const sources = states.map((st) => ({
    source: st.source,
    effective: st.effective,
    onStage: st.onStage,
    layer: st.target < 0 ? undefined : st.c.layers[st.target],
    ideal: st.c.layers[st.c.layers.length - 1],
  }));
  return { sources, forwarded: sources.filter((s) => s.layer !== undefined).map((s) => s.source.name), oversending };
}

/** JVB's bwe-change-threshold: a new estimate within 15% of the one last allocated with changes nothing. */
export function estimateChangedEnough(previous: number | undefined, next: number | undefined): boolean {
  if (previous === undefined || next === undefined) return previous !== next;
  if (previous <= 0) return next !== previous;
  return Math.abs(next - previous) / previous > 0.15;
}
