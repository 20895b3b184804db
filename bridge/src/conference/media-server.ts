// The bridge's media side: one UDP socket, its demultiplexer (demux/), one timer, and the conferences.
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { InvalidStateError, ProtocolError } from '@convene/protocol/lib';
import {
  SRTP_AEAD_AES_128_GCM,
  SRTP_AES128_CM_HMAC_SHA1_80,
  createDtlsIdentity,
  type DtlsIdentity,
  type SrtpProfile,
} from '../dtls/index.js';
import { newForwarderCounters, type Forwarder } from '../forward/index.js';
import { PacketDemux, type DemuxDrops } from '../demux/index.js';
import { DEFAULT_ICE_TIMINGS, type IceCandidate, type IceTimings } from '../ice/index.js';
import { UdpTransport } from '../transport/index.js';
import { NodeSrtpTransform, type SrtpKeyParams, type SrtpTransform } from '../srtp/index.js';
import { Conference, type ConferenceCounters, type ConferenceParent } from './conference.js';
import type { TransportEvents } from './endpoint.js';
import { EndpointTransport, newEndpointCounters, type HeaderExtensionIds } from '../pipeline/index.js';
import type { MediaServerOptions } from './media-options.js';

const HOST_PRIORITY = ((126 << 24) | (65535 << 8) | 255) >>> 0;
const UFRAG_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** Datagrams dropped before they reached an endpoint, by reason. */
export type MediaServerDrops = DemuxDrops;

/** Owns the media socket; creates conferences. */
export class MediaServer {
  readonly identity: DtlsIdentity;
  readonly localCandidates: readonly IceCandidate[];
  readonly #udp: UdpTransport;
  readonly #demux: PacketDemux;
  readonly #log: Logger | undefined;
  readonly #iceTimings: IceTimings;
  readonly #allowLocalCandidates: boolean;
  readonly #dtlsTimeoutMs: number;
  readonly #srtpProfiles: readonly SrtpProfile[];
  readonly #createSrtp: (p: SrtpKeyParams) => SrtpTransform;
  readonly #conferences = new Map<string, Conference>();
  readonly #transports = new Set<EndpointTransport>();
  /** Counts of conferences that already closed, so process totals never go down (STYLE.md §2.9). */
  readonly #closedTotals: ConferenceCounters = {
    endpoints: newEndpointCounters(),
    forwarding: newForwarderCounters(),
  };
  readonly #timer: NodeJS.Timeout;
  readonly #reportIntervalMs: number;
  readonly #initialMaxHeight: number;
  readonly #lastN: number;
  #nextReportAt = 0;
  #nextRouteId = randomBytes(4).readUInt32BE(0);
  #closed = false;

  private constructor(udp: UdpTransport, opts: MediaServerOptions) {
    this.#udp = udp;
    this.#log = opts.log;
    this.#iceTimings = { ...DEFAULT_ICE_TIMINGS, ...opts.ice };
    this.#allowLocalCandidates = opts.allowLocalCandidates ?? false;
    this.#dtlsTimeoutMs = opts.dtlsHandshakeTimeoutMs ?? 30_000;
    this.#srtpProfiles = opts.srtpProfiles ?? [SRTP_AEAD_AES_128_GCM, SRTP_AES128_CM_HMAC_SHA1_80];
    this.#reportIntervalMs = opts.rtcpReportIntervalMs ?? 1000;
    this.#initialMaxHeight = opts.initialMaxHeightPx ?? -1;
    this.#lastN = opts.lastN ?? -1;
    this.#createSrtp = opts.createSrtp ?? ((p) => new NodeSrtpTransform(p));
    this.identity = createDtlsIdentity('convene-bridge', this.#srtpProfiles);
    this.localCandidates = (opts.advertisedAddresses ?? ['127.0.0.1']).map((address) => ({
      address,
      port: udp.port,
      priority: HOST_PRIORITY,
      type: 'host' as const,
    }));
    this.#demux = new PacketDemux((err, address, port) =>
      this.#log?.error({ err, address, port }, 'datagram handler threw'),
    );
    udp.setHandler((buf, len, address, port) => this.#demux.onDatagram(buf, len, address, port));
    this.#timer = setInterval(() => this.#tick(), this.#iceTimings.checkIntervalMs);
    this.#timer.unref();
  }

  /** Binds the media socket (port 10000 unless configured; 0 picks a free one). */
  static async create(opts: MediaServerOptions = {}): Promise<MediaServer> {
    const udp = await UdpTransport.create({
      port: opts.port ?? 10000,
      bindAddress: opts.bindAddress,
      bufferBytes: opts.socketBufferBytes,
    });
    const server = new MediaServer(udp, opts);
    opts.log?.info({ port: udp.port, candidates: server.localCandidates.length }, 'media server up');
    return server;
  }

  get port(): number {
    return this.#udp.port;
  }

  /** Datagrams dropped before they reached an endpoint, by reason. */
  get drops(): Readonly<MediaServerDrops> {
    return this.#demux.drops;
  }

  get conferences(): ReadonlyMap<string, Conference> {
    return this.#conferences;
  }

  /** Socket-level counters: datagrams and bytes in and out. */
  get socketCounters(): Readonly<UdpTransport['counters']> {
    return this.#udp.counters;
  }

  /** Process totals over every conference, open and closed; metrics/ reads this at scrape time. */
  get counters(): ConferenceCounters {
    const sum: ConferenceCounters = {
      endpoints: { ...this.#closedTotals.endpoints },
      forwarding: { ...this.#closedTotals.forwarding },
    };
    for (const c of this.#conferences.values()) addInto(sum, c.counters);
    return sum;
  }

  getConference(id: string): Conference | undefined {
    return this.#conferences.get(id);
  }

  createConference(id: string): Conference {
    if (this.#closed) throw new InvalidStateError('closed', 'media server');
    if (this.#conferences.has(id)) throw new ProtocolError('conference-exists', id);
    const parent: ConferenceParent = {
      log: this.#log,
      localCandidates: this.localCandidates,
      fingerprint: this.identity.fingerprint,
      createTransport: (fwd, ext, events) => this.#createTransport(fwd, ext, events),
      releaseTransport: (t) => this.#releaseTransport(t),
      initialMaxHeight: this.#initialMaxHeight,
      lastN: this.#lastN,
      onConferenceClosed: (c) => {
        if (this.#conferences.get(c.id) !== c) return;
        this.#conferences.delete(c.id);
        addInto(this.#closedTotals, c.counters);
      },
    };
    const c = new Conference(id, parent);
    this.#conferences.set(id, c);
    this.#log?.info({ conferenceId: id }, 'conference created');
    return c;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    for (const c of [...this.#conferences.values()]) c.close();
    this.#udp.close();
    this.#log?.info('media server closed');
  }

  #createTransport(
    forwarder: Forwarder,
    extensions: Readonly<HeaderExtensionIds>,
    events: TransportEvents,
  ): EndpointTransport {
    let ufrag = randomString(8);
    while (this.#demux.hasUfrag(ufrag)) ufrag = randomString(8);
    let routeId = (this.#nextRouteId = (this.#nextRouteId + 1) >>> 0);
    while (this.#demux.hasRouteId(routeId)) routeId = this.#nextRouteId = (this.#nextRouteId + 1) >>> 0;
    const t = new EndpointTransport(
      {
        routeId,
        udp: this.#udp,
        identity: this.identity,
        iceTimings: this.#iceTimings,
        allowLocalCandidates: this.#allowLocalCandidates,
        dtlsHandshakeTimeoutMs: this.#dtlsTimeoutMs,
        forwarder,
        extensions,
        createSrtp: this.#createSrtp,
        onSelected: (tr, address, port) => this.#demux.select(tr, address, port),
        onPeerAddress: (tr, address, port) => this.#demux.peerChecked(tr, address, port),
        onIceState: (s) => events.onIceState(s),
        onDtlsState: (s, reason) => events.onDtlsState(s, reason),
      },
      { ufrag, pwd: randomString(24) },
    );
    this.#demux.add(t);
    this.#transports.add(t);
    return t;
  }

  #releaseTransport(t: EndpointTransport): void {
    this.#transports.delete(t);
    this.#demux.remove(t);
  }

  #tick(): void {
    const now = Date.now();
    for (const t of this.#transports) t.tick(now);
    if (now >= this.#nextReportAt) {
      this.#nextReportAt = now + this.#reportIntervalMs;
      for (const t of this.#transports) t.sendReceiverReport(now);
    }
  }
}

function addInto(into: ConferenceCounters, from: ConferenceCounters): void {
  for (const k of Object.keys(into.endpoints) as Array<keyof ConferenceCounters['endpoints']>)
    into.endpoints[k] += from.endpoints[k];
  for (const k of Object.keys(into.forwarding) as Array<keyof ConferenceCounters['forwarding']>) {
    into.forwarding[k] += from.forwarding[k];
  }
}

function randomString(n: number): string {
  const bytes = randomBytes(n);
  let s = '';
  for (let i = 0; i < n; i++) s += UFRAG_CHARS[bytes[i]! % UFRAG_CHARS.length];
  return s;
}
