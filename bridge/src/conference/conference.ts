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

  /** Created by `MediaServer.createConference`. */
  constructor(id: string, parent: ConferenceParent) {
    super((err, event) => parent.log?.error({ err, event, conferenceId: id }, 'conference listener threw'));
    this.id = id;
    this.#parent = parent;
    this.#log = parent.log?.child({ conferenceId: id });
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
      onEndpointClosed: (e) => this.#onEndpointClosed(e),
    };
    const ep = new Endpoint(
      id,
      (events) => this.#parent.createTransport(this.#forwarder, this.#extensions, events),
      parent,
    );
    this.#endpoints.set(id, ep);
    this.#table.addMember(ep.transport);
    this.#updateProbeStreams();
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
    this.#table.setSources(t, sources);
    this.#updateProbeStreams();
  }

  #onEndpointClosed(ep: Endpoint): void {
    if (this.#endpoints.get(ep.id) !== ep) return;
    this.#endpoints.delete(ep.id);
    this.#table.removeMember(ep.transport);
    this.#updateProbeStreams();
    addCounters(this.#closedTotals, ep.counters);
    this.#parent.releaseTransport(ep.transport);
    this.emit('endpointclosed', ep);
  }

  /** Closes every endpoint, then leaves the media server; `close` is the last event. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const ep of [...this.#endpoints.values()]) ep.close('conference closed');
    this.#parent.onConferenceClosed(this);
    this.#log?.info('conference closed');
    this.emit('close');
  }
}

function addCounters(into: EndpointCounters, from: Readonly<EndpointCounters>): void {
  for (const k of Object.keys(into) as Array<keyof EndpointCounters>) into[k] += from[k];
}
