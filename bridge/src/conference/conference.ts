import type { Logger } from 'pino';
import { InvalidStateError, ProtocolError, TypedEmitter } from '@convene/protocol/lib';
import { Forwarder, ForwardingTable, type ForwarderCounters } from '../forward/index.js';
import type { IceCandidate } from '../ice/index.js';
import { Endpoint, type EndpointParent, type TransportEvents } from './endpoint.js';
import {
  newEndpointCounters,
  type EndpointCounters,
  type EndpointTransport,
  type HeaderExtensionIds,
} from '../pipeline/index.js';
import type { SourceParams } from './transport-params.js';
import { VideoAllocation, type VideoEvent } from './video-allocation.js';
import type { VideoType } from '../allocation/index.js';
import type { VideoCodec } from '../rewrite/index.js';

const VIDEO_TYPES = new Set<string>(['camera', 'desktop', 'desktop_high_fps', 'none']);

export type ConferenceEvents = {
  endpointcreated: [endpoint: Endpoint];
  endpointclosed: [endpoint: Endpoint];
  close: [];
};

/** What a conference needs from the media server that owns it. */
export interface ConferenceParent {
  readonly log: Logger | undefined;
  readonly localCandidates: readonly IceCandidate[];
  readonly fingerprint: string;
  createTransport(
    forwarder: Forwarder,
    extensions: Readonly<HeaderExtensionIds>,
    events: TransportEvents,
  ): EndpointTransport;
  releaseTransport(t: EndpointTransport): void;
  onConferenceClosed(c: Conference): void;
  /** Height every source gets before a receiver's first constraints: 0 as JVB, -1 (default) unlimited. */
  readonly initialMaxHeight?: number;
  /** The bridge's last-N limit (-1: none). */
  readonly lastN?: number;
}

export interface ConferenceCounters {
  endpoints: EndpointCounters;
  forwarding: ForwarderCounters;
}

/** A set of endpoints that exchange media; nothing crosses from one conference to another. */
export class Conference extends TypedEmitter<ConferenceEvents> {
  readonly id: string;
  readonly #parent: ConferenceParent;
  readonly #log: Logger | undefined;
  readonly #table = new ForwardingTable();
  readonly #forwarder = new Forwarder(this.#table);
  readonly #endpoints = new Map<string, Endpoint>();
  /** The offer's numbering, the same for every endpoint; read by each endpoint's pipeline. */
  readonly #extensions: HeaderExtensionIds = { transportCc: 0 };
  /** Counts of endpoints that already closed, so totals never go down (STYLE.md §2.9). */
  readonly #closedTotals: EndpointCounters = newEndpointCounters();
  #closed = false;
  readonly #video: VideoAllocation;
  readonly #videoListeners = new Set<(e: VideoEvent) => void>();

  /** Created by `MediaServer.createConference`. */
  constructor(id: string, parent: ConferenceParent) {
    super((err, event) => parent.log?.error({ err, event, conferenceId: id }, 'conference listener threw'));
    this.id = id;
    this.#parent = parent;
    this.#log = parent.log?.child({ conferenceId: id });
    this.#video = new VideoAllocation(this.#table, this.#forwarder, {
      initialMaxHeight: parent.initialMaxHeight ?? -1,
      bridgeLastN: parent.lastN ?? -1,
      log: this.#log,
      emit: (e) => {
        for (const fn of this.#videoListeners) {
          try {
            fn(e);
          } catch (err) {
            this.#log?.error({ err, event: e.type }, 'video event listener threw');
          }
        }
      },
    });
  }

  /** Forwarded sources, dominant speaker and sender constraints as they change (for the bridge channel). */
  onVideoEvent(fn: (e: VideoEvent) => void): () => void {
    this.#videoListeners.add(fn);
    return () => void this.#videoListeners.delete(fn);
  }

  /** The video sources `endpointId` is sent now, in priority order. */
  forwardedSources(endpointId: string): string[] {
    return this.#video.forwardedSources(endpointId);
  }

  /** What a newly connected channel of `endpointId` should hear at once (JVB sends these on connect). */
  videoSnapshot(endpointId: string): VideoEvent[] {
    const out: VideoEvent[] = [];
    const [dominant, ...previous] = this.#video.recentSpeakers;
    if (dominant !== undefined) out.push({ type: 'dominantspeaker', endpointId: dominant, previous });
    for (const c of this.#video.senderConstraints(endpointId))
      out.push({ type: 'senderconstraints', endpointId, sourceName: c.sourceName, maxHeight: c.maxHeight });
    return out;
  }

  /** Payload type -> video codec from the offer (layer switching reads the codec's descriptor). */
  setVideoCodecs(byPayloadType: ReadonlyMap<number, VideoCodec>): void {
    this.#forwarder.setVideoCodecs(byPayloadType);
  }

  /** The ssrc-audio-level extension id (0: none): the dominant speaker comes from it. */
  setAudioLevelExtension(id: number): void {
    this.#forwarder.setAudioLevelExtension(id);
  }

  get closed(): boolean {
    return this.#closed;
  }

  get endpoints(): ReadonlyMap<string, Endpoint> {
    return this.#endpoints;
  }

  /** One-byte header extension ids to blank before forwarding (the offer's numbering, same for every endpoint). */
  setStrippedHeaderExtensions(ids: readonly number[]): void {
    this.#forwarder.stripHeaderExtensions(ids);
  }

  /** The transport-wide sequence number extension id (0: none): endpoints then get transport-cc feedback. */
  setTransportCcExtension(id: number): void {
    this.#extensions.transportCc = id >= 1 && id <= 255 ? id : 0;
  }

  getEndpoint(id: string): Endpoint | undefined {
    return this.#endpoints.get(id);
  }

  /** Allocates ICE credentials and a pipeline on the shared socket for a new endpoint. */
  createEndpoint(id: string): Endpoint {
    if (this.#closed) throw new InvalidStateError('closed', `conference ${this.id}`);
    if (this.#endpoints.has(id)) throw new ProtocolError('endpoint-exists', `endpoint ${id} in conference ${this.id}`);
    const parent: EndpointParent = {
      log: this.#log,
      localCandidates: this.#parent.localCandidates,
      fingerprint: this.#parent.fingerprint,
      setSources: (e, sources) => this.#setSources(e, sources),
      setForceMuted: (e, kind, muted) => this.#table.setForceMuted(e.transport, kind, muted),
      isForceMuted: (e, kind) => this.#table.isForceMuted(e.transport, kind),
      setReceiverConstraints: (e, patch) => this.#video.setConstraints(e.id, patch),
      setBandwidthEstimate: (e, bps) => this.#video.setBandwidthEstimate(e.id, bps),
      setVideoType: (_e, source, type) => this.#setVideoType(source, type),
      onEndpointClosed: (e) => this.#onEndpointClosed(e),
    };
    const ep = new Endpoint(
      id,
      (events) => this.#parent.createTransport(this.#forwarder, this.#extensions, events),
      parent,
    );
    this.#endpoints.set(id, ep);
    this.#table.addMember(ep.transport);
    this.#video.addEndpoint(id, ep.transport);
    this.#log?.info({ endpointId: id }, 'endpoint created');
    this.emit('endpointcreated', ep);
    return ep;
  }

  /** Sums of every endpoint's counters (closed ones included) and the forwarder's. */
  get counters(): ConferenceCounters {
    const sum = { ...this.#closedTotals };
    for (const ep of this.#endpoints.values()) addCounters(sum, ep.counters);
    return { endpoints: sum, forwarding: { ...this.#forwarder.counters } };
  }

  #setSources(ep: Endpoint, sources: readonly SourceParams[]): void {
    const t = ep.transport;
    for (const s of sources) {
      if (!Number.isInteger(s.ssrc) || s.ssrc < 0 || s.ssrc > 0xffffffff)
        throw new ProtocolError('bad-ssrc', `${s.ssrc}`);
      const owner = this.#table.ownerOf(s.ssrc);
      if (owner !== undefined && owner !== t)
        throw new ProtocolError('ssrc-conflict', `ssrc ${s.ssrc} belongs to another endpoint`);
    }
    this.#table.setSources(t, sources, ep.id);
    for (const s of sources)
      if (s.kind === 'video' && s.name !== undefined && s.videoType !== undefined && s.rtx !== true)
        this.#setVideoType(s.name, s.videoType);
    this.#video.reallocate();
  }

  #setVideoType(source: string, type: string): void {
    const t = type.toLowerCase();
    this.#video.setVideoType(source, (t === 'disabled' ? 'none' : VIDEO_TYPES.has(t) ? t : 'camera') as VideoType);
  }

  #onEndpointClosed(ep: Endpoint): void {
    if (this.#endpoints.get(ep.id) !== ep) return;
    this.#endpoints.delete(ep.id);
    this.#table.removeMember(ep.transport);
    this.#video.removeEndpoint(ep.id);
    addCounters(this.#closedTotals, ep.counters);
    this.#parent.releaseTransport(ep.transport);
    this.emit('endpointclosed', ep);
  }

  /** Closes every endpoint, then leaves the media server; `close` is the last event. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#video.close();
    for (const ep of [...this.#endpoints.values()]) ep.close('conference closed');
    this.#parent.onConferenceClosed(this);
    this.#log?.info('conference closed');
    this.emit('close');
  }
}

function addCounters(into: EndpointCounters, from: Readonly<EndpointCounters>): void {
  for (const k of Object.keys(into) as Array<keyof EndpointCounters>) into[k] += from[k];
}
