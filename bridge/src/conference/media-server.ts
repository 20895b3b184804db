// The bridge's media side: one UDP socket, its demultiplexer (demux/), one timer, and the conferences: the one
// registry of conferences on the bridge, by bridge-internal id and by meeting id.
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { InvalidStateError, ProtocolError, TypedEmitter } from '@convene/protocol/lib';
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
import { openUdp, type PacketSocket, type SocketCounters } from '../transport/index.js';
import { NodeSrtpTransform, type SrtpKeyParams, type SrtpTransform } from '../srtp/index.js';
import { Conference, type ConferenceCounters, type ConferenceParent } from './conference.js';
import type { Endpoint, TransportEvents } from './endpoint.js';
import type { VideoEvent } from './video-allocation.js';
import { countEndpointClosed, newConferenceTotals, type ConferenceTotals } from './conference-totals.js';
import { EndpointTransport, newEndpointCounters, type HeaderExtensionIds } from '../pipeline/index.js';
import type { MediaServerOptions } from './media-options.js';

const HOST_PRIORITY = ((126 << 24) | (65535 << 8) | 255) >>> 0;
const UFRAG_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** Datagrams dropped before they reached an endpoint, by reason. */
export type MediaServerDrops = DemuxDrops;

export type MediaServerEvents = {
  /**
   * A conference came or went, an endpoint came, went or changed its sources (with that conference's id), or the
   * server entered graceful shutdown (undefined).
   */
  change: [conferenceId: string | undefined];
  /** A conference's video allocation told a receiver or sender something (for the bridge channel). */
  video: [conferenceId: string, event: VideoEvent];
};

/** Owns the media socket; creates conferences and keeps every one of them. */
export class MediaServer extends TypedEmitter<MediaServerEvents> {
  /** Conferences and endpoints created and ended, by how they ended. */
  readonly totals: ConferenceTotals = newConferenceTotals();
  readonly identity: DtlsIdentity;
  readonly localCandidates: readonly IceCandidate[];
  readonly #udp: PacketSocket;
  /** The socket in use: 'native' (addon, recvmmsg/sendmmsg) or 'node' (dgram). */
  readonly udpImplementation: 'native' | 'node';
  readonly #demux: PacketDemux;
  readonly #log: Logger | undefined;
  readonly #iceTimings: IceTimings;
  readonly #allowLocalCandidates: boolean;
  readonly #dtlsTimeoutMs: number;
  readonly #srtpProfiles: readonly SrtpProfile[];
  readonly #createSrtp: (p: SrtpKeyParams) => SrtpTransform;
  readonly #conferences = new Map<string, Conference>();
  readonly #byMeetingId = new Map<string, Conference>();
  readonly #endpointConnectTimeoutMs: number;
  readonly #conferenceIdleTimeoutMs: number;
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
  readonly #ssrcLimits: { video: number; audio: number };
  #nextReportAt = 0;
  #nextRouteId = randomBytes(4).readUInt32BE(0);
  #gracefulShutdown = false;
  #closed = false;

  private constructor(udp: PacketSocket, udpName: 'native' | 'node', opts: MediaServerOptions) {
    super((err, event) => opts.log?.error({ err, event }, 'media server listener threw'));
    this.#udp = udp;
    this.udpImplementation = udpName;
    this.#endpointConnectTimeoutMs = opts.endpointConnectTimeoutMs ?? 60_000;
    this.#conferenceIdleTimeoutMs = opts.conferenceIdleTimeoutMs ?? 60_000;
    this.#log = opts.log;
    this.#iceTimings = { ...DEFAULT_ICE_TIMINGS, ...opts.ice };
    this.#allowLocalCandidates = opts.allowLocalCandidates ?? false;
    this.#dtlsTimeoutMs = opts.dtlsHandshakeTimeoutMs ?? 30_000;
    this.#srtpProfiles = opts.srtpProfiles ?? [SRTP_AEAD_AES_128_GCM, SRTP_AES128_CM_HMAC_SHA1_80];
    this.#reportIntervalMs = opts.rtcpReportIntervalMs ?? 1000;
    this.#initialMaxHeight = opts.initialMaxHeightPx ?? -1;
    this.#lastN = opts.lastN ?? -1;
    this.#ssrcLimits = opts.ssrcLimits ?? { video: 50, audio: 50 };
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
    udp.setHandler((buf, len, address, port, ageMs) => this.#demux.onDatagram(buf, len, address, port, ageMs));
    this.#timer = setInterval(() => this.#tick(), this.#iceTimings.checkIntervalMs);
    this.#timer.unref();
  }

  /** Binds the media socket (port 10000 unless configured; 0 picks a free one). */
  static async create(opts: MediaServerOptions = {}): Promise<MediaServer> {
    const udp = await openUdp(opts.udpImplementation ?? 'node', {
      port: opts.port ?? 10000,
      bindAddress: opts.bindAddress,
      bufferBytes: opts.socketBufferBytes,
      batch: opts.udpBatch,
      gso: opts.udpGso,
    });
    if (udp.fallback !== undefined) opts.log?.warn({ reason: udp.fallback }, 'udpImplementation auto: using dgram');
    const server = new MediaServer(udp.socket, udp.name, opts);
    opts.log?.info(
      { port: udp.socket.port, candidates: server.localCandidates.length, udp: udp.name },
      'media server up',
    );
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
  get socketCounters(): Readonly<SocketCounters> {
    return this.#udp.counters;
  }

  /**
   * The bridge's own delay per packet it sent while handling a received one, kernel receipt -> sent (a live
   * histogram, transport/packet-socket.ts); undefined on the dgram socket.
   */
  get forwardingDelay(): Float64Array | undefined {
    return this.#udp.forwardingDelay;
  }

  /** Of that delay, the wait in the socket before the bridge read each datagram (live histogram; native only). */
  get receiveWait(): Float64Array | undefined {
    return this.#udp.receiveWait;
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

  byMeetingId(meetingId: string): Conference | undefined {
    return this.#byMeetingId.get(meetingId);
  }

  /** Looks an endpoint up by the ids in a colibri-ws URL. */
  findEndpoint(conferenceId: string, endpointId: string): Endpoint | undefined {
    return this.#conferences.get(conferenceId)?.getEndpoint(endpointId);
  }

  /** The video source names an endpoint is sent (its ForwardedSources). */
  forwardedSources(conferenceId: string, endpointId: string): string[] {
    return this.#conferences.get(conferenceId)?.forwardedSourceNames(endpointId) ?? [];
  }

  /** What a bridge channel that just connected should hear at once (dominant speaker, sender constraints). */
  videoSnapshot(conferenceId: string, endpointId: string): VideoEvent[] {
    return this.#conferences.get(conferenceId)?.videoSnapshot(endpointId) ?? [];
  }

  get endpointCount(): number {
    let n = 0;
    for (const c of this.#conferences.values()) n += c.endpoints.size;
    return n;
  }

  /** Once set, no new conference is accepted (PROTOCOL.md §5.6 `graceful_shutdown`); never unset. */
  get gracefulShutdown(): boolean {
    return this.#gracefulShutdown;
  }

  startGracefulShutdown(): void {
    if (this.#gracefulShutdown) return;
    this.#gracefulShutdown = true;
    this.#log?.info({ conferences: this.#conferences.size }, 'graceful shutdown: no new conferences');
    this.emit('change', undefined);
  }

  /** Creates a conference for a meeting id not in use (`conference-exists` otherwise). */
  createConference(meetingId: string, name = ''): Conference {
    if (this.#closed) throw new InvalidStateError('closed', 'media server');
    if (this.#gracefulShutdown) throw new InvalidStateError('graceful-shutdown', 'media server');
    if (this.#byMeetingId.has(meetingId)) throw new ProtocolError('conference-exists', meetingId);
    const parent: ConferenceParent = {
      log: this.#log,
      localCandidates: this.localCandidates,
      fingerprint: this.identity.fingerprint,
      createTransport: (fwd, ext, events) => this.#createTransport(fwd, ext, events),
      releaseTransport: (t) => this.#releaseTransport(t),
      onChanged: (c) => this.emit('change', c.id),
      onEndpointClosed: (c, _ep, reason) => {
        countEndpointClosed(this.totals, reason);
        this.emit('change', c.id);
      },
      initialMaxHeight: this.#initialMaxHeight,
      lastN: this.#lastN,
      ssrcLimits: this.#ssrcLimits,
      onConferenceClosed: (c) => {
        if (this.#conferences.get(c.id) !== c) return;
        this.#conferences.delete(c.id);
        if (this.#byMeetingId.get(c.meetingId) === c) this.#byMeetingId.delete(c.meetingId);
        addInto(this.#closedTotals, c.counters);
        this.totals.conferencesCompleted++;
        this.totals.conferenceSeconds += Math.round((Date.now() - c.createdAt) / 1000);
        this.emit('change', c.id);
      },
    };
    const c = new Conference(
      {
        meetingId,
        name,
        endpointConnectTimeoutMs: this.#endpointConnectTimeoutMs,
        idleTimeoutMs: this.#conferenceIdleTimeoutMs,
      },
      parent,
    );
    c.on('endpointcreated', () => this.totals.endpointsCreated++);
    c.onVideoEvent((e) => this.emit('video', c.id, e));
    this.#conferences.set(c.id, c);
    this.#byMeetingId.set(meetingId, c);
    this.totals.conferencesCreated++;
    this.emit('change', c.id);
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
        onBandwidthEstimate: (bps) => events.onBandwidthEstimate(bps),
        onAppData: (buf) => events.onAppData(buf),
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
    for (const c of this.#conferences.values()) c.tick(now);
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
