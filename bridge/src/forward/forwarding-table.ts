// Written by conference/ on signalling changes, read by the forwarder on every packet.
// Where the later features go (TODO(#5) follow-ups): last-N and receiver constraints decide which targets a
// route has (rebuilt by conference/, never filtered per packet); simulcast keys every layer's SSRC to one
// route whose targets carry per-receiver rewrite state (chosen layer, SSRC/seq/timestamp offsets). A video
// route with a FID group keeps a retransmission cache next to `targets`: receivers' NACKs are answered from it.
import type { MediaSink } from './media-sink.js';
import { PacketCache } from './packet-cache.js';

export type MediaKind = 'audio' | 'video';

/** Where one receiver gets a route's packets. Per-receiver rewrite state (simulcast, last-N) goes here later. */
export interface RouteTarget {
  readonly sink: MediaSink;
}

/** One SSRC a sender announced, and the receivers it currently goes to. */
export interface Route {
  readonly ssrc: number;
  readonly kind: MediaKind;
  readonly sender: MediaSink;
  /** Rebuilt (never mutated in place) when membership changes, so a loop over it never sees a change. */
  targets: readonly RouteTarget[];
  /** When the last keyframe request went to the sender (ms), for rate limiting. */
  lastKeyframeRequestAt: number;
  /** The focus force-muted this kind for the sender (Colibri2 `force-mute`): its packets are dropped. */
  forceMuted: boolean;
  /** The RTX SSRC paired with this stream (its FID group), 0 when none. */
  readonly rtxSsrc: number;
  /** True for the RTX SSRC of a FID group. */
  readonly isRtx: boolean;
  /** Recent packets of a video stream with an RTX partner, for RTX answers to NACKs. */
  readonly cache: PacketCache | undefined;
}

/** An SSRC a sender announces, with its RTX partner when it is the primary of a FID group. */
export interface RouteSource {
  ssrc: number;
  kind: MediaKind;
  rtxSsrc?: number;
}

/** The per-conference SSRC -> route map; a conference's table never holds another conference's sinks. */
export class ForwardingTable {
  readonly #routes = new Map<number, Route>();
  #members: readonly MediaSink[] = [];
  /** Senders the focus force-muted, per kind; kept across `setSources` so new SSRCs stay muted. */
  readonly #muted = { audio: new Set<MediaSink>(), video: new Set<MediaSink>() };

  get(ssrc: number): Route | undefined {
    return this.#routes.get(ssrc);
  }

  get size(): number {
    return this.#routes.size;
  }

  /** The sink that owns `ssrc`, if any. */
  ownerOf(ssrc: number): MediaSink | undefined {
    return this.#routes.get(ssrc)?.sender;
  }

  addMember(sink: MediaSink): void {
    if (this.#members.includes(sink)) return;
    this.#members = [...this.#members, sink];
    this.#rebuild();
  }

  /** Removes the sink as receiver and all the routes it sent. */
  removeMember(sink: MediaSink): void {
    this.#members = this.#members.filter((m) => m !== sink);
    this.#muted.audio.delete(sink);
    this.#muted.video.delete(sink);
    for (const [ssrc, r] of this.#routes) if (r.sender === sink) this.#routes.delete(ssrc);
    this.#rebuild();
  }

  /** Replaces the set of SSRCs `sender` sends; the caller has checked no other member owns them. */
  setSources(sender: MediaSink, sources: readonly RouteSource[]): void {
    const old = new Map<number, Route>();
    for (const [ssrc, r] of this.#routes)
      if (r.sender === sender) {
        old.set(ssrc, r);
        this.#routes.delete(ssrc);
      }
    const rtx = new Set<number>();
    for (const s of sources) if (s.rtxSsrc !== undefined && s.kind === 'video') rtx.add(s.rtxSsrc >>> 0);
    for (const s of sources) {
      const ssrc = s.ssrc >>> 0;
      const rtxSsrc = s.kind === 'video' && s.rtxSsrc !== undefined ? s.rtxSsrc >>> 0 : 0;
      // A re-signalled stream keeps its cache: receivers may still NACK what it held.
      const cache = rtxSsrc === 0 ? undefined : (old.get(ssrc)?.cache ?? new PacketCache());
      this.#routes.set(ssrc, {
        ssrc,
        kind: s.kind,
        sender,
        targets: [],
        lastKeyframeRequestAt: -Infinity,
        forceMuted: this.#muted[s.kind].has(sender),
        rtxSsrc,
        isRtx: rtx.has(ssrc),
        cache,
      });
    }
    this.#rebuild();
  }

  /** The primary SSRC of the FID group whose RTX SSRC is `rtxSsrc`, 0 when none. */
  primaryOf(rtxSsrc: number): number {
    for (const r of this.#routes.values()) if (r.rtxSsrc === rtxSsrc) return r.ssrc;
    return 0;
  }

  /** An RTX stream `receiver` gets (from another sender), for probe padding: its SSRC, or 0 when none. */
  rtxStreamFor(receiver: MediaSink): number {
    for (const r of this.#routes.values()) if (r.rtxSsrc !== 0 && r.sender !== receiver) return r.rtxSsrc;
    return 0;
  }

  /** Force-mutes (or unmutes) every source of `kind` that `sender` sends now or later. */
  setForceMuted(sender: MediaSink, kind: MediaKind, muted: boolean): void {
    if (muted) this.#muted[kind].add(sender);
    else this.#muted[kind].delete(sender);
    for (const r of this.#routes.values()) if (r.sender === sender && r.kind === kind) r.forceMuted = muted;
  }

  isForceMuted(sender: MediaSink, kind: MediaKind): boolean {
    return this.#muted[kind].has(sender);
  }

  /** SSRCs a sender announced. */
  sourcesOf(sender: MediaSink): number[] {
    const out: number[] = [];
    for (const r of this.#routes.values()) if (r.sender === sender) out.push(r.ssrc);
    return out;
  }

  #rebuild(): void {
    for (const r of this.#routes.values()) {
      const targets: RouteTarget[] = [];
      for (const m of this.#members) if (m !== r.sender) targets.push({ sink: m });
      r.targets = targets;
    }
  }
}
