// Per conference: who speaks, what each receiver asked for, and which layer of which source each receiver gets.
// Decisions run on events (constraints, estimate, speaker, sources, layers starting or stopping), never per packet;
// they end as targets on the receivers' rewriters in the forwarding table.
import type { Logger } from 'pino';
import {
  DominantSpeakerDetector,
  ReceiverConstraints,
  UNLIMITED,
  allocate,
  estimateChangedEnough,
  type Allocation,
  type ConstraintsPatch,
  type SourceLayers,
  type VideoType,
} from '../allocation/index.js';
import type { Forwarder, ForwardingTable, MediaSink, VideoSlotSource } from '../forward/index.js';
import { NO_ENCODING } from '../rewrite/index.js';

/** What the bridge channel tells clients (PROTOCOL.md §7.4), as data. */
export type VideoEvent =
  | { type: 'forwardedsources'; endpointId: string; sources: readonly string[] }
  | { type: 'dominantspeaker'; endpointId: string; previous: readonly string[] }
  | { type: 'senderconstraints'; endpointId: string; sourceName: string; maxHeight: number }
  | { type: 'sourcesmap'; endpointId: string; kind: 'video' | 'audio'; mapped: readonly SourceMapping[] };

/** One VideoSourcesMap/AudioSourcesMap entry (`rtx` and `videoType` for video only). */
export interface SourceMapping {
  source: string;
  owner: string;
  ssrc: number;
  rtx?: number;
  videoType?: string;
}

export interface VideoAllocationOptions {
  /** Height every source gets before a receiver's first ReceiverVideoConstraints: 0 (JVB), -1 unlimited. */
  initialMaxHeight: number;
  /** The bridge's own last-N (-1: none). */
  bridgeLastN: number;
  log: Logger | undefined;
  emit(e: VideoEvent): void;
  /**
   * A receiver's downlink estimate (bps; undefined: none yet, unlimited), read once a second besides the estimate
   * events: an estimate that starts without moving much still reaches the allocation.
   */
  estimate?(id: string): number | undefined;
  /** What a receiver's allocation would take with unlimited bandwidth (bps): the downlink probes towards it. */
  onDesired?(id: string, bps: number): void;
}

/** A conference's video sources as the forwarding table lists them. */
type VideoSources = ReturnType<ForwardingTable['videoSources']>;

const SPEAKER_INTERVAL_MS = 100;
/** A driving tick that comes a little early still counts (timers fire within a millisecond or two). */
const TICK_SLACK_MS = 10;
/** Layers that start or stop (a sender pausing its top encoding) are noticed within this. */
const LAYER_CHECK_INTERVAL_MS = 1000;
/** A rate meter's window and a little more. */
const LAYER_SETTLE_MS = 1500;

interface ReceiverState {
  readonly id: string;
  readonly sink: MediaSink;
  readonly constraints: ReceiverConstraints;
  /** The receiver's estimate (bps), and the one the current allocation used. */
  bandwidth: number | undefined;
  allocatedWith: number | undefined;
  forwarded: string;
  forwardedList: readonly string[];
  allocation: Allocation | undefined;
}

export class VideoAllocation {
  readonly #table: ForwardingTable;
  readonly #forwarder: Forwarder;
  readonly #opts: VideoAllocationOptions;
  readonly #speakers = new DominantSpeakerDetector();
  readonly #receivers = new Map<string, ReceiverState>();
  readonly #videoTypes = new Map<string, VideoType>();
  readonly #senderMax = new Map<string, number>();
  /** When the last speaker/layer round ran (ms; the media server's tick drives it, one timer per process). */
  #lastTickAt = -Infinity;
  #ticks = 0;
  #layerSummary = '';
  /** When layers started or stopped: allocate once more when their meters covered a whole second (ms, 0: none). */
  #settleAt = 0;
  /** Where the next round of stale checks starts among the receivers. */
  #staleCursor = 0;

  constructor(table: ForwardingTable, forwarder: Forwarder, opts: VideoAllocationOptions) {
    this.#table = table;
    this.#forwarder = forwarder;
    this.#opts = opts;
  }

  /**
   * The media server's tick (every 50 ms): a round of speaker detection and layer checks every
   * SPEAKER_INTERVAL_MS. Each conference used to have its own interval, so N conferences woke the process 10 N
   * times a second; now they share the media server's wakeups.
   */
  tick(nowMs: number): void {
    if (nowMs - this.#lastTickAt < SPEAKER_INTERVAL_MS - TICK_SLACK_MS) return;
    this.#lastTickAt = nowMs;
    this.#tick();
  }

  get dominantSpeaker(): string | undefined {
    return this.#speakers.dominant;
  }

  get recentSpeakers(): readonly string[] {
    return this.#speakers.recentSpeakers;
  }

  addEndpoint(id: string, sink: MediaSink): void {
    const h = this.#opts.initialMaxHeight;
    this.#receivers.set(id, {
      id,
      sink,
      constraints: new ReceiverConstraints({ maxHeight: h, maxFrameRate: UNLIMITED }),
      bandwidth: undefined,
      allocatedWith: undefined,
      forwarded: '',
      forwardedList: [],
      allocation: undefined,
    });
    this.#table.setSpeech(sink, this.#speakers.add(id));
    this.reallocate();
  }

  removeEndpoint(id: string): void {
    this.#receivers.delete(id);
    if (this.#speakers.remove(id)) this.#emitSpeaker();
    this.reallocate();
  }

  /** A ReceiverVideoConstraints message (absent fields unchanged). */
  setConstraints(id: string, patch: ConstraintsPatch): void {
    const r = this.#receivers.get(id);
    if (r !== undefined && r.constraints.apply(patch)) this.reallocate(r);
  }

  /** The receiver's bandwidth estimate changed (#15); undefined: none. Small changes are ignored (hysteresis). */
  setBandwidthEstimate(id: string, bps: number | undefined): void {
    const r = this.#receivers.get(id);
    if (r === undefined) return;
    r.bandwidth = bps;
    if (estimateChangedEnough(r.allocatedWith, bps)) this.reallocate(r);
  }

  setVideoType(sourceName: string, type: VideoType): void {
    if (this.#videoTypes.get(sourceName) === type) return;
    this.#videoTypes.set(sourceName, type);
    this.reallocate();
  }

  /** What the last allocation gave receiver `id` of source `name` (debug stats). */
  allocationOf(id: string, name: string): Record<string, unknown> | undefined {
    const r = this.#receivers.get(id);
    const s = r?.allocation?.sources.find((x) => x.source.name === name);
    if (r === undefined || s === undefined) return undefined;
    return { effective: s.effective, layer: s.layer, ideal: s.ideal, bandwidth: r.allocatedWith };
  }

  /** Sources the receiver is sent now (ForwardedSources), in priority order. */
  forwardedSources(id: string): string[] {
    return [...(this.#receivers.get(id)?.forwardedList ?? [])];
  }

  /** The video type a source announced (camera until it says otherwise), as VideoSourcesMap names it. */
  videoTypeOf(name: string): string {
    const t = this.#videoTypes.get(name) ?? 'camera';
    return t === 'none' ? 'DISABLED' : t.toUpperCase();
  }

  /** Current maxHeight asked of each of `endpointId`'s sources (SenderSourceConstraints), for a new channel. */
  senderConstraints(endpointId: string): Array<{ sourceName: string; maxHeight: number }> {
    const out: Array<{ sourceName: string; maxHeight: number }> = [];
    for (const v of this.#table.videoSources())
      if (v.ownerId === endpointId) out.push({ sourceName: v.name, maxHeight: this.#senderMax.get(v.name) ?? 0 });
    return out;
  }

  /** Recomputes one receiver's allocation, or everyone's. */
  reallocate(only?: ReceiverState): void {
    const now = Date.now();
    const sources = this.#sources();
    const layers = sources.map((v) => v.layers);
    for (const r of only === undefined ? this.#receivers.values() : [only])
      this.#apply(r, this.#allocate(r, layers, now, r.bandwidth), sources, now, r.bandwidth);
    this.#updateSenderConstraints(sources);
  }

  /**
   * Redoes the allocation of receivers whose ideal layers moved since it was made. Layer rates are measured, and an
   * allocation made while a layer's meters were filling could otherwise stay wrong until the next event. It runs
   * with the estimate the allocation was made with: an estimate that moved less than the hysteresis moves nothing
   * here either. Each round (100 ms) checks a tenth of the receivers, so each is checked once a second and a
   * conference of 100 video senders and receivers never stalls the loop for all of them at once (12 ms).
   */
  #reallocateStale(now: number): void {
    const all = [...this.#receivers.values()];
    if (all.length === 0) return;
    const slices = LAYER_CHECK_INTERVAL_MS / SPEAKER_INTERVAL_MS;
    const count = Math.ceil(all.length / slices);
    const sources = this.#sources();
    const layers = sources.map((v) => v.layers);
    let changed = false;
    for (let k = 0; k < count; k++) {
      const r = all[this.#staleCursor++ % all.length]!;
      const a = this.#allocate(r, layers, now, r.allocatedWith);
      if (r.allocation !== undefined && idealKey(a) === idealKey(r.allocation)) continue;
      this.#apply(r, a, sources, now, r.allocatedWith);
      changed = true;
    }
    if (changed) this.#updateSenderConstraints(sources);
  }

  #sources(): VideoSources {
    const sources = this.#table.videoSources();
    for (const v of sources) v.layers.videoType = this.#videoTypes.get(v.name) ?? 'camera';
    return sources;
  }

  #allocate(r: ReceiverState, layers: readonly SourceLayers[], now: number, bandwidth: number | undefined): Allocation {
    return allocate({
      sources: layers,
      receiver: r.id,
      speakerOrder: this.#speakers.recentSpeakers,
      constraints: r.constraints,
      bandwidthBps: bandwidth,
      nowMs: now,
      bridgeLastN: this.#opts.bridgeLastN,
    });
  }

  #apply(r: ReceiverState, a: Allocation, sources: VideoSources, now: number, bandwidth: number | undefined): void {
    r.allocation = a;
    r.allocatedWith = bandwidth;
    let desired = 0;
    for (const s of a.sources) desired += s.ideal?.bitrateBps ?? 0;
    this.#opts.onDesired?.(r.id, desired);
    // SSRC rewriting: the forwarded sources take their pool slots (announced) before any target is set.
    const pools = this.#table.ssrcsOf(r.sink);
    let forwarded = a.forwarded;
    if (pools !== undefined) {
      const slotted: VideoSlotSource[] = [];
      for (const name of a.forwarded) {
        const v = sources.find((x) => x.name === name);
        const rewriter = this.#table.rewriter(r.sink, name);
        if (v !== undefined && rewriter !== undefined) slotted.push({ name, owner: v.ownerId, rewriter });
      }
      pools.activateVideo(slotted);
      // Beyond the pool nothing can be forwarded.
      forwarded = a.forwarded.filter((n) => (this.#table.rewriter(r.sink, n)?.ssrc ?? 0) !== 0);
    }
    for (const s of a.sources) {
      const rw = this.#table.rewriter(r.sink, s.source.name);
      if (rw === undefined) continue;
      const before = rw.targetEncoding;
      const slotless = pools !== undefined && rw.ssrc === 0;
      rw.setTarget(slotless ? NO_ENCODING : (s.layer?.encoding ?? NO_ENCODING), s.layer?.temporal ?? -1);
      const v = sources.find((x) => x.name === s.source.name);
      // Ask for the keyframe now rather than with the next packet: switching takes one round trip less.
      if (v !== undefined && rw.awaitingKeyframe && rw.targetEncoding !== before)
        this.#forwarder.requestKeyframe(v, rw.keyframeEncoding, now);
    }
    const key = forwarded.join('\n');
    if (key !== r.forwarded) {
      r.forwarded = key;
      r.forwardedList = forwarded;
      this.#opts.emit({ type: 'forwardedsources', endpointId: r.id, sources: forwarded });
    }
  }

  /** SenderSourceConstraints: the highest height any receiver may be sent of each source (0: nobody). */
  #updateSenderConstraints(sources: VideoSources): void {
    for (const v of sources) {
      let max = 0;
      const top = v.layers.heightOf(v.layers.encodingCount - 1);
      for (const r of this.#receivers.values()) {
        const s = r.allocation?.sources.find((x) => x.source === v.layers);
        if (s === undefined) continue;
        const h = s.effective.maxHeight === UNLIMITED ? top : s.effective.maxHeight;
        max = Math.max(max, h);
      }
      v.layers.pausedByBridge = max === 0;
      if (this.#senderMax.get(v.name) === max) continue;
      this.#senderMax.set(v.name, max);
      this.#opts.emit({ type: 'senderconstraints', endpointId: v.ownerId, sourceName: v.name, maxHeight: max });
    }
  }

  #emitSpeaker(): void {
    const [dominant, ...previous] = this.#speakers.recentSpeakers;
    if (dominant === undefined) return;
    this.#opts.log?.debug({ dominant }, 'dominant speaker changed');
    this.#opts.emit({ type: 'dominantspeaker', endpointId: dominant, previous });
  }

  #tick(): void {
    if (this.#speakers.evaluate()) {
      this.#emitSpeaker();
      this.reallocate();
    }
    this.#reallocateStale(Date.now());
    if (++this.#ticks % (LAYER_CHECK_INTERVAL_MS / SPEAKER_INTERVAL_MS) !== 0) return;
    for (const r of this.#receivers.values()) {
      const bps = this.#opts.estimate?.(r.id);
      if (bps !== r.bandwidth) this.setBandwidthEstimate(r.id, bps);
    }
    const now = Date.now();
    let summary = '';
    for (const v of this.#table.videoSources()) summary += `${v.name}=${v.layers.activitySummary(now)};`;
    if (summary !== this.#layerSummary) {
      this.#layerSummary = summary;
      this.reallocate();
      // A layer that just started has measured a fraction of its frame rate and bitrate: decide again once its
      // meters are full (an SVC sender turning its spatial layers back on would otherwise stay on the base one).
      this.#settleAt = now + LAYER_SETTLE_MS;
    } else if (this.#settleAt !== 0 && now >= this.#settleAt) {
      this.#settleAt = 0;
      this.reallocate();
    }
  }
}

/** Which layer each source would get with unlimited bandwidth, as text to compare. */
function idealKey(a: Allocation): string {
  let key = '';
  for (const s of a.sources) key += `${s.source.name}:${s.ideal?.encoding ?? -1}/${s.ideal?.temporal ?? -1};`;
  return key;
}
