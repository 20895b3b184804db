// One DTLS-SRTP association (RFC 5764), run by OpenSSL in the native addon over memory: datagrams in from the
// demultiplexer, datagrams out through `send`, retransmission from the bridge's one timer. The peer's certificate
// is checked against the signalled fingerprints inside OpenSSL's verify callback, before any key can be exported.
import {
  DTLS_STATE_CLOSED,
  DTLS_STATE_CONNECTED,
  DTLS_STATE_FAILED,
  type NativeDtlsConnection,
} from '../addon/index.js';
import type { DtlsIdentity } from './dtls-identity.js';
import {
  SRTP_PROFILES,
  type DtlsFingerprint,
  type DtlsRole,
  type DtlsState,
  type SrtpKeys,
  type SrtpProfile,
} from './dtls-params.js';
import { parseFingerprints } from './fingerprint.js';

/** Datagrams the bridge writes stay under the smallest path MTU WebRTC assumes. */
const DTLS_MTU = 1200;

export interface DtlsSessionDeps {
  role: DtlsRole;
  identity: DtlsIdentity;
  remoteFingerprints: readonly DtlsFingerprint[];
  send: (buf: Buffer) => void;
  onStateChange: (state: DtlsState, reason?: string) => void;
  onKeys: (keys: SrtpKeys) => void;
  /** Application data (SCTP packets, RFC 8261) received once connected, one record at a time; false: unwanted. */
  onAppData?: (buf: Buffer) => boolean;
  handshakeTimeoutMs: number;
}

/** What the session counted; plain fields, read at scrape time. */
export interface DtlsCounters {
  datagramsIn: number;
  datagramsOut: number;
  retransmits: number;
  /** Application data received after the handshake. */
  appDataBytes: number;
  /** Application data records dropped: more arrived in one datagram than the addon keeps, or nobody takes them. */
  appDataDropped: number;
  /** Records after the handshake too short for the suite's overhead (forged): dropped before OpenSSL sees them. */
  recordsDiscarded: number;
}

/** One DTLS association with one endpoint, driven by datagrams in and a tick for retransmission. */
export class DtlsSession {
  readonly #counters: DtlsCounters = {
    datagramsIn: 0,
    datagramsOut: 0,
    retransmits: 0,
    appDataBytes: 0,
    appDataDropped: 0,
    recordsDiscarded: 0,
  };
  readonly #deps: DtlsSessionDeps;
  #conn: NativeDtlsConnection | undefined;
  #state: DtlsState = 'new';
  #profile: SrtpProfile | undefined;
  #startedAt = 0;
  /** Records that arrived with nobody to take them (no SCTP for this endpoint). */
  #unwanted = 0;

  constructor(deps: DtlsSessionDeps) {
    this.#deps = deps;
  }

  get state(): DtlsState {
    return this.#state;
  }

  get srtpProfile(): SrtpProfile | undefined {
    return this.#profile;
  }

  /** Live while the session runs, frozen when it ends. */
  get counters(): Readonly<DtlsCounters> {
    if (this.#conn !== undefined) this.#readCounters(this.#conn);
    return this.#counters;
  }

  /** Starts the handshake: the client sends its ClientHello, the server waits for one. */
  start(now: number): void {
    if (this.#state !== 'new') return;
    this.#startedAt = now;
    const { identity, role } = this.#deps;
    const conn = new identity.addon.DtlsConnection(identity.native, role === 'server', DTLS_MTU);
    this.#conn = conn;
    this.#setState('connecting');
    const expected = parseFingerprints(this.#deps.remoteFingerprints);
    for (const f of expected) conn.expect(f.hash, f.digest);
    if (expected.length === 0) {
      this.#end('failed', 'no usable fingerprint signalled (sha-256 or stronger required)');
      return;
    }
    this.#after(conn.start());
  }

  /** Retransmits a lost flight when OpenSSL's timer says so; fails the handshake when it takes too long. */
  tick(now: number): void {
    const conn = this.#conn;
    if (this.#state !== 'connecting' || conn === undefined) return;
    if (now - this.#startedAt > this.#deps.handshakeTimeoutMs) {
      this.#end('failed', 'handshake timeout');
      return;
    }
    this.#after(conn.handleTimeout());
  }

  /** Handles one datagram that the demultiplexer classified as DTLS. */
  handleDatagram(buf: Buffer, off: number, len: number, now: number): void {
    if (this.#state === 'new') this.start(now);
    const conn = this.#conn;
    if (conn === undefined || (this.#state !== 'connecting' && this.#state !== 'connected')) return;
    this.#after(conn.feed(buf, off, len));
  }

  /** Sends one application data record (an SCTP packet); false unless connected. */
  write(buf: Buffer): boolean {
    const conn = this.#conn;
    if (conn === undefined || this.#state !== 'connected') return false;
    const ok = conn.write(buf);
    this.#flush(conn);
    return ok;
  }

  /** Sends close_notify when connected, and releases OpenSSL's session. */
  close(): void {
    if (this.#state === 'closed' || this.#state === 'failed') return;
    const conn = this.#conn;
    if (conn !== undefined) {
      conn.close();
      this.#flush(conn);
    }
    this.#end('closed', undefined);
  }

  #after(state: number): void {
    const conn = this.#conn!;
    this.#flush(conn);
    if (state === DTLS_STATE_CONNECTED && this.#state === 'connecting') this.#connected(conn);
    // Data that came with the datagram is delivered before a close_notify behind it ends the session.
    if (this.#conn === conn && (state === DTLS_STATE_CONNECTED || state === DTLS_STATE_CLOSED)) this.#deliver(conn);
    // What ran above (onKeys, onAppData) may have ended the session and freed its connection: nothing more to do.
    if (state === DTLS_STATE_CONNECTED || this.#conn !== conn) return;
    if (state === DTLS_STATE_CLOSED) this.#end('closed', conn.error());
    else if (state === DTLS_STATE_FAILED) this.#end('failed', conn.error());
  }

  #deliver(conn: NativeDtlsConnection): void {
    const records = conn.takeIncoming();
    if (records === undefined) return;
    const onAppData = this.#deps.onAppData;
    if (onAppData === undefined || this.#state !== 'connected') {
      this.#unwanted += records.length;
      return;
    }
    // A record handler may end the session: what is left of the datagram then goes nowhere.
    for (const r of records) if (this.#conn !== conn || !onAppData(r)) this.#unwanted++;
  }

  #flush(conn: NativeDtlsConnection): void {
    const out = conn.takeOutgoing();
    if (out === undefined) return;
    for (const d of out) this.#deps.send(d);
  }

  #connected(conn: NativeDtlsConnection): void {
    const profile = conn.srtpProfile() as SrtpProfile;
    const sizes = SRTP_PROFILES[profile] as (typeof SRTP_PROFILES)[SrtpProfile] | undefined;
    const material = sizes !== undefined ? conn.exportSrtp(2 * (sizes.keyBytes + sizes.saltBytes)) : undefined;
    if (sizes === undefined || material === undefined) {
      this.#end('failed', `no keys for SRTP profile ${profile}`);
      return;
    }
    // RFC 5764 §4.2: client key, server key, client salt, server salt.
    const { keyBytes: key, saltBytes: salt } = sizes;
    const clientKey = material.subarray(0, key);
    const serverKey = material.subarray(key, 2 * key);
    const clientSalt = material.subarray(2 * key, 2 * key + salt);
    const serverSalt = material.subarray(2 * key + salt, 2 * (key + salt));
    const local = this.#deps.role === 'client';
    this.#profile = profile;
    this.#setState('connected');
    this.#deps.onKeys({
      profile,
      localKey: local ? clientKey : serverKey,
      localSalt: local ? clientSalt : serverSalt,
      remoteKey: local ? serverKey : clientKey,
      remoteSalt: local ? serverSalt : clientSalt,
    });
  }

  /** Ends the session once: counters kept, OpenSSL's memory released now rather than at garbage collection. */
  #end(state: 'closed' | 'failed', reason: string | undefined): void {
    const conn = this.#conn;
    if (conn !== undefined) {
      this.#readCounters(conn);
      conn.free();
      this.#conn = undefined;
    }
    this.#setState(state, reason === '' ? undefined : reason);
  }

  #readCounters(conn: NativeDtlsConnection): void {
    const [datagramsIn, datagramsOut, retransmits, appDataBytes, dropped, recordsDiscarded] = conn.counters();
    Object.assign(this.#counters, { datagramsIn, datagramsOut, retransmits, appDataBytes, recordsDiscarded });
    this.#counters.appDataDropped = dropped + this.#unwanted;
  }

  #setState(state: DtlsState, reason?: string): void {
    if (this.#state === state) return;
    this.#state = state;
    this.#deps.onStateChange(state, reason);
  }
}
