// The bridge's media side: one UDP socket, the demultiplexer, one timer, and the conferences.
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
import {
  DEFAULT_ICE_TIMINGS,
  STUN_BINDING_REQUEST,
  readStun,
  type IceCandidate,
  type IceTimings,
} from '../ice/index.js';
import { PACKET_DTLS, PACKET_RTCP, PACKET_RTP, PACKET_STUN, UdpTransport, classifyPacket } from '../transport/index.js';
import { NodeSrtpTransform, type SrtpKeyParams, type SrtpTransform } from '../srtp/index.js';
import { Conference, type ConferenceCounters, type ConferenceParent } from './conference.js';
import type { Endpoint } from './endpoint.js';
import { EndpointTransport, newEndpointCounters, type HeaderExtensionIds } from './endpoint-transport.js';
import type { MediaServerOptions } from './media-options.js';

const HOST_PRIORITY = ((126 << 24) | (65535 << 8) | 255) >>> 0;
const UFRAG_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** Datagrams dropped before they reached an endpoint, by reason. */
export interface MediaServerDrops {
  unknownProtocol: number;
  stunMalformed: number;
  stunUnknownUfrag: number;
  stunUnmatchedResponse: number;
  /** DTLS or RTP/RTCP from an address that is no endpoint's selected pair. */
  notSelectedAddress: number;
  /** The handler threw: a bug; the datagram is dropped and the bridge goes on. */
  internalError: number;
}

/** Owns the media socket; creates conferences. */
export class MediaServer {
  readonly identity: DtlsIdentity;
  readonly localCandidates: readonly IceCandidate[];
  readonly drops: MediaServerDrops = {
    unknownProtocol: 0,
    stunMalformed: 0,
    stunUnknownUfrag: 0,
    stunUnmatchedResponse: 0,
    notSelectedAddress: 0,
    internalError: 0,
  };
  readonly #udp: UdpTransport;
  readonly #log: Logger | undefined;
  readonly #iceTimings: IceTimings;
  readonly #allowLocalCandidates: boolean;
  readonly #dtlsTimeoutMs: number;
  readonly #srtpProfiles: readonly SrtpProfile[];
  readonly #createSrtp: (p: SrtpKeyParams) => SrtpTransform;
  readonly #conferences = new Map<string, Conference>();
  readonly #byUfrag = new Map<string, EndpointTransport>();
  readonly #byRouteId = new Map<number, EndpointTransport>();
  /** address -> port -> transport of the selected pair; two lookups, no key string per packet. */
  readonly #byAddress = new Map<string, Map<number, EndpointTransport>>();
  readonly #transports = new Set<EndpointTransport>();
  /** Counts of conferences that already closed, so process totals never go down (STYLE.md §2.9). */
  readonly #closedTotals: ConferenceCounters = {
    endpoints: newEndpointCounters(),
    forwarding: newForwarderCounters(),
  };
  /** Peer addresses that passed a check, for DTLS that races our nomination (no per-packet use once selected). */
  readonly #checked = new Map<string, EndpointTransport>();
  readonly #timer: NodeJS.Timeout;
  readonly #reportIntervalMs: number;
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
    this.#createSrtp = opts.createSrtp ?? ((p) => new NodeSrtpTransform(p));
    this.identity = createDtlsIdentity('convene-bridge', this.#srtpProfiles);
    this.localCandidates = (opts.advertisedAddresses ?? ['127.0.0.1']).map((address) => ({
      address,
      port: udp.port,
      priority: HOST_PRIORITY,
      type: 'host' as const,
    }));
    udp.setHandler((buf, len, address, port) => this.#onDatagram(buf, len, address, port));
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
      createTransport: (fwd, ext, ep) => this.#createTransport(fwd, ext, ep),
      releaseTransport: (t) => this.#releaseTransport(t),
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
    endpoint: () => Endpoint | undefined,
  ): EndpointTransport {
    let ufrag = randomString(8);
    while (this.#byUfrag.has(ufrag)) ufrag = randomString(8);
    let routeId = (this.#nextRouteId = (this.#nextRouteId + 1) >>> 0);
    while (this.#byRouteId.has(routeId)) routeId = this.#nextRouteId = (this.#nextRouteId + 1) >>> 0;
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
        onSelected: (tr, address, port) => this.#select(tr, address, port),
        onPeerAddress: (tr, address, port) => this.#checked.set(`${address}|${port}`, tr),
        onIceState: (s) => endpoint()?.reportIceState(s),
        onDtlsState: (s, reason) => endpoint()?.reportDtlsState(s, reason),
      },
      { ufrag, pwd: randomString(24) },
    );
    this.#byUfrag.set(ufrag, t);
    this.#byRouteId.set(routeId, t);
    this.#transports.add(t);
    return t;
  }

  #releaseTransport(t: EndpointTransport): void {
    this.#transports.delete(t);
    if (this.#byUfrag.get(t.ice.local.ufrag) === t) this.#byUfrag.delete(t.ice.local.ufrag);
    for (const [id, x] of this.#byRouteId) if (x === t) this.#byRouteId.delete(id);
    for (const [k, x] of this.#checked) if (x === t) this.#checked.delete(k);
    this.#unmapAddress(t);
  }

  #select(t: EndpointTransport, address: string, port: number): void {
    this.#unmapAddress(t);
    for (const [k, x] of this.#checked) if (x === t) this.#checked.delete(k);
    let ports = this.#byAddress.get(address);
    if (ports === undefined) {
      ports = new Map();
      this.#byAddress.set(address, ports);
    }
    ports.set(port, t);
  }

  #unmapAddress(t: EndpointTransport): void {
    if (t.address === '') return;
    const ports = this.#byAddress.get(t.address);
    if (ports?.get(t.port) === t) {
      ports.delete(t.port);
      if (ports.size === 0) this.#byAddress.delete(t.address);
    }
  }

  #onDatagram(buf: Buffer, len: number, address: string, port: number): void {
    try {
      this.#demux(buf, len, address, port);
    } catch (err) {
      // A bug, not bad input (that is dropped and counted below): count it, log it rarely, keep serving.
      if (this.drops.internalError++ % 1000 === 0) this.#log?.error({ err, address, port }, 'datagram handler threw');
    }
  }

  #demux(buf: Buffer, len: number, address: string, port: number): void {
    const kind = classifyPacket(buf, 0, len);
    if (kind === PACKET_STUN) {
      this.#onStun(buf, len, address, port);
      return;
    }
    const t = this.#byAddress.get(address)?.get(port);
    if (t === undefined) {
      if (
        kind === PACKET_DTLS &&
        this.#checked.get(`${address}|${port}`)?.holdEarlyDtls(buf, len, address, port) === true
      )
        return;
      if (kind === PACKET_RTP || kind === PACKET_RTCP || kind === PACKET_DTLS) this.drops.notSelectedAddress++;
      else this.drops.unknownProtocol++;
      return;
    }
    if (kind === PACKET_RTP) t.onRtp(buf, len);
    else if (kind === PACKET_RTCP) t.onRtcp(buf, len);
    else if (kind === PACKET_DTLS) t.onDtls(buf, len, Date.now());
    else this.drops.unknownProtocol++;
  }

  #onStun(buf: Buffer, len: number, address: string, port: number): void {
    const msg = readStun(buf, 0, len);
    if (msg === undefined) {
      this.drops.stunMalformed++;
      return;
    }
    let t: EndpointTransport | undefined;
    if (msg.type === STUN_BINDING_REQUEST) {
      const u = msg.username;
      const colon = u === undefined ? -1 : u.indexOf(':');
      t = colon < 0 ? undefined : this.#byUfrag.get(u!.slice(0, colon));
      if (t === undefined) {
        this.drops.stunUnknownUfrag++;
        return;
      }
    } else {
      // Our transaction ids start with the endpoint's route id (see IceAgent).
      t = this.#byRouteId.get(msg.transactionId.readUInt32BE(0));
      if (t === undefined) {
        this.drops.stunUnmatchedResponse++;
        return;
      }
    }
    t.onStun(msg, address, port, Date.now());
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
