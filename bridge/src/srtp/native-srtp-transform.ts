// SRTP through the addon in bridge/native/srtp (OpenSSL inside the node binary, contexts kept per endpoint):
// the same bytes and SRTP_ERR_* codes as NodeSrtpTransform, an order of magnitude less CPU per packet.
import { loadNativeAddon, nativeAddonLoadError, type NativeSrtpContext } from '../addon/index.js';
import type { SrtpCipher, SrtpKeyParams } from './node-srtp-transform.js';
import {
  LABEL_RTCP_AUTH,
  LABEL_RTCP_ENCRYPTION,
  LABEL_RTCP_SALT,
  LABEL_RTP_AUTH,
  LABEL_RTP_ENCRYPTION,
  LABEL_RTP_SALT,
  deriveSessionKey,
} from './srtp-kdf.js';
import type { SrtpTransform } from './srtp-transform.js';

/** Session keys of one direction as the addon takes them: 16 + 20 + 14 for RTP, then the same for RTCP. */
const DIR_KEYS = 100;

type NativeContext = NativeSrtpContext;

/** The loaded addon, as the SRTP side sees it. */
export interface NativeSrtpBinding {
  SrtpContext: new (gcm: boolean, keys: Buffer) => NativeContext;
  /** OpenSSL_version() of the OpenSSL the addon runs on. */
  openssl: string;
}

/** The addon, or undefined when it is not built or does not load (callers fall back to NodeSrtpTransform). */
export function loadNativeSrtp(): NativeSrtpBinding | undefined {
  return loadNativeAddon();
}

/** One line saying why loadNativeSrtp() returned undefined; undefined when the addon loaded. */
export function nativeSrtpLoadError(): string | undefined {
  return nativeAddonLoadError();
}

function writeDirection(out: Buffer, at: number, cipher: SrtpCipher, key: Buffer, salt: Buffer): void {
  const saltLen = cipher === 'aes-gcm-128' ? 12 : 14;
  deriveSessionKey(key, salt, LABEL_RTP_ENCRYPTION, 16).copy(out, at);
  deriveSessionKey(key, salt, LABEL_RTP_AUTH, 20).copy(out, at + 16);
  deriveSessionKey(key, salt, LABEL_RTP_SALT, saltLen).copy(out, at + 36);
  deriveSessionKey(key, salt, LABEL_RTCP_ENCRYPTION, 16).copy(out, at + 50);
  deriveSessionKey(key, salt, LABEL_RTCP_AUTH, 20).copy(out, at + 66);
  deriveSessionKey(key, salt, LABEL_RTCP_SALT, saltLen).copy(out, at + 86);
}

/** SRTP contexts of one endpoint (both directions) in the native addon; throws when the addon is not loadable. */
export class NativeSrtpTransform implements SrtpTransform {
  readonly #ctx: NativeContext;

  constructor(p: SrtpKeyParams, binding: NativeSrtpBinding | undefined = loadNativeSrtp()) {
    if (binding === undefined) throw new Error(nativeSrtpLoadError() ?? 'the native SRTP addon does not load');
    const keys = Buffer.alloc(2 * DIR_KEYS);
    writeDirection(keys, 0, p.cipher, p.localKey, p.localSalt);
    writeDirection(keys, DIR_KEYS, p.cipher, p.remoteKey, p.remoteSalt);
    this.#ctx = new binding.SrtpContext(p.cipher === 'aes-gcm-128', keys);
    keys.fill(0);
  }

  protectRtp(src: Buffer, off: number, len: number, dst: Buffer, dstOff: number): number {
    return this.#ctx.protectRtp(src, off, len, dst, dstOff);
  }

  unprotectRtp(src: Buffer, off: number, len: number, dst: Buffer, dstOff: number): number {
    return this.#ctx.unprotectRtp(src, off, len, dst, dstOff);
  }

  protectRtcp(src: Buffer, off: number, len: number, dst: Buffer, dstOff: number): number {
    return this.#ctx.protectRtcp(src, off, len, dst, dstOff);
  }

  unprotectRtcp(src: Buffer, off: number, len: number, dst: Buffer, dstOff: number): number {
    return this.#ctx.unprotectRtcp(src, off, len, dst, dstOff);
  }
}
