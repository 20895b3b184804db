// AES-128-GCM record protection (RFC 5288, RFC 6347 §4.1.2.1): nonce = implicit IV(4) || epoch+seq(8).
import { createCipheriv, createDecipheriv } from 'node:crypto';

export const RECORD_HEADER_LENGTH = 13;
const EXPLICIT_NONCE = 8;
const TAG = 16;

export class RecordCipher {
  readonly #writeKey: Buffer;
  readonly #writeIv: Buffer;
  readonly #readKey: Buffer;
  readonly #readIv: Buffer;

  constructor(writeKey: Buffer, writeIv: Buffer, readKey: Buffer, readIv: Buffer) {
    this.#writeKey = writeKey;
    this.#writeIv = writeIv;
    this.#readKey = readKey;
    this.#readIv = readIv;
  }

  /** Encrypts one record: `header` (13 bytes: type, version, epoch, seq, length) gets its length rewritten. */
  seal(header: Buffer, plaintext: Buffer): Buffer {
    const nonce = Buffer.concat([this.#writeIv, header.subarray(3, 11)]);
    const aad = Buffer.alloc(13);
    header.copy(aad, 0, 3, 11);
    aad[8] = header[0]!;
    aad[9] = header[1]!;
    aad[10] = header[2]!;
    aad.writeUInt16BE(plaintext.length, 11);
    const c = createCipheriv('aes-128-gcm', this.#writeKey, nonce);
    c.setAAD(aad);
    const body = Buffer.concat([header.subarray(3, 11), c.update(plaintext), c.final(), c.getAuthTag()]);
    header.writeUInt16BE(body.length, 11);
    return Buffer.concat([header, body]);
  }

  /** Decrypts one record body; undefined when authentication fails. */
  open(buf: Buffer, off: number, len: number): Buffer | undefined {
    const bodyLen = len - RECORD_HEADER_LENGTH;
    if (bodyLen < EXPLICIT_NONCE + TAG) return undefined;
    const p = off + RECORD_HEADER_LENGTH;
    const nonce = Buffer.concat([this.#readIv, buf.subarray(p, p + EXPLICIT_NONCE)]);
    const plainLen = bodyLen - EXPLICIT_NONCE - TAG;
    const aad = Buffer.alloc(13);
    buf.copy(aad, 0, off + 3, off + 11);
    aad[8] = buf[off]!;
    aad[9] = buf[off + 1]!;
    aad[10] = buf[off + 2]!;
    aad.writeUInt16BE(plainLen, 11);
    try {
      const d = createDecipheriv('aes-128-gcm', this.#readKey, nonce);
      d.setAAD(aad);
      d.setAuthTag(buf.subarray(off + len - TAG, off + len));
      return Buffer.concat([d.update(buf.subarray(p + EXPLICIT_NONCE, off + len - TAG)), d.final()]);
    } catch {
      return undefined; // authentication failed: the caller counts it
    }
  }
}
