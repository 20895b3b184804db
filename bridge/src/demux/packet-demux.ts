// Which endpoint a datagram on the shared socket belongs to (RFC 7983 first byte, then): STUN requests by the
// local ufrag in USERNAME, STUN responses by the route id our transaction ids start with, everything else by the
// selected pair's address and port. Hot path: two map lookups, no key string per packet, drops counted by reason.
import { STUN_BINDING_REQUEST, readStun } from '../ice/index.js';
import type { EndpointTransport } from '../pipeline/index.js';
import { PACKET_DTLS, PACKET_RTCP, PACKET_RTP, PACKET_STUN, classifyPacket } from '../transport/index.js';

/** Datagrams dropped before they reached an endpoint, by reason. */
export interface DemuxDrops {
  unknownProtocol: number;
  stunMalformed: number;
  stunUnknownUfrag: number;
  stunUnmatchedResponse: number;
  /** DTLS or RTP/RTCP from an address that is no endpoint's selected pair. */
  notSelectedAddress: number;
  /** The handler threw: a bug; the datagram is dropped and the bridge goes on. */
  internalError: number;
}

/** The routing tables from the shared socket to the endpoints' pipelines. */
export class PacketDemux {
  readonly drops: DemuxDrops = {
    unknownProtocol: 0,
    stunMalformed: 0,
    stunUnknownUfrag: 0,
    stunUnmatchedResponse: 0,
    notSelectedAddress: 0,
    internalError: 0,
  };
  readonly #byUfrag = new Map<string, EndpointTransport>();
  readonly #byRouteId = new Map<number, EndpointTransport>();
  /** address -> port -> transport of the selected pair; two lookups, no key string per packet. */
  readonly #byAddress = new Map<string, Map<number, EndpointTransport>>();
  /** Peer addresses that passed a check, for DTLS that races our nomination (no per-packet use once selected). */
  readonly #checked = new Map<string, EndpointTransport>();
  readonly #onError: (err: unknown, address: string, port: number) => void;

  /** `onError` hears of a handler that threw (a bug), rarely: once per thousand. */
  constructor(onError: (err: unknown, address: string, port: number) => void) {
    this.#onError = onError;
  }

  hasUfrag(ufrag: string): boolean {
    return this.#byUfrag.has(ufrag);
  }

  hasRouteId(routeId: number): boolean {
    return this.#byRouteId.has(routeId);
  }

  /** A new pipeline: reachable by its ufrag and route id until released. */
  add(t: EndpointTransport): void {
    this.#byUfrag.set(t.ice.local.ufrag, t);
    this.#byRouteId.set(t.routeId, t);
  }

  remove(t: EndpointTransport): void {
    if (this.#byUfrag.get(t.ice.local.ufrag) === t) this.#byUfrag.delete(t.ice.local.ufrag);
    if (this.#byRouteId.get(t.routeId) === t) this.#byRouteId.delete(t.routeId);
    for (const [k, x] of this.#checked) if (x === t) this.#checked.delete(k);
    this.#unmapAddress(t);
  }

  /** The peer checked `t` from this address; DTLS from it may come before our nomination completes. */
  peerChecked(t: EndpointTransport, address: string, port: number): void {
    this.#checked.set(`${address}|${port}`, t);
  }

  /** ICE selected this pair for `t`: its media comes from (and goes to) there now. */
  select(t: EndpointTransport, address: string, port: number): void {
    this.#unmapAddress(t);
    for (const [k, x] of this.#checked) if (x === t) this.#checked.delete(k);
    let ports = this.#byAddress.get(address);
    if (ports === undefined) {
      ports = new Map();
      this.#byAddress.set(address, ports);
    }
    ports.set(port, t);
  }

  /** One datagram from the socket (`ageMs` since the kernel got it): to its endpoint's pipeline, or counted. */
  onDatagram(buf: Buffer, len: number, address: string, port: number, ageMs = 0): void {
    try {
      this.#route(buf, len, address, port, ageMs);
    } catch (err) {
      // A bug, not bad input (that is dropped and counted below): count it, report it rarely, keep serving.
      if (this.drops.internalError++ % 1000 === 0) this.#onError(err, address, port);
    }
  }

  #route(buf: Buffer, len: number, address: string, port: number, ageMs: number): void {
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
    if (kind === PACKET_RTP) t.onRtp(buf, len, ageMs);
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

  #unmapAddress(t: EndpointTransport): void {
    if (t.address === '') return;
    const ports = this.#byAddress.get(t.address);
    if (ports?.get(t.port) === t) {
      ports.delete(t.port);
      if (ports.size === 0) this.#byAddress.delete(t.address);
    }
  }
}
