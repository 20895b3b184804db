// SRTP through the addon in bridge/native/srtp (OpenSSL inside the node binary, contexts kept per endpoint):
// the same bytes and SRTP_ERR_* codes as NodeSrtpTransform, an order of magnitude less CPU per packet.
import { loadNativeAddon, nativeAddonLoadError, type NativeSrtpContext } from '../addon/index.js';
import { sessionKeysOf, type SrtpKeyParams, type SrtpSessionKeyParams } from './node-srtp-transform.js';
import type { SrtpSessionKeys } from './srtp-kdf.js';
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

/** A 12-byte GCM salt lands in a 14-byte slot whose last two bytes stay zero. */
function writeDirection(out: Buffer, at: number, k: SrtpSessionKeys): void {
  k.rtpKey.copy(out, at);
  k.rtpAuth.copy(out, at + 16);
  k.rtpSalt.copy(out, at + 36);
  k.rtcpKey.copy(out, at + 50);
  k.rtcpAuth.copy(out, at + 66);
  k.rtcpSalt.copy(out, at + 86);
}

/** SRTP contexts of one endpoint (both directions) in the native addon; throws when the addon is not loadable. */
export class NativeSrtpTransform implements SrtpTransform {
  readonly #ctx: NativeContext;
  /** The context's number in the addon, for a native socket's sendSrtp (one call to protect and send). */
  readonly handle: number;

  constructor(p: SrtpKeyParams | SrtpSessionKeyParams, binding: NativeSrtpBinding | undefined = loadNativeSrtp()) {
    if (binding === undefined) throw new Error(nativeSrtpLoadError() ?? 'the native SRTP addon does not load');
    const [local, remote] = sessionKeysOf(p);
    const keys = Buffer.alloc(2 * DIR_KEYS);
    writeDirection(keys, 0, local);
    writeDirection(keys, DIR_KEYS, remote);
    this.#ctx = new binding.SrtpContext(p.cipher === 'aes-gcm-128', keys);
    keys.fill(0);
    this.handle = this.#ctx.handle();
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
