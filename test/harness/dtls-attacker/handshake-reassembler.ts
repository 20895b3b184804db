// DTLS handshake reassembly (RFC 6347 §4.2.3): fragments in any order, messages out in message_seq order.
import { u16, u24, u8 } from './handshake-codec.js';

interface Partial {
  type: number;
  body: Buffer;
  have: Uint8Array;
  missing: number;
}

/** A whole handshake message: its body, and its bytes as hashed into the transcript (one unfragmented piece). */
export interface HandshakeMessage {
  type: number;
  body: Buffer;
  whole: Buffer;
}

const WINDOW = 8;

export class HandshakeReassembler {
  /** The next message_seq to deliver; -1 until the first message fixes it (a server learns it from the ClientHello). */
  next: number;
  readonly #partials = new Map<number, Partial>();

  constructor(firstSeq: number) {
    this.next = firstSeq;
  }

  /** Stores one fragment; returns false when it belongs to an earlier message (the peer is retransmitting). */
  add(type: number, length: number, msgSeq: number, fragOff: number, frag: Buffer): boolean {
    if (fragOff + frag.length > length || length > 65536) throw new RangeError('bad handshake fragment');
    if (msgSeq < this.next) return false;
    if (msgSeq > this.next + WINDOW) return true; // too far ahead: the peer will send it again
    let part = this.#partials.get(msgSeq);
    if (part === undefined) {
      part = { type, body: Buffer.alloc(length), have: new Uint8Array(length), missing: length };
      this.#partials.set(msgSeq, part);
    }
    if (part.type !== type || part.body.length !== length) throw new RangeError('inconsistent handshake fragments');
    for (let i = 0; i < frag.length; i++) {
      if (part.have[fragOff + i] === 0) {
        part.have[fragOff + i] = 1;
        part.missing--;
      }
    }
    frag.copy(part.body, fragOff);
    return true;
  }

  /** The next complete message in order, if any. */
  take(): HandshakeMessage | undefined {
    const part = this.#partials.get(this.next);
    if (part === undefined || part.missing > 0) return undefined;
    this.#partials.delete(this.next);
    const n = part.body.length;
    const whole = Buffer.concat([u8(part.type), u24(n), u16(this.next), u24(0), u24(n), part.body]);
    this.next++;
    return { type: part.type, body: part.body, whole };
  }
}
