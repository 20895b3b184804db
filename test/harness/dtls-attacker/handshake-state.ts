// Handshake state both roles share: transcript, hello randoms, negotiated parameters and the keys derived from them.
import { X509Certificate, createHash, type ECDH, type KeyObject } from 'node:crypto';
import { fingerprintOf, type DtlsCertificate } from './certificate.js';
import { type DtlsFingerprint, type DtlsRole, type SrtpKeys, type SrtpProfile } from './dtls-params.js';
import { type FlightRecord, type FlightWriter } from './flight-writer.js';
import { CT_HANDSHAKE, HT_HELLO_VERIFY_REQUEST, Reader, u16, u24, u8 } from './handshake-codec.js';
import { finishedData, masterSecret, recordCipher, srtpKeys } from './key-schedule.js';
import { type RecordCipher } from './record-cipher.js';

/** What the client and server message handlers get from the session: its state, its writer and a few of its deps. */
export interface HandshakeContext {
  readonly hs: HandshakeState;
  readonly flight: FlightWriter;
  readonly deps: {
    readonly certificate: DtlsCertificate;
    readonly remoteFingerprints: readonly DtlsFingerprint[];
    /** Offered or accepted SRTP profiles, most preferred first. */
    readonly srtpProfiles: readonly SrtpProfile[];
  };
  /** Called once the peer's Finished checks out: exports the SRTP keys and reports the session connected. */
  connected(): void;
}

/** Everything one handshake learns or derives, written by the role handlers and read by the record layer. */
export class HandshakeState {
  readonly role: DtlsRole;
  transcript: Buffer[] = [];
  clientRandom: Buffer = Buffer.alloc(0);
  serverRandom: Buffer = Buffer.alloc(0);
  ecdh: ECDH | undefined;
  ems = false;
  profile: SrtpProfile | undefined;
  master: Buffer | undefined;
  cipher: RecordCipher | undefined;
  peerKey: KeyObject | undefined;
  peerEcPoint: Buffer | undefined;
  certificateRequested = false;
  #msgSeqOut = 0;

  constructor(role: DtlsRole) {
    this.role = role;
  }

  /** Frames one unfragmented handshake message with the next message_seq and adds it to the transcript. */
  message(type: number, body: Buffer, epoch = 0): FlightRecord {
    const msg = Buffer.concat([u8(type), u24(body.length), u16(this.#msgSeqOut++), u24(0), u24(body.length), body]);
    if (type !== HT_HELLO_VERIFY_REQUEST) this.transcript.push(msg);
    return { type: CT_HANDSHAKE, epoch, body: msg };
  }

  transcriptHash(): Buffer {
    const h = createHash('sha256');
    for (const m of this.transcript) h.update(m);
    return h.digest();
  }

  /** Master secret (extended when negotiated) and the record cipher, from the ECDHE shared secret. */
  deriveKeys(preMaster: Buffer): void {
    const randoms = { client: this.clientRandom, server: this.serverRandom };
    this.master = masterSecret(preMaster, randoms, this.ems, () => this.transcriptHash());
    this.cipher = recordCipher(this.master, randoms, this.role);
  }

  /** verify_data of our Finished over the transcript so far. */
  finished(label: 'client finished' | 'server finished'): Buffer {
    return finishedData(this.master!, label, this.transcriptHash());
  }

  checkFinished(body: Buffer, label: 'client finished' | 'server finished'): void {
    if (!this.finished(label).equals(body)) throw new Error('bad Finished');
  }

  srtpKeys(): SrtpKeys {
    return srtpKeys(this.master!, { client: this.clientRandom, server: this.serverRandom }, this.profile!, this.role);
  }
}

/** The public key of the peer's leaf certificate, once its fingerprint matches one signalled out of band. */
export function verifyPeerCertificate(body: Buffer, wanted: readonly DtlsFingerprint[]): KeyObject {
  const list = new Reader(body).vec24();
  if (list.length === 0) throw new Error('peer sent an empty certificate list');
  const der = Buffer.from(new Reader(list).vec24());
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
