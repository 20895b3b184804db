// SRTP/SRTCP with node:crypto: AES_CM_128_HMAC_SHA1_80 (RFC 3711) and AEAD_AES_128_GCM (RFC 7714).
// node:crypto allocates a cipher object per packet; this is the implementation a faster one replaces.
import { createCipheriv, createDecipheriv, createHmac } from 'node:crypto';
import { ReplayWindow } from './replay-window.js';
import { checkSessionKeys, deriveSessionKeys, type SrtpSessionKeys } from './srtp-kdf.js';
import {
  SRTP_ERR_AUTH,
  SRTP_ERR_MALFORMED,
  SRTP_ERR_REPLAY,
  rtpHeaderLength,
  type SrtpTransform,
} from './srtp-transform.js';

export type SrtpCipher = 'aes-cm-hmac-sha1-80' | 'aes-gcm-128';

/** Master keys and salts of both directions, as DTLS-SRTP exports them; what the bridge passes. */
export interface SrtpKeyParams {
  cipher: SrtpCipher;
  localKey: Buffer;
  localSalt: Buffer;
  remoteKey: Buffer;
  remoteSalt: Buffer;
}

/** Session keys given directly, skipping the KDF: for known-answer tests (RFC 7714 §16 gives session keys). */
export interface SrtpSessionKeyParams {
  cipher: SrtpCipher;
  local: SrtpSessionKeys;
  remote: SrtpSessionKeys;
}

/** The session keys of both directions: derived from master keys, or checked when given directly. */
export function sessionKeysOf(p: SrtpKeyParams | SrtpSessionKeyParams): [SrtpSessionKeys, SrtpSessionKeys] {
  const saltLen = p.cipher === 'aes-gcm-128' ? 12 : 14;
  if ('local' in p) {
    checkSessionKeys(p.local, saltLen);
    checkSessionKeys(p.remote, saltLen);
    return [p.local, p.remote];
  }
  return [deriveSessionKeys(p.localKey, p.localSalt, saltLen), deriveSessionKeys(p.remoteKey, p.remoteSalt, saltLen)];
}

/** Send state of one SSRC (RTP and RTCP share it): the RTP indices already used, and the SRTCP index. */
interface OutState {
  sent: ReplayWindow;
  rtcpIndex: number;
}

const CM_TAG = 10;
/** Receive contexts per endpoint; a real client sends a handful of SSRCs, a key holder must not exhaust memory. */
const MAX_STREAMS = 256;
const GCM_TAG = 16;

/** SRTP contexts of one endpoint (both directions), keyed from a DTLS-SRTP export. */
export class NodeSrtpTransform implements SrtpTransform {
  readonly #gcm: boolean;
  readonly #local: SrtpSessionKeys;
  readonly #remote: SrtpSessionKeys;
  readonly #in = new Map<number, ReplayWindow>();
  readonly #rtcpIn = new Map<number, ReplayWindow>();
  readonly #out = new Map<number, OutState>();
  readonly #iv = Buffer.alloc(16);
  readonly #roc = Buffer.alloc(4);
  readonly #aad = Buffer.alloc(12);

  constructor(p: SrtpKeyParams | SrtpSessionKeyParams) {
    this.#gcm = p.cipher === 'aes-gcm-128';
    [this.#local, this.#remote] = sessionKeysOf(p);
  }

  protectRtp(src: Buffer, off: number, len: number, dst: Buffer, dstOff: number): number {
    const h = rtpHeaderLength(src, off, len);
    if (h < 0 || src[off]! >> 6 !== 2) return SRTP_ERR_MALFORMED;
    const ssrc = src.readUInt32BE(off + 8);
    const seq = src.readUInt16BE(off + 2);
    const st = this.#outState(ssrc);
    // The index the receiver will estimate (RFC 3711 Appendix A); one already used is refused, as libsrtp's
    // srtp_protect does without allow_repeat_tx: two packets under one GCM nonce would leak both.
    const index = st.sent.estimate(seq);
    if (!st.sent.check(index)) return SRTP_ERR_REPLAY;
    const roc = Math.floor(index / 65536) >>> 0;
    if (src !== dst || off !== dstOff) src.copy(dst, dstOff, off, off + h);
    if (this.#gcm) {
      const n = h + this.#gcmRtp(true, this.#local, src, off, h, len, dst, dstOff, ssrc, roc, seq);
      st.sent.accept(index);
      return n;
    }
    this.#ctr(this.#local.rtpKey, this.#local.rtpSalt, ssrc, index, src, off + h, len - h, dst, dstOff + h);
    this.#writeRoc(roc);
    const mac = createHmac('sha1', this.#local.rtpAuth)
      .update(dst.subarray(dstOff, dstOff + len))
      .update(this.#roc)
      .digest();
    mac.copy(dst, dstOff + len, 0, CM_TAG);
    st.sent.accept(index);
    return len + CM_TAG;
  }

  #outState(ssrc: number): OutState {
    let st = this.#out.get(ssrc);
    if (st === undefined) {
      st = { sent: new ReplayWindow(), rtcpIndex: 0 };
      this.#out.set(ssrc, st);
    }
    return st;
  }

  unprotectRtp(src: Buffer, off: number, len: number, dst: Buffer, dstOff: number): number {
    const tag = this.#gcm ? GCM_TAG : CM_TAG;
    const h = rtpHeaderLength(src, off, len - tag);
    if (h < 0 || src[off]! >> 6 !== 2) return SRTP_ERR_MALFORMED;
    const ssrc = src.readUInt32BE(off + 8);
    const seq = src.readUInt16BE(off + 2);
    const known = this.#in.get(ssrc);
    if (known === undefined && this.#in.size >= MAX_STREAMS) return SRTP_ERR_MALFORMED;
    const win = known ?? new ReplayWindow();
    const index = win.estimate(seq);
    if (!win.check(index)) return SRTP_ERR_REPLAY;
    const roc = Math.floor(index / 65536);
    let n: number;
    if (this.#gcm) {
      if (src !== dst || off !== dstOff) src.copy(dst, dstOff, off, off + h);
      n = this.#gcmRtp(false, this.#remote, src, off, h, len, dst, dstOff, ssrc, roc, seq);
      if (n < 0) return n;
      n += h;
    } else {
      n = len - CM_TAG;
      this.#writeRoc(roc);
      const mac = createHmac('sha1', this.#remote.rtpAuth)
        .update(src.subarray(off, off + n))
        .update(this.#roc)
        .digest();
      if (!equal(mac, 0, src, off + n, CM_TAG)) return SRTP_ERR_AUTH;
      if (src !== dst || off !== dstOff) src.copy(dst, dstOff, off, off + h);
      this.#ctr(this.#remote.rtpKey, this.#remote.rtpSalt, ssrc, index, src, off + h, n - h, dst, dstOff + h);
    }
    win.accept(index);
    if (known === undefined) this.#in.set(ssrc, win); // state only for SSRCs that authenticated
    return n;
  }

  protectRtcp(src: Buffer, off: number, len: number, dst: Buffer, dstOff: number): number {
    if (len < 8 || src[off]! >> 6 !== 2) return SRTP_ERR_MALFORMED;
    const ssrc = src.readUInt32BE(off + 4);
    const st = this.#outState(ssrc);
    // The 31-bit SRTCP index would wrap to one already used: refuse, as libsrtp's key_expired (RFC 3711 §9.2).
    if (st.rtcpIndex === 0x7fffffff) return SRTP_ERR_REPLAY;
    const index = ++st.rtcpIndex;
    if (src !== dst || off !== dstOff) src.copy(dst, dstOff, off, off + 8);
    if (this.#gcm) {
      this.#rtcpIv(this.#local.rtcpSalt, ssrc, index);
      this.#aad.writeUInt32BE((0x80000000 | index) >>> 0, 8);
      src.copy(this.#aad, 0, off, off + 8);
      const c = createCipheriv('aes-128-gcm', this.#local.rtcpKey, this.#iv.subarray(0, 12));
      c.setAAD(this.#aad);
      const body = c.update(src.subarray(off + 8, off + len));
      c.final();
      body.copy(dst, dstOff + 8);
      c.getAuthTag().copy(dst, dstOff + len);
      dst.writeUInt32BE((0x80000000 | index) >>> 0, dstOff + len + GCM_TAG);
      return len + GCM_TAG + 4;
    }
    this.#rtcpIv(this.#local.rtcpSalt, ssrc, index);
    const c = createCipheriv('aes-128-ctr', this.#local.rtcpKey, this.#iv);
    c.update(src.subarray(off + 8, off + len)).copy(dst, dstOff + 8);
    dst.writeUInt32BE((0x80000000 | index) >>> 0, dstOff + len);
    const mac = createHmac('sha1', this.#local.rtcpAuth)
      .update(dst.subarray(dstOff, dstOff + len + 4))
      .digest();
    mac.copy(dst, dstOff + len + 4, 0, CM_TAG);
    return len + 4 + CM_TAG;
  }

  unprotectRtcp(src: Buffer, off: number, len: number, dst: Buffer, dstOff: number): number {
    const tag = this.#gcm ? GCM_TAG : CM_TAG;
    if (len < 8 + 4 + tag || src[off]! >> 6 !== 2) return SRTP_ERR_MALFORMED;
    const ssrc = src.readUInt32BE(off + 4);
    const eIndexAt = this.#gcm ? off + len - 4 : off + len - tag - 4;
    const eIndex = src.readUInt32BE(eIndexAt);
    const index = eIndex & 0x7fffffff;
    const encrypted = (eIndex & 0x80000000) !== 0;
    const known = this.#rtcpIn.get(ssrc);
    if (known === undefined && this.#rtcpIn.size >= MAX_STREAMS) return SRTP_ERR_MALFORMED;
    const win = known ?? new ReplayWindow();
    if (!win.check(index)) return SRTP_ERR_REPLAY;
    const n = len - tag - 4;
    this.#rtcpIv(this.#remote.rtcpSalt, ssrc, index);
    if (this.#gcm) {
      src.copy(this.#aad, 0, off, off + 8);
      this.#aad.writeUInt32BE(eIndex >>> 0, 8);
      try {
        const d = createDecipheriv('aes-128-gcm', this.#remote.rtcpKey, this.#iv.subarray(0, 12));
        d.setAAD(this.#aad);
        d.setAuthTag(src.subarray(off + n, off + n + GCM_TAG));
        const body = d.update(src.subarray(off + 8, off + n));
        d.final();
        if (src !== dst || off !== dstOff) src.copy(dst, dstOff, off, off + 8);
        body.copy(dst, dstOff + 8);
      } catch {
        return SRTP_ERR_AUTH; // the tag did not verify
      }
    } else {
      const mac = createHmac('sha1', this.#remote.rtcpAuth)
        .update(src.subarray(off, off + n + 4))
        .digest();
      if (!equal(mac, 0, src, off + n + 4, CM_TAG)) return SRTP_ERR_AUTH;
      if (src !== dst || off !== dstOff) src.copy(dst, dstOff, off, off + 8);
      if (encrypted) {
        const c = createCipheriv('aes-128-ctr', this.#remote.rtcpKey, this.#iv);
        c.update(src.subarray(off + 8, off + n)).copy(dst, dstOff + 8);
      } else if (src !== dst || off !== dstOff) src.copy(dst, dstOff + 8, off + 8, off + n);
    }
    win.accept(index);
    if (known === undefined) this.#rtcpIn.set(ssrc, win);
    return n;
  }

  // RFC 7714 §8: IV = (00 00 || SSRC || ROC || SEQ) XOR salt; AAD = the RTP header.
  #gcmRtp(
    encrypt: boolean,
    keys: SrtpSessionKeys,
    src: Buffer,
    off: number,
    h: number,
    len: number,
    dst: Buffer,
    dstOff: number,
    ssrc: number,
    roc: number,
    seq: number,
  ): number {
    const iv = this.#iv;
    iv.fill(0, 0, 12);
    iv.writeUInt32BE(ssrc >>> 0, 2);
    iv.writeUInt32BE(roc >>> 0, 6);
    iv.writeUInt16BE(seq, 10);
    for (let i = 0; i < 12; i++) iv[i] = iv[i]! ^ keys.rtpSalt[i]!;
    const nonce = iv.subarray(0, 12);
    if (encrypt) {
      const c = createCipheriv('aes-128-gcm', keys.rtpKey, nonce);
      c.setAAD(src.subarray(off, off + h));
      c.update(src.subarray(off + h, off + len)).copy(dst, dstOff + h);
      c.final();
      c.getAuthTag().copy(dst, dstOff + len);
      return len - h + GCM_TAG;
    }
    const n = len - GCM_TAG;
    try {
      const d = createDecipheriv('aes-128-gcm', keys.rtpKey, nonce);
      d.setAAD(src.subarray(off, off + h));
      d.setAuthTag(src.subarray(off + n, off + len));
      const plain = d.update(src.subarray(off + h, off + n));
      d.final();
      plain.copy(dst, dstOff + h);
    } catch {
      return SRTP_ERR_AUTH; // the tag did not verify
    }
    return n - h;
  }

  // RFC 3711 §4.1.1: IV = (salt * 2^16) XOR (SSRC * 2^64) XOR (index * 2^16).
  #ctr(
    key: Buffer,
    salt: Buffer,
    ssrc: number,
    index: number,
    src: Buffer,
    from: number,
    n: number,
    dst: Buffer,
    at: number,
  ): void {
    const iv = this.#iv;
    salt.copy(iv, 0, 0, 14);
    iv[14] = 0;
    iv[15] = 0;
    iv.writeUInt32BE((iv.readUInt32BE(4) ^ ssrc) >>> 0, 4);
    const hi = Math.floor(index / 0x100000000);
    iv.writeUInt16BE((iv.readUInt16BE(8) ^ hi) & 0xffff, 8);
    iv.writeUInt32BE((iv.readUInt32BE(10) ^ index) >>> 0, 10);
    const c = createCipheriv('aes-128-ctr', key, iv);
    c.update(src.subarray(from, from + n)).copy(dst, at);
  }

  #rtcpIv(salt: Buffer, ssrc: number, index: number): void {
    const iv = this.#iv;
    if (this.#gcm) {
      // RFC 7714 §9.1: 00 00 || SSRC || 00 00 || index(31 bits), XOR salt.
      iv.fill(0, 0, 12);
      iv.writeUInt32BE(ssrc >>> 0, 2);
      iv.writeUInt32BE(index >>> 0, 8);
      for (let i = 0; i < 12; i++) iv[i] = iv[i]! ^ salt[i]!;
      return;
    }
    salt.copy(iv, 0, 0, 14);
    iv[14] = 0;
    iv[15] = 0;
    iv.writeUInt32BE((iv.readUInt32BE(4) ^ ssrc) >>> 0, 4);
    iv.writeUInt32BE((iv.readUInt32BE(10) ^ index) >>> 0, 10);
  }

  #writeRoc(roc: number): void {
    this.#roc.writeUInt32BE(roc >>> 0, 0);
  }
}

function equal(a: Buffer, aOff: number, b: Buffer, bOff: number, n: number): boolean {
  let d = 0;
  for (let i = 0; i < n; i++) d |= a[aOff + i]! ^ b[bOff + i]!;
  return d === 0;
}
