// An attack tool, not a DTLS implementation to trust: the TypeScript DTLS 1.2 client the bridge ran before it moved
// to OpenSSL (ECDHE with AES-128-GCM, DTLS-SRTP), kept so test/security can present a victim's certificate
// without its key (no CertificateVerify) and see the bridge refuse. Client role only.
import { type DtlsCertificate } from './certificate.js';
import { clientMessage, startClient } from './client-handshake.js';
import { type DtlsFingerprint, type DtlsRole, type DtlsState, type SrtpKeys, type SrtpProfile } from './dtls-params.js';
import { FlightWriter } from './flight-writer.js';
import {
  CT_ALERT,
  CT_APPLICATION_DATA,
  CT_CHANGE_CIPHER_SPEC,
  CT_HANDSHAKE,
  HT_CLIENT_HELLO,
  Reader,
} from './handshake-codec.js';
import { HandshakeReassembler } from './handshake-reassembler.js';
import { HandshakeState, type HandshakeContext } from './handshake-state.js';
import { RECORD_HEADER_LENGTH } from './record-cipher.js';

export interface AttackerDtlsDeps {
  role: DtlsRole;
  certificate: DtlsCertificate;
  remoteFingerprints: readonly DtlsFingerprint[];
  /** Offered or accepted SRTP profiles, most preferred first. */
  srtpProfiles: readonly SrtpProfile[];
  send: (buf: Buffer) => void;
  onStateChange: (state: DtlsState, reason?: string) => void;
  onKeys: (keys: SrtpKeys) => void;
  handshakeTimeoutMs: number;
}

interface DtlsCounters {
  recordsIn: number;
  malformed: number;
  authFailed: number;
  unexpected: number;
  retransmits: number;
}

/** One DTLS association with one endpoint, driven by datagrams in and a tick for retransmission. */
export class AttackerDtlsClient {
  readonly counters: DtlsCounters = { recordsIn: 0, malformed: 0, authFailed: 0, unexpected: 0, retransmits: 0 };
  readonly #deps: AttackerDtlsDeps;
  #state: DtlsState = 'new';
  #startedAt = 0;
  #readEpoch = 0;
  readonly #inbox: HandshakeReassembler;
  readonly #hs: HandshakeState;
  readonly #flight: FlightWriter;
  readonly #ctx: HandshakeContext;

  constructor(deps: AttackerDtlsDeps) {
    this.#deps = deps;
    this.#inbox = new HandshakeReassembler(deps.role === 'client' ? 0 : -1); // a server learns it from the ClientHello
    this.#hs = new HandshakeState(deps.role);
    this.#flight = new FlightWriter({
      send: (buf) => this.#deps.send(buf),
      cipher: () => this.#hs.cipher,
      connecting: () => this.#state === 'connecting',
    });
    this.#ctx = { hs: this.#hs, flight: this.#flight, deps, connected: () => this.#connected() };
  }

  get state(): DtlsState {
    return this.#state;
  }

  get srtpProfile(): SrtpProfile | undefined {
    return this.#hs.profile;
  }

  /** Starts the handshake: the client sends its ClientHello, the server waits for one. */
  start(now: number): void {
    if (this.#state !== 'new') return;
    this.#startedAt = now;
    this.#setState('connecting');
    if (this.#deps.role === 'client') startClient(this.#ctx, now);
  }

  tick(now: number): void {
    if (this.#state !== 'connecting') return;
    if (now - this.#startedAt > this.#deps.handshakeTimeoutMs) {
      this.#fail('handshake timeout');
      return;
    }
    if (this.#flight.due(now)) {
      this.counters.retransmits++;
      this.#flight.retransmit(now);
    }
  }

  /** Handles one datagram that the demultiplexer classified as DTLS. */
  handleDatagram(buf: Buffer, off: number, len: number, now: number): void {
    if (this.#state === 'closed' || this.#state === 'failed') return;
    if (this.#state === 'new') this.start(now);
    const end = off + len;
    let p = off;
    let resend = false;
    while (p < end) {
      if (end - p < RECORD_HEADER_LENGTH) {
        this.counters.malformed++;
        return;
      }
      const type = buf[p]!;
      const epoch = buf.readUInt16BE(p + 3);
      const recLen = buf.readUInt16BE(p + 11);
      const recEnd = p + RECORD_HEADER_LENGTH + recLen;
      if (recEnd > end || type < CT_CHANGE_CIPHER_SPEC || type > CT_APPLICATION_DATA) {
        this.counters.malformed++;
        return;
      }
      this.counters.recordsIn++;
      let body: Buffer | undefined;
      const cipher = this.#hs.cipher;
      if (epoch === 0) {
        body = buf.subarray(p + RECORD_HEADER_LENGTH, recEnd);
      } else if (epoch === 1 && cipher !== undefined && this.#readEpoch === 1) {
        body = cipher.open(buf, p, recEnd - p);
        if (body === undefined) this.counters.authFailed++;
      } else {
        this.counters.unexpected++; // a future epoch before its ChangeCipherSpec, or garbage
      }
      p = recEnd;
      if (body === undefined) continue;
      if (this.#state === 'connected' && epoch === 0 && type !== CT_HANDSHAKE) {
        this.counters.unexpected++; // once keyed, plaintext alerts and CCS are junk, not a reason to stop
        continue;
      }
      try {
        if (this.#onRecord(type, epoch, body, now)) resend = true;
      } catch (err) {
        if (this.#state === 'connected') {
          this.counters.malformed++; // junk after the handshake must not tear the association down
          continue;
        }
        this.#fail(err instanceof Error ? err.message : 'handshake error');
        return;
      }
      if ((this.#state as DtlsState) === 'failed' || (this.#state as DtlsState) === 'closed') return;
    }
    if (resend) this.#flight.resend(now);
  }

  close(): void {
    if (this.#state === 'closed') return;
    if (this.#state === 'connected') this.#flight.sendAlert(1, 0); // close_notify
    this.#flight.drop();
    this.#setState('closed');
  }

  /** Returns true when the peer repeated an old flight, so ours should go again. */
  #onRecord(type: number, epoch: number, body: Buffer, now: number): boolean {
    switch (type) {
      case CT_HANDSHAKE:
        return this.#onHandshakeRecord(body, epoch, now);
      case CT_CHANGE_CIPHER_SPEC:
        if (this.#hs.cipher === undefined) {
          this.counters.unexpected++;
          return false;
        }
        this.#readEpoch = 1;
        return false;
      case CT_ALERT:
        if (body.length >= 2) {
          if (body[1] === 0) this.#setState('closed', 'peer sent close_notify');
          else if (body[0] === 2) this.#setState('failed', `peer sent fatal alert ${body[1]}`);
        }
        return false;
      default:
        this.counters.unexpected++; // application data: no SCTP on this path yet
        return false;
    }
  }

  #onHandshakeRecord(body: Buffer, epoch: number, now: number): boolean {
    let resend = false;
    const r = new Reader(body);
    while (r.remaining >= 12) {
      const type = r.u8();
      const length = r.u24();
      const msgSeq = r.u16();
      const fragOff = r.u24();
      const frag = r.vec24();
      const inbox = this.#inbox;
      if (inbox.next < 0 && this.#deps.role === 'server' && type === HT_CLIENT_HELLO) inbox.next = msgSeq;
      // RFC 6347 §4.2.4: an earlier message again means the peer lost our last flight.
      if (this.#state === 'connected' || !inbox.add(type, length, msgSeq, fragOff, frag)) resend = true;
    }
    for (let m = this.#inbox.take(); m !== undefined; m = this.#inbox.take()) {
      clientMessage(this.#ctx, m.type, m.body, m.whole, epoch, now);
      if (this.#state !== 'connecting') break;
    }
    return resend;
  }

  #connected(): void {
    const keys = this.#hs.srtpKeys();
    this.#setState('connected');
    this.#deps.onKeys(keys);
  }

  #fail(reason: string): void {
    if (this.#state === 'failed' || this.#state === 'closed') return;
    this.#flight.sendAlert(2, 40); // handshake_failure
    this.#flight.drop();
    this.#setState('failed', reason);
  }

  #setState(state: DtlsState, reason?: string): void {
    if (this.#state === state) return;
    this.#state = state;
    this.#deps.onStateChange(state, reason);
  }
}
