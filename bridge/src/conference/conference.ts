import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { InvalidStateError, ProtocolError, SerialQueue, TypedEmitter } from '@convene/protocol/lib';
import { Forwarder, ForwardingTable, type ForwarderCounters } from '../forward/index.js';
import type { IceCandidate } from '../ice/index.js';
import { Endpoint, type EndpointCloseReason, type EndpointParent, type TransportEvents } from './endpoint.js';
import {
  newEndpointCounters,
  type EndpointCounters,
  type EndpointTransport,
  type HeaderExtensionIds,
} from '../pipeline/index.js';
import type { SourceParams } from './transport-params.js';

export type ConferenceEvents = {
  endpointcreated: [endpoint: Endpoint];
  endpointclosed: [endpoint: Endpoint, reason: EndpointCloseReason];
  close: [];
};

/** What the focus knows the conference by, and the timers of its life. */
export interface ConferenceSpec {
  /** The meeting id (Colibri2 `meeting-id`), unique on the bridge. */
  meetingId: string;
  /** The room's JID, for logs. */
  name: string;
  /** An endpoint whose ICE has not connected this long after creation closes. */
  endpointConnectTimeoutMs: number;
  /** A conference without endpoints this long closes (JVB's expire thread). */
  idleTimeoutMs: number;
}

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
  /** An endpoint came or went, or changed its sources. */
  onChanged(c: Conference): void;
  onEndpointClosed(c: Conference, ep: Endpoint, reason: EndpointCloseReason): void;
  onConferenceClosed(c: Conference): void;
}

export interface ConferenceCounters {
  endpoints: EndpointCounters;
  forwarding: ForwarderCounters;
}

/** A random SSRC for the bridge's own RTCP (never 0). */
function randomSsrc(): number {
  return (randomBytes(4).readUInt32BE(0) % 0xfffffffe) + 1;
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

  /** Created by `MediaServer.createConference`. */
  constructor(spec: ConferenceSpec, parent: ConferenceParent) {
    super((err, event) => parent.log?.error({ err, event, meetingId: spec.meetingId }, 'conference listener threw'));
    this.meetingId = spec.meetingId;
    this.name = spec.name;
    this.#spec = spec;
    this.#parent = parent;
    this.#log = parent.log?.child({ conferenceId: this.id, meetingId: spec.meetingId, room: spec.name });
    this.#armIdleTimer();
    this.#log?.info('conference created');
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

  /** The video source names `endpointId` is sent: every other member's video (no last-N yet). */
  forwardedSourceNames(endpointId: string): string[] {
    const names: string[] = [];
    for (const [id, ep] of this.#endpoints) if (id !== endpointId) names.push(...ep.videoSourceNames);
    return names.sort();
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
      setSources: (e, sources) => this.#setSources(e, sources),
      sourcesChanged: () => this.#parent.onChanged(this),
      setForceMuted: (e, kind, muted) => this.#table.setForceMuted(e.transport, kind, muted),
      isForceMuted: (e, kind) => this.#table.isForceMuted(e.transport, kind),
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

  #setSources(ep: Endpoint, sources: readonly SourceParams[]): void {
    const t = ep.transport;
    for (const s of sources) {
      if (!Number.isInteger(s.ssrc) || s.ssrc < 0 || s.ssrc > 0xffffffff)
        throw new ProtocolError('bad-ssrc', `${s.ssrc}`);
      const owner = this.#table.ownerOf(s.ssrc);
      if (owner !== undefined && owner !== t)
        throw new ProtocolError('ssrc-conflict', `ssrc ${s.ssrc} belongs to another endpoint`);
    }
    this.#table.setSources(t, sources);
    this.#updateProbeStreams();
  }

  #onEndpointClosed(ep: Endpoint, reason: EndpointCloseReason): void {
    if (this.#endpoints.get(ep.id) !== ep) return;
    this.#endpoints.delete(ep.id);
    this.#table.removeMember(ep.transport);
    this.#updateProbeStreams();
    addCounters(this.#closedTotals, ep.counters);
    this.#parent.releaseTransport(ep.transport);
    this.#parent.onEndpointClosed(this, ep, reason);
    this.emit('endpointclosed', ep, reason);
    // Endpoints that hang up or drop out by themselves do not end the conference: the focus still expires them,
    // and a conference it asks about must be there (JVB keeps endpoint-less conferences until its expire thread
    // finds them idle). Only a request that empties it ends it at once (batch).
    if (this.#endpoints.size === 0 && !this.#closed && this.#batchDepth === 0) this.#armIdleTimer();
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
