// Written by conference/ on signalling changes, read by the forwarder on every packet. A video source (a SIM group
// of encodings with their RTX, or a single SSRC) keys every SSRC to one entry; each receiver of it has its own
// StreamRewriter, kept across rebuilds, which conference/ points at a layer when the allocation changes. A video
// route with a FID group keeps a retransmission cache of the sender's packets (by the sender's own sequence
// numbers): receivers' NACKs, translated back through their rewriter, are answered from it.
import type { SourceLayers } from '../allocation/index.js';
import type { SpeechActivity } from '../allocation/index.js';
import { SourceLayers as Layers } from '../allocation/index.js';
import { StreamRewriter, SvcSource } from '../rewrite/index.js';
import type { MediaSink } from './media-sink.js';
import { PacketCache } from './packet-cache.js';
import type { ReceiverSsrcs } from './receiver-ssrcs.js';

export type MediaKind = 'audio' | 'video';

/** Where one receiver gets a route's packets; video targets carry the receiver's rewriter for the source. */
export interface RouteTarget {
  readonly sink: MediaSink;
  readonly rewriter: StreamRewriter | undefined;
  /** The receiver's SSRC pools when it does SSRC rewriting (audio goes through them per packet). */
  readonly ssrcs: ReceiverSsrcs | undefined;
}

/** One video source: its encodings' routes (lowest first), and the SSRCs its receivers were told. */
export interface VideoSourceEntry {
  readonly name: string;
  readonly ownerId: string;
  readonly sender: MediaSink;
  readonly layers: SourceLayers;
  /** Primary route per encoding. */
  readonly encodings: Route[];
  /** The first SIM SSRC and its RTX partner (0: none): what receivers know. */
  readonly receiverSsrc: number;
  readonly receiverRtxSsrc: number;
  /** A single-encoding source's in-band layers (VP9/AV1 SVC), kept across rebuilds; undefined for simulcast. */
  readonly svc: SvcSource | undefined;
}

/** One SSRC a sender announced, and the receivers it currently goes to. */
export interface Route {
  readonly ssrc: number;
  readonly kind: MediaKind;
  readonly sender: MediaSink;
  /** The source name and its owner's endpoint id (SSRC rewriting announces them). */
  readonly name: string;
  readonly ownerId: string;
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
  /** Video: the source, and this SSRC's encoding (SIM index; an RTX SSRC has its primary's). */
  video: VideoSourceEntry | undefined;
  encoding: number;
  /** Audio: the sender's speech activity, fed from ssrc-audio-level. */
  speech: SpeechActivity | undefined;
}

/**
 * An SSRC a sender announces: its source name, its RTX partner when it is the primary of a FID group; for video
 * its encoding (SIM index) and whether it is the RTX of another.
 */
export interface RouteSource {
  ssrc: number;
  kind: MediaKind;
  rtxSsrc?: number;
  name?: string;
  encoding?: number;
  rtx?: boolean;
}

/** The per-conference SSRC -> route map; a conference's table never holds another conference's sinks. */
export class ForwardingTable {
  readonly #routes = new Map<number, Route>();
  #members: readonly MediaSink[] = [];
  /** Senders the focus force-muted, per kind; kept across `setSources` so new SSRCs stay muted. */
  readonly #muted = { audio: new Set<MediaSink>(), video: new Set<MediaSink>() };
  readonly #video = new Map<MediaSink, VideoSourceEntry[]>();
  readonly #speech = new Map<MediaSink, SpeechActivity>();
  /** receiver -> source name -> rewriter. */
  readonly #rewriters = new Map<MediaSink, Map<string, StreamRewriter>>();
  /** Receivers that do SSRC rewriting, and their pools. */
  readonly #ssrcs = new Map<MediaSink, ReceiverSsrcs>();

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
    this.#video.delete(sink);
    this.#speech.delete(sink);
    this.#rewriters.delete(sink);
    this.#ssrcs.delete(sink);
    for (const [ssrc, r] of this.#routes) if (r.sender === sink) this.#routes.delete(ssrc);
    this.#rebuild();
  }

  /** The speech activity that audio from `sender` feeds. */
  setSpeech(sender: MediaSink, speech: SpeechActivity): void {
    this.#speech.set(sender, speech);
    for (const r of this.#routes.values()) if (r.sender === sender && r.kind === 'audio') r.speech = speech;
  }

  /** Replaces the set of SSRCs `sender` sends; the caller has checked no other member owns them. */
  setSources(sender: MediaSink, sources: readonly RouteSource[], ownerId = ''): void {
    const oldRoutes = new Map<number, Route>();
    for (const [ssrc, r] of this.#routes)
      if (r.sender === sender) {
        oldRoutes.set(ssrc, r);
        this.#routes.delete(ssrc);
      }
    /** RTX SSRC -> its primary's source name (an unnamed source is named after its first SSRC). */
    const rtxSet = new Map<number, string>();
    const nameOf = (s: RouteSource) => s.name ?? `${ownerId}-ssrc-${s.ssrc >>> 0}`;
    for (const s of sources) if (s.rtxSsrc !== undefined && s.kind === 'video') rtxSet.set(s.rtxSsrc >>> 0, nameOf(s));
    const old = new Map((this.#video.get(sender) ?? []).map((v) => [v.name, v]));
    const entries = new Map<string, { list: RouteSource[] }>();
    for (const s of sources) {
      const ssrc = s.ssrc >>> 0;
      const rtxSsrc = s.kind === 'video' && s.rtxSsrc !== undefined ? s.rtxSsrc >>> 0 : 0;
      // A re-signalled stream keeps its cache: receivers may still NACK what it held.
      const cache = rtxSsrc === 0 ? undefined : (oldRoutes.get(ssrc)?.cache ?? new PacketCache());
      const route: Route = {
        ssrc,
        kind: s.kind,
        sender,
        name: s.name ?? rtxSet.get(ssrc) ?? nameOf(s),
        ownerId,
        targets: [],
        lastKeyframeRequestAt: -Infinity,
        forceMuted: this.#muted[s.kind].has(sender),
        rtxSsrc,
        isRtx: s.kind === 'video' && (rtxSet.has(ssrc) || s.rtx === true),
        cache,
        video: undefined,
        encoding: s.encoding ?? 0,
        speech: s.kind === 'audio' ? this.#speech.get(sender) : undefined,
      };
      this.#routes.set(route.ssrc, route);
      if (s.kind !== 'video') continue;
      const name = s.name ?? rtxSet.get(ssrc) ?? nameOf(s);
      const e = entries.get(name) ?? { list: [] };
      e.list.push(s);
      entries.set(name, e);
    }
    // An RTX SSRC belongs to its primary's encoding.
    for (const s of sources) {
      const r = this.#routes.get(s.ssrc >>> 0)!;
      const rtx = r.rtxSsrc === 0 ? undefined : this.#routes.get(r.rtxSsrc);
      if (rtx !== undefined && rtx.sender === sender) rtx.encoding = r.encoding;
    }
    const video: VideoSourceEntry[] = [];
    for (const [name, { list }] of entries) {
      const primaries = list
        .filter((s) => !this.#routes.get(s.ssrc >>> 0)!.isRtx)
        .sort((a, b) => (a.encoding ?? 0) - (b.encoding ?? 0));
      if (primaries.length === 0) continue;
      const count = (primaries[primaries.length - 1]!.encoding ?? 0) + 1;
      const before = old.get(name);
      const layers =
        before !== undefined && before.layers.signalledEncodings === count
          ? before.layers
          : new Layers(name, ownerId, count);
      const first = this.#routes.get(primaries[0]!.ssrc >>> 0)!;
      const entry: VideoSourceEntry = {
        name,
        ownerId,
        sender,
        layers,
        encodings: [],
        receiverSsrc: first.ssrc,
        receiverRtxSsrc: first.rtxSsrc,
        svc: count !== 1 ? undefined : (before?.svc ?? new SvcSource()),
      };
      for (const s of list) {
        const r = this.#routes.get(s.ssrc >>> 0)!;
        r.video = entry;
        if (!r.isRtx) entry.encodings[r.encoding] = r;
      }
      video.push(entry);
    }
    this.#video.set(sender, video);
    this.#rebuild();
  }

  /** The primary SSRC of the FID group whose RTX SSRC is `rtxSsrc`, 0 when none. */
  primaryOf(rtxSsrc: number): number {
    for (const r of this.#routes.values()) if (r.rtxSsrc === rtxSsrc) return r.ssrc;
    return 0;
  }

  /**
   * An RTX stream `receiver` knows (from another sender), for probe padding: its SSRC, or 0 when none. For a
   * simulcast source that is the RTX of its first encoding, the only one receivers are told of.
   */
  rtxStreamFor(receiver: MediaSink): number {
    const pools = this.#ssrcs.get(receiver);
    if (pools !== undefined) return pools.anyRtxSsrc();
    for (const r of this.#routes.values()) {
      if (r.sender === receiver) continue;
      const rtx = r.video !== undefined ? r.video.receiverRtxSsrc : r.rtxSsrc;
      if (rtx !== 0) return rtx;
    }
    return 0;
  }

  /** The video source named `name` (any sender), for RTCP on an SSRC-rewriting receiver's slot. */
  videoSource(name: string): VideoSourceEntry | undefined {
    for (const list of this.#video.values()) for (const v of list) if (v.name === name) return v;
    return undefined;
  }

  /** Every video source, all senders. */
  videoSources(): VideoSourceEntry[] {
    const out: VideoSourceEntry[] = [];
    for (const list of this.#video.values()) out.push(...list);
    return out;
  }

  /** Makes `receiver` an SSRC-rewriting receiver: its video and audio go out on the pools' SSRCs only. */
  setSsrcRewriting(receiver: MediaSink, pools: ReceiverSsrcs): void {
    this.#ssrcs.set(receiver, pools);
    this.#rewriters.delete(receiver);
    this.#rebuild();
  }

  /** The SSRC pools of `receiver`, when it does SSRC rewriting. */
  ssrcsOf(receiver: MediaSink): ReceiverSsrcs | undefined {
    return this.#ssrcs.get(receiver);
  }

  /** Whether any SSRC of the conference (a sender's) is `ssrc`. */
  hasSsrc(ssrc: number): boolean {
    return this.#routes.has(ssrc >>> 0);
  }

  /** The rewriter through which `receiver` gets source `name`, if it is a member and the source exists. */
  rewriter(receiver: MediaSink, name: string): StreamRewriter | undefined {
    return this.#rewriters.get(receiver)?.get(name);
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

  #rewriterFor(receiver: MediaSink, v: VideoSourceEntry): StreamRewriter {
    let byName = this.#rewriters.get(receiver);
    if (byName === undefined) {
      byName = new Map();
      this.#rewriters.set(receiver, byName);
    }
    let rw = byName.get(v.name);
    if (this.#ssrcs.has(receiver)) {
      // SSRC rewriting: no slot (SSRC 0) and nothing forwarded until the allocation maps the source.
      if (rw === undefined) byName.set(v.name, (rw = new StreamRewriter(0)));
      return rw;
    }
    if (rw !== undefined && rw.ssrc === v.receiverSsrc) rw.rtxSsrc = v.receiverRtxSsrc; // its FID group may change
    if (rw === undefined || rw.ssrc !== v.receiverSsrc) {
      const next = new StreamRewriter(v.receiverSsrc, v.receiverRtxSsrc);
      // Until an allocator decides, the best encoding (what a table without one always did).
      next.setTarget(rw !== undefined ? rw.targetEncoding : v.encodings.length - 1);
      rw = next;
      byName.set(v.name, rw);
    }
    return rw;
  }

  #rebuild(): void {
    const live = new Map<MediaSink, Set<string>>();
    for (const r of this.#routes.values()) {
      const targets: RouteTarget[] = [];
      for (const m of this.#members) {
        if (m === r.sender) continue;
        let rewriter: StreamRewriter | undefined;
        if (r.video !== undefined) {
          rewriter = this.#rewriterFor(m, r.video);
          const names = live.get(m) ?? new Set<string>();
          names.add(r.video.name);
          live.set(m, names);
        }
        targets.push({ sink: m, rewriter, ssrcs: this.#ssrcs.get(m) });
      }
      r.targets = targets;
    }
    for (const [m, byName] of this.#rewriters)
      for (const name of byName.keys()) if (live.get(m)?.has(name) !== true) byName.delete(name);
  }
}
