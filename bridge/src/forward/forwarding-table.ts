// Written by conference/ on signalling changes, read by the forwarder on every packet. A video source (a SIM group
// of encodings with their RTX, or a single SSRC) keys every SSRC to one entry; each receiver of it has its own
// StreamRewriter, kept across rebuilds, which conference/ points at a layer when the allocation changes.
import type { SourceLayers } from '../allocation/index.js';
import type { SpeechActivity } from '../allocation/index.js';
import { SourceLayers as Layers } from '../allocation/index.js';
import { StreamRewriter } from '../rewrite/index.js';
import type { MediaSink } from './media-sink.js';

export type MediaKind = 'audio' | 'video';

/** Where one receiver gets a route's packets; video targets carry the receiver's rewriter for the source. */
export interface RouteTarget {
  readonly sink: MediaSink;
  readonly rewriter: StreamRewriter | undefined;
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
  /** Video: the source, this SSRC's encoding, and whether it is the encoding's RTX stream. */
  video: VideoSourceEntry | undefined;
  encoding: number;
  rtx: boolean;
  /** Audio: the sender's speech activity, fed from ssrc-audio-level. */
  speech: SpeechActivity | undefined;
}

/** An SSRC a sender announced; video SSRCs name their source, encoding (SIM index) and whether they are RTX. */
export interface RouteSource {
  ssrc: number;
  kind: MediaKind;
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
    for (const [ssrc, r] of this.#routes) if (r.sender === sender) this.#routes.delete(ssrc);
    const old = new Map((this.#video.get(sender) ?? []).map((v) => [v.name, v]));
    const entries = new Map<string, { list: RouteSource[] }>();
    for (const s of sources) {
      const route: Route = {
        ssrc: s.ssrc >>> 0,
        kind: s.kind,
        sender,
        targets: [],
        lastKeyframeRequestAt: -Infinity,
        forceMuted: this.#muted[s.kind].has(sender),
        video: undefined,
        encoding: s.encoding ?? 0,
        rtx: s.rtx === true,
        speech: s.kind === 'audio' ? this.#speech.get(sender) : undefined,
      };
      this.#routes.set(route.ssrc, route);
      if (s.kind !== 'video') continue;
      const name = s.name ?? `${ownerId}-ssrc-${s.ssrc >>> 0}`;
      const e = entries.get(name) ?? { list: [] };
      e.list.push(s);
      entries.set(name, e);
    }
    const video: VideoSourceEntry[] = [];
    for (const [name, { list }] of entries) {
      const primaries = list.filter((s) => s.rtx !== true).sort((a, b) => (a.encoding ?? 0) - (b.encoding ?? 0));
      if (primaries.length === 0) continue;
      const count = (primaries[primaries.length - 1]!.encoding ?? 0) + 1;
      const before = old.get(name);
      const layers =
        before !== undefined && before.layers.encodingCount === count
          ? before.layers
          : new Layers(name, ownerId, count);
      const rtx0 = list.find((s) => s.rtx === true && (s.encoding ?? 0) === 0);
      const entry: VideoSourceEntry = {
        name,
        ownerId,
        sender,
        layers,
        encodings: [],
        receiverSsrc: primaries[0]!.ssrc >>> 0,
        receiverRtxSsrc: rtx0 === undefined ? 0 : rtx0.ssrc >>> 0,
      };
      for (const s of list) {
        const r = this.#routes.get(s.ssrc >>> 0)!;
        r.video = entry;
        if (!r.rtx) entry.encodings[r.encoding] = r;
      }
      video.push(entry);
    }
    this.#video.set(sender, video);
    this.#rebuild();
  }

  /** Every video source, all senders. */
  videoSources(): VideoSourceEntry[] {
    const out: VideoSourceEntry[] = [];
    for (const list of this.#video.values()) out.push(...list);
    return out;
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
    if (rw === undefined || rw.ssrc !== v.receiverSsrc) {
      const next = new StreamRewriter(v.receiverSsrc);
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
        targets.push({ sink: m, rewriter });
      }
      r.targets = targets;
    }
    for (const [m, byName] of this.#rewriters)
      for (const name of byName.keys()) if (live.get(m)?.has(name) !== true) byName.delete(name);
  }
}
