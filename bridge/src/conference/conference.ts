import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { InvalidStateError, ProtocolError, SerialQueue, TypedEmitter } from '@convene/protocol/lib';
import { Forwarder, ForwardingTable, type ForwarderCounters } from '../forward/index.js';
import { Endpoint, type EndpointCloseReason, type EndpointParent } from './endpoint.js';
import { newEndpointCounters, type EndpointCounters, type HeaderExtensionIds } from '../pipeline/index.js';
import type { ConferenceParentOf, ConferenceSpec } from './conference-parent.js';
import type { SourceParams, SsrcGroupParams } from './transport-params.js';
import { receiverPatch, toRouteSources, toVideoType } from './video-sources.js';
import { VideoAllocation, type VideoEvent } from './video-allocation.js';
import { videoDebug } from './video-debug.js';
import { newReceiverSsrcs, pushAllMappings, randomSsrc, withVideoTypes } from './ssrc-rewriting.js';
import type { VideoCodec } from '../rewrite/index.js';

export type ConferenceEvents = {
  endpointcreated: [endpoint: Endpoint];
  endpointclosed: [endpoint: Endpoint, reason: EndpointCloseReason];
  close: [];
};

export type { ConferenceSpec } from './conference-parent.js';
/** What a conference needs from the media server that owns it (conference-parent.ts). */
export type ConferenceParent = ConferenceParentOf<Conference>;

export interface ConferenceCounters {
  endpoints: EndpointCounters;
  forwarding: ForwarderCounters;
}

/**
 * A set of endpoints that exchange media; nothing crosses from one conference to another. The one record of a
 * conference on the bridge: Colibri2 (colibri/) and the bridge channel (channel/) act on it.
 */
export class Conference extends TypedEmitter<ConferenceEvents> {
  /** Bridge-internal id (not the meeting id): the `<conference-id>` of colibri-ws URLs. */
  readonly id = randomBytes(8).toString('hex');
  readonly meetingId: string;
  readonly name: string;
  readonly createdAt = Date.now();
  /** Requests that change the conference run one at a time (JVB's ColibriQueue). */
  readonly queue = new SerialQueue();
  /** The bridge's own SSRCs for the feedback it sends, signalled to the focus (PROTOCOL.md §5.3). */
  readonly feedbackSsrcs = { audio: randomSsrc(), video: randomSsrc() } as const;
  readonly #spec: ConferenceSpec;
  readonly #parent: ConferenceParent;
  readonly #log: Logger | undefined;
  readonly #table = new ForwardingTable();
  readonly #forwarder = new Forwarder(this.#table);
  readonly #endpoints = new Map<string, Endpoint>();
  /** The offer's numbering, the same for every endpoint; read by each endpoint's pipeline. */
  readonly #extensions: HeaderExtensionIds = { transportCc: 0 };
  /** Counts of endpoints that already closed, so totals never go down (STYLE.md §2.9). */
  readonly #closedTotals: EndpointCounters = newEndpointCounters();
  #idleTimer: NodeJS.Timeout | undefined;
  #batchDepth = 0;
  #closed = false;
  readonly #video: VideoAllocation;
  readonly #videoListeners = new Set<(e: VideoEvent) => void>();

  /** Created by `MediaServer.createConference`. */
  constructor(spec: ConferenceSpec, parent: ConferenceParent) {
    super((err, event) => parent.log?.error({ err, event, meetingId: spec.meetingId }, 'conference listener threw'));
    this.meetingId = spec.meetingId;
    this.name = spec.name;
    this.#spec = spec;
    this.#parent = parent;
    this.#log = parent.log?.child({ conferenceId: this.id, meetingId: spec.meetingId, room: spec.name });
    this.#video = new VideoAllocation(this.#table, this.#forwarder, {
      initialMaxHeight: parent.initialMaxHeight ?? -1,
      bridgeLastN: parent.lastN ?? -1,
      log: this.#log,
      estimate: (id) => this.#estimateOf(id),
      onDesired: (id, bps) => {
        const ep = this.#endpoints.get(id);
        if (ep !== undefined) ep.transport.downlink.bwe.desiredBps = bps;
      },
      emit: (e) => this.#emitVideo(e),
    });
    this.#armIdleTimer();
    this.#log?.info('conference created');
  }

  #emitVideo(e: VideoEvent): void {
    for (const fn of this.#videoListeners) {
      try {
        fn(e);
      } catch (err) {
        this.#log?.error({ err, event: e.type }, 'video event listener threw');
      }
    }
  }

  /**
   * SSRC rewriting for `endpointId` (Colibri2 capability `ssrc-rewriting`): from now on it gets video and audio on
   * SSRCs of its own pools only, announced on its bridge channel (PROTOCOL.md §7.4).
   */
  enableSsrcRewriting(endpointId: string): void {
    const ep = this.#endpoints.get(endpointId);
    if (ep === undefined || this.#table.ssrcsOf(ep.transport) !== undefined) return;
    const pools = newReceiverSsrcs(this.#table, this.feedbackSsrcs, this.#parent.ssrcLimits, (kind, mapped) => {
      const withType = kind === 'video' ? withVideoTypes(mapped, this.#video) : mapped;
      this.#log?.debug({ endpointId, kind, mapped }, 'ssrc mappings');
      this.#emitVideo({ type: 'sourcesmap', endpointId, kind, mapped: withType });
      if (kind === 'video') this.#updateProbeStreams();
    });
    this.#table.setSsrcRewriting(ep.transport, pools);
    this.#updateProbeStreams();
    this.#video.reallocate();
  }

  /** SSRC rewriting state of `endpointId` for `/colibri/stats/debug`; undefined when it does not rewrite. */
  ssrcRewritingDebug(endpointId: string): Record<string, number> | undefined {
    const ep = this.#endpoints.get(endpointId);
    return ep === undefined ? undefined : this.#table.ssrcsOf(ep.transport)?.debugState();
  }

  /** Forwarded sources, dominant speaker and sender constraints as they change (for the bridge channel). */
  onVideoEvent(fn: (e: VideoEvent) => void): () => void {
    this.#videoListeners.add(fn);
    return () => void this.#videoListeners.delete(fn);
  }

  /** What a newly connected channel of `endpointId` should hear at once (JVB sends these on connect). */
  videoSnapshot(endpointId: string): VideoEvent[] {
    const out: VideoEvent[] = [];
    const [dominant, ...previous] = this.#video.recentSpeakers;
    if (dominant !== undefined) out.push({ type: 'dominantspeaker', endpointId: dominant, previous });
    for (const c of this.#video.senderConstraints(endpointId))
      out.push({ type: 'senderconstraints', endpointId, sourceName: c.sourceName, maxHeight: c.maxHeight });
    const ep = this.#endpoints.get(endpointId);
    const pools = ep === undefined ? undefined : this.#table.ssrcsOf(ep.transport);
    if (pools !== undefined) pushAllMappings(out, endpointId, pools, this.#video);
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

  setDependencyDescriptorExtension(id: number): void {
    this.#forwarder.setDependencyDescriptorExtension(id);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** For `/colibri/stats/debug`: per video source `receiver` gets, its layers and what the receiver gets of it. */
  videoDebug(receiver: Endpoint): Record<string, unknown> {
    return videoDebug(this.#table, this.#video, receiver);
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
    this.#forwarder.setTransportCcExtension(this.#extensions.transportCc);
  }

  /**
   * The offer's RTX payload types, `apt` -> RTX payload type (empty: no RTX): receivers' NACKs are then answered
   * with RTX on the FID group's RTX SSRC, and probes pad on an RTX stream.
   */
  setRtxPayloadTypes(map: ReadonlyMap<number, number>): void {
    this.#forwarder.setRtxPayloadTypes(map);
    this.#updateProbeStreams();
  }

  /** Each receiver's probe padding goes on an RTX stream it gets from another sender. */
  #updateProbeStreams(): void {
    const pt = this.#forwarder.anyRtxPayloadType;
    for (const ep of this.#endpoints.values()) {
      const d = ep.transport.downlink;
      d.probeRtxPt = pt;
      d.probeRtxSsrc = pt < 0 ? 0 : this.#table.rtxStreamFor(ep.transport);
    }
  }

  getEndpoint(id: string): Endpoint | undefined {
    return this.#endpoints.get(id);
  }

  /** The video source names `endpointId` is sent now (its allocation: last-N, constraints, estimate), by priority. */
  forwardedSourceNames(endpointId: string): string[] {
    return this.#video.forwardedSources(endpointId);
  }

  /**
   * Runs one request's changes; a conference the request empties closes at its end (expire A + create B in one
   * request is no empty conference). A request about endpoints that were already gone leaves it as it is.
   */
  batch<T>(fn: () => T): T {
    const before = this.#batchDepth === 0 ? this.#endpoints.size : 0;
    this.#batchDepth++;
    try {
      return fn();
    } finally {
      this.#batchDepth--;
      if (this.#batchDepth === 0 && before > 0 && this.#endpoints.size === 0 && !this.#closed) this.close();
    }
  }

  /** Allocates ICE credentials and a pipeline on the shared socket for a new endpoint. */
  createEndpoint(id: string): Endpoint {
    if (this.#closed) throw new InvalidStateError('closed', `conference ${this.id}`);
    if (this.#endpoints.has(id)) throw new ProtocolError('endpoint-exists', `endpoint ${id} in conference ${this.id}`);
    const parent: EndpointParent = {
      log: this.#log,
      conferenceId: this.id,
      connectTimeoutMs: this.#spec.endpointConnectTimeoutMs,
      localCandidates: this.#parent.localCandidates,
      fingerprint: this.#parent.fingerprint,
      setSources: (e, sources, groups) => this.#setSources(e, sources, groups),
      sourcesChanged: () => this.#parent.onChanged(this),
      setForceMuted: (e, kind, muted) => this.#table.setForceMuted(e.transport, kind, muted),
      isForceMuted: (e, kind) => this.#table.isForceMuted(e.transport, kind),
      setVideoType: (_e, source, type) => this.#setVideoType(source, type),
      onEndpointClosed: (e, reason) => this.#onEndpointClosed(e, reason),
    };
    const ep = new Endpoint(
      id,
      (events) => this.#parent.createTransport(this.#forwarder, this.#extensions, events),
      parent,
    );
    this.#endpoints.set(id, ep);
    this.#table.addMember(ep.transport);
    clearTimeout(this.#idleTimer);
    this.#idleTimer = undefined;
    this.#updateProbeStreams();
    this.#video.addEndpoint(id, ep.transport);
    // The receiver's wishes (bridge channel, Colibri2 initial-last-n) and its downlink estimate drive the allocation.
    ep.on('receiverchange', () => this.#video.setConstraints(id, receiverPatch(ep.receiver)));
    ep.on('bandwidthestimate', () => this.#video.setBandwidthEstimate(id, this.#estimateOf(id)));
    this.#log?.info({ endpointId: id }, 'endpoint created');
    this.emit('endpointcreated', ep);
    this.#parent.onChanged(this);
    return ep;
  }

  /** Sums of every endpoint's counters (closed ones included) and the forwarder's. */
  get counters(): ConferenceCounters {
    const sum = { ...this.#closedTotals };
    for (const ep of this.#endpoints.values()) addCounters(sum, ep.counters);
    return { endpoints: sum, forwarding: { ...this.#forwarder.counters } };
  }

  #setSources(ep: Endpoint, sources: readonly SourceParams[], groups: readonly SsrcGroupParams[]): void {
    const t = ep.transport;
    for (const s of sources) {
      if (!Number.isInteger(s.ssrc) || s.ssrc < 0 || s.ssrc > 0xffffffff)
        throw new ProtocolError('bad-ssrc', `${s.ssrc}`);
      const owner = this.#table.ownerOf(s.ssrc);
      if (owner !== undefined && owner !== t)
        throw new ProtocolError('ssrc-conflict', `ssrc ${s.ssrc} belongs to another endpoint`);
    }
    this.#table.setSources(t, toRouteSources(sources, groups), ep.id);
    this.#updateProbeStreams();
    for (const s of sources)
      if (s.kind === 'video' && s.name !== undefined && s.videoType !== undefined)
        this.#setVideoType(s.name, s.videoType);
    this.#video.reallocate();
  }

  /**
   * A receiver's downlink estimate for the allocation: none (unlimited) until its transport-cc feedback arrived,
   * since without feedback the estimator only holds its start value.
   */
  #estimateOf(id: string): number | undefined {
    const ep = this.#endpoints.get(id);
    if (ep === undefined || ep.transport.downlink.bwe.feedbackCount === 0) return undefined;
    return ep.bandwidthEstimate;
  }

  #setVideoType(source: string, type: string): void {
    this.#video.setVideoType(source, toVideoType(type));
  }

  #onEndpointClosed(ep: Endpoint, reason: EndpointCloseReason): void {
    if (this.#endpoints.get(ep.id) !== ep) return;
    this.#endpoints.delete(ep.id);
    this.#table.removeMember(ep.transport);
    for (const other of this.#endpoints.values()) this.#table.ssrcsOf(other.transport)?.removeOwner(ep.id);
    this.#updateProbeStreams();
    this.#video.removeEndpoint(ep.id);
    addCounters(this.#closedTotals, ep.counters);
    this.#parent.releaseTransport(ep.transport);
    this.#parent.onEndpointClosed(this, ep, reason);
    this.emit('endpointclosed', ep, reason);
    // Endpoints that hang up or drop out by themselves do not end the conference: the focus still expires them,
    // and a conference it asks about must be there (JVB keeps endpoint-less conferences until its expire thread
    // finds them idle). Only a request that empties it ends it at once (batch).
    if (this.#endpoints.size === 0 && !this.#closed && this.#batchDepth === 0) this.#armIdleTimer();
  }

  /** The media server's tick: speaker detection and layer checks run on it (no timer of the conference's own). */
  tick(nowMs: number): void {
    if (!this.#closed) this.#video.tick(nowMs);
  }

  /** Closes every endpoint, then leaves the media server; idempotent; `close` is the last event. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#idleTimer);
    for (const ep of [...this.#endpoints.values()]) ep.close('conference expired');
    this.#parent.onConferenceClosed(this);
    this.#log?.info({ durationMs: Date.now() - this.createdAt }, 'conference closed');
    this.emit('close');
  }

  #armIdleTimer(): void {
    clearTimeout(this.#idleTimer);
    this.#idleTimer = setTimeout(() => {
      if (this.#endpoints.size === 0) this.close();
    }, this.#spec.idleTimeoutMs);
    this.#idleTimer.unref();
  }
}

function addCounters(into: EndpointCounters, from: Readonly<EndpointCounters>): void {
  for (const k of Object.keys(into) as Array<keyof EndpointCounters>) into[k] += from[k];
}
