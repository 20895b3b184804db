// Over 400 lines on purpose: one DTLS state machine whose two roles share the record, flight and transcript state.
// DTLS 1.2 (RFC 6347) for DTLS-SRTP (RFC 5764), both roles, one cipher suite family: ECDHE with AES-128-GCM.
// Written here because werift is not installed in this workspace; it runs over any send callback, so the
// single shared socket stays below it. The handshake is rare, so it favours clarity over allocation.
import { X509Certificate, createECDH, createHash, sign, type ECDH, type KeyObject } from 'node:crypto';
import { fingerprintOf, type DtlsCertificate } from './certificate.js';
import {
  CT_ALERT,
  CT_APPLICATION_DATA,
  CT_CHANGE_CIPHER_SPEC,
  CT_HANDSHAKE,
  CURVE_SECP256R1,
  DTLS_1_2,
  EMPTY_RENEGOTIATION_INFO_SCSV,
  EXT_EC_POINT_FORMATS,
  EXT_EXTENDED_MASTER_SECRET,
  EXT_RENEGOTIATION_INFO,
  EXT_SIGNATURE_ALGORITHMS,
  EXT_SUPPORTED_GROUPS,
  EXT_USE_SRTP,
  HT_CERTIFICATE,
  HT_CERTIFICATE_REQUEST,
  HT_CERTIFICATE_VERIFY,
  HT_CLIENT_HELLO,
  HT_CLIENT_KEY_EXCHANGE,
  HT_FINISHED,
  HT_HELLO_VERIFY_REQUEST,
  HT_SERVER_HELLO,
  HT_SERVER_HELLO_DONE,
  HT_SERVER_KEY_EXCHANGE,
  Reader,
  SIG_ECDSA_SECP256R1_SHA256,
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
  readHello,
  readUseSrtp,
  u16,
  u24,
  u8,
  vec16,
  vec24,
  vec8,
  writeExtensions,
  writeUseSrtp,
} from './handshake-codec.js';
import { HandshakeReassembler } from './handshake-reassembler.js';
import { finishedData, masterSecret, newRandom, recordCipher, srtpKeys, verifySignature } from './key-schedule.js';
import { RECORD_HEADER_LENGTH, type RecordCipher } from './record-cipher.js';
import { type DtlsFingerprint, type DtlsRole, type DtlsState, type SrtpKeys, type SrtpProfile } from './dtls-params.js';

const TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 = 0xc02f;
const MAX_DATAGRAM = 1200;
const INITIAL_RTO_MS = 1000;
const MAX_RTO_MS = 8000;
const SIGNATURE_ALGORITHMS = [0x0403, 0x0503, 0x0603, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601];

export interface DtlsSessionDeps {
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

export interface DtlsCounters {
  recordsIn: number;
  malformed: number;
  authFailed: number;
  unexpected: number;
  retransmits: number;
}

interface FlightRecord {
  type: number;
  epoch: number;
  body: Buffer;
}

/** One DTLS association with one endpoint, driven by datagrams in and a tick for retransmission. */
export class DtlsSession {
  readonly counters: DtlsCounters = { recordsIn: 0, malformed: 0, authFailed: 0, unexpected: 0, retransmits: 0 };
  readonly #deps: DtlsSessionDeps;
  #state: DtlsState = 'new';
  #startedAt = 0;
  readonly #writeSeq = [0, 0];
  #writeEpoch = 0;
  #readEpoch = 0;
  #cipher: RecordCipher | undefined;
  #msgSeqOut = 0;
  readonly #inbox: HandshakeReassembler;
  #transcript: Buffer[] = [];
  #flight: FlightRecord[] = [];
  #retransmitAt = Infinity;
  #rto = INITIAL_RTO_MS;
  #clientRandom: Buffer = Buffer.alloc(0);
  #serverRandom: Buffer = Buffer.alloc(0);
  #ecdh: ECDH | undefined;
  #ems = false;
  #profile: SrtpProfile | undefined;
  #master: Buffer | undefined;
  #peerKey: KeyObject | undefined;
  #peerEcPoint: Buffer | undefined;
  #certificateRequested = false;

  constructor(deps: DtlsSessionDeps) {
    this.#deps = deps;
    this.#inbox = new HandshakeReassembler(deps.role === 'client' ? 0 : -1); // a server learns it from the ClientHello
  }

  get state(): DtlsState {
    return this.#state;
  }

  get srtpProfile(): SrtpProfile | undefined {
    return this.#profile;
  }

  /** Starts the handshake: the client sends its ClientHello, the server waits for one. */
  start(now: number): void {
    if (this.#state !== 'new') return;
    this.#startedAt = now;
    this.#setState('connecting');
    if (this.#deps.role === 'client') {
      this.#clientRandom = newRandom();
      this.#sendFlight([this.#handshake(HT_CLIENT_HELLO, this.#clientHello(Buffer.alloc(0)))], now);
    }
  }

  tick(now: number): void {
    if (this.#state !== 'connecting') return;
    if (now - this.#startedAt > this.#deps.handshakeTimeoutMs) {
      this.#fail('handshake timeout');
      return;
    }
    if (now >= this.#retransmitAt) {
      this.counters.retransmits++;
      this.#rto = Math.min(this.#rto * 2, MAX_RTO_MS);
      this.#resendFlight(now);
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
      if (epoch === 0) {
        body = buf.subarray(p + RECORD_HEADER_LENGTH, recEnd);
      } else if (epoch === 1 && this.#cipher !== undefined && this.#readEpoch === 1) {
        body = this.#cipher.open(buf, p, recEnd - p);
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
    if (resend) this.#resendFlight(now);
  }

  close(): void {
    if (this.#state === 'closed') return;
    if (this.#state === 'connected') this.#sendAlert(1, 0); // close_notify
    this.#flight = [];
    this.#setState('closed');
  }

  /** Returns true when the peer repeated an old flight, so ours should go again. */
  #onRecord(type: number, epoch: number, body: Buffer, now: number): boolean {
    switch (type) {
      case CT_HANDSHAKE:
        return this.#onHandshakeRecord(body, epoch, now);
      case CT_CHANGE_CIPHER_SPEC:
        if (this.#cipher === undefined) {
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
      if (this.#deps.role === 'server') this.#serverMessage(m.type, m.body, m.whole, epoch, now);
      else this.#clientMessage(m.type, m.body, m.whole, epoch, now);
      if (this.#state !== 'connecting') break;
    }
    return resend;
  }

  // ---- server role ----

  #serverMessage(type: number, body: Buffer, whole: Buffer, epoch: number, now: number): void {
    switch (type) {
      case HT_CLIENT_HELLO: {
        if (this.#clientRandom.length > 0) return; // a repeat; the retransmission path answers it
        const hello = readHello(body, true);
        if (!hello.cipherSuites.includes(TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256))
          throw new Error('no shared cipher suite');
        const groups = hello.extensions.get(EXT_SUPPORTED_GROUPS);
        if (groups !== undefined && !listHas(groups, CURVE_SECP256R1)) throw new Error('peer lacks secp256r1');
        const srtp = hello.extensions.get(EXT_USE_SRTP);
        const offered = srtp === undefined ? [] : readUseSrtp(srtp);
        this.#profile = this.#deps.srtpProfiles.find((p) => offered.includes(p));
        if (this.#profile === undefined) throw new Error('no shared SRTP profile');
        this.#ems = hello.extensions.has(EXT_EXTENDED_MASTER_SECRET);
        this.#clientRandom = hello.random;
        this.#serverRandom = newRandom();
        this.#transcript.push(whole);
        const ext: Array<[number, Buffer]> = [[EXT_USE_SRTP, writeUseSrtp([this.#profile])]];
        if (this.#ems) ext.push([EXT_EXTENDED_MASTER_SECRET, Buffer.alloc(0)]);
        // RFC 5746 §3.6: a client signals secure renegotiation by the extension or by the SCSV cipher suite
        // (OpenSSL does the latter); either way it gets the empty extension, or OpenSSL 3 aborts the handshake.
        if (hello.extensions.has(EXT_RENEGOTIATION_INFO) || hello.cipherSuites.includes(EMPTY_RENEGOTIATION_INFO_SCSV))
          ext.push([EXT_RENEGOTIATION_INFO, u8(0)]);
        if (hello.extensions.has(EXT_EC_POINT_FORMATS)) ext.push([EXT_EC_POINT_FORMATS, vec8(u8(0))]);
        const serverHello = Buffer.concat([
          u16(DTLS_1_2),
          this.#serverRandom,
          vec8(Buffer.alloc(0)),
          u16(TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256),
          u8(0),
          writeExtensions(ext),
        ]);
        this.#ecdh = createECDH('prime256v1');
        const point = this.#ecdh.generateKeys();
        const params = Buffer.concat([u8(3), u16(CURVE_SECP256R1), vec8(point)]);
        const signature = sign(
          'sha256',
          Buffer.concat([this.#clientRandom, this.#serverRandom, params]),
          this.#deps.certificate.privateKey,
        );
        const certRequest = Buffer.concat([
          vec8(Buffer.from([64, 1])), // ecdsa_sign, rsa_sign
          vec16(Buffer.concat(SIGNATURE_ALGORITHMS.map(u16))),
          vec16(Buffer.alloc(0)),
        ]);
        this.#sendFlight(
          [
            this.#handshake(HT_SERVER_HELLO, serverHello),
            this.#handshake(HT_CERTIFICATE, vec24(vec24(this.#deps.certificate.der))),
            this.#handshake(
              HT_SERVER_KEY_EXCHANGE,
              Buffer.concat([params, u16(SIG_ECDSA_SECP256R1_SHA256), vec16(signature)]),
            ),
            this.#handshake(HT_CERTIFICATE_REQUEST, certRequest),
            this.#handshake(HT_SERVER_HELLO_DONE, Buffer.alloc(0)),
          ],
          now,
        );
        return;
      }
      case HT_CERTIFICATE:
        this.#peerKey = this.#verifyPeerCertificate(body);
        this.#transcript.push(whole);
        return;
      case HT_CLIENT_KEY_EXCHANGE: {
        if (this.#peerKey === undefined) throw new Error('client sent no certificate');
        const point = new Reader(body).vec8();
        this.#transcript.push(whole);
        this.#deriveKeys(this.#ecdh!.computeSecret(point));
        this.#flight = []; // the client answered: stop retransmitting our hello flight
        this.#retransmitAt = Infinity;
        return;
      }
      case HT_CERTIFICATE_VERIFY: {
        if (this.#peerKey === undefined || this.#master === undefined) throw new Error('unexpected CertificateVerify');
        const r = new Reader(body);
        const alg = r.u16();
        const sig = r.vec16();
        if (!verifySignature(alg, Buffer.concat(this.#transcript), this.#peerKey, sig))
          throw new Error('bad CertificateVerify');
        this.#transcript.push(whole);
        return;
      }
      case HT_FINISHED: {
        if (epoch !== 1 || this.#master === undefined) throw new Error('unexpected Finished');
        this.#checkFinished(body, 'client finished');
        this.#transcript.push(whole);
        const verifyData = finishedData(this.#master, 'server finished', this.#transcriptHash());
        this.#sendFlight(
          [{ type: CT_CHANGE_CIPHER_SPEC, epoch: 0, body: u8(1) }, this.#handshake(HT_FINISHED, verifyData, 1)],
          now,
        );
        this.#retransmitAt = Infinity; // RFC 6347 §4.2.4: the last flight goes again only when the peer repeats
        this.#connected();
        return;
      }
      default:
        throw new Error(`unexpected handshake message ${type}`);
    }
  }

  // ---- client role ----

  #clientHello(cookie: Buffer): Buffer {
    const ext: Array<[number, Buffer]> = [
      [EXT_SUPPORTED_GROUPS, vec16(u16(CURVE_SECP256R1))],
      [EXT_EC_POINT_FORMATS, vec8(u8(0))],
      [EXT_SIGNATURE_ALGORITHMS, vec16(Buffer.concat(SIGNATURE_ALGORITHMS.map(u16)))],
      [EXT_USE_SRTP, writeUseSrtp(this.#deps.srtpProfiles)],
      [EXT_EXTENDED_MASTER_SECRET, Buffer.alloc(0)],
      [EXT_RENEGOTIATION_INFO, u8(0)],
    ];
    return Buffer.concat([
      u16(DTLS_1_2),
      this.#clientRandom,
      vec8(Buffer.alloc(0)),
      vec8(cookie),
      vec16(Buffer.concat([u16(TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256), u16(TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)])),
      vec8(u8(0)),
      writeExtensions(ext),
    ]);
  }

  #clientMessage(type: number, body: Buffer, whole: Buffer, epoch: number, now: number): void {
    switch (type) {
      case HT_HELLO_VERIFY_REQUEST: {
        const r = new Reader(body);
        r.u16();
        const cookie = r.vec8();
        this.#transcript = []; // RFC 6347 §4.2.1: the first hello and the verify request are not hashed
        this.#sendFlight([this.#handshake(HT_CLIENT_HELLO, this.#clientHello(Buffer.from(cookie)))], now);
        return;
      }
      case HT_SERVER_HELLO: {
        const hello = readHello(body, false);
        const suite = hello.cipherSuites[0];
        if (suite !== TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 && suite !== TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)
          throw new Error('server chose an unknown suite');
        const srtp = hello.extensions.get(EXT_USE_SRTP);
        const chosen = srtp === undefined ? undefined : readUseSrtp(srtp)[0];
        this.#profile = this.#deps.srtpProfiles.find((p) => p === chosen);
        if (this.#profile === undefined) throw new Error('server chose no SRTP profile of ours');
        this.#ems = hello.extensions.has(EXT_EXTENDED_MASTER_SECRET);
        this.#serverRandom = hello.random;
        this.#flight = [];
        this.#retransmitAt = Infinity;
        this.#transcript.push(whole);
        return;
      }
      case HT_CERTIFICATE:
        this.#peerKey = this.#verifyPeerCertificate(body);
        this.#transcript.push(whole);
        return;
      case HT_SERVER_KEY_EXCHANGE: {
        if (this.#peerKey === undefined) throw new Error('ServerKeyExchange before Certificate');
        const r = new Reader(body);
        if (r.u8() !== 3 || r.u16() !== CURVE_SECP256R1) throw new Error('server chose an unknown curve');
        this.#peerEcPoint = Buffer.from(r.vec8());
        const paramsEnd = r.pos;
        const alg = r.u16();
        const sig = r.vec16();
        const signed = Buffer.concat([this.#clientRandom, this.#serverRandom, body.subarray(0, paramsEnd)]);
        if (!verifySignature(alg, signed, this.#peerKey, sig)) throw new Error('bad ServerKeyExchange signature');
        this.#transcript.push(whole);
        return;
      }
      case HT_CERTIFICATE_REQUEST:
        this.#certificateRequested = true;
        this.#transcript.push(whole);
        return;
      case HT_SERVER_HELLO_DONE: {
        if (this.#peerEcPoint === undefined) throw new Error('ServerHelloDone before ServerKeyExchange');
        this.#transcript.push(whole);
        const out: FlightRecord[] = [];
        if (this.#certificateRequested)
          out.push(this.#handshake(HT_CERTIFICATE, vec24(vec24(this.#deps.certificate.der))));
        this.#ecdh = createECDH('prime256v1');
        const point = this.#ecdh.generateKeys();
        out.push(this.#handshake(HT_CLIENT_KEY_EXCHANGE, vec8(point)));
        this.#deriveKeys(this.#ecdh.computeSecret(this.#peerEcPoint));
        if (this.#certificateRequested) {
          const sig = sign('sha256', Buffer.concat(this.#transcript), this.#deps.certificate.privateKey);
          out.push(
            this.#handshake(HT_CERTIFICATE_VERIFY, Buffer.concat([u16(SIG_ECDSA_SECP256R1_SHA256), vec16(sig)])),
          );
        }
        out.push({ type: CT_CHANGE_CIPHER_SPEC, epoch: 0, body: u8(1) });
        out.push(
          this.#handshake(HT_FINISHED, finishedData(this.#master!, 'client finished', this.#transcriptHash()), 1),
        );
        this.#sendFlight(out, now);
        return;
      }
      case HT_FINISHED:
        if (epoch !== 1 || this.#master === undefined) throw new Error('unexpected Finished');
        this.#checkFinished(body, 'server finished');
        this.#flight = [];
        this.#retransmitAt = Infinity;
        this.#connected();
        return;
      default:
        throw new Error(`unexpected handshake message ${type}`);
    }
  }

  // ---- shared ----

  #verifyPeerCertificate(body: Buffer): KeyObject {
    const list = new Reader(body).vec24();
    if (list.length === 0) throw new Error('peer sent an empty certificate list');
    const der = Buffer.from(new Reader(list).vec24());
    const wanted = this.#deps.remoteFingerprints;
    const ok = wanted.some((f) => {
      try {
        return fingerprintOf(der, f.hash.toLowerCase()) === f.value.toUpperCase();
      } catch {
        return false; // an unknown hash name matches nothing
      }
    });
    if (!ok) throw new Error('peer certificate does not match the signalled fingerprint');
    return new X509Certificate(der).publicKey;
  }

  #deriveKeys(preMaster: Buffer): void {
    const randoms = { client: this.#clientRandom, server: this.#serverRandom };
    this.#master = masterSecret(preMaster, randoms, this.#ems, () => this.#transcriptHash());
    this.#cipher = recordCipher(this.#master, randoms, this.#deps.role);
  }

  #checkFinished(body: Buffer, label: 'client finished' | 'server finished'): void {
    if (!finishedData(this.#master!, label, this.#transcriptHash()).equals(body)) throw new Error('bad Finished');
  }

  #transcriptHash(): Buffer {
    const h = createHash('sha256');
    for (const m of this.#transcript) h.update(m);
    return h.digest();
  }

  #connected(): void {
    const keys = srtpKeys(
      this.#master!,
      { client: this.#clientRandom, server: this.#serverRandom },
      this.#profile!,
      this.#deps.role,
    );
    this.#setState('connected');
    this.#deps.onKeys(keys);
  }

  #handshake(type: number, body: Buffer, epoch = 0): FlightRecord {
    const msg = Buffer.concat([u8(type), u24(body.length), u16(this.#msgSeqOut++), u24(0), u24(body.length), body]);
    if (type !== HT_HELLO_VERIFY_REQUEST) this.#transcript.push(msg);
    return { type: CT_HANDSHAKE, epoch, body: msg };
  }

  #sendFlight(records: FlightRecord[], now: number): void {
    this.#flight = records;
    this.#rto = INITIAL_RTO_MS;
    this.#resendFlight(now);
  }

  #resendFlight(now: number): void {
    if (this.#flight.length === 0) return;
    let datagram: Buffer[] = [];
    let size = 0;
    for (const rec of this.#flight) {
      const bytes = this.#record(rec.type, rec.epoch, rec.body);
      if (size > 0 && size + bytes.length > MAX_DATAGRAM) {
        this.#deps.send(Buffer.concat(datagram));
        datagram = [];
        size = 0;
      }
      datagram.push(bytes);
      size += bytes.length;
    }
    if (size > 0) this.#deps.send(Buffer.concat(datagram));
    this.#retransmitAt = this.#state === 'connecting' ? now + this.#rto : Infinity;
  }

  #record(type: number, epoch: number, body: Buffer): Buffer {
    const header = Buffer.alloc(RECORD_HEADER_LENGTH);
    header[0] = type;
    header.writeUInt16BE(DTLS_1_2, 1);
    header.writeUInt16BE(epoch, 3);
    const seq = this.#writeSeq[epoch]!;
    this.#writeSeq[epoch] = seq + 1;
    header.writeUIntBE(seq, 5, 6);
    header.writeUInt16BE(body.length, 11);
    if (epoch === 0) return Buffer.concat([header, body]);
    this.#writeEpoch = 1;
    return this.#cipher!.seal(header, body);
  }

  #sendAlert(level: number, description: number): void {
    const epoch = this.#cipher !== undefined && this.#writeEpoch === 1 ? 1 : 0;
    this.#deps.send(this.#record(CT_ALERT, epoch, Buffer.from([level, description])));
  }

  #fail(reason: string): void {
    if (this.#state === 'failed' || this.#state === 'closed') return;
    this.#sendAlert(2, 40); // handshake_failure
    this.#flight = [];
    this.#setState('failed', reason);
  }

  #setState(state: DtlsState, reason?: string): void {
    if (this.#state === state) return;
    this.#state = state;
    this.#deps.onStateChange(state, reason);
  }
}

function listHas(vec: Buffer, value: number): boolean {
  const r = new Reader(vec);
  const list = r.vec16();
  for (let i = 0; i + 1 < list.length; i += 2) if (list.readUInt16BE(i) === value) return true;
  return false;
}
