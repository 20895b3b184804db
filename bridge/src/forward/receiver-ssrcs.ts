// SSRC rewriting for one receiver (Colibri2 capability `ssrc-rewriting`, PROTOCOL.md §7.4): its video and audio
// pools, and the announcements (VideoSourcesMap/AudioSourcesMap) of every change, made before the first packet of
// a (re)mapped source goes out. Video is mapped when the allocation changes (JVB's VideoSsrcCache.activate), audio
// on a source's first non-silent packet (AudioSsrcCache: create on packet).
import { AudioSlotRewriter, SsrcPool, type PoolSlot, type StreamRewriter } from '../rewrite/index.js';

/** The ssrc-audio-level value of silence (RFC 6464: -127 dBov). */
const SILENCE = 127;

export interface SsrcLimits {
  video: number;
  audio: number;
}

/** A mapping as the bridge channel announces it. */
export interface MappedSource {
  source: string;
  owner: string;
  ssrc: number;
  /** Video only: the slot's RTX SSRC. */
  rtx?: number;
}

/** A video source to map: its name, owner, and the receiver's rewriter for it. */
export interface VideoSlotSource {
  readonly name: string;
  readonly owner: string;
  readonly rewriter: StreamRewriter;
}

export interface SsrcCounters {
  videoRemaps: number;
  audioRemaps: number;
  /** Silent packets of an audio source without a slot: dropped for this receiver rather than remapping. */
  audioSilenceDropped: number;
}

export class ReceiverSsrcs {
  readonly video: SsrcPool<StreamRewriter>;
  readonly audio: SsrcPool<AudioSlotRewriter>;
  readonly counters: SsrcCounters = { videoRemaps: 0, audioRemaps: 0, audioSilenceDropped: 0 };
  readonly #announce: (kind: 'video' | 'audio', mapped: MappedSource[]) => void;

  /**
   * `newSsrc`: an SSRC no one in the conference uses (nor another slot); `announce` sends the maps to the receiver.
   */
  constructor(
    limits: SsrcLimits,
    newSsrc: () => number,
    announce: (kind: 'video' | 'audio', mapped: MappedSource[]) => void,
  ) {
    this.video = new SsrcPool<StreamRewriter>(limits.video, newSsrc, true);
    this.audio = new SsrcPool<AudioSlotRewriter>(limits.audio, newSsrc, false);
    this.#announce = announce;
  }

  /**
   * The forwarded video sources in priority order (allocation change): each gets a slot (its own when it has one);
   * a source that takes a slot over continues the slot's numbering, the one it displaced stops; the rest (beyond
   * the pool) are unbound. Announces the changes first.
   */
  activateVideo(sources: readonly VideoSlotSource[]): void {
    const changed = this.video.activate(sources);
    this.counters.videoRemaps = this.video.remaps;
    for (const s of sources) {
      // A changed slot, or a source signalled anew (a new rewriter) on the slot it kept.
      const slot = this.video.slotOf(s.name);
      if (slot === undefined || slot.carrier === s.rewriter) continue;
      const prev = slot.carrier;
      if (prev !== undefined && prev.ssrc === slot.ssrc) prev.unbind();
      s.rewriter.rebind(slot.ssrc, slot.rtxSsrc, prev);
      slot.carrier = s.rewriter;
    }
    if (changed.length > 0) this.#announce('video', changed.map(videoMapping));
  }

  /** Every current mapping, for a bridge channel that just (re)connected (JVB's sendAllMappings). */
  allMappings(): { video: MappedSource[]; audio: MappedSource[] } {
    const mapped = (s: PoolSlot) => s.source !== '';
    return {
      video: this.video.slots.filter(mapped).map(videoMapping),
      audio: this.audio.slots.filter(mapped).map(audioMapping),
    };
  }

  /**
   * Per audio packet of `senderSsrc` (source `name` of `owner`): the slot rewriter to send it through, or
   * undefined to drop it for this receiver (a silent packet of a source without a slot does not take one).
   * `level` is its ssrc-audio-level (-1: none). No allocation unless the slot changes.
   */
  audioSlot(senderSsrc: number, name: string, owner: string, level: number): AudioSlotRewriter | undefined {
    const slot = this.audio.slotOf(name);
    if (slot !== undefined && slot.carrier !== undefined && slot.carrier.source === senderSsrc) {
      this.audio.touch(slot);
      return slot.carrier;
    }
    if (slot === undefined && level === SILENCE) {
      this.counters.audioSilenceDropped++;
      return undefined;
    }
    const s = this.audio.map({ name, owner });
    if (s === undefined) return undefined;
    s.carrier ??= new AudioSlotRewriter(s.ssrc);
    s.carrier.carry(senderSsrc);
    this.counters.audioRemaps = this.audio.remaps;
    this.#announce('audio', [audioMapping(s)]);
    return s.carrier;
  }

  /** The video slot (and its current rewriter) that `ssrc` (primary or RTX) belongs to. */
  videoBySsrc(ssrc: number): PoolSlot<StreamRewriter> | undefined {
    return this.video.bySsrc(ssrc);
  }

  /** An announced video RTX SSRC, for probe padding (0: none yet). */
  anyRtxSsrc(): number {
    for (const s of this.video.slots) if (s.source !== '') return s.rtxSsrc;
    return 0;
  }

  /** For `/colibri/stats/debug` (JVB's `video_ssrcs`/`audio_ssrcs`): pool sizes, slots in use, remaps. */
  debugState(): Record<string, number> {
    const used = (p: SsrcPool) => p.slots.filter((s) => s.source !== '').length;
    return {
      videoMax: this.video.size,
      videoMapped: used(this.video),
      videoRemaps: this.video.remaps,
      audioMax: this.audio.size,
      audioMapped: used(this.audio),
      audioRemaps: this.audio.remaps,
      audioSilenceDropped: this.counters.audioSilenceDropped,
    };
  }

  /** `owner` left: its slots are free for others (nothing announced, as JVB). */
  removeOwner(owner: string): void {
    this.video.removeOwner(owner);
    this.audio.removeOwner(owner);
  }
}

function videoMapping(s: PoolSlot): MappedSource {
  return { source: s.source, owner: s.owner, ssrc: s.ssrc, rtx: s.rtxSsrc };
}

function audioMapping(s: PoolSlot): MappedSource {
  return { source: s.source, owner: s.owner, ssrc: s.ssrc };
}
