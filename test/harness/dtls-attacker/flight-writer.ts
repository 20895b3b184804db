// Outgoing DTLS records: per-epoch write sequence numbers, flight packing into datagrams, and retransmission timing.
import { CT_ALERT, DTLS_1_2 } from './handshake-codec.js';
import { RECORD_HEADER_LENGTH, type RecordCipher } from './record-cipher.js';

const MAX_DATAGRAM = 1200;
const INITIAL_RTO_MS = 1000;
const MAX_RTO_MS = 8000;

/** One record of a flight, kept in plaintext so the whole flight can be sealed again with fresh sequence numbers. */
export interface FlightRecord {
  type: number;
  epoch: number;
  body: Buffer;
}

export interface FlightWriterDeps {
  send: (buf: Buffer) => void;
  /** The record cipher once keys are derived; epoch 1 records need it. */
  cipher: () => RecordCipher | undefined;
  /** Whether the handshake is still running, so a resent flight arms the retransmission timer. */
  connecting: () => boolean;
}

/** The last flight we sent and the record-layer write state needed to send it (again). */
export class FlightWriter {
  readonly #deps: FlightWriterDeps;
  readonly #writeSeq = [0, 0];
  #writeEpoch = 0;
  #flight: FlightRecord[] = [];
  #retransmitAt = Infinity;
  #rto = INITIAL_RTO_MS;

  constructor(deps: FlightWriterDeps) {
    this.#deps = deps;
  }

  /** Makes `records` the current flight and sends it with a fresh retransmission timeout. */
  send(records: FlightRecord[], now: number): void {
    this.#flight = records;
    this.#rto = INITIAL_RTO_MS;
    this.resend(now);
  }

  /** Sends the current flight again, packed into as few datagrams as fit. */
  resend(now: number): void {
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
    this.#retransmitAt = this.#deps.connecting() ? now + this.#rto : Infinity;
  }

  /** Whether the retransmission timer has run out. */
  due(now: number): boolean {
    return now >= this.#retransmitAt;
  }

  /** Resends the flight after a timeout, doubling the next timeout up to a cap. */
  retransmit(now: number): void {
    this.#rto = Math.min(this.#rto * 2, MAX_RTO_MS);
    this.resend(now);
  }

  /** Keeps the flight for resending on request but stops the timer (RFC 6347 §4.2.4, the last flight). */
  disarm(): void {
    this.#retransmitAt = Infinity;
  }

  /** Forgets the flight and stops the timer: the peer has answered it. */
  drop(): void {
    this.#flight = [];
    this.#retransmitAt = Infinity;
  }

  /** Sends an alert at once, protected when our write epoch is already 1. */
  sendAlert(level: number, description: number): void {
    const epoch = this.#deps.cipher() !== undefined && this.#writeEpoch === 1 ? 1 : 0;
    this.#deps.send(this.#record(CT_ALERT, epoch, Buffer.from([level, description])));
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
    return this.#deps.cipher()!.seal(header, body);
  }
}
